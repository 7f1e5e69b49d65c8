//! Sign-in, token refresh, sign-out and who-am-I.

use crate::api::caller::SignedIn;
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::domain::access::User;
use crate::service::auth::sessions::{self, TokenPair};
use crate::service::auth::throttle::{Standing, ThrottleSettings};
use crate::service::auth::TokenService;
use crate::service::ServiceError;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    #[schema(example = "rops@demo.es-registry.pl")]
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshToken {
    pub refresh_token: String,
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", operation_id = "sign_in", security(()),
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in", body = TokenPair, headers(
            ("RateLimit-Policy" = String, description = "The sign-in limits (IETF httpapi RateLimit headers): `\"account\";q=5;w=900, \"client\";q=20;w=900`, failed attempts per window in seconds"),
            ("RateLimit" = String, description = "What is left of each: `\"account\";r=4;t=812, \"client\";r=19;t=812`, attempts and seconds until the count starts afresh"))),
        (status = 401, description = "Invalid email or password", body = Problem, content_type = "application/problem+json", headers(
            ("RateLimit-Policy" = String, description = "The sign-in limits, as on 200"),
            ("RateLimit" = String, description = "What is left of each, as on 200"))),
        (status = 422, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json", headers(
            ("RateLimit-Policy" = String, description = "The sign-in limits, as on 200"),
            ("RateLimit" = String, description = "What is left of each, as on 200: `r=0` for the limit that blocks, `t` the seconds until the block ends"))),
    ))]
pub async fn token(state: web::Data<AppState>, tokens: web::Data<TokenService>, req: HttpRequest, body: web::Json<SignIn>) -> Result<HttpResponse, ApiError> {
    let SignIn { email, password } = body.into_inner();
    let client = crate::api::caller::client_address(&req, state.throttle.trust_forwarded_for);
    let attempt = sessions::sign_in(&state.db, &state.throttle, tokens.into_inner(), email, password, client).await;
    let mut response = match attempt.result {
        Ok(pair) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(pair),
        Err(e) => ApiError::from(e).error_response(),
    };
    rate_limit_headers(response.headers_mut(), &state.throttle, attempt.standing);
    Ok(response)
}

/// The sign-in limits as the IETF httpapi RateLimit headers state them: the
/// policies (`q` attempts per `w` seconds, per account and per client address),
/// and what is left of each (`r` attempts, `t` seconds until the count starts
/// afresh or a block ends).
fn rate_limit_headers(headers: &mut HeaderMap, settings: &ThrottleSettings, standing: Option<[Standing; 2]>) {
    let window = settings.window.num_seconds();
    let policy = format!("\"account\";q={};w={window}, \"client\";q={};w={window}", settings.per_account, settings.per_client);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(HeaderName::from_static("ratelimit-policy"), value);
    }
    if let Some([account, client]) = standing {
        let left = format!("\"account\";r={};t={}, \"client\";r={};t={}", account.remaining, account.reset, client.remaining, client.reset);
        if let Ok(value) = HeaderValue::from_str(&left) {
            headers.insert(HeaderName::from_static("ratelimit"), value);
        }
    }
}

/// Trade a refresh token (once) for a new token pair.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", operation_id = "refresh_token", security(()),
    request_body = RefreshToken,
    responses(
        (status = 200, description = "A new pair; the old refresh token is spent", body = TokenPair),
        (status = 401, description = "Unknown, spent, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh(state: web::Data<AppState>, tokens: web::Data<TokenService>, body: web::Json<RefreshToken>) -> Result<HttpResponse, ApiError> {
    let pair = sessions::refresh(&state.db, tokens.into_inner(), body.into_inner().refresh_token).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(pair))
}

/// Sign out: revoke the refresh token and its successors.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "sign_out", security(()),
    request_body = RefreshToken,
    responses((status = 204, description = "Signed out")))]
pub async fn logout(state: web::Data<AppState>, body: web::Json<RefreshToken>) -> Result<HttpResponse, ApiError> {
    sessions::sign_out(&state.db, body.into_inner().refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", operation_id = "who_am_i",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user the access token speaks for", body = User),
        (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(state: web::Data<AppState>, session: SignedIn) -> Result<HttpResponse, ApiError> {
    let user = state.run_as(&session, |_, caller| Ok(caller.signed_in().map_err(ServiceError::from)?.clone())).await?;
    Ok(HttpResponse::Ok().json(user))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(token, refresh, logout, me), components(schemas(SignIn, RefreshToken, TokenPair, User)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/auth/token", "POST").route(web::post().to(token)))
        .service(crate::api::extractors::resource("/api/v1/auth/refresh", "POST").route(web::post().to(refresh)))
        .service(crate::api::extractors::resource("/api/v1/auth/logout", "POST").route(web::post().to(logout)))
        .service(crate::api::extractors::resource("/api/v1/auth/me", "GET").route(web::get().to(me)));
}
