//! Throttling of failed sign-ins per account and per client address, kept in the
//! database so that every instance sees the same counts. An attempt is counted
//! before its password is checked, under a row lock, so parallel guesses cannot
//! slip past the limit; a successful sign-in takes its count back.

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
    /// Take the client address from `X-Forwarded-For` (behind a trusted proxy only).
    pub trust_forwarded_for: bool,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_client: 20,
            window: Duration::minutes(15),
            first_block: Duration::seconds(60),
            max_block: Duration::minutes(15),
            trust_forwarded_for: false,
        }
    }
}

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn client_key(address: &str) -> String {
    format!("client:{address}")
}

pub enum Admission {
    Allowed(Vec<Standing>),
    Blocked { retry_after: i64, standing: Vec<Standing> },
}

/// How much of one limit is left once an attempt is counted, for the
/// `RateLimit` header: attempts before a block, and seconds until the count
/// starts afresh (or the block ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub remaining: i32,
    pub reset: i64,
}

impl Standing {
    /// A limit with nothing used.
    fn fresh(limit: i32, settings: &ThrottleSettings) -> Standing {
        Standing { remaining: limit, reset: settings.window.num_seconds() }
    }

    /// What is left of `limit` with `failures` counted since `started`, and no
    /// attempts at all until `blocked_until`.
    fn of(
        settings: &ThrottleSettings,
        limit: i32,
        failures: i32,
        started: DateTime<Utc>,
        blocked_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Standing {
        match blocked_until.filter(|until| *until > now) {
            Some(until) => Standing { remaining: 0, reset: (until - now).num_seconds().max(1) },
            None if now - started < settings.window => {
                Standing { remaining: (limit - failures).max(0), reset: (started + settings.window - now).num_seconds().max(0) }
            }
            None => Standing::fresh(limit, settings),
        }
    }
}

/// Counts an attempt against each `(key, limit)`, unless one of them is blocked.
/// The attempt that reaches a limit still runs; the ones after it wait.
pub fn admit(conn: &mut PgConnection, settings: &ThrottleSettings, keys: &[(String, i32)], now: DateTime<Utc>) -> Result<Admission, DbError> {
    conn.transaction(|conn| {
        let mut rows = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            users::ensure_failure_row(conn, key, now)?;
            rows.push(users::failure_for_update(conn, key)?.ok_or(DbError::NotFound)?);
        }
        if let Some(until) = rows.iter().filter_map(|r| r.blocked_until).filter(|until| *until > now).max() {
            let standing = keys
                .iter()
                .zip(&rows)
                .map(|((_, limit), row)| Standing::of(settings, *limit, row.failures, row.window_started_at, row.blocked_until, now))
                .collect();
            return Ok(Admission::Blocked { retry_after: (until - now).num_seconds().max(1), standing });
        }
        let mut standing = Vec::with_capacity(keys.len());
        for ((key, limit), row) in keys.iter().zip(rows) {
            let (failures, started) = if now - row.window_started_at < settings.window { (row.failures + 1, row.window_started_at) } else { (1, now) };
            let blocked_until = (failures >= *limit).then(|| {
                let doublings = (failures - limit).clamp(0, 16) as u32;
                now + (settings.first_block * 2i32.pow(doublings)).min(settings.max_block)
            });
            users::store_failure(conn, key, failures, started, blocked_until.or(row.blocked_until))?;
            standing.push(Standing::of(settings, *limit, failures, started, None, now));
        }
        Ok(Admission::Allowed(standing))
    })
}

/// After a successful sign-in: the account starts afresh, and the client's count
/// loses the attempt that succeeded. Returns what is left of each limit then,
/// account first.
pub fn succeeded(conn: &mut PgConnection, settings: &ThrottleSettings, account: &str, client: &str, now: DateTime<Utc>) -> Result<[Standing; 2], DbError> {
    conn.transaction(|conn| {
        users::clear_failures(conn, account)?;
        let client_standing = match users::failure_for_update(conn, client)? {
            Some(row) => {
                let failures = (row.failures - 1).max(0);
                let blocked_until = if failures < settings.per_client { None } else { row.blocked_until };
                users::store_failure(conn, client, failures, row.window_started_at, blocked_until)?;
                Standing::of(settings, settings.per_client, failures, row.window_started_at, blocked_until, now)
            }
            None => Standing::fresh(settings.per_client, settings),
        };
        Ok([Standing::fresh(settings.per_account, settings), client_standing])
    })
}
