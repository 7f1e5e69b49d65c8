//! What every handler shares: the pool, and running diesel off the async workers.

use super::ApiError;
use crate::auth::throttle::ThrottleSettings;
use crate::db::{DbError, DbPool};
use actix_web::web;
use diesel::pg::PgConnection;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// A read replica's pool (`DATABASE_READ_URL`), for reads of public records;
    /// without one they use `pool`.
    pub read_pool: Option<DbPool>,
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
        Self::on(self.pool.clone(), work).await
    }

    /// Runs `work` on the read replica when there is one: for reads of public
    /// records that write nothing (reads of personal data are audited, so they
    /// run on the primary). A replica may lag the primary by a moment.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        Self::on(self.read_pool.clone().unwrap_or_else(|| self.pool.clone()), work).await
    }

    /// [`Self::read`] when `public`, else [`Self::run`].
    pub async fn read_if<T, F>(&self, public: bool, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        if public {
            self.read(work).await
        } else {
            self.run(work).await
        }
    }

    async fn on<T, F>(pool: DbPool, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        web::block(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }
}
