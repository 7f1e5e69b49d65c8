//! Who is calling: taking a [`Caller`] as a handler's argument is what
//! authenticates it. A bad token is a 401 before the handler runs; a good one
//! names an account, which is looked up as it is now (once per request: the
//! middleware and the handler share it through the request's extensions).

use super::{ApiError, AppState};
use crate::domain::access::Caller;
use crate::service::auth::sessions;
use crate::service::auth::tokens::Bearer;
use crate::service::auth::TokenService;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

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

/// Who a request's access token says its bearer is, before the account is looked up.
fn bearer(req: &HttpRequest) -> Result<Option<Bearer>, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(None);
    };
    let tokens = req.app_data::<web::Data<TokenService>>().ok_or_else(|| ApiError::Internal("token service missing".into()))?;
    tokens.verify_access(token).map(Some).map_err(|reason| {
        tracing::debug!(%reason, "refused access token");
        ApiError::Unauthorized("invalid or expired access token".into())
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let known = req.extensions().get::<Caller>().cloned();
        let claimed = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            if let Some(caller) = known {
                return Ok(caller);
            }
            let caller = match claimed? {
                None => Caller::Anonymous,
                Some(bearer) => {
                    let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
                    Caller::User(state.run(move |conn| sessions::current_user(conn, &bearer)).await?)
                }
            };
            req.extensions_mut().insert(caller.clone());
            Ok(caller)
        })
    }
}
