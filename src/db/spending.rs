//! Money over time: a project's period for the budget's year check, the
//! spending roll-up and a project's spending by year. The rule of being behind
//! in spending is the SQL function `es_spending_behind` (migration 000031), over
//! the views `spending_facts` (which claims count as spending) and
//! `project_spending` (each project today); both readers here ask it.

use super::indicator_progress::{bind_filters, GroupBy, ReportFilter, FILTERS};
use super::DbError;
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Numeric, Text};
use rust_decimal::Decimal;

/// A project's first and last day, as far as known.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct ProjectPeriod {
    #[diesel(sql_type = Nullable<Date>)]
    pub starts: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub ends: Option<NaiveDate>,
}

/// The first and last day of project `id`'s period, as far as known (actual
/// dates before planned ones, an end known to the month or year at its last
/// day: `es_project_start` / `es_project_end`); `None` when there is no such project.
pub fn project_period(conn: &mut PgConnection, id: i64) -> Result<Option<ProjectPeriod>, DbError> {
    Ok(diesel::sql_query(
        "SELECT es_project_start(actual_start, planned_start) AS starts, \
                es_project_end(actual_end, actual_end_precision, planned_end, planned_end_precision) AS ends \
         FROM projects WHERE id = $1",
    )
    .bind::<BigInt, _>(id)
    .get_result(conn)
    .optional()?)
}

/// One group of the spending roll-up.
#[derive(Debug, QueryableByName, PartialEq)]
pub struct SpendingTotals {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub projects: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub total_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub eu_amount: Option<Decimal>,
    #[diesel(sql_type = Numeric)]
    pub budgeted: Decimal,
    #[diesel(sql_type = Numeric)]
    pub claimed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub approved: Decimal,
    #[diesel(sql_type = Numeric)]
    pub eu_approved: Decimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub spent_percent: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub expected_percent: Option<Decimal>,
    #[diesel(sql_type = BigInt)]
    pub projects_behind_spending: i64,
}

/// The threshold of `es_spending_behind`, in percentage points.
pub fn behind_threshold(conn: &mut PgConnection) -> Result<Decimal, DbError> {
    Ok(diesel::select(diesel::dsl::sql::<Numeric>("es_spending_behind_threshold()")).get_result(conn)?)
}

/// The spending roll-up by `group` over the projects `f` selects (its `year` is
/// the year projects start; its definition does not apply). By year, each
/// project enters every year it has money in (budgets by their year, claims by
/// the year their period ends), with the share of its period that falls in that
/// year (up to today) as what was expected then; otherwise each project enters
/// its group once, with the share of its period elapsed today. Percentages are
/// of the total value of the projects that have one; the expected share is
/// weighted by that value.
pub fn report(conn: &mut PgConnection, group: GroupBy, f: &ReportFilter) -> Result<Vec<SpendingTotals>, DbError> {
    let f = &ReportFilter { definition_id: None, ..f.clone() };
    let sums = "count(DISTINCT p.project_id) AS projects, sum(p.total_value) AS total_value, sum(p.eu_amount) AS eu_amount, \
                coalesce(sum(m.budgeted), 0) AS budgeted, coalesce(sum(m.claimed), 0) AS claimed, \
                coalesce(sum(m.approved), 0) AS approved, coalesce(sum(m.eu_approved), 0) AS eu_approved, \
                round(100 * sum(m.approved) FILTER (WHERE p.total_value IS NOT NULL) / nullif(sum(p.total_value), 0), 1) AS spent_percent, \
                round(100 * sum(p.total_value * m.share) / nullif(sum(p.total_value) FILTER (WHERE m.share IS NOT NULL), 0), 1) AS expected_percent, \
                count(DISTINCT p.project_id) FILTER (WHERE p.behind_spending) AS projects_behind_spending";
    let sql = if group == GroupBy::Year {
        format!(
            "WITH p AS (SELECT * FROM project_spending WHERE {FILTERS} AND $5::bigint IS NULL), \
             m AS (SELECT f.project_id, f.year, sum(f.budgeted) AS budgeted, sum(f.claimed) AS claimed, sum(f.approved) AS approved, \
                          sum(f.eu_approved) AS eu_approved, \
                          es_period_share(min(p.starts), min(p.ends), make_date(f.year, 1, 1), least(make_date(f.year + 1, 1, 1), es_today())) AS share \
                   FROM spending_facts f JOIN p ON p.project_id = f.project_id GROUP BY f.project_id, f.year) \
             SELECT m.year::text AS key, {sums} FROM m JOIN p ON p.project_id = m.project_id GROUP BY m.year ORDER BY m.year"
        )
    } else {
        let key = group.fact_column();
        format!(
            "WITH p AS (SELECT * FROM project_spending WHERE {FILTERS} AND $5::bigint IS NULL), \
             m AS (SELECT project_id, budgeted, claimed, approved, eu_approved, es_period_share(starts, ends, starts, es_today()) AS share FROM p) \
             SELECT p.{key} AS key, {sums} FROM p JOIN m ON m.project_id = p.project_id GROUP BY 1 ORDER BY 1"
        )
    };
    Ok(bind_filters(sql, f).load(conn)?)
}

