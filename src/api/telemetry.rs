//! Request ids, one access-log line per request, and Prometheus metrics.
//!
//! The access log names the route pattern and the path without its query string:
//! a query may carry personal data (`?pesel=`), which never reaches a log line.

use crate::api::problem::Problem;
use crate::api::ApiError;
use crate::service::database::PoolState;
use crate::service::ServiceError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request counts and latencies by route, method and status, read with a token.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
    imported_rows: std::sync::atomic::AtomicU64,
    /// The digest of the token `/metrics` asks for (`METRICS_TOKEN`); without
    /// one, nobody reads them.
    token: Option<[u8; 32]>,
}

/// The methods counted by name; any other is counted as `other`, so that an
/// invented method name cannot add a time series for good.
const NAMED_METHODS: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];

fn method_label(method: &str) -> &str {
    NAMED_METHODS.iter().find(|named| **named == method).copied().unwrap_or("other")
}

impl Metrics {
    /// Metrics readable with `token` (none: readable by nobody).
    pub fn new(token: Option<&str>) -> Self {
        Self { token: token.map(|token| Sha256::digest(token.as_bytes()).into()), ..Self::default() }
    }

    /// Whether `request` carries the metrics token as a bearer token. Compares
    /// digests, so the time taken says nothing of how much of the token matched.
    fn readable_by(&self, request: &HttpRequest) -> bool {
        let given = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        match (self.token, given) {
            (Some(expected), Some(given)) => <[u8; 32]>::from(Sha256::digest(given.as_bytes())) == expected,
            _ => false,
        }
    }

    /// Counts rows an import wrote (inserted or updated).
    pub fn count_imported(&self, rows: u64) {
        self.imported_rows.fetch_add(rows, std::sync::atomic::Ordering::Relaxed);
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut series = self.series.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = series.entry((route.to_owned(), method_label(method).to_owned(), status)).or_default();
        entry.count += 1;
        entry.sum += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition of everything observed, plus the pool.
    pub fn render(&self, pool: PoolState) -> String {
        let mut out = String::new();
        let series = self.series.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        out.push_str("# HELP http_requests_total Requests answered, by route, method and status.\n# TYPE http_requests_total counter\n");
        for ((route, method, status), s) in series.iter() {
            let _ = writeln!(out, "http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {}", s.count);
        }
        out.push_str("# HELP http_request_duration_seconds Time to answer, by route and method.\n# TYPE http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((route, method, _), s) in series.iter() {
            let total = by_route.entry((route, method)).or_default();
            total.count += s.count;
            total.sum += s.sum;
            for (t, b) in total.buckets.iter_mut().zip(s.buckets) {
                *t += b;
            }
        }
        for ((route, method), s) in by_route {
            let labels = format!("route=\"{route}\",method=\"{method}\"");
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(out, "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}");
            }
            let _ = writeln!(out, "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        let _ =
            writeln!(out, "# HELP db_pool_connections Connections the pool holds.\n# TYPE db_pool_connections gauge\ndb_pool_connections {}", pool.connections);
        let _ = writeln!(
            out,
            "# HELP db_pool_idle_connections Connections free for a request.\n# TYPE db_pool_idle_connections gauge\ndb_pool_idle_connections {}",
            pool.idle
        );
        let _ = writeln!(out, "# HELP db_pool_max_connections The pool's size.\n# TYPE db_pool_max_connections gauge\ndb_pool_max_connections {}", pool.max);
        let _ = writeln!(
            out,
            "# HELP imported_rows_total Rows written by bulk imports.\n# TYPE imported_rows_total counter\nimported_rows_total {}",
            self.imported_rows.load(std::sync::atomic::Ordering::Relaxed)
        );
        out
    }
}

/// Takes the caller's request id when it is sane, or makes one.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'))
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 8];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        })
}

/// Middleware: every request runs in a span carrying its id, ends with one log
/// line and one metrics observation, and answers with its `X-Request-Id`.
pub async fn observe(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(%method, %path, %route, status, ms = seconds * 1000.0, "answered"));
    if let Some(metrics) = metrics {
        metrics.observe(&route, &method, status, seconds);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(response)
}

/// Prometheus metrics, for whoever holds the metrics token (`METRICS_TOKEN`),
/// sent as a bearer token (Prometheus: `authorization: {credentials: …}`).
/// Without a configured token nobody reads them.
#[utoipa::path(get, path = "/metrics", tag = "health", operation_id = "metrics", security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 401, description = "No metrics token, or not the configured one", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn metrics(metrics: web::Data<Metrics>, state: web::Data<crate::api::AppState>, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    if !metrics.readable_by(&request) {
        return Err(ApiError::Service(ServiceError::Unauthorized("the metrics need the metrics token (METRICS_TOKEN) as a bearer token".into())));
    }
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics.render(state.db.pool_state())))
}
