//! The data layer: the connection pool, migrations, one error type, and the
//! storage of each resource.

pub mod error;
pub mod listing;
pub mod pool;
pub mod replication;
pub mod schema;
pub mod statements;
pub mod store;

pub mod audit;
pub mod calendar;
pub mod changes;
pub mod coordination;
pub mod disclosure;
pub mod evidence;
pub mod idempotency;
pub mod imports;
pub mod scopes;
pub mod spending;
pub mod users;
pub mod workflow;

pub mod activities;
pub mod agreements;
pub mod attendance;
pub mod awards;
pub mod beneficiaries;
pub mod budgets;
pub mod committee_meetings;
pub mod committee_members;
pub mod committees;
pub mod indicator_definitions;
pub mod indicator_progress;
pub mod indicators;
pub mod marks;
pub mod measurements;
pub mod measures;
pub mod needs;
pub mod network_members;
pub mod networks;
pub mod offers;
pub mod operations;
pub mod organisation_statuses;
pub mod participant_stats;
pub mod participants;
pub mod partners;
pub mod payment_claims;
pub mod places;
pub mod priority_axes;
pub mod programme_targets;
pub mod programmes;
pub mod projects;
pub mod reporting_periods;
pub mod resolutions;
pub mod strategy_documents;
pub mod supported_institutions;

pub use error::DbError;
pub use pool::{DbPool, PgPooledConnection};
pub use store::{Record, Store};
