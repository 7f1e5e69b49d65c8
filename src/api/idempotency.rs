//! `Idempotency-Key` on POST: a client that sends a request again after a lost
//! answer (a timeout, a dropped connection) gets the first answer again instead of
//! a second record or a second import.
//!
//! The first request with a key claims it and runs; its body is hashed as it
//! streams to the handler, and a successful (2xx) answer is kept, sealed like personal
//! data (it may name a person), with a keyed hash of that body
//! for 24 hours. A request with a claimed key replays the kept answer (marked
//! `Idempotent-Replayed: true`) if its method, path and body are the same, is a 422
//! if they differ, and a 409 while the first is still running. Keys belong to
//! the signed-in caller's account, so two users never share one (anonymous
//! requests, such as sign-in, ignore the header). Failed
//! requests give their key up: they wrote nothing, and a retry runs again.

use super::{ApiError, AppState};
use crate::api::caller::Session;
use crate::crypto::vault;
use crate::domain::access::Caller;
use crate::service::idempotency::{self, Claimed};
use crate::service::ServiceError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{Error, HttpMessage, HttpResponse};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// What kept answers are sealed for (the vault binds a sealed value to it).
const SEALED_FOR: &str = "idempotent_answer";

/// What a request is known by: a keyed hash of its body's digest, so that the
/// store holds nothing from which a body (which may name a person) can be guessed.
fn fingerprint(body: Sha256) -> Vec<u8> {
    vault().keyed_hash("idempotent_request", &body.finalize())
}

/// Larger answers are not kept (an import's report and a record are far smaller).
const KEPT_ANSWER_BYTES: usize = 1024 * 1024;

fn key_of(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(&IDEMPOTENCY_KEY) else { return Ok(None) };
    let key = value.to_str().ok().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::Service(ServiceError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into())));
    }
    Ok(Some(key.to_owned()))
}

fn fail(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let (request, _) = req.into_parts();
    ServiceResponse::new(request, actix_web::ResponseError::error_response(&error))
}

pub async fn idempotent(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::POST {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let key = match key_of(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
        Err(e) => return Ok(fail(req, e)),
    };
    // Keys belong to accounts: an anonymous request (or one whose token is refused,
    // which the route answers with a 401) runs as if it had none.
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else { return Ok(next.call(req).await?.map_into_boxed_body()) };
    let session = match req.extract::<Session>().await {
        Ok(session) if session.signed() => session,
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    // A replay answers for the account as it is now: one disabled since gets nothing.
    let user = match state.caller(&session).await {
        Ok(Caller::User(user)) => user,
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    // The caller's own namespace of keys.
    let scope = format!("user:{}", user.id);
    let (method, path) = (req.method().to_string(), req.uri().to_string());
    let claim = {
        let (scope, key, method, path) = (scope.clone(), key.clone(), method.clone(), path.clone());
        idempotency::claim(&state.db, scope, key, method, path).await
    };
    match claim {
        Err(e) => Ok(fail(req, e.into())),
        Ok(Some(earlier)) => replay(req, earlier, &method, &path).await,
        Ok(None) => first(req, next, state, scope, key).await,
    }
}

/// Runs the request that claimed the key, hashing its body on the way to the
/// handler, and keeps a successful answer.
async fn first(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: web::Data<AppState>,
    scope: String,
    key: String,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let hasher = Arc::new(Mutex::new(Sha256::new()));
    let seen = hasher.clone();
    let body = req.take_payload().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).update(bytes);
        }
        chunk
    });
    req.set_payload(Payload::from(Box::pin(body) as std::pin::Pin<Box<dyn futures_util::Stream<Item = _>>>));
    let response = next.call(req).await;
    let release = |state: web::Data<AppState>, scope: String, key: String| async move {
        let _ = idempotency::release(&state.db, scope, key).await;
    };
    let response = match response {
        Ok(response) if response.status().is_success() => response,
        other => {
            release(state, scope, key).await;
            return other.map(ServiceResponse::map_into_boxed_body);
        }
    };
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match super::caching::whole_body(body).await {
        Ok(bytes) => bytes,
        Err(e) => {
            release(state, scope, key).await;
            return Err(e);
        }
    };
    let header_text = |name: &HeaderName| head.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let answer = Claimed {
        method: request.method().to_string(),
        path: request.uri().to_string(),
        fingerprint: Some(fingerprint(hasher.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone())),
        status: Some(head.status().as_u16() as i16),
        content_type: header_text(&header::CONTENT_TYPE),
        location: header_text(&header::LOCATION),
        body: Some(vault().seal_bytes(SEALED_FOR, &bytes)),
        erased: false,
    };
    if bytes.len() <= KEPT_ANSWER_BYTES {
        let _ = idempotency::keep(&state.db, scope, key, answer).await;
    } else {
        release(state, scope, key).await;
    }
    Ok(ServiceResponse::new(request, head.set_body(bytes).map_into_boxed_body()))
}

/// Answers a request whose key is already claimed.
async fn replay(mut req: ServiceRequest, earlier: Claimed, method: &str, path: &str) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(status) = earlier.status else {
        return Ok(fail(
            req,
            ApiError::Service(ServiceError::Conflict {
                code: "request_in_progress",
                detail: "a request with this Idempotency-Key is still running; retry when it has answered".into(),
            }),
        ));
    };
    let mut hasher = Sha256::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        hasher.update(&chunk.map_err(Error::from)?);
    }
    let same = earlier.method == method && earlier.path == path && earlier.fingerprint == Some(fingerprint(hasher));
    if !same {
        return Ok(fail(
            req,
            ApiError::field("Idempotency-Key", "key_reused", "this Idempotency-Key was used for a different request; use a new key for a new request"),
        ));
    }
    if earlier.erased {
        return Ok(fail(
            req,
            ApiError::Service(ServiceError::Conflict {
                code: "answer_erased",
                detail: "the answer to this request named a person who has since been erased; it is not kept".into(),
            }),
        ));
    }
    let body = match earlier.body.map(|sealed| vault().open_bytes(SEALED_FOR, &sealed)).transpose() {
        Ok(body) => body.unwrap_or_default(),
        Err(e) => return Ok(fail(req, ApiError::Service(ServiceError::Internal(format!("a kept answer could not be opened: {e}"))))),
    };
    let mut answer = HttpResponse::build(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK));
    answer.insert_header((REPLAYED, HeaderValue::from_static("true")));
    if let Some(content_type) = earlier.content_type {
        answer.insert_header((header::CONTENT_TYPE, content_type));
    }
    if let Some(location) = earlier.location {
        answer.insert_header((header::LOCATION, location));
    }
    let (request, _) = req.into_parts();
    Ok(ServiceResponse::new(request, answer.body(Bytes::from(body))))
}