/// A project's spending today.
#[derive(Debug, QueryableByName)]
pub struct ProjectSpendingRow {
    #[diesel(sql_type = Nullable<Numeric>)]
    pub total_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Date>)]
    pub starts: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub ends: Option<NaiveDate>,
    #[diesel(sql_type = Numeric)]
    pub budgeted: Decimal,
    #[diesel(sql_type = Numeric)]
    pub claimed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub approved: Decimal,
    #[diesel(sql_type = Numeric)]
    pub eu_approved: Decimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub spent_percent: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub expected_percent: Option<Decimal>,
    #[diesel(sql_type = Bool)]
    pub behind_spending: bool,
}

pub fn of_project(conn: &mut PgConnection, id: i64) -> Result<Option<ProjectSpendingRow>, DbError> {
    Ok(diesel::sql_query(
        "SELECT total_value, starts, ends, budgeted, claimed, approved, eu_approved, spent_percent, expected_percent, behind_spending \
         FROM project_spending WHERE project_id = $1",
    )
    .bind::<BigInt, _>(id)
    .get_result(conn)
    .optional()?)
}

/// One year of a project's spending: the year's money, and the shares up to
/// the year's end (or today, in the current year).
#[derive(Debug, QueryableByName)]
pub struct YearSpendingRow {
    #[diesel(sql_type = Integer)]
    pub year: i32,
    #[diesel(sql_type = Numeric)]
    pub budgeted: Decimal,
    #[diesel(sql_type = Numeric)]
    pub claimed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub approved: Decimal,
    #[diesel(sql_type = Numeric)]
    pub eu_approved: Decimal,
    #[diesel(sql_type = Numeric)]
    pub approved_to_date: Decimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub spent_percent: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub expected_percent: Option<Decimal>,
    #[diesel(sql_type = Bool)]
    pub behind_spending: bool,
}

/// Project `id`'s spending year by year, over the years of its period and of
/// its money. A year after the current one has no expected share and is never behind.
pub fn years_of_project(conn: &mut PgConnection, id: i64) -> Result<Vec<YearSpendingRow>, DbError> {
    Ok(diesel::sql_query(
        "WITH p AS (SELECT * FROM project_spending WHERE project_id = $1), \
         f AS (SELECT year, sum(budgeted) AS budgeted, sum(claimed) AS claimed, sum(approved) AS approved, sum(eu_approved) AS eu_approved \
               FROM spending_facts WHERE project_id = $1 GROUP BY year), \
         y AS (SELECT generate_series(least(extract(year FROM p.starts)::int, (SELECT min(year) FROM f)), \
                                      greatest(extract(year FROM p.ends)::int, (SELECT max(year) FROM f))) AS year FROM p), \
         r AS (SELECT y.year, coalesce(f.budgeted, 0) AS budgeted, coalesce(f.claimed, 0) AS claimed, coalesce(f.approved, 0) AS approved, \
                      coalesce(f.eu_approved, 0) AS eu_approved, \
                      sum(coalesce(f.approved, 0)) OVER (ORDER BY y.year) AS approved_to_date, \
                      CASE WHEN make_date(y.year, 1, 1) <= es_today() \
                           THEN round(100 * es_period_share(p.starts, p.ends, p.starts, least(make_date(y.year + 1, 1, 1), es_today())), 1) END \
                           AS expected_percent, \
                      p.total_value \
               FROM y CROSS JOIN p LEFT JOIN f ON f.year = y.year) \
         SELECT year, budgeted, claimed, approved, eu_approved, approved_to_date, \
                round(100 * approved_to_date / nullif(total_value, 0), 1) AS spent_percent, expected_percent, \
                es_spending_behind(round(100 * approved_to_date / nullif(total_value, 0), 1), expected_percent) AS behind_spending \
         FROM r ORDER BY year",
    )
    .bind::<BigInt, _>(id)
    .load(conn)?)
}
