//! What every handler shares: the pool, and running diesel off the async workers.

use super::ApiError;
use crate::auth::throttle::ThrottleSettings;
use crate::db::{DbError, DbPool};
use actix_web::web;
use diesel::pg::PgConnection;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub throttle: ThrottleSettings,
    /// The largest upload an import takes, in bytes.
    pub import_limit: u64,
}

impl AppState {
    /// Runs `work` on a pooled connection in the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }
}
