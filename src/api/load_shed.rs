//! Anonymous load shed: reads without a token are limited per client address
//! (GCRA, `governor`), cache hits included, so that one client flooding the
//! public API cannot slow everyone else. Signed-in callers are limited by
//! their accounts, not here. A refused read is `429` with `Retry-After` and
//! the IETF `RateLimit` headers sign-in already uses.

use super::caller::client_address;
use super::ApiError;
use crate::config::AnonymousReads;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

/// The limiter of anonymous reads, one state per client address.
pub struct AnonymousLimit {
    limiter: DefaultKeyedRateLimiter<String, StateInformationMiddleware>,
    policy: HeaderValue,
    trust_forwarded_for: bool,
    checks: AtomicU64,
}

impl AnonymousLimit {
    /// The limit `reads` allows, or none when it is off.
    pub fn new(reads: AnonymousReads, trust_forwarded_for: bool) -> Option<Self> {
        let (per_second, burst) = (NonZeroU32::new(reads.per_second)?, NonZeroU32::new(reads.burst.max(reads.per_second))?);
        let limiter = DefaultKeyedRateLimiter::dashmap(Quota::per_second(per_second).allow_burst(burst)).with_middleware::<StateInformationMiddleware>();
        // A window of one second: `q` reads in it, on top of a burst of `burst`.
        let policy = HeaderValue::from_str(&format!("\"anonymous\";q={per_second};w=1")).expect("a header value");
        Some(Self { limiter, policy, trust_forwarded_for, checks: AtomicU64::new(0) })
    }
}

fn limited(req: &ServiceRequest) -> bool {
    (req.method() == Method::GET || req.method() == Method::HEAD) && !req.headers().contains_key(header::AUTHORIZATION)
}

pub async fn shed(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limit) = req.app_data::<Option<web::Data<AnonymousLimit>>>().cloned().flatten() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !limited(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // Forget clients idle long enough to be back at a full burst, now and then.
    if limit.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        limit.limiter.retain_recent();
        limit.limiter.shrink_to_fit();
    }
    let client = client_address(req.request(), limit.trust_forwarded_for);
    let policy = (HeaderName::from_static("ratelimit-policy"), limit.policy.clone());
    match limit.limiter.check_key(&client) {
        Ok(snapshot) => {
            let mut response = next.call(req).await?.map_into_boxed_body();
            let left = format!("\"anonymous\";r={};t=1", snapshot.remaining_burst_capacity());
            if let Ok(left) = HeaderValue::from_str(&left) {
                response.headers_mut().insert(HeaderName::from_static("ratelimit"), left);
            }
            response.headers_mut().insert(policy.0, policy.1);
            Ok(response)
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let refusal = ApiError::ReadLimit { retry_after };
            let mut response = refusal.error_response();
            if let Ok(left) = HeaderValue::from_str(&format!("\"anonymous\";r=0;t={retry_after}")) {
                response.headers_mut().insert(HeaderName::from_static("ratelimit"), left);
            }
            response.headers_mut().insert(policy.0, policy.1);
            let (request, _) = req.into_parts();
            Ok(ServiceResponse::new(request, response))
        }
    }
}
