//! The service's way to its storage: the primary's pool, an optional read
//! replica's, and running diesel (which blocks) off the async workers.

use super::ServiceError;
use crate::db::{DbError, DbPool};
use diesel::pg::PgConnection;

#[derive(Clone)]
pub struct Database {
    pub pool: DbPool,
    /// A read replica's pool (`DATABASE_READ_URL`), for reads of public records;
    /// without one they use `pool`.
    pub read_pool: Option<DbPool>,
}

impl Database {
    pub fn new(pool: DbPool, read_pool: Option<DbPool>) -> Self {
        Self { pool, read_pool }
    }

    /// Runs `work` on a pooled connection of the primary, in the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        Self::on(self.pool.clone(), work).await
    }

    /// Runs `work` on the read replica when there is one: for reads of public
    /// records that write nothing (reads of personal data are audited, so they
    /// run on the primary). A replica may lag the primary by a moment.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        Self::on(self.read_pool.clone().unwrap_or_else(|| self.pool.clone()), work).await
    }

    /// [`Self::read`] when `public`, else [`Self::run`].
    pub async fn read_if<T, F>(&self, public: bool, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        if public {
            self.read(work).await
        } else {
            self.run(work).await
        }
    }

    async fn on<T, F>(pool: DbPool, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), ServiceError> {
        use diesel::RunQueryDsl;
        self.run(|conn| Ok(diesel::sql_query("SELECT 1").execute(conn).map(|_| ())?)).await
    }
}
