//! The service layer's one error type: why a use case did not happen, in the
//! terms of the rules (refused, not found, invalid, conflicting), not of HTTP.
//! The HTTP edge turns it into a problem document (`api::problem`) in one place.

use crate::db::DbError;
use crate::domain::access::Refusal;
use crate::domain::collection::Collection;
use crate::domain::FieldError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// The request cannot be read as asked (a merge patch that is not an object).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{resource} {id} not found")]
    NotFound { resource: &'static str, id: String },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("too many failed attempts; retry in {retry_after} seconds")]
    TooManyRequests { retry_after: i64 },
    /// The version of a record a change was made against is no longer current.
    #[error("the record has changed since the version named in If-Match (now {current}); read it again and reapply the change")]
    PreconditionFailed { current: String },
    /// An upload larger than the service takes.
    #[error("request body too large")]
    PayloadTooLarge,
    /// A body of a type the operation does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Rows of an import were refused; `errors` carry their lines.
    #[error("{detail}")]
    RowsRejected { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Unavailable(String),
    /// Every slot of a bounded kind of work is taken; it is taken again after
    /// about `retry_after` seconds.
    #[error("{detail}")]
    Busy { code: &'static str, detail: String, retry_after: u64 },
    #[error("internal error")]
    Internal(String),
}

impl ServiceError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ServiceError::Validation(vec![FieldError { field: field.to_owned(), code: code.to_owned(), message: message.into(), line: None }])
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Unauthorized(message) => ServiceError::Unauthorized(message),
            Refusal::Forbidden(message) => ServiceError::Forbidden(message),
        }
    }
}

impl From<Vec<FieldError>> for ServiceError {
    fn from(errors: Vec<FieldError>) -> Self {
        ServiceError::Validation(errors)
    }
}

/// The field a constraint guards, by the naming convention PostgreSQL uses for
/// column constraints: `<table>_<column>_fkey` / `_key` / `_check`. The tables
/// are the registry's.
fn constraint_field(constraint: &str) -> String {
    let mut tables: Vec<&str> = Collection::ALL.iter().map(|c| c.spec().table).collect();
    // The longest name first, so `indicator_measurements` wins over `indicators`.
    tables.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let rest = tables.iter().find_map(|t| constraint.strip_prefix(t).and_then(|r| r.strip_prefix('_'))).unwrap_or(constraint);
    ["_fkey", "_key", "_check"].iter().find_map(|s| rest.strip_suffix(s)).unwrap_or(rest).to_owned()
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ServiceError::NotFound { resource: "record", id: String::new() },
            DbError::Unique { constraint } => {
                ServiceError::Conflict { code: "already_exists", detail: format!("a record with the same {} already exists", constraint_field(&constraint)) }
            }
            DbError::MissingReference { constraint } => {
                let field = constraint_field(&constraint);
                ServiceError::field(&field, "unknown_reference", format!("{field} names a record that does not exist"))
            }
            DbError::StillReferenced { constraint } => ServiceError::Conflict {
                code: "still_referenced",
                detail: format!("other records still refer to this one ({})", constraint.split('_').next().unwrap_or("records")),
            },
            DbError::Check { constraint } => {
                let field = constraint_field(&constraint);
                ServiceError::field(&field, "constraint_violated", format!("{field} breaks the rule {constraint}"))
            }
            DbError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ServiceError::Unavailable("the database is not reachable right now; retry shortly".to_owned())
            }
            DbError::BadQuery { field, message } => ServiceError::field(field, "invalid_value", message),
            DbError::InvalidText(_) => ServiceError::BadRequest("text may not contain NUL characters".into()),
            DbError::Other(cause) => ServiceError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::constraint_field;

    #[test]
    fn constraint_names_map_to_fields() {
        assert_eq!(constraint_field("projects_measure_id_fkey"), "measure_id");
        assert_eq!(constraint_field("beneficiaries_nip_key"), "nip");
        assert_eq!(constraint_field("priority_axes_programme_id_fkey"), "programme_id");
        assert_eq!(constraint_field("indicator_measurements_indicator_id_fkey"), "indicator_id");
        assert_eq!(constraint_field("projects_eu_within_total"), "eu_within_total");
    }
}
