//! The HTTP edge: problem+json errors, paging, the generic CRUD handlers, and the
//! OpenAPI document.

pub mod caching;
pub mod cors;
pub mod crud;
pub mod csv;
pub mod extractors;
pub mod formats;
pub mod idempotency;
pub mod imports;
pub mod merge_patch;
pub mod openapi;
pub mod paging;
pub mod problem;
pub mod response_cache;
pub mod state;
pub mod tabular;
pub mod telemetry;

pub use problem::ApiError;
pub use state::AppState;
