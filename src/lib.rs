//! es-registry: the system of record for EU-co-financed social-economy projects
//! in Polish regions. The layers, each importing only from those below it:
//!
//! - `api` (and `cli`): the edges, HTTP and the command line: parse, call one
//!   service function, answer;
//! - `service`: the rules, one function per use case: who may do what, what is
//!   valid, what is audited;
//! - `db`: storage (diesel over PostgreSQL);
//! - `crypto`: personal data at rest;
//! - `domain`: value types, the resource registry and the permission table,
//!   pure and unit-tested.
//!
//! `startup` and `config` wire them together into a server.

pub mod api;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod service;
pub mod startup;
