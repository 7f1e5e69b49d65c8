//! The API's one error type, answered as RFC 9457 `application/problem+json`
//! with a stable machine-readable `code`.

use crate::domain::FieldError;
use crate::service::ServiceError;
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
    MethodNotAllowed(String),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("too many failed attempts; retry in {retry_after} seconds")]
    TooManyRequests { retry_after: i64 },
    /// `If-Match` names a version other than the record's current one.
    #[error("the record has changed since the version named in If-Match (now {current}); read it again and reapply the change")]
    PreconditionFailed { current: String },
    #[error("request body too large")]
    PayloadTooLarge,
    /// The request's body stopped arriving.
    #[error("{0}")]
    RequestTimeout(String),
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
            ApiError::RequestTimeout(_) => "request_timeout",
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
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
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
            response.insert_header((header::ALLOW, allow.as_str()));
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

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Validation(errors)
    }
}

/// The one place where the service's reasons become HTTP answers.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::BadRequest(message) => ApiError::BadRequest(message),
            ServiceError::Unauthorized(message) => ApiError::Unauthorized(message),
            ServiceError::Forbidden(message) => ApiError::Forbidden(message),
            ServiceError::NotFound { resource, id } => ApiError::NotFound { resource, id },
            ServiceError::Conflict { code, detail } => ApiError::Conflict { code, detail },
            ServiceError::TooManyRequests { retry_after } => ApiError::TooManyRequests { retry_after },
            ServiceError::PreconditionFailed { current } => ApiError::PreconditionFailed { current },
            ServiceError::PayloadTooLarge => ApiError::PayloadTooLarge,
            ServiceError::UnsupportedMediaType(message) => ApiError::UnsupportedMediaType(message),
            ServiceError::Validation(errors) => ApiError::Validation(errors),
            ServiceError::RowsRejected { detail, errors } => ApiError::RowsRejected { detail, errors },
            ServiceError::Unavailable(message) => ApiError::Unavailable(message),
            ServiceError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}
