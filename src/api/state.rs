//! What every handler shares: the service's database, the sign-in throttle's
//! settings, the import limit and the bound on exports.

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
    /// How counts of people are protected for readers who do not own them.
    pub disclosure: crate::domain::disclosure::Rounding,
    /// How large an evidence file may be and what scans it.
    pub evidence: crate::domain::evidence::EvidencePolicy,
    /// How many exports may stream at once.
    pub exports: crate::service::exports::ExportSlots,
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

    /// Runs a use case on the primary as the caller of `session`, looked up on
    /// the same connection first.
    pub async fn run_as<T, F>(&self, session: &super::caller::Session, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection, &crate::domain::access::Caller) -> Result<T, crate::service::ServiceError> + Send + 'static,
    {
        let session = session.clone();
        self.run(move |conn| {
            let caller = session.caller(conn)?;
            work(conn, &caller)
        })
        .await
    }

    /// [`Self::run_as`] on the replica when `public` (and no account must be
    /// looked up: the replica may lag, and accounts are the primary's).
    pub async fn read_if_as<T, F>(&self, public: bool, session: &super::caller::Session, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection, &crate::domain::access::Caller) -> Result<T, crate::service::ServiceError> + Send + 'static,
    {
        if public && !session.signed() {
            self.read(move |conn| work(conn, &crate::domain::access::Caller::Anonymous)).await
        } else {
            self.run_as(session, work).await
        }
    }
}
