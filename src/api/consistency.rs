//! Reading one's own writes through a read replica.
//!
//! With `DATABASE_READ_URL` set, public reads go to a replica that replays the
//! primary's log a moment behind it. Each successful write answers with
//! `X-Write-Position`, how far the primary's log stood once it was committed; a
//! client that sends it back as `X-Read-After` is read from the replica only once
//! the replica has replayed that far, else from the primary. Any instance can
//! honour it: the position belongs to the database, not to an instance.

use super::response_cache::ResponseCache;
use super::state::AppState;
use super::ApiError;
use crate::service::database::{reading_after, WalPosition};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error};

pub const READ_AFTER: HeaderName = HeaderName::from_static("x-read-after");
pub const WRITE_POSITION: HeaderName = HeaderName::from_static("x-write-position");

/// The position a request names in `X-Read-After`, checked against how far the
/// primary has written, with or without a replica: a position no write has
/// reached yet would send every read past the cache and the replica.
async fn asked_position(req: &ServiceRequest, state: &AppState) -> Result<Option<WalPosition>, ApiError> {
    let Some(value) = req.headers().get(READ_AFTER) else { return Ok(None) };
    let invalid = |detail: &str| ApiError::field("X-Read-After", "invalid_position", detail);
    let asked = value
        .to_str()
        .ok()
        .and_then(|text| text.parse::<WalPosition>().ok())
        .ok_or_else(|| invalid("X-Read-After must be an X-Write-Position this service gave, such as 0/3000148"))?;
    if asked > state.db.write_position().await? {
        return Err(invalid("X-Read-After names a position no write has reached: send back an X-Write-Position this service gave"));
    }
    Ok(Some(asked))
}

pub async fn read_your_writes(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let asked = asked_position(&req, &state).await?;
    if !state.db.has_replica() {
        // Every read is of the primary, which has seen every write.
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let cache = req.app_data::<Option<web::Data<ResponseCache>>>().cloned().flatten();
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut response = reading_after(asked, next.call(req)).await?.map_into_boxed_body();
    if writes && response.status().is_success() {
        // Read after the commit, so at or past its end. Without it the write still
        // stands; the client only cannot name it.
        match state.db.write_position().await {
            Ok(position) => {
                if let Some(cache) = cache {
                    cache.clear_after(position);
                }
                if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
                    response.headers_mut().insert(WRITE_POSITION, value);
                }
            }
            Err(e) => tracing::warn!(error = %e, "the primary's log position could not be read after a write"),
        }
    }
    Ok(response)
}
