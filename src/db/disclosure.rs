//! Where the database keeps the base of protected counts (`disclosure_control`),
//! for the roll-ups it maintains and for `protected_count`, the rounding rule.

use super::DbError;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;

/// The published value of a count `n` of people whose record keys add up to
/// `keys`, for SQL that selects both.
pub fn published(n: &str, keys: &str) -> String {
    format!("protected_count({n}, {keys}, (SELECT rounding_base FROM disclosure_control))")
}

/// Sets the base; returns whether it changed (then published figures the
/// database keeps must be refreshed).
pub fn set_rounding_base(conn: &mut PgConnection, base: i32) -> Result<bool, DbError> {
    let changed = diesel::sql_query("UPDATE disclosure_control SET rounding_base = $1 WHERE rounding_base <> $1").bind::<Integer, _>(base).execute(conn)?;
    Ok(changed > 0)
}
