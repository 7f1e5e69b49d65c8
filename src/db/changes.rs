//! The change log: which public records each committed transaction created,
//! updated or deleted, in a stable order a reader can resume from.

use super::DbError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel::PgConnection;

/// What a change did to its record, as the feed names it (`es_changes.op`).
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    Created,
    Updated,
    /// The record no longer exists: a tombstone.
    Deleted,
}

/// A place in the log: after the change `seq` of transaction `xid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogPosition {
    pub xid: i64,
    pub seq: i64,
}

impl LogPosition {
    /// `"<xid>-<seq>"`, as cursors show it.
    pub fn parse(text: &str) -> Option<LogPosition> {
        let (xid, seq) = text.split_once('-')?;
        Some(LogPosition { xid: xid.parse().ok()?, seq: seq.parse().ok()? })
    }
}

impl std::fmt::Display for LogPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.xid, self.seq)
    }
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Change {
    #[diesel(sql_type = BigInt)]
    pub xid: i64,
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = Text)]
    pub resource: String,
    #[diesel(sql_type = BigInt)]
    pub record_id: i64,
    #[diesel(sql_type = Text)]
    pub op: String,
    #[diesel(sql_type = Timestamptz)]
    pub changed_at: DateTime<Utc>,
}

impl Change {
    pub fn position(&self) -> LogPosition {
        LogPosition { xid: self.xid, seq: self.seq }
    }
}

/// Whether committed changes after `from` are held back because a transaction
/// that began before them (on any database of the server) is still open.
pub fn held_back(conn: &mut PgConnection, from: LogPosition) -> Result<bool, DbError> {
    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        held: bool,
    }
    let row: Held = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM changes WHERE (xid, seq) > ($1, $2)) AS held")
        .bind::<BigInt, _>(from.xid)
        .bind::<BigInt, _>(from.seq)
        .get_result(conn)?;
    Ok(row.held)
}

/// Up to `limit` changes after `from`, of transactions older than every one still
/// running: a transaction that commits later always has a larger id than those
/// shown, so nothing can appear behind the position a reader has reached.
pub fn after(conn: &mut PgConnection, from: LogPosition, limit: i64) -> Result<Vec<Change>, DbError> {
    Ok(diesel::sql_query(
        "SELECT xid, seq, resource, record_id, op, changed_at FROM changes \
         WHERE (xid, seq) > ($1, $2) AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
         ORDER BY xid, seq LIMIT $3",
    )
    .bind::<BigInt, _>(from.xid)
    .bind::<BigInt, _>(from.seq)
    .bind::<BigInt, _>(limit)
    .load(conn)?)
}
