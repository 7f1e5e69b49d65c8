//! Anonymous reads served from memory. Portals read the same public records over
//! and over; an answer kept after the first read costs no database round trip.
//!
//! Correctness comes from invalidation, not from expiry: every successful write empties the
//! cache of the instance that did it as soon as it has answered, and of every
//! other instance when PostgreSQL delivers the `es_registry_changes`
//! notification that the tables' statement triggers send on commit (a listener
//! thread per instance). Answers also expire after a minute, since a few (the
//! indicator report's "behind") depend on the date. Signed-in reads, personal
//! data, the change feed and exports are never kept.

use crate::domain::collection::Collection;
use crate::service::database::{read_floor, reading_after, watch_committed_writes, Committed, WalPosition};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{Error, HttpResponse};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

const MAX_AGE: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 20_000;
const MAX_ENTRY_BYTES: usize = 256 * 1024;
const CACHE_STATUS: HeaderName = HeaderName::from_static("x-cache");
/// The headers an answer is kept with.
const KEPT: [HeaderName; 4] = [header::CONTENT_TYPE, header::ETAG, header::CACHE_CONTROL, header::VARY];

struct Entry {
    stored: Instant,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

/// `generation` counts invalidations: an answer read before one is not kept after it.
/// `written` is the primary's log position of the latest write the cache was
/// emptied for (with a read replica): an answer to keep must be read at least that
/// far, or it could bring back what the write replaced.
#[derive(Default)]
pub struct ResponseCache {
    entries: RwLock<HashMap<String, Entry>>,
    generation: AtomicU64,
    written: AtomicU64,
}

impl ResponseCache {
    pub fn clear(&self) {
        let mut entries = self.entries.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }

    /// Empties the cache for a write that reached `position` of the primary's log.
    pub fn clear_after(&self, position: WalPosition) {
        self.written.fetch_max(position.0, Ordering::SeqCst);
        self.clear();
    }

    fn written(&self) -> Option<WalPosition> {
        Some(WalPosition(self.written.load(Ordering::SeqCst))).filter(|position| position.0 > 0)
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn get(&self, key: &str) -> Option<(Vec<(HeaderName, HeaderValue)>, Bytes)> {
        let entries = self.entries.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(key).filter(|e| e.stored.elapsed() < MAX_AGE).map(|e| (e.headers.clone(), e.body.clone()))
    }

    /// Keeps an answer read in `generation`, unless the cache was emptied since.
    fn put(&self, key: String, generation: u64, headers: &HeaderMap, body: Bytes) {
        let kept = KEPT.iter().filter_map(|name| headers.get(name).map(|v| (name.clone(), v.clone()))).collect();
        let mut entries = self.entries.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.generation() != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Entry { stored: Instant::now(), headers: kept, body });
    }

    /// Listens for committed writes (from any instance) and empties the cache on
    /// each. Reconnects when the connection drops, emptying the cache then too,
    /// since notifications may have been missed meanwhile.
    /// With a read replica (`positions`), each notification is followed by a read
    /// of the primary's log position, which the next answers kept must have seen.
    pub fn listen(cache: web::Data<ResponseCache>, database_url: String, positions: bool) {
        watch_committed_writes(database_url, positions, move |heard| match heard {
            Committed::Listening | Committed::Lost | Committed::Writes(None) => cache.clear(),
            Committed::Writes(Some(position)) => cache.clear_after(position),
        });
    }
}

/// Whether an answer to this request may be kept: anonymous reads of public
/// records (the registry says which collections are personal), except the
/// change feed and exports, which are walked, not re-read, what is about
/// accounts and the audit trail, and evidence files (whose visibility changes
/// with a flag, and which are large).
fn cacheable(req: &ServiceRequest) -> bool {
    let Some(rest) = req.path().strip_prefix("/api/v1/") else { return false };
    let first = rest.split('/').next().unwrap_or_default();
    // The router decodes what this reads raw: `/api/v1/%65vidence` is evidence.
    if first.contains('%') {
        return false;
    }
    let public = match Collection::from_path(first) {
        Some(collection) => collection.public(),
        None => !matches!(first, "changes" | "exports" | "users" | "audit-events" | "auth" | "evidence"),
    };
    req.method() == Method::GET && !req.headers().contains_key(header::AUTHORIZATION) && public
}

pub async fn cached(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(cache) = req.app_data::<Option<web::Data<ResponseCache>>>().cloned().flatten() else { return Ok(next.call(req).await?.map_into_boxed_body()) };
    if !cacheable(&req) {
        let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let response = next.call(req).await?.map_into_boxed_body();
        // This instance's own readers see its write at once; others on NOTIFY. A
        // refused write changed nothing, so it empties nothing: else anyone could
        // empty the cache at will with a request bound to fail.
        if writes && response.status().is_success() {
            cache.clear();
        }
        return Ok(response);
    }
    // Keyed by the form the answer takes, not by the raw `Accept`: every header
    // naming the same form shares one entry, so no one fills the cache with
    // variants of one URL.
    let key = format!("{}\n{:?}", req.uri(), super::formats::accepted(req.headers()));
    // A reader who names a write this instance has not yet heard of (it went
    // through another) is not answered from memory.
    let known = read_floor() <= cache.written();
    if let Some((headers, body)) = cache.get(&key).filter(|_| known) {
        let tag = headers.iter().find(|(name, _)| name == header::ETAG).map(|(_, v)| v.clone());
        let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
        let fresh = match (&tag, if_none_match) {
            (Some(tag), Some(list)) => tag.to_str().is_ok_and(|t| super::caching::names(list, t, super::caching::Comparison::Weak)),
            _ => false,
        };
        let mut answer = HttpResponse::build(if fresh { StatusCode::NOT_MODIFIED } else { StatusCode::OK });
        for (name, value) in headers {
            if !(fresh && name == header::CONTENT_TYPE) {
                answer.insert_header((name, value));
            }
        }
        answer.insert_header((CACHE_STATUS, HeaderValue::from_static("hit")));
        let (request, _) = req.into_parts();
        let response = if fresh { answer.finish() } else { answer.body(body) };
        return Ok(ServiceResponse::new(request, response));
    }
    let generation = cache.generation();
    let response = reading_after(cache.written(), next.call(req)).await?;
    if response.status() != StatusCode::OK {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = super::caching::whole_body(body).await?;
    if bytes.len() <= MAX_ENTRY_BYTES {
        cache.put(key, generation, head.headers(), bytes.clone());
    }
    head.headers_mut().insert(CACHE_STATUS, HeaderValue::from_static("miss"));
    Ok(ServiceResponse::new(request, head.set_body(bytes).map_into_boxed_body()))
}
