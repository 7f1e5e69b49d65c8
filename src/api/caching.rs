//! HTTP caching: a strong `ETag` on every successful read (and on the answer to a
//! replace or patch) but a streamed one (exports, which are walked, not re-read),
//! `304 Not Modified` for a matching `If-None-Match`, and
//! `Cache-Control` saying what a shared cache may keep. `If-Match` on writes is
//! checked against the same tags in [`crate::api::crud`].

use actix_web::body::{to_bytes, BodySize, BoxBody, MessageBody};
use actix_web::dev::Payload;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::future::{ready, Ready};

/// The strong entity tag of a representation: a digest of its exact bytes.
pub fn entity_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for byte in digest.iter().take(16) {
        let _ = write!(tag, "{byte:02x}");
    }
    tag.push('"');
    tag
}

/// How entity tags compare (RFC 9110 8.8.3): `If-None-Match` compares weakly
/// (a `W/` tag matches by its opaque part), `If-Match` strongly (never a weak tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Weak,
    Strong,
}

/// Whether a list of entity tags names `tag`; `*` names any.
pub fn names(list: &str, tag: &str, comparison: Comparison) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate == tag || (comparison == Comparison::Weak && candidate.strip_prefix("W/") == Some(tag)))
}

/// The `If-Match` header of a write: the versions of the record the change was
/// made against. Without it a write goes ahead unconditionally.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub Option<String>);

impl FromRequest for IfMatch {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Self, Self::Error>>;

    /// A header that names no entity tag (empty) names no current version:
    /// the precondition fails (412), as for any other version not current.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(IfMatch(req.headers().get(header::IF_MATCH).map(|v| v.to_str().unwrap_or("\u{0}").to_owned()))))
    }
}

impl IfMatch {
    /// Refuses the write unless the record, as a read would show it now (`current`,
    /// its exact bytes), is a version the header names. Comparison is strong.
    pub fn check(&self, current: &[u8]) -> Result<(), crate::service::ServiceError> {
        let Some(list) = &self.0 else { return Ok(()) };
        let tag = entity_tag(current);
        if names(list, &tag, Comparison::Strong) {
            Ok(())
        } else {
            Err(crate::service::ServiceError::PreconditionFailed { current: tag })
        }
    }
}

/// A response body read whole, for middleware that must see it (to tag it, keep
/// it or replay it).
pub async fn whole_body(body: impl MessageBody) -> Result<actix_web::web::Bytes, Error> {
    to_bytes(body).await.map_err(|e| {
        let e: Box<dyn std::error::Error> = e.into();
        actix_web::error::ErrorInternalServerError(e.to_string())
    })
}

/// The `If-Match` header, as the OpenAPI document describes it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The `ETag` of the version the change was made against (`*`: any version);
    /// `412` if the record has changed since. Without it the write is unconditional.
    #[param(rename = "If-Match")]
    #[allow(dead_code)]
    if_match: Option<String>,
}

fn cache_control(path: &str, anonymous: bool) -> Option<&'static str> {
    if !path.starts_with(crate::domain::API_PREFIX) || path.starts_with("/api/v1/auth") {
        return None;
    }
    // Public answers may be shared for half a minute: long enough to take a portal's
    // bursts off the service, short enough that an edit shows soon. Signed-in answers
    // may hold what only that caller may see: never shared, always revalidated.
    Some(if anonymous { "public, max-age=30" } else { "private, no-cache" })
}

pub async fn conditional(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let method = req.method().clone();
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    let path = req.path().to_owned();
    let response = next.call(req).await?;
    let tagged = matches!(method, Method::GET | Method::HEAD | Method::PUT | Method::PATCH) && response.status() == StatusCode::OK;
    if !tagged {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.map_into_boxed_body().into_parts();
    let (mut head, body) = response.into_parts();
    // A streamed answer (an export) is never held whole to be tagged; an answer
    // whose handler tagged it (an evidence file, by its stored digest) needs no
    // digest of its bytes. Either goes out as it comes.
    let streamed = matches!(body.size(), BodySize::Stream);
    let (tag, body) = match head.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned) {
        Some(tag) => (Some(tag), body),
        None if streamed => (None, body),
        None => {
            let bytes = whole_body(body).await?;
            let tag = entity_tag(&bytes);
            head.headers_mut().insert(header::ETAG, HeaderValue::from_str(&tag).expect("hex digits are a valid header value"));
            (Some(tag), BoxBody::new(bytes))
        }
    };
    if matches!(method, Method::GET | Method::HEAD) {
        if let Some(policy) = cache_control(&path, anonymous) {
            let headers = head.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            headers.insert(header::VARY, HeaderValue::from_static("Accept, Authorization, Origin"));
        }
        let unchanged = if_none_match.as_deref().zip(tag.as_deref()).is_some_and(|(list, tag)| names(list, tag, Comparison::Weak));
        if unchanged {
            let mut not_modified = HttpResponse::NotModified();
            for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
                if let Some(value) = head.headers().get(&name) {
                    not_modified.insert_header((name, value.clone()));
                }
            }
            return Ok(ServiceResponse::new(request, not_modified.finish()));
        }
    }
    Ok(ServiceResponse::new(request, head.set_body(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_strong_digests_and_lists_name_them() {
        let tag = entity_tag(b"{}");
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, entity_tag(b"{ }"));
        assert!(names(&format!("\"x\", {tag}"), &tag, Comparison::Weak));
        assert!(names(&format!("W/{tag}"), &tag, Comparison::Weak));
        assert!(names("*", &tag, Comparison::Weak));
        assert!(!names("\"x\"", &tag, Comparison::Weak));
        assert!(names(&format!("\"x\", {tag}"), &tag, Comparison::Strong));
        assert!(!names(&format!("W/{tag}"), &tag, Comparison::Strong), "If-Match never takes a weak tag");
    }
}
