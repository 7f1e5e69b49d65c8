//! The change feed: what happened to public records, in an order a portal can
//! resume from, so that it can mirror the registry without reading it whole.

use crate::api::{ApiError, AppState};
use crate::service::feed;
use crate::service::vocabulary::LogPosition;
use crate::service::ServiceError;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

const DEFAULT_LIMIT: i64 = 500;
const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next_cursor` of the previous read; from the beginning when absent.
    pub since: Option<String>,
    /// Changes per answer, 1-1000 (larger values are capped). Default 500.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
}

/// One change to one record.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedEntry {
    /// Resume here to see only what follows this change.
    pub cursor: String,
    /// The collection: `projects`, `priority-axes`, …
    #[schema(value_type = crate::domain::collection::Collection)]
    pub resource: String,
    pub id: i64,
    #[schema(value_type = crate::service::vocabulary::ChangeOp, example = "updated")]
    pub op: String,
    pub changed_at: DateTime<Utc>,
    /// The record as it is now, as its `GET` shows it; `null` when it no longer
    /// exists. A mirror that stores `record` when present and removes the record
    /// when it is `null` equals the registry once it has read to the end.
    #[schema(value_type = Option<Object>)]
    pub record: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    pub changes: Vec<FeedEntry>,
    /// Where to read on from; the same cursor again when nothing new has been committed.
    pub next_cursor: String,
    /// Whether this read reached the end of what is committed so far. While a
    /// transaction that began earlier is still open, later commits are held back
    /// (so that none can appear behind a cursor); then this is false and the
    /// answer may be short or empty: read again in a moment.
    pub caught_up: bool,
}

/// Changes to public records (programmes, axes, measures, organisations, projects,
/// partners, activities, indicators and their definitions and measurements), in
/// commit order. Personal data is never in the feed.
#[utoipa::path(get, path = "/api/v1/changes", tag = "changes", operation_id = "list_changes",
    security((), ("bearer" = [])),
    params(FeedQuery),
    responses((status = 200, description = "The changes after `since` and the cursor to read on from", body = Feed)))]
pub async fn list(state: web::Data<AppState>, query: web::Query<FeedQuery>) -> Result<HttpResponse, ApiError> {
    let from = match query.since.as_deref().filter(|s| !s.is_empty()) {
        None => LogPosition::default(),
        Some(text) => LogPosition::parse(text).ok_or_else(|| ApiError::field("since", "invalid_cursor", "since must be a cursor the feed gave out"))?,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit < 1 {
        return Err(ApiError::Service(ServiceError::BadRequest("limit must be at least 1".into())));
    }
    let page = state.run(move |conn| feed::read(conn, from, limit.min(MAX_LIMIT))).await?;
    let changes = page
        .changes
        .into_iter()
        .map(|(c, record)| FeedEntry { cursor: c.position().to_string(), record, resource: c.resource, id: c.record_id, op: c.op, changed_at: c.changed_at })
        .collect();
    Ok(HttpResponse::Ok().json(Feed { changes, next_cursor: page.next.to_string(), caught_up: page.caught_up }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/changes", "GET").route(web::get().to(list)));
}
