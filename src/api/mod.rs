//! The HTTP edge: it parses requests, calls one service function each
//! (`service`), and answers, with problem+json for errors (`problem`), paging,
//! caching, CORS, idempotency and telemetry around it, and the OpenAPI document.

pub mod caching;
pub mod caller;
pub mod consistency;
pub mod conventions;
pub mod cors;
pub mod crud;
pub mod csv;
pub mod extractors;
pub mod formats;
pub mod idempotency;
pub mod load_shed;
pub mod openapi;
pub mod paging;
pub mod problem;
pub mod response_cache;
pub mod routes;
pub mod state;
pub mod telemetry;

pub use problem::ApiError;
pub use state::AppState;
