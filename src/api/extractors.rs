//! actix's own extractor errors (bad JSON, query or path) and unknown routes,
//! answered as problem+json like every other error.

use super::ApiError;
use crate::domain::validation::describe_json_error;
use crate::service::ServiceError;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};

/// Largest JSON body accepted (imports have their own limit).
pub const JSON_LIMIT: usize = 1024 * 1024;

fn is_json(mime: mime::Mime) -> bool {
    mime.type_() == mime::APPLICATION && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON) || mime.subtype() == "merge-patch")
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => ApiError::Service(ServiceError::PayloadTooLarge),
        JsonPayloadError::ContentType => ApiError::Service(ServiceError::UnsupportedMediaType("send the body as application/json".into())),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::field("body", "invalid_value", describe_json_error(&e)),
        JsonPayloadError::Deserialize(e) => ApiError::Service(ServiceError::BadRequest(format!("malformed JSON: {}", describe_json_error(&e)))),
        other => ApiError::Service(ServiceError::BadRequest(other.to_string())),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::Service(ServiceError::BadRequest(format!("invalid query: {err}"))).into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::Service(ServiceError::NotFound { resource: "record", id: format!("({err})") }).into()
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(JSON_LIMIT).content_type(is_json).content_type_required(true).error_handler(json_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error));
}

/// A route whose other methods answer 405 with an `Allow` header (RFC 9110);
/// `HEAD` is allowed wherever `GET` is (`conventions::head_as_get`).
pub fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    let allow = if allow.split(", ").any(|m| m == "GET") { format!("{allow}, HEAD") } else { allow.to_owned() };
    web::resource(path).default_service(web::to(move || {
        let allow = allow.clone();
        async move { Err::<actix_web::HttpResponse, _>(ApiError::MethodNotAllowed(allow)) }
    }))
}

pub async fn no_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NoRoute)
}
