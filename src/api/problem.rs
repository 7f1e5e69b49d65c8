//! The API's one error type, answered as RFC 9457 `application/problem+json`
//! with a stable machine-readable `code`.

use crate::db::DbError;
use crate::domain::FieldError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{resource} {id} not found")]
    NotFound { resource: &'static str, id: String },
    #[error("no such route")]
    NoRoute,
    /// With the methods the route does allow, for the `Allow` header.
    #[error("method not allowed; this route allows {0}")]
    MethodNotAllowed(&'static str),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("too many failed attempts; retry in {retry_after} seconds")]
    TooManyRequests { retry_after: i64 },
    /// `If-Match` names a version other than the record's current one.
    #[error("the record has changed since the version named in If-Match (now {current}); read it again and reapply the change")]
    PreconditionFailed { current: String },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Rows of an import were refused; `errors` carry their lines.
    #[error("{detail}")]
    RowsRejected { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the problem type: `urn:es-registry:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:es-registry:problem:validation_failed")]
    pub problem_type: String,
    #[schema(example = "Unprocessable Content")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, the last part of `type`.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// The failing fields of a 422; for an import, each with its line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::NoRoute => "no_such_route",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::PreconditionFailed { .. } => "precondition_failed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation(_) => "validation_failed",
            ApiError::RowsRejected { .. } => "rows_rejected",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError { field: field.to_owned(), code: code.to_owned(), message: message.into(), line: None }])
    }

    fn detail(&self) -> String {
        match self {
            // Internal details go to the log, never to the client.
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            ApiError::Validation(errors) => {
                format!("{} field(s) failed validation: {}", errors.len(), errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))
            }
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            problem_type: format!("urn:es-registry:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            errors: match self {
                ApiError::Validation(errors) | ApiError::RowsRejected { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::RowsRejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        if let ApiError::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let ApiError::MethodNotAllowed(allow) = self {
            response.insert_header((header::ALLOW, *allow));
        }
        if let ApiError::TooManyRequests { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let ApiError::Unavailable(_) = self {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        response.json(self.problem())
    }
}

/// A serde error as a client may see it: the shape that was wrong, never the
/// value (which may be personal data such as a PESEL).
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let shape = match text.split_once(": ") {
        Some((kind @ ("invalid type" | "invalid value" | "invalid length"), rest)) => {
            format!("{kind}, {}", rest.split_once(", ").map_or("", |(_, expected)| expected))
        }
        _ => text.clone(),
    };
    // serde_json appends the position itself; keep it only once.
    match shape.rfind(" at line ") {
        Some(i) if e.line() > 0 => shape[..i].to_owned() + &format!(" at line {} column {}", e.line(), e.column()),
        _ => shape,
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Validation(errors)
    }
}

/// The field a constraint guards, by the naming convention PostgreSQL uses for
/// column constraints: `<table>_<column>_fkey` / `_key` / `_check`.
fn constraint_field(constraint: &str) -> String {
    let tables = ["priority_axes", "programmes", "measures", "beneficiaries", "projects", "partners", "activities", "participants", "indicators"];
    let rest = tables.iter().find_map(|t| constraint.strip_prefix(t).and_then(|r| r.strip_prefix('_'))).unwrap_or(constraint);
    ["_fkey", "_key", "_check"].iter().find_map(|s| rest.strip_suffix(s)).unwrap_or(rest).to_owned()
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ApiError::NotFound { resource: "record", id: String::new() },
            DbError::Unique { constraint } => {
                ApiError::Conflict { code: "already_exists", detail: format!("a record with the same {} already exists", constraint_field(&constraint)) }
            }
            DbError::MissingReference { constraint } => {
                let field = constraint_field(&constraint);
                ApiError::field(&field, "unknown_reference", format!("{field} names a record that does not exist"))
            }
            DbError::StillReferenced { constraint } => ApiError::Conflict {
                code: "still_referenced",
                detail: format!("other records still refer to this one ({})", constraint.split('_').next().unwrap_or("records")),
            },
            DbError::Check { constraint } => {
                let field = constraint_field(&constraint);
                ApiError::field(&field, "constraint_violated", format!("{field} breaks the rule {constraint}"))
            }
            DbError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable("the database is not reachable right now; retry shortly".to_owned())
            }
            DbError::BadQuery { field, message } => ApiError::field(field, "invalid_value", message),
            DbError::InvalidText(_) => ApiError::BadRequest("text may not contain NUL characters".into()),
            DbError::Other(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::{constraint_field, describe_json_error};

    #[test]
    fn json_errors_do_not_repeat_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            pesel: String,
        }
        let e = serde_json::from_str::<P>(r#"{"pesel": 44051401359}"#).unwrap_err();
        let text = describe_json_error(&e);
        assert!(!text.contains("44051401359"), "{text}");
        assert!(text.contains("expected a string"), "{text}");
        let e = serde_json::from_str::<P>(r#"{}"#).unwrap_err();
        assert!(describe_json_error(&e).contains("missing field `pesel`"));
    }

    #[test]
    fn constraint_names_map_to_fields() {
        assert_eq!(constraint_field("projects_measure_id_fkey"), "measure_id");
        assert_eq!(constraint_field("beneficiaries_nip_key"), "nip");
        assert_eq!(constraint_field("priority_axes_programme_id_fkey"), "programme_id");
        assert_eq!(constraint_field("projects_eu_within_total"), "eu_within_total");
    }
}
