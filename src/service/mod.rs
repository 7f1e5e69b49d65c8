//! The service layer: one function per use case, holding the rules. HTTP
//! handlers (`api`), the import engine and the command line (`cli`) only call
//! it. It authorises every act against the permission table
//! (`domain::access`), checks every record by its resource's rules
//! (`resource::Resource`), judges every write the same way whatever the path
//! (`records::Judge`) and audits it through one function (`audit`). It knows
//! nothing of HTTP: its errors are [`ServiceError`], turned into problem
//! documents at the edge.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod coordination;
pub mod csv;
pub mod database;
pub mod error;
pub mod evidence;
pub mod exports;
pub mod feed;
pub mod idempotency;
pub mod imports;
pub mod operation_list;
pub mod people;
pub mod proposals;
pub mod records;
pub mod register;
pub mod registry;
pub mod reporting;
pub mod reports;
pub mod resource;
pub mod resources;
pub mod search;
pub mod spending;
pub mod tabular;
pub mod targets;
pub mod view;
pub mod vocabulary;
pub mod workflow;

pub use database::Database;
pub use error::ServiceError;
