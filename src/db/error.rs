//! The data layer's error type: database failures sorted into what the API must
//! tell apart, with the constraint that fired where there is one.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("record not found")]
    NotFound,
    #[error("unique constraint {constraint} violated")]
    Unique { constraint: String },
    /// A write names a record that does not exist.
    #[error("foreign key {constraint} violated")]
    MissingReference { constraint: String },
    /// A delete of a record that other records still refer to.
    #[error("record is still referenced ({constraint})")]
    StillReferenced { constraint: String },
    /// Text PostgreSQL cannot store (a NUL character).
    #[error("text cannot be stored: {0}")]
    InvalidText(String),
    /// A list request the database cannot answer as asked: a sort that needs a
    /// search, a cursor that was tampered with.
    #[error("{field}: {message}")]
    BadQuery { field: &'static str, message: String },
    #[error("check constraint {constraint} violated")]
    Check { constraint: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default().to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation => DbError::Unique { constraint },
                    DatabaseErrorKind::ForeignKeyViolation => DbError::MissingReference { constraint },
                    DatabaseErrorKind::CheckViolation => DbError::Check { constraint },
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => DbError::Unavailable(info.message().to_owned()),
                    // libpq's words when the server went away under a query.
                    _ if [
                        "server closed the connection",
                        "no connection to the server",
                        "could not receive data from server",
                        "could not send data to server",
                        "terminating connection",
                    ]
                    .iter()
                    .any(|lost| info.message().contains(lost)) =>
                    {
                        DbError::Unavailable(info.message().to_owned())
                    }
                    _ if info.message().starts_with("invalid byte sequence") => DbError::InvalidText(info.message().to_owned()),
                    _ if info.message().contains("statement timeout") => DbError::Unavailable("the query took longer than the statement timeout".into()),
                    // Two writers waited on each other; PostgreSQL undid one, which may simply be retried.
                    DatabaseErrorKind::SerializationFailure => DbError::Unavailable("a concurrent write got in the way; retry".into()),
                    _ if info.message().contains("deadlock detected") => DbError::Unavailable("a concurrent write got in the way; retry".into()),
                    _ => DbError::Other(info.message().to_owned()),
                }
            }
            // A connection lost mid-query is the database being unavailable, not a bug.
            DieselError::BrokenTransactionManager => DbError::Unavailable("the connection to the database broke".into()),
            other => DbError::Other(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for DbError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}
