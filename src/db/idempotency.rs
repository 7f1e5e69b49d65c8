//! Stored answers to POST requests that carried an `Idempotency-Key`.

use super::DbError;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Nullable, SmallInt, Text};

/// How long an answer is kept, and after how long an unfinished first request is
/// taken to have died (its work rolled back) so that a retry may run again.
const KEPT_HOURS: i64 = 24;
const ABANDONED_MINUTES: i64 = 60;

/// The request a key was first used for, and its answer once there is one.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Text)]
    pub path: String,
    #[diesel(sql_type = Nullable<Bytea>)]
    pub fingerprint: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub status: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub content_type: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub location: Option<String>,
    /// Sealed: an answer may hold personal data.
    #[diesel(sql_type = Nullable<Bytea>)]
    pub body: Option<Vec<u8>>,
    /// The answer named a person since erased, and went with them.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub erased: bool,
}

/// Claims `key` for a new request; `None` when the claim is ours, else what the
/// key already holds.
pub fn claim(conn: &mut PgConnection, scope: &str, key: &str, method: &str, path: &str) -> Result<Option<Claimed>, DbError> {
    diesel::sql_query("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1::int)").bind::<BigInt, _>(KEPT_HOURS).execute(conn)?;
    diesel::sql_query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL AND created_at < now() - make_interval(mins => $3::int)")
        .bind::<Text, _>(scope)
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(ABANDONED_MINUTES)
        .execute(conn)?;
    let inserted = diesel::sql_query("INSERT INTO idempotency_keys (scope, key, method, path) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind::<Text, _>(scope)
        .bind::<Text, _>(key)
        .bind::<Text, _>(method)
        .bind::<Text, _>(path)
        .execute(conn)?;
    if inserted == 1 {
        return Ok(None);
    }
    Ok(diesel::sql_query(
        "SELECT method, path, fingerprint, status, content_type, location, body, erased_at IS NOT NULL AS erased FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
        .bind::<Text, _>(scope)
        .bind::<Text, _>(key)
        .get_results::<Claimed>(conn)?
        .pop())
}

/// Keeps the answer to the request that claimed `key`.
pub fn keep(conn: &mut PgConnection, scope: &str, key: &str, answer: &Claimed) -> Result<(), DbError> {
    diesel::sql_query("UPDATE idempotency_keys SET fingerprint = $3, status = $4, content_type = $5, location = $6, body = $7 WHERE scope = $1 AND key = $2")
        .bind::<Text, _>(scope)
        .bind::<Text, _>(key)
        .bind::<Nullable<Bytea>, _>(answer.fingerprint.clone())
        .bind::<Nullable<SmallInt>, _>(answer.status)
        .bind::<Nullable<Text>, _>(answer.content_type.clone())
        .bind::<Nullable<Text>, _>(answer.location.clone())
        .bind::<Nullable<Bytea>, _>(answer.body.clone())
        .execute(conn)?;
    Ok(())
}

/// Drops every kept answer about the record at `path` (`/api/v1/participants/7`):
/// answers that created it (`Location`) and answers of requests to it or below it.
pub fn forget_record(conn: &mut PgConnection, path: &str) -> Result<(), DbError> {
    diesel::sql_query(
        "UPDATE idempotency_keys SET body = NULL, content_type = NULL, location = NULL, erased_at = now()
         WHERE location = $1 OR path = $1 OR starts_with(path, $1 || '/')",
    )
    .bind::<Text, _>(path)
    .execute(conn)?;
    Ok(())
}

/// Gives `key` up: the request failed and a retry should run again.
pub fn release(conn: &mut PgConnection, scope: &str, key: &str) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL")
        .bind::<Text, _>(scope)
        .bind::<Text, _>(key)
        .execute(conn)?;
    Ok(())
}
