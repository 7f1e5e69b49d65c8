//! Access tokens are short-lived JWTs checked per RFC 8725: one pinned algorithm
//! (HS256), `iss`, `aud`, `exp`, `nbf` and `sub` required, `typ` = access.
//! Refresh tokens are opaque random strings, stored only as SHA-256 hashes, so
//! neither kind can stand in for the other.

use crate::domain::codes::Role;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const ISSUER: &str = "es-registry";
pub const AUDIENCE: &str = "es-registry-api";
const ACCESS_TYPE: &str = "access";
pub use crate::crypto::MIN_KEY_BYTES;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    pub typ: String,
    pub role: Role,
    pub org: Option<i64>,
    /// The sign-in (refresh-token family) the token was issued for.
    #[serde(default)]
    pub sid: Option<i64>,
}

/// Who an access token says its bearer is. The account is looked up on every
/// request (`sessions::current_user`): the token is a claim, not the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    pub id: i64,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub session: Option<i64>,
}

pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// `prefix_` followed by 256 random bits, URL-safe.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn random_key() -> Vec<u8> {
    let mut bytes = vec![0u8; MIN_KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl TokenService {
    pub fn new(key: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Result<Self, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!("the JWT key must have at least {MIN_KEY_BYTES} bytes (256 bits)"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 5;
        Ok(Self { encoding: EncodingKey::from_secret(key), decoding: DecodingKey::from_secret(key), validation, access_ttl, refresh_ttl })
    }

    pub fn issue_access(&self, bearer: &Bearer) -> Result<String, String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: bearer.id.to_string(),
            exp: now + self.access_ttl.as_secs() as i64,
            nbf: now,
            iat: now,
            jti: random_token("at"),
            typ: ACCESS_TYPE.into(),
            role: bearer.role,
            org: bearer.organisation_id,
            sid: bearer.session,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Who an access token speaks for, or why it is refused.
    pub fn verify_access(&self, token: &str) -> Result<Bearer, String> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| e.to_string())?;
        let claims = data.claims;
        if claims.typ != ACCESS_TYPE {
            return Err("not an access token".into());
        }
        let id = claims.sub.parse().map_err(|_| "sub is not a user id".to_owned())?;
        Ok(Bearer { id, role: claims.role, organisation_id: claims.org, session: claims.sid })
    }
}
