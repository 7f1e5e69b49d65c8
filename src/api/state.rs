//! What every handler shares: the service's database, the sign-in throttle's
//! settings and the import limit.

use super::ApiError;
use crate::service::auth::throttle::ThrottleSettings;
use crate::service::Database;
use diesel::pg::PgConnection;

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub throttle: ThrottleSettings,
    /// The largest upload an import takes, in bytes.
    pub import_limit: u64,
}

impl AppState {
    /// Runs a use case on the primary (see [`Database::run`]).
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, crate::service::ServiceError> + Send + 'static,
    {
        Ok(self.db.run(work).await?)
    }

    /// Runs a read of public records, on the replica if there is one (see [`Database::read`]).
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, crate::service::ServiceError> + Send + 'static,
    {
        Ok(self.db.read(work).await?)
    }

    /// [`Self::read`] when `public`, else [`Self::run`].
    pub async fn read_if<T, F>(&self, public: bool, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, crate::service::ServiceError> + Send + 'static,
    {
        Ok(self.db.read_if(public, work).await?)
    }
}
