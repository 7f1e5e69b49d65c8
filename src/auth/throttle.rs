//! Throttling of failed sign-ins per account and per client address, kept in the
//! database so that every instance sees the same counts.

use crate::db::{users, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use diesel::Connection;

#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    pub per_account: i32,
    pub per_client: i32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// The first block; each further failure doubles it, up to `max_block`.
    pub first_block: Duration,
    pub max_block: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self { per_account: 5, per_client: 20, window: Duration::minutes(15), first_block: Duration::seconds(60), max_block: Duration::minutes(15) }
    }
}

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn client_key(address: &str) -> String {
    format!("client:{address}")
}

/// Seconds until the longest block among `keys` ends, if any is blocked.
pub fn retry_after(conn: &mut PgConnection, keys: &[String], now: DateTime<Utc>) -> Result<Option<i64>, DbError> {
    let longest = users::failures(conn, keys)?.into_iter().filter_map(|f| f.blocked_until).filter(|until| *until > now).max();
    Ok(longest.map(|until| (until - now).num_seconds().max(1)))
}

/// Counts one failure against `key`; at `limit` failures within the window the key is blocked.
pub fn record_failure(conn: &mut PgConnection, settings: &ThrottleSettings, key: &str, limit: i32, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let (failures, started) = match users::failure_for_update(conn, key)? {
            Some(row) if now - row.window_started_at < settings.window => (row.failures + 1, row.window_started_at),
            _ => (1, now),
        };
        let blocked_until = (failures >= limit).then(|| {
            let doublings = (failures - limit).min(20) as u32;
            now + (settings.first_block * 2i32.pow(doublings.min(16))).min(settings.max_block)
        });
        users::store_failure(conn, key, failures, started, blocked_until)
    })
}

pub fn clear(conn: &mut PgConnection, key: &str) -> Result<(), DbError> {
    users::clear_failures(conn, key)
}
