//! What a workflow's decisions leave on a record that the record's own store
//! does not write: whether a ROPS's own entry is self-decided, and by which
//! account (never published: it only keeps that account from confirming itself).

use crate::db::DbError;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable};

/// Marks records `ids` of `table` (a registry table with a confirmable
/// workflow, never a caller's text) as decided alone by account `by`, or
/// decided (`None`).
pub fn set_self_decided(conn: &mut PgConnection, table: &'static str, ids: &[i64], by: Option<i64>) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::sql_query(format!("UPDATE {table} SET self_decided = $1::bigint IS NOT NULL, self_decided_by = $1 WHERE id = ANY($2)"))
        .bind::<Nullable<BigInt>, _>(by)
        .bind::<Array<BigInt>, _>(ids)
        .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Decided {
    #[diesel(sql_type = Nullable<BigInt>)]
    self_decided_by: Option<i64>,
}

/// The account that decided record `id` of `table` alone, if it stands so.
pub fn self_decided_by(conn: &mut PgConnection, table: &'static str, id: i64) -> Result<Option<i64>, DbError> {
    let row: Decided = diesel::sql_query(format!("SELECT self_decided_by FROM {table} WHERE id = $1")).bind::<BigInt, _>(id).get_result(conn)?;
    Ok(row.self_decided_by)
}
