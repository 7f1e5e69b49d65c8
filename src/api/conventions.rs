//! HTTP conventions every route keeps without knowing it: `HEAD` answers as
//! `GET` without the body, answers are compressed (gzip, brotli, zstd, as the
//! client accepts) when they are worth it and safe to, and Swagger UI is found
//! with or without its trailing slash.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

/// Answers of fewer bytes go uncompressed: below a packet, compression saves
/// nothing a client would notice and costs both sides time.
pub const COMPRESSION_THRESHOLD: u64 = 1024;

/// Paths whose answers are never compressed: they carry secrets (tokens) next
/// to text the caller chose, which is what a compression oracle (BREACH) needs.
const NEVER_COMPRESSED: &[&str] = &["/api/v1/auth/"];

/// `HEAD` is `GET` without the body (RFC 9110 §9.3.2): routed and answered as
/// `GET`, headers and all; the HTTP codec, which saw the request's own method,
/// leaves the body out.
pub async fn head_as_get(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Marks the answers actix's `Compress` (which wraps this) must leave alone: it
/// compresses nothing that already names a `Content-Encoding`.
pub async fn keep_plain(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let secret = NEVER_COMPRESSED.iter().any(|prefix| req.path().starts_with(prefix));
    let mut response = next.call(req).await?.map_into_boxed_body();
    let small = matches!(response.response().body().size(), BodySize::Sized(n) if n < COMPRESSION_THRESHOLD);
    if (secret || small) && !response.headers().contains_key(header::CONTENT_ENCODING) {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("identity"));
    }
    Ok(response)
}

/// Takes the mark of [`keep_plain`] off again (wrapping `Compress`):
/// `identity` is not a content coding to send (RFC 9110 §8.4.1).
pub async fn unmark_plain(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let mut response = next.call(req).await?;
    if response.headers().get(header::CONTENT_ENCODING).is_some_and(|v| v == "identity") {
        response.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(response.map_into_boxed_body())
}

/// `/swagger-ui` leads to `/swagger-ui/`, where Swagger UI is served.
pub async fn swagger_ui_slash() -> HttpResponse {
    HttpResponse::build(StatusCode::PERMANENT_REDIRECT).insert_header((header::LOCATION, "/swagger-ui/")).finish()
}
