//! Signing in, refreshing and signing out.

use super::throttle::{self, account_key, client_key};
use super::{passwords, tokens, TokenService, User};
use crate::api::{ApiError, AppState};
use crate::db::{scopes, users, DbError};
use actix_web::web;
use chrono::Utc;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::Serialize;
use utoipa::ToSchema;

/// What a successful sign-in or refresh answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token lives.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// An opaque token for `POST /api/v1/auth/refresh`; usable once.
    pub refresh_token: String,
}

const BAD_CREDENTIALS: &str = "invalid email or password";

/// The user a stored account signs in as, with its organisation's voivodeship.
fn session_user(conn: &mut PgConnection, row: &users::UserRow) -> Result<User, DbError> {
    let voivodeship = match row.organisation_id {
        Some(org) => scopes::organisation_voivodeship(conn, org)?.flatten(),
        None => None,
    };
    Ok(User { id: row.id, email: row.email.clone(), role: row.role, organisation_id: row.organisation_id, voivodeship, session: None })
}

fn issue(conn: &mut PgConnection, tokens: &TokenService, user: &User, family: Option<i64>) -> Result<TokenPair, ApiError> {
    let refresh_token = tokens::random_token("rt");
    let expires_at = Utc::now() + chrono::Duration::from_std(tokens.refresh_ttl).map_err(|e| ApiError::Internal(e.to_string()))?;
    let session = users::insert_refresh_token(conn, user.id, family, &tokens::refresh_token_hash(&refresh_token), expires_at)?;
    let access_token = tokens.issue_access(&User { session: Some(session), ..user.clone() }).map_err(ApiError::Internal)?;
    Ok(TokenPair { access_token, token_type: "Bearer", expires_in: tokens.access_ttl.as_secs(), refresh_token })
}

/// Checks an email and password. An unknown email, a disabled account and a wrong
/// password cost the same Argon2 verification and get the same answer.
pub async fn sign_in(state: &AppState, tokens: web::Data<TokenService>, email: String, password: String, client: String) -> Result<TokenPair, ApiError> {
    let email = email.trim().to_lowercase();
    let (account_key, client_key) = (account_key(&email), client_key(&client));
    let settings = state.throttle.clone();
    let keys = vec![(account_key.clone(), settings.per_account), (client_key.clone(), settings.per_client)];
    let (admission, account) = state.run(move |conn| Ok((throttle::admit(conn, &settings, &keys, Utc::now())?, users::find_by_email(conn, &email)?))).await?;
    if let throttle::Admission::Blocked { retry_after } = admission {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verified = web::block(move || passwords::verify(&password, stored.as_deref())).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(account) = account.filter(|a| verified && a.enabled) else {
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
    };
    let client_limit = state.throttle.per_client;
    state
        .run(move |conn| {
            conn.transaction(|conn| {
                throttle::succeeded(conn, &account_key, &client_key, client_limit)?;
                let user = session_user(conn, &account)?;
                issue(conn, &tokens, &user, None)
            })
        })
        .await
}

enum Refreshed {
    Issued(TokenPair),
    Refused(&'static str),
}

/// Trades a refresh token for a new pair. A token is good once: presenting a spent
/// one means it leaked, so its whole family is revoked.
pub async fn refresh(state: &AppState, tokens: web::Data<TokenService>, refresh_token: String) -> Result<TokenPair, ApiError> {
    let outcome = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let Some(row) = users::find_refresh_token_for_update(conn, &tokens::refresh_token_hash(&refresh_token))? else {
                    return Ok(Refreshed::Refused("unknown refresh token"));
                };
                if row.revoked_at.is_some() {
                    users::revoke_family(conn, row.family)?;
                    return Ok(Refreshed::Refused("this refresh token was already used; sign in again"));
                }
                if row.expires_at <= Utc::now() {
                    return Ok(Refreshed::Refused("the refresh token has expired; sign in again"));
                }
                let account = users::find(conn, row.user_id)?;
                if !account.enabled {
                    users::revoke_family(conn, row.family)?;
                    return Ok(Refreshed::Refused("the account is disabled"));
                }
                users::revoke_refresh_token(conn, row.id)?;
                let user = session_user(conn, &account)?;
                issue(conn, &tokens, &user, Some(row.family)).map(Refreshed::Issued)
            })
        })
        .await?;
    match outcome {
        Refreshed::Issued(pair) => Ok(pair),
        Refreshed::Refused(reason) => Err(ApiError::Unauthorized(reason.into())),
    }
}

/// The account an access token speaks for, as it is now: a token outlives a
/// change to its account by up to 15 minutes, so every request goes by the
/// stored account, and one disabled or given another role or organisation
/// since the token was issued is refused.
pub fn current_user(conn: &mut PgConnection, claimed: &User) -> Result<User, ApiError> {
    let current = match users::find(conn, claimed.id) {
        Err(DbError::NotFound) => None,
        other => Some(other?),
    };
    match current {
        Some(row) if row.enabled && row.role == claimed.role && row.organisation_id == claimed.organisation_id => {
            Ok(User { session: claimed.session, ..session_user(conn, &row)? })
        }
        _ => Err(ApiError::Unauthorized("the account has changed since this token was issued; sign in again".into())),
    }
}

/// Checks a signed-in user's password again before a change that would outlive a
/// stolen access token (a new password). Failures count against the account's
/// sign-in limit, so this is no way round it.
pub async fn confirm_password(state: &AppState, user: &User, password: String) -> Result<(), ApiError> {
    let key = account_key(&user.email);
    let settings = state.throttle.clone();
    let keys = vec![(key.clone(), settings.per_account)];
    let id = user.id;
    let (admission, account) = state.run(move |conn| Ok((throttle::admit(conn, &settings, &keys, Utc::now())?, users::find(conn, id)?))).await?;
    if let throttle::Admission::Blocked { retry_after } = admission {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let verified = web::block(move || passwords::verify(&password, Some(&account.password_hash))).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    if !verified {
        return Err(ApiError::field("current_password", "wrong_password", "the current password is not right"));
    }
    state.run(move |conn| Ok(users::clear_failures(conn, &key)?)).await
}

/// Revokes the refresh token and every token rotated from the same sign-in.
pub async fn sign_out(state: &AppState, refresh_token: String) -> Result<(), ApiError> {
    state
        .run(move |conn| {
            if let Some(row) = users::find_refresh_token_for_update(conn, &tokens::refresh_token_hash(&refresh_token))? {
                users::revoke_family(conn, row.family)?;
            }
            Ok(())
        })
        .await
}
