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

#[derive(QueryableByName)]
struct PublishedFigures {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>)]
    figures: Vec<Option<i64>>,
}

/// The published values of the typed counts of persons `fields` of records
/// `ids` of `table` (registry names, never a caller's text), each protected by
/// the figure's own key (`figure_key`, drawn by the database when the row was
/// made and never shown): `id → figures`, in the order of `fields`.
pub fn published_figures(
    conn: &mut PgConnection,
    table: &'static str,
    fields: &[&'static str],
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Option<i64>>>, DbError> {
    let figures: Vec<String> = fields.iter().map(|field| published(&format!("{field}::bigint"), "figure_key::bigint")).collect();
    let rows: Vec<PublishedFigures> =
        diesel::sql_query(format!("SELECT id, ARRAY[{}]::bigint[] AS figures FROM {table} WHERE id = ANY($1)", figures.join(", ")))
            .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(ids)
            .load(conn)?;
    Ok(rows.into_iter().map(|row| (row.id, row.figures)).collect())
}
