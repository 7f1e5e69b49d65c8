//! CORS for the portals' browsers. Tokens travel in the `Authorization` header,
//! never in cookies, so letting a page of another origin call the API gives it
//! nothing a script outside a browser could not do: any origin is allowed unless
//! `CORS_ALLOWED_ORIGINS` names the only ones. A request from an origin not
//! allowed is answered without CORS headers (the browser then withholds the
//! answer); its preflight is refused with 403.

use super::ApiError;
use crate::config::AllowedOrigins;
use crate::service::ServiceError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse, ResponseError};

/// The `Access-Control-Allow-Origin` answer to `origin`.
fn header_for(allowed: &AllowedOrigins, origin: &str) -> HeaderValue {
    match allowed {
        AllowedOrigins::Any => HeaderValue::from_static("*"),
        AllowedOrigins::Only(_) => HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("null")),
    }
}

const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, Accept, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, X-Read-After";
const EXPOSED_HEADERS: &str =
    "ETag, Link, Location, Retry-After, X-Request-Id, Idempotent-Replayed, RateLimit, RateLimit-Policy, X-Write-Position, Total-Is-Estimate";

pub async fn cors(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let allowed = req.app_data::<web::Data<AllowedOrigins>>().map(|d| d.get_ref().clone()).unwrap_or(AllowedOrigins::Any);
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let preflight = req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let response = if allowed.allows(&origin) {
            HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, header_for(&allowed, &origin)))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
                .insert_header((header::VARY, "Origin"))
                .finish()
        } else {
            ApiError::Service(ServiceError::Forbidden(format!("the origin {origin} may not call this API from a browser"))).error_response()
        };
        return Ok(req.into_response(response));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    if allowed.allows(&origin) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header_for(&allowed, &origin));
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
        if !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    Ok(response)
}
