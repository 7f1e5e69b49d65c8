//! Who is calling, and what they may do. Every route goes through [`policy`].

pub mod accounts;
pub mod passwords;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod tokens;

pub use policy::{Action, Scope};
pub use tokens::TokenService;

use crate::api::ApiError;
use crate::domain::codes::Role;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use utoipa::ToSchema;

/// A signed-in user as the access token describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// The organisation the user acts for (absent for admins).
    pub organisation_id: Option<i64>,
    /// The voivodeship of that organisation: a `rops` user's scope.
    pub voivodeship: Option<String>,
    /// The sign-in this access token belongs to (its refresh tokens' family).
    #[serde(skip)]
    pub session: Option<i64>,
}

/// The caller of a request. Taking it as an argument is what authenticates a
/// handler; a bad token is a 401 before the handler runs.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    User(User),
}

impl Caller {
    /// The audit event of this caller doing `action` to record `id` of `resource`.
    pub fn audit_event(
        &self,
        action: Action,
        resource: &str,
        id: i64,
        scope: &Scope,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> crate::db::audit::NewAuditEvent {
        let user = self.user();
        crate::db::audit::NewAuditEvent {
            user_id: user.map(|u| u.id),
            user_email: user.map(|u| u.email.clone()),
            action: action.as_str().to_owned(),
            resource: resource.to_owned(),
            record_id: Some(id),
            voivodeship: scope.voivodeship().map(str::to_owned),
            before,
            after,
        }
    }

    pub fn user(&self) -> Option<&User> {
        match self {
            Caller::User(user) => Some(user),
            Caller::Anonymous => None,
        }
    }

    /// The signed-in user, or 401.
    pub fn signed_in(&self) -> Result<&User, ApiError> {
        self.user().ok_or_else(|| ApiError::Unauthorized("sign in first: send Authorization: Bearer <access token>".into()))
    }
}

fn bearer_token(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(Some(token.trim())),
        _ => Err(ApiError::Unauthorized("Authorization must be a Bearer token".into())),
    }
}

/// The user a request's access token claims to be, before the account is looked up.
fn claimed_user(req: &HttpRequest) -> Result<Option<User>, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(None);
    };
    let tokens = req.app_data::<web::Data<TokenService>>().ok_or_else(|| ApiError::Internal("token service missing".into()))?;
    tokens.verify_access(token).map(Some).map_err(|reason| {
        tracing::debug!(%reason, "refused access token");
        ApiError::Unauthorized("invalid or expired access token".into())
    })
}

/// The caller is worked out once per request (middleware and handler may both
/// ask) and kept in the request's extensions.
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let known = req.extensions().get::<Caller>().cloned();
        let claimed = claimed_user(req);
        let state = req.app_data::<web::Data<crate::api::AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            if let Some(caller) = known {
                return Ok(caller);
            }
            let caller = match claimed? {
                None => Caller::Anonymous,
                Some(claimed) => {
                    let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
                    Caller::User(state.run(move |conn| sessions::current_user(conn, &claimed)).await?)
                }
            };
            req.extensions_mut().insert(caller.clone());
            Ok(caller)
        })
    }
}
