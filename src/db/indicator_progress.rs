//! Indicator progress (the `indicator_progress` view) and the roll-ups over it.

use super::DbError;
use crate::domain::codes::IndicatorStatus;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Numeric, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far an indicator has come.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct IndicatorProgress {
    #[diesel(sql_type = BigInt)]
    pub indicator_id: i64,
    #[diesel(sql_type = BigInt)]
    pub project_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub definition_id: Option<i64>,
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub target_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub target_text: Option<String>,
    /// The latest approved measurement, else the attendance count (derived
    /// indicators), else the value reported with the indicator.
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub achieved_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub achieved_text: Option<String>,
    /// Where `achieved_value` comes from: measurement, attendance or reported.
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<String>,
    /// achieved / target in percent, one decimal.
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>, example = "114.3")]
    pub percent: Option<Decimal>,
    /// The elapsed share of the project's period, in percent.
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub expected_percent: Option<Decimal>,
    #[diesel(sql_type = Text)]
    pub status: IndicatorStatus,
}

const PROGRESS: &str = "SELECT indicator_id, project_id, definition_id, target_value, target_text, achieved_value, achieved_text, \
    source, percent, expected_percent, status FROM indicator_progress";

pub fn of_indicator(conn: &mut PgConnection, id: i64) -> Result<Option<IndicatorProgress>, DbError> {
    Ok(diesel::sql_query(format!("{PROGRESS} WHERE indicator_id = $1")).bind::<BigInt, _>(id).get_result(conn).optional()?)
}

pub fn of_project(conn: &mut PgConnection, project_id: i64) -> Result<Vec<IndicatorProgress>, DbError> {
    Ok(diesel::sql_query(format!("{PROGRESS} WHERE project_id = $1 ORDER BY indicator_id")).bind::<BigInt, _>(project_id).load(conn)?)
}

/// What to narrow a report to; every filter is optional.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportFilter {
    pub voivodeship: Option<String>,
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    /// The year projects start.
    pub year: Option<i32>,
    pub definition_id: Option<i64>,
}

/// One group of an indicator roll-up.
#[derive(Debug, Serialize, ToSchema, QueryableByName, PartialEq)]
pub struct IndicatorRollup {
    /// The group: a definition, programme, axis or measure id, a voivodeship code or a year.
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub indicators: i64,
    #[diesel(sql_type = BigInt)]
    pub projects: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub sum_target: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub sum_achieved: Option<Decimal>,
    /// Projects with at least one indicator behind.
    #[diesel(sql_type = BigInt)]
    pub projects_behind: i64,
}

/// One group of the portfolio report.
#[derive(Debug, Serialize, ToSchema, QueryableByName, PartialEq)]
pub struct PortfolioRollup {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub projects: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub total_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    #[schema(value_type = Option<String>)]
    pub eu_amount: Option<Decimal>,
    #[diesel(sql_type = BigInt)]
    pub participants: i64,
}

/// What a report is grouped by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Definition,
    Programme,
    Axis,
    Measure,
    Voivodeship,
    Year,
}

const FILTERS: &str = "($1::text IS NULL OR voivodeship = $1) AND ($2::bigint IS NULL OR programme_id = $2) \
    AND ($3::bigint IS NULL OR measure_id = $3) AND ($4::int IS NULL OR year = $4)";

fn bind_filters<U>(sql: String, f: &ReportFilter) -> impl diesel::query_dsl::LoadQuery<'static, PgConnection, U>
where
    U: QueryableByName<diesel::pg::Pg> + 'static,
{
    diesel::sql_query(sql)
        .bind::<Nullable<Text>, _>(f.voivodeship.clone())
        .bind::<Nullable<BigInt>, _>(f.programme_id)
        .bind::<Nullable<BigInt>, _>(f.measure_id)
        .bind::<Nullable<Integer>, _>(f.year)
        .bind::<Nullable<BigInt>, _>(f.definition_id)
}

impl ReportFilter {
    fn is_empty(&self) -> bool {
        self.voivodeship.is_none() && self.programme_id.is_none() && self.measure_id.is_none() && self.year.is_none() && self.definition_id.is_none()
    }
}

