//! Where the database keeps the base of protected counts (`disclosure_control`),
//! for the roll-ups it maintains and for `protected_count`, the rounding rule.

use super::DbError;
use crate::domain::collection::CountsOfPersons;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use std::collections::HashMap;

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
struct Published {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    figure: Option<i64>,
}

/// A count `n` of persons of indicator `indicator` as published: keyed by the
/// indicator's own key, as its values are.
pub fn published_of_indicator(conn: &mut PgConnection, indicator: i64, n: i64) -> Result<Option<i64>, DbError> {
    let row: Option<Published> = diesel::sql_query(format!("SELECT {} AS figure FROM indicators WHERE id = $1", published("$2::bigint", "figure_key::bigint")))
        .bind::<diesel::sql_types::BigInt, _>(indicator)
        .bind::<diesel::sql_types::BigInt, _>(n)
        .get_result(conn)
        .optional()?;
    Ok(row.and_then(|row| row.figure))
}

#[derive(QueryableByName)]
struct PublishedFigures {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
    figures: Option<serde_json::Value>,
}

/// The published values of the typed counts of persons `persons` of records
/// `ids` of `table` (registry names, never a caller's text): `id → field →
/// published value` (a count as a number, a breakdown as one, a list of
/// groups as one with each group's counts of persons protected), for the records
/// whose figures count persons (all of them, or those whose indicator says so).
/// Each figure is keyed by its row's own `figure_key` or its indicator's (drawn
/// by the database when the row was made and never shown); a count that has a
/// breakdown cell of its own (`value_women`, the cell `sex/women`) is keyed as
/// that cell, so both are published alike.
pub fn published_figures(
    conn: &mut PgConnection,
    table: &'static str,
    persons: &CountsOfPersons,
    ids: &[i64],
) -> Result<HashMap<i64, serde_json::Map<String, serde_json::Value>>, DbError> {
    Ok(figures_by_id(published_figures_query(table, persons, ids).load(conn)?))
}

/// [`published_figures`] on the async data path (issue 32's spike).
pub async fn published_figures_async(
    mut conn: &diesel_async::AsyncPgConnection,
    table: &'static str,
    persons: &CountsOfPersons,
    ids: &[i64],
) -> Result<HashMap<i64, serde_json::Map<String, serde_json::Value>>, DbError> {
    Ok(figures_by_id(diesel_async::RunQueryDsl::load(published_figures_query(table, persons, ids), &mut conn).await?))
}

/// The statement of [`published_figures`], whichever driver sends it: one text
/// per collection, its ids bound, so it is kept prepared.
fn published_figures_query<'a>(
    table: &'static str,
    persons: &CountsOfPersons,
    ids: &'a [i64],
) -> super::statements::Prepared<diesel::query_builder::BoxedSqlQuery<'a, diesel::pg::Pg, diesel::query_builder::SqlQuery>> {
    let (keyed, join, counting) = match persons.of_indicator {
        None => ("r.figure_key::bigint".to_owned(), String::new(), "TRUE".to_owned()),
        Some(column) => {
            ("k.figure_key::bigint".to_owned(), format!("JOIN indicators k ON k.id = r.{column}"), format!("es_indicator_counts_persons(r.{column})"))
        }
    };
    let salted = |field: &str| match field {
        "value_women" => format!("{keyed} + hashtext('sex/women')"),
        "value_men" => format!("{keyed} + hashtext('sex/men')"),
        "numerator" | "denominator" => format!("{keyed} + hashtext('{field}')"),
        _ => keyed.clone(),
    };
    let counts = persons.counts.iter().map(|field| format!("'{field}', {}", published(&format!("round(r.{field}::numeric)::bigint"), &salted(field))));
    let breakdowns = persons.breakdowns.iter().map(|field| format!("'{field}', es_published_breakdown(r.{field}, {keyed})"));
    let groups = persons.groups.iter().map(|field| format!("'{field}', es_published_groups(r.{field}, {keyed})"));
    let fields: Vec<String> = counts.chain(breakdowns).chain(groups).collect();
    super::statements::Prepared(
        diesel::sql_query(format!(
            "SELECT r.id, CASE WHEN {counting} THEN jsonb_build_object({}) END AS figures FROM {table} r {join} WHERE r.id = ANY($1)",
            fields.join(", ")
        ))
        .into_boxed()
        .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(ids),
    )
}

fn figures_by_id(rows: Vec<PublishedFigures>) -> HashMap<i64, serde_json::Map<String, serde_json::Value>> {
    rows.into_iter()
        .filter_map(|row| match row.figures {
            Some(serde_json::Value::Object(figures)) => Some((row.id, figures)),
            _ => None,
        })
        .collect()
}
