//! The API's one error type, answered as RFC 9457 `application/problem+json`
//! with a stable machine-readable `code`.

use crate::domain::FieldError;
use crate::service::ServiceError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The HTTP edge's one error type: what a service refused or failed at, as
/// it says it, and what only HTTP knows (no such route, a method the route
/// does not take, a body that stopped arriving).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("no such route")]
    NoRoute,
    /// With the methods the route does allow, for the `Allow` header.
    #[error("method not allowed; this route allows {0}")]
    MethodNotAllowed(String),
    /// The request's body stopped arriving.
    #[error("{0}")]
    RequestTimeout(String),
    /// Too many anonymous reads from one client address (`api::load_shed`).
    #[error("too many reads without a token from this address; retry in {retry_after} seconds, or sign in")]
    ReadLimit { retry_after: u64 },
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

/// The one place where the service's reasons become HTTP answers: a status
/// and a stable code for each.
fn status_and_code(e: &ServiceError) -> (StatusCode, &'static str) {
    match e {
        ServiceError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        ServiceError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
        ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        ServiceError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
        ServiceError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
        ServiceError::PreconditionFailed { .. } => (StatusCode::PRECONDITION_FAILED, "precondition_failed"),
        ServiceError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        ServiceError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
        ServiceError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ServiceError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        ServiceError::RowsRejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rows_rejected"),
        ServiceError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
        ServiceError::Busy { code, .. } => (StatusCode::SERVICE_UNAVAILABLE, code),
        ServiceError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
    }
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Service(e) => status_and_code(e).1,
            ApiError::NoRoute => "no_such_route",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::RequestTimeout(_) => "request_timeout",
            ApiError::ReadLimit { .. } => "too_many_requests",
        }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Service(ServiceError::field(field, code, message))
    }

    fn detail(&self) -> String {
        match self {
            // Internal details go to the log, never to the client.
            ApiError::Service(ServiceError::Internal(_)) => "an unexpected error occurred; it has been logged".to_owned(),
            ApiError::Service(ServiceError::Validation(errors)) => {
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
                ApiError::Service(ServiceError::Validation(errors) | ServiceError::RowsRejected { errors, .. }) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Service(e) => status_and_code(e).0,
            ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::ReadLimit { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Service(ServiceError::Internal(cause)) => {
                tracing::error!(%cause, "internal error");
            }
            ApiError::Service(ServiceError::Unauthorized(_)) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            ApiError::Service(ServiceError::TooManyRequests { retry_after }) => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::ReadLimit { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Service(ServiceError::Unavailable(_)) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::Service(ServiceError::Busy { retry_after, .. }) => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Service(ServiceError::Validation(errors))
    }
}
