//! Who is calling. Taking a [`Session`] as a handler's argument is what
//! authenticates it: a bad token is a 401 before the handler runs. A good token
//! names an account, which is looked up as it is now, once, on the connection
//! and in the blocking task the request's work runs in (`AppState::run_as`),
//! so a disabled account, or one given another role or organisation, is refused
//! at once and a signed-in request costs one statement more, not a second trip.

use super::{ApiError, AppState};
use crate::domain::access::Caller;
use crate::service::auth::sessions;
use crate::service::auth::tokens::Bearer;
use crate::service::auth::TokenService;
use crate::service::ServiceError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::pg::PgConnection;
use std::future::{ready, Ready};

/// A request's credentials, checked (signature, lifetime, audience) but not yet
/// looked up: anonymous, or the bearer of a valid access token.
#[derive(Debug, Clone)]
pub struct Session(Option<Bearer>);

impl Session {
    /// The caller as its account is now: anonymous without a token, else the
    /// account the token names, refused if it was disabled or changed since.
    pub fn caller(&self, conn: &mut PgConnection) -> Result<Caller, ServiceError> {
        match &self.0 {
            None => Ok(Caller::Anonymous),
            Some(bearer) => Ok(Caller::User(sessions::current_user(conn, bearer)?)),
        }
    }

    /// Whether a token came with the request.
    pub fn signed(&self) -> bool {
        self.0.is_some()
    }

    /// Refuses an anonymous request before any work, where signing in is required.
    pub fn required(&self) -> Result<(), ApiError> {
        if self.signed() {
            Ok(())
        } else {
            Err(ApiError::Service(ServiceError::Unauthorized("sign in first: send Authorization: Bearer <access token>".into())))
        }
    }
}

/// The client's address, for the limits kept per client (sign-in, anonymous
/// reads): the forwarded one only behind a proxy the operator says it trusts.
pub fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        req.connection_info().realip_remote_addr().unwrap_or("unknown").to_owned()
    } else {
        req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
    }
}

fn bearer_token(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::Service(ServiceError::Unauthorized("malformed Authorization header".into())))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(Some(token.trim())),
        _ => Err(ApiError::Service(ServiceError::Unauthorized("Authorization must be a Bearer token".into()))),
    }
}

fn session(req: &HttpRequest) -> Result<Session, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(Session(None));
    };
    let tokens = req.app_data::<web::Data<TokenService>>().ok_or_else(|| ApiError::Service(ServiceError::Internal("token service missing".into())))?;
    tokens.verify_access(token).map(|bearer| Session(Some(bearer))).map_err(|reason| {
        tracing::debug!(%reason, "refused access token");
        ApiError::Service(ServiceError::Unauthorized("invalid or expired access token".into()))
    })
}

impl FromRequest for Session {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(session(req))
    }
}

/// A [`Session`] that must carry a token: an anonymous request is a 401 as
/// this argument is taken, before any later argument (a JSON body) is read and
/// judged, so a caller who may not write learns nothing from validation.
#[derive(Debug, Clone)]
pub struct SignedIn(Session);

impl std::ops::Deref for SignedIn {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.0
    }
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(session(req).and_then(|session| {
            session.required()?;
            Ok(SignedIn(session))
        }))
    }
}

impl AppState {
    /// The caller of `session`, looked up on its own (for work that is not one
    /// database task: hashing a password, streaming an upload or an export).
    pub async fn caller(&self, session: &Session) -> Result<Caller, ApiError> {
        let session = session.clone();
        self.run(move |conn| session.caller(conn)).await
    }
}