impl GroupBy {
    fn dimension(self) -> &'static str {
        match self {
            GroupBy::Definition => "definition",
            GroupBy::Programme => "programme",
            GroupBy::Axis => "axis",
            GroupBy::Measure => "measure",
            GroupBy::Voivodeship => "voivodeship",
            GroupBy::Year => "year",
        }
    }

    fn fact_column(self) -> &'static str {
        match self {
            GroupBy::Definition => "definition_id::text",
            GroupBy::Programme => "programme_id::text",
            GroupBy::Axis => "priority_axis_id::text",
            GroupBy::Measure => "measure_id::text",
            GroupBy::Voivodeship => "voivodeship::text",
            GroupBy::Year => "year::text",
        }
    }
}

/// Whole-country groups come from the maintained roll-ups (a row per group); a
/// filtered report adds up the maintained per-indicator facts it selects.
pub fn indicator_report(conn: &mut PgConnection, group: GroupBy, f: &ReportFilter) -> Result<Vec<IndicatorRollup>, DbError> {
    if f.is_empty() {
        return Ok(diesel::sql_query(
            "SELECT nullif(key, '') AS key, indicators, projects, CASE WHEN target_count > 0 THEN sum_target END AS sum_target, \
             CASE WHEN achieved_count > 0 THEN sum_achieved END AS sum_achieved, projects_behind \
             FROM indicator_rollups WHERE dimension = $1 ORDER BY key",
        )
        .bind::<Text, _>(group.dimension())
        .load(conn)?);
    }
    let key = group.fact_column();
    let sql = format!(
        "SELECT {key} AS key, count(*) AS indicators, count(DISTINCT project_id) AS projects, sum(target_value) AS sum_target, \
         sum(achieved_value) AS sum_achieved, count(DISTINCT project_id) FILTER (WHERE behind) AS projects_behind \
         FROM indicator_facts WHERE {FILTERS} AND ($5::bigint IS NULL OR definition_id = $5) GROUP BY 1 ORDER BY 1"
    );
    Ok(bind_filters(sql, f).load(conn)?)
}

pub fn portfolio_report(conn: &mut PgConnection, group: GroupBy, f: &ReportFilter) -> Result<Vec<PortfolioRollup>, DbError> {
    let group = if group == GroupBy::Definition { GroupBy::Year } else { group };
    // Projects have no indicator definition: that filter does not apply here.
    let f = &ReportFilter { definition_id: None, ..f.clone() };
    if f.is_empty() {
        return Ok(diesel::sql_query(
            "SELECT nullif(key, '') AS key, projects, CASE WHEN total_count > 0 THEN total_value END AS total_value, \
             CASE WHEN eu_count > 0 THEN eu_amount END AS eu_amount, participants \
             FROM portfolio_rollups WHERE dimension = $1 AND projects > 0 ORDER BY key",
        )
        .bind::<Text, _>(group.dimension())
        .load(conn)?);
    }
    let key = group.fact_column();
    let sql = format!(
        "WITH p AS (SELECT pr.id, pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id, pr.total_value, pr.eu_amount, \
                extract(year FROM coalesce(pr.actual_start, pr.planned_start))::int AS year, \
                (SELECT count(*) FROM participants pa WHERE pa.project_id = pr.id) AS participants \
            FROM projects pr JOIN measures me ON me.id = pr.measure_id JOIN priority_axes ax ON ax.id = me.priority_axis_id) \
         SELECT {key} AS key, count(*) AS projects, sum(total_value) AS total_value, sum(eu_amount) AS eu_amount, \
                coalesce(sum(participants), 0)::bigint AS participants \
         FROM p WHERE {FILTERS} AND $5::bigint IS NULL GROUP BY 1 ORDER BY 1"
    );
    Ok(bind_filters(sql, f).load(conn)?)
}

/// Re-evaluates which indicators are behind: the elapsed share of a period grows
/// with the calendar, not only with writes. Returns how many changed.
pub fn refresh_behind(conn: &mut PgConnection) -> Result<usize, DbError> {
    Ok(diesel::sql_query(
        "UPDATE indicator_facts f SET behind = (p.status = 'behind') FROM indicator_progress p \
         WHERE p.indicator_id = f.indicator_id AND f.behind IS DISTINCT FROM (p.status = 'behind')",
    )
    .execute(conn)?)
}
