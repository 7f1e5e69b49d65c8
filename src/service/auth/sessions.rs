//! Signing in, refreshing and signing out, and who a request's token speaks for.

use super::passwords;
use super::throttle::{self, account_key, client_key, Standing, ThrottleSettings};
use super::tokens::{self, Bearer, TokenService};
use crate::db::users;
use crate::domain::access::User;
use crate::service::{Database, ServiceError};
use chrono::Utc;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::Serialize;
use std::sync::Arc;
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

fn issue(conn: &mut PgConnection, tokens: &TokenService, row: &users::UserRow, family: Option<i64>) -> Result<TokenPair, ServiceError> {
    let refresh_token = tokens::random_token("rt");
    let expires_at = Utc::now() + chrono::Duration::from_std(tokens.refresh_ttl).map_err(ServiceError::internal)?;
    let session = users::insert_refresh_token(conn, row.id, family, &tokens::refresh_token_hash(&refresh_token), expires_at)?;
    let bearer = Bearer { id: row.id, role: row.role, organisation_id: row.organisation_id, session: Some(session) };
    let access_token = tokens.issue_access(&bearer).map_err(ServiceError::Internal)?;
    Ok(TokenPair { access_token, token_type: "Bearer", expires_in: tokens.access_ttl.as_secs(), refresh_token })
}

/// Runs a password hash or check (tens of milliseconds on purpose) off the async workers.
pub async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(work).await.map_err(ServiceError::internal)
}

/// A sign-in's answer and how much of each limit it leaves, account first, then
/// client (unknown when the attempt could not even be counted).
pub struct SignInAttempt {
    pub result: Result<TokenPair, ServiceError>,
    pub standing: Option<[Standing; 2]>,
}

/// Checks an email and password. An unknown email, a disabled account and a wrong
/// password cost the same Argon2 verification and get the same answer.
pub async fn sign_in(
    db: &Database,
    throttle_settings: &ThrottleSettings,
    tokens: Arc<TokenService>,
    email: String,
    password: String,
    client: String,
) -> SignInAttempt {
    let email = email.trim().to_lowercase();
    let (account_key, client_key) = (account_key(&email), client_key(&client));
    let settings = throttle_settings.clone();
    let keys = vec![(account_key.clone(), settings.per_account), (client_key.clone(), settings.per_client)];
    let counted = db.run(move |conn| Ok((throttle::admit(conn, &settings, &keys, Utc::now())?, users::find_by_email(conn, &email)?))).await;
    let (admission, account) = match counted {
        Ok(counted) => counted,
        Err(e) => return SignInAttempt { result: Err(e), standing: None },
    };
    let (standing, blocked) = match admission {
        throttle::Admission::Allowed(standing) => (standing, None),
        throttle::Admission::Blocked { retry_after, standing } => (standing, Some(retry_after)),
    };
    let standing = match standing.as_slice() {
        [account, client] => Some([*account, *client]),
        _ => None,
    };
    if let Some(retry_after) = blocked {
        return SignInAttempt { result: Err(ServiceError::TooManyRequests { retry_after }), standing };
    }
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verified = match off_thread(move || passwords::verify(&password, stored.as_deref())).await {
        Ok(verified) => verified,
        Err(e) => return SignInAttempt { result: Err(e), standing },
    };
    let Some(account) = account.filter(|a| verified && a.enabled) else {
        return SignInAttempt { result: Err(ServiceError::Unauthorized(BAD_CREDENTIALS.into())), standing };
    };
    let settings = throttle_settings.clone();
    let issued = db
        .run(move |conn| {
            conn.transaction(|conn| {
                let standing = throttle::succeeded(conn, &settings, &account_key, &client_key, Utc::now())?;
                Ok((issue(conn, &tokens, &account, None)?, standing))
            })
        })
        .await;
    match issued {
        Ok((pair, standing)) => SignInAttempt { result: Ok(pair), standing: Some(standing) },
        Err(e) => SignInAttempt { result: Err(e), standing },
    }
}

enum Refreshed {
    Issued(TokenPair),
    Refused(&'static str),
}

/// Trades a refresh token for a new pair. A token is good once: presenting a spent
/// one means it leaked, so its whole family is revoked.
pub async fn refresh(db: &Database, tokens: Arc<TokenService>, refresh_token: String) -> Result<TokenPair, ServiceError> {
    let outcome = db
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
                issue(conn, &tokens, &account, Some(row.family)).map(Refreshed::Issued)
            })
        })
        .await?;
    match outcome {
        Refreshed::Issued(pair) => Ok(pair),
        Refreshed::Refused(reason) => Err(ServiceError::Unauthorized(reason.into())),
    }
}

/// The account an access token speaks for, as it is now: a token outlives a
/// change to its account by up to 15 minutes, so every request goes by the
/// stored account, and one disabled or given another role or organisation
/// since the token was issued is refused.
pub fn current_user(conn: &mut PgConnection, bearer: &Bearer) -> Result<User, ServiceError> {
    match users::account(conn, bearer.id)? {
        Some(account) if account.enabled && account.role == bearer.role && account.organisation_id == bearer.organisation_id => Ok(User {
            id: account.id,
            email: account.email,
            role: account.role,
            organisation_id: account.organisation_id,
            voivodeship: account.voivodeship,
            session: bearer.session,
        }),
        _ => Err(ServiceError::Unauthorized("the account has changed since this token was issued; sign in again".into())),
    }
}

/// Checks a signed-in user's password again before a change that would outlive a
/// stolen access token (a new password). Failures count against the account's
/// sign-in limit, so this is no way round it.
pub async fn confirm_password(db: &Database, throttle_settings: &ThrottleSettings, user: &User, password: String) -> Result<(), ServiceError> {
    let key = account_key(&user.email);
    let settings = throttle_settings.clone();
    let keys = vec![(key.clone(), settings.per_account)];
    let id = user.id;
    let (admission, account) = db.run(move |conn| Ok((throttle::admit(conn, &settings, &keys, Utc::now())?, users::find(conn, id)?))).await?;
    if let throttle::Admission::Blocked { retry_after, .. } = admission {
        return Err(ServiceError::TooManyRequests { retry_after });
    }
    let verified = off_thread(move || passwords::verify(&password, Some(&account.password_hash))).await?;
    if !verified {
        return Err(ServiceError::field("current_password", "wrong_password", "the current password is not right"));
    }
    db.run(move |conn| Ok(users::clear_failures(conn, &key)?)).await
}

/// Revokes the refresh token and every token rotated from the same sign-in.
pub async fn sign_out(db: &Database, refresh_token: String) -> Result<(), ServiceError> {
    db.run(move |conn| {
        if let Some(row) = users::find_refresh_token_for_update(conn, &tokens::refresh_token_hash(&refresh_token))? {
            users::revoke_family(conn, row.family)?;
        }
        Ok(())
    })
    .await
}
