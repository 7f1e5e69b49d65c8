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
use actix_web::{web, FromRequest, HttpRequest};
use serde::Serialize;
use std::future::{ready, Ready};
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

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = bearer_token(req).and_then(|token| match token {
            None => Ok(Caller::Anonymous),
            Some(token) => {
                let tokens = req.app_data::<web::Data<TokenService>>().ok_or_else(|| ApiError::Internal("token service missing".into()))?;
                tokens.verify_access(token).map(Caller::User).map_err(|reason| {
                    tracing::debug!(%reason, "refused access token");
                    ApiError::Unauthorized("invalid or expired access token".into())
                })
            }
        });
        ready(caller)
    }
}
