//! Indicator progress (the `indicator_progress` view) and the roll-ups over it.

use super::disclosure::published;
use super::statements::Prepared;
use super::DbError;
use crate::domain::codes::IndicatorStatus;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Numeric, Text};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

/// Where an indicator's achieved value comes from (the view `indicator_progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema, diesel::deserialize::FromSqlRow)]
#[serde(rename_all = "lowercase")]
pub enum ValueSource {
    /// The latest approved measurement.
    Measurement,
    /// The persons who completed the activities the indicator is bound to.
    Attendance,
    /// The records the indicator is bound to (`derived_from_records`), counted
    /// as `GET /indicators/{id}/basis` lists them.
    Records,
    /// The value reported with the indicator.
    Reported,
}

/// Read from the view's `source` column; a word the view does not give is a
/// broken invariant, an error rather than a wrong answer.
impl diesel::deserialize::FromSql<Text, diesel::pg::Pg> for ValueSource {
    fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        match std::str::from_utf8(bytes.as_bytes())? {
            "measurement" => Ok(ValueSource::Measurement),
            "attendance" => Ok(ValueSource::Attendance),
            "records" => Ok(ValueSource::Records),
            "reported" => Ok(ValueSource::Reported),
            other => Err(format!("unknown value source {other:?}").into()),
        }
    }
}

/// How far an indicator has come: exact, and as published to a reader who does
/// not own the counts of people in it (`domain::disclosure`).
#[derive(Debug, QueryableByName)]
pub struct IndicatorFigures {
    #[diesel(sql_type = BigInt)]
    pub indicator_id: i64,
    #[diesel(sql_type = BigInt)]
    pub project_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub definition_id: Option<i64>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub target_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub target_text: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub achieved_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub achieved_text: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<ValueSource>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub percent: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub expected_percent: Option<Decimal>,
    #[diesel(sql_type = Text)]
    pub status: IndicatorStatus,
    /// Whether the value counts people (completed attendance), so that readers
    /// who do not own them get the published figures.
    #[diesel(sql_type = Bool)]
    pub protected: bool,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub published_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub published_percent: Option<Decimal>,
    #[diesel(sql_type = Text)]
    pub published_status: IndicatorStatus,
}

const PROGRESS: &str = "SELECT indicator_id, project_id, definition_id, target_value, target_text, achieved_value, achieved_text, \
    source, percent, expected_percent, status, coalesce(protected, FALSE) AS protected, published_value, published_percent, published_status \
    FROM indicator_progress";

pub fn of_indicator(conn: &mut PgConnection, id: i64) -> Result<Option<IndicatorFigures>, DbError> {
    Ok(Prepared(diesel::sql_query(format!("{PROGRESS} WHERE indicator_id = $1")).bind::<BigInt, _>(id)).get_result(conn).optional()?)
}

pub fn of_project(conn: &mut PgConnection, project_id: i64) -> Result<Vec<IndicatorFigures>, DbError> {
    Ok(Prepared(diesel::sql_query(format!("{PROGRESS} WHERE project_id = $1 ORDER BY indicator_id")).bind::<BigInt, _>(project_id)).load(conn)?)
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
#[derive(Debug, QueryableByName, PartialEq)]
pub struct IndicatorTotals {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    /// What its indicators have in common (`es_indicator_measure`): a definition
    /// (`definition:<id>`) or, for indicators without one, a unit (`unit:<unit>`).
    #[diesel(sql_type = Text)]
    pub measure: String,
    #[diesel(sql_type = BigInt)]
    pub indicators: i64,
    #[diesel(sql_type = BigInt)]
    pub projects: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum_target: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum_achieved: Option<Decimal>,
    #[diesel(sql_type = BigInt)]
    pub projects_behind: i64,
    /// The sums of ratio indicators' latest approved numerators and
    /// denominators; none when no indicator of the group has a ratio.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum_numerator: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum_denominator: Option<Decimal>,
}

impl IndicatorTotals {
    /// The definition its indicators share, if they share one.
    pub fn definition_id(&self) -> Option<i64> {
        self.measure.strip_prefix("definition:").and_then(|id| id.parse().ok())
    }

    /// The unit its indicators share when they have no definition.
    pub fn unit(&self) -> Option<&str> {
        self.measure.strip_prefix("unit:").filter(|unit| !unit.is_empty())
    }
}

/// One group of the portfolio.
#[derive(Debug, QueryableByName, PartialEq)]
pub struct PortfolioTotals {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub projects: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub total_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
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

/// The code and name of each group a report's rows are keyed by (a
/// programme's code and name, a voivodeship's name, a measure's code), found in
/// one query; a key with no such record gets neither.
pub fn group_labels(conn: &mut PgConnection, group: GroupBy, keys: &[String]) -> Result<std::collections::HashMap<String, GroupLabel>, DbError> {
    Ok(labels_by_key(group_labels_query(group, keys).load(conn)?))
}

/// [`group_labels`] on the async data path (issue 32's spike).
pub async fn group_labels_async(
    mut conn: &diesel_async::AsyncPgConnection,
    group: GroupBy,
    keys: &[String],
) -> Result<std::collections::HashMap<String, GroupLabel>, DbError> {
    Ok(labels_by_key(diesel_async::RunQueryDsl::load(group_labels_query(group, keys), &mut conn).await?))
}

fn labels_by_key(labels: Vec<GroupLabel>) -> std::collections::HashMap<String, GroupLabel> {
    labels.into_iter().map(|label| (label.key.clone(), label)).collect()
}

fn group_labels_query(group: GroupBy, keys: &[String]) -> Prepared<diesel::query_builder::BoxedSqlQuery<'_, diesel::pg::Pg, diesel::query_builder::SqlQuery>> {
    let lookup = match group {
        GroupBy::Definition => "SELECT code, name FROM indicator_definitions WHERE id::text = k.key",
        GroupBy::Programme => "SELECT code, name FROM programmes WHERE id::text = k.key",
        GroupBy::Axis => {
            "SELECT p.code || ' ' || a.number AS code, a.name FROM priority_axes a JOIN programmes p ON p.id = a.programme_id WHERE a.id::text = k.key"
        }
        GroupBy::Measure => "SELECT code, name FROM measures WHERE id::text = k.key",
        GroupBy::Voivodeship => "SELECT teryt::text AS code, name FROM voivodeships WHERE teryt = k.key",
        GroupBy::Year => "SELECT k.key AS code, NULL::text AS name",
    };
    let sql = format!("SELECT k.key, l.code, l.name FROM unnest($1::text[]) AS k(key) LEFT JOIN LATERAL ({lookup}) l ON TRUE");
    Prepared(diesel::sql_query(sql).into_boxed().bind::<diesel::sql_types::Array<Text>, _>(keys))
}

#[derive(Debug, Clone, QueryableByName)]
pub struct GroupLabel {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
}

/// The report filters over columns `voivodeship`, `programme_id`, `measure_id`
/// and `year`, bound by [`bind_filters`] (`$5` is the definition).
pub(crate) const FILTERS: &str = "($1::text IS NULL OR voivodeship = $1) AND ($2::bigint IS NULL OR programme_id = $2) \
    AND ($3::bigint IS NULL OR measure_id = $3) AND ($4::int IS NULL OR year = $4)";

/// A report's statement: one of a few texts, its values bound, kept prepared.
pub(crate) type ReportQuery = Prepared<diesel::query_builder::BoxedSqlQuery<'static, diesel::pg::Pg, diesel::query_builder::SqlQuery>>;

pub(crate) fn bind_filters(sql: String, f: &ReportFilter) -> ReportQuery {
    // Every report's text is one of a few (a grouping and a form), its values bound.
    Prepared(
        diesel::sql_query(sql)
            .into_boxed()
            .bind::<Nullable<Text>, _>(f.voivodeship.clone())
            .bind::<Nullable<BigInt>, _>(f.programme_id)
            .bind::<Nullable<BigInt>, _>(f.measure_id)
            .bind::<Nullable<Integer>, _>(f.year)
            .bind::<Nullable<BigInt>, _>(f.definition_id),
    )
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

    /// The column of a project's or indicator's facts that holds its group.
    pub(crate) fn fact_column(self) -> &'static str {
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

/// The published sum of a ratio's `part` (`numerator`, `denominator`) of the
/// facts `f` aggregated: through the one protection rule when an indicator
/// added counts persons, keyed by the indicators' own keys as their values are
/// (`disclosure::published_figures`).
fn published_ratio_part(part: &str) -> String {
    format!(
        "CASE WHEN bool_or(f.{part} IS NOT NULL AND es_indicator_counts_persons(f.indicator_id)) \
         THEN {}::numeric ELSE sum(f.{part}) END",
        published(
            &format!("round(sum(f.{part}))::bigint"),
            &format!("sum((SELECT k.figure_key FROM indicators k WHERE k.id = f.indicator_id)::bigint + hashtext('{part}'))::bigint")
        )
    )
}

/// Whole-country groups of published figures come from the maintained roll-ups
/// (a row per group; a ratio's sums, when it counts persons, protected from the
/// facts of its group); a filtered or exact (`protected` false) report adds up
/// the maintained per-indicator facts it selects.
pub fn indicator_report(conn: &mut PgConnection, group: GroupBy, f: &ReportFilter, protected: bool) -> Result<Vec<IndicatorTotals>, DbError> {
    let key = group.fact_column();
    if protected && f.is_empty() {
        let of_group = |part: &str| {
            format!("(SELECT {} FROM indicator_facts f WHERE coalesce(f.{key}, '') = r.key AND f.measure = r.measure)", published_ratio_part(part))
        };
        return Ok(Prepared(
            diesel::sql_query(format!(
                "SELECT nullif(key, '') AS key, measure, indicators, projects, CASE WHEN target_count > 0 THEN sum_target END AS sum_target, \
             CASE WHEN achieved_count > 0 THEN sum_achieved END AS sum_achieved, projects_behind, \
             CASE WHEN ratio_count > 0 THEN {} END AS sum_numerator, CASE WHEN ratio_count > 0 THEN {} END AS sum_denominator \
             FROM indicator_rollups r WHERE dimension = $1 ORDER BY key, measure",
                of_group("numerator"),
                of_group("denominator")
            ))
            .bind::<Text, _>(group.dimension()),
        )
        .load(conn)?);
    }
    let (achieved, behind) = if protected { ("published_value", "published_behind") } else { ("achieved_value", "behind") };
    let (numerator, denominator) = if protected {
        (published_ratio_part("numerator"), published_ratio_part("denominator"))
    } else {
        ("sum(numerator)".to_owned(), "sum(denominator)".to_owned())
    };
    let sql = format!(
        "SELECT {key} AS key, measure, count(*) AS indicators, count(DISTINCT project_id) AS projects, sum(target_value) AS sum_target, \
         sum({achieved}) AS sum_achieved, count(DISTINCT project_id) FILTER (WHERE {behind}) AS projects_behind, \
         {numerator} AS sum_numerator, {denominator} AS sum_denominator \
         FROM indicator_facts f WHERE {FILTERS} AND ($5::bigint IS NULL OR definition_id = $5) GROUP BY 1, 2 ORDER BY 1, 2"
    );
    Ok(bind_filters(sql, f).load(conn)?)
}

/// The portfolio by `group`; participant counts published protected when `protected`.
pub fn portfolio_report(conn: &mut PgConnection, group: GroupBy, f: &ReportFilter, protected: bool) -> Result<Vec<PortfolioTotals>, DbError> {
    Ok(portfolio_query(group, f, protected).load(conn)?)
}

/// [`portfolio_report`] on the async data path (issue 32's spike).
pub async fn portfolio_report_async(
    mut conn: &diesel_async::AsyncPgConnection,
    group: GroupBy,
    f: &ReportFilter,
    protected: bool,
) -> Result<Vec<PortfolioTotals>, DbError> {
    Ok(diesel_async::RunQueryDsl::load(portfolio_query(group, f, protected), &mut conn).await?)
}

fn portfolio_query(group: GroupBy, f: &ReportFilter, protected: bool) -> ReportQuery {
    let group = if group == GroupBy::Definition { GroupBy::Year } else { group };
    // Projects have no indicator definition: that filter does not apply here.
    let f = &ReportFilter { definition_id: None, ..f.clone() };
    let participants = if protected { published("participants", "participant_keys") } else { "participants".to_owned() };
    if f.is_empty() {
        return Prepared(
            diesel::sql_query(format!(
                "SELECT nullif(key, '') AS key, projects, CASE WHEN total_count > 0 THEN total_value END AS total_value, \
             CASE WHEN eu_count > 0 THEN eu_amount END AS eu_amount, \
             {participants} AS participants \
             FROM portfolio_rollups WHERE dimension = $1 AND projects > 0 ORDER BY key"
            ))
            .into_boxed()
            .bind::<Text, _>(group.dimension()),
        );
    }
    let key = group.fact_column();
    let sql = format!(
        "WITH p AS (SELECT pr.id, pr.voivodeship, pr.measure_id, ax.programme_id, ax.id AS priority_axis_id, pr.total_value, pr.eu_amount, \
                extract(year FROM coalesce(pr.actual_start, pr.planned_start))::int AS year, \
                pa.participants, pa.participant_keys \
            FROM projects pr JOIN measures me ON me.id = pr.measure_id JOIN priority_axes ax ON ax.id = me.priority_axis_id \
            CROSS JOIN LATERAL (SELECT count(*) AS participants, coalesce(sum(record_key), 0) AS participant_keys \
                FROM participants WHERE project_id = pr.id) pa), \
         g AS (SELECT {key} AS key, count(*) AS projects, sum(total_value) AS total_value, sum(eu_amount) AS eu_amount, \
                coalesce(sum(participants), 0)::bigint AS participants, coalesce(sum(participant_keys), 0)::bigint AS participant_keys \
            FROM p WHERE {FILTERS} AND $5::bigint IS NULL GROUP BY 1) \
         SELECT key, projects, total_value, eu_amount, {participants} AS participants FROM g ORDER BY key"
    );
    bind_filters(sql, f)
}

/// Re-evaluates the facts that change without a write to the data: which
/// indicators are behind (the elapsed share of a period grows with the
/// calendar) and the published values (when the rounding base changed).
/// Returns how many changed.
pub fn refresh_facts(conn: &mut PgConnection) -> Result<usize, DbError> {
    Ok(diesel::sql_query(
        "UPDATE indicator_facts f SET behind = (p.status = 'behind'), published_behind = (p.published_status = 'behind'), \
             published_value = p.published_value \
         FROM indicator_progress p WHERE p.indicator_id = f.indicator_id \
           AND (f.behind IS DISTINCT FROM (p.status = 'behind') OR f.published_behind IS DISTINCT FROM (p.published_status = 'behind') \
                OR f.published_value IS DISTINCT FROM p.published_value)",
    )
    .execute(conn)?)
}

/// One category of a breakdown within a report's group.
#[derive(Debug, QueryableByName, PartialEq)]
pub struct BreakdownTotals {
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = Text)]
    pub dimension: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    /// Indicators with a target or an approved value in the category.
    #[diesel(sql_type = BigInt)]
    pub indicators: i64,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum_target: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub sum_achieved: Option<Decimal>,
    /// Whether an indicator of the category counts persons.
    #[diesel(sql_type = Bool)]
    pub persons: bool,
}

/// The breakdowns of definition `definition_id`'s indicators by `group`: per
/// category, the targets the indicators set and the values of their latest
/// approved measurements, each added up. When `protected`, a category's sum
/// over indicators that count persons is published through the one protection
/// rule, keyed by its cells' keys (each its indicator's key and the cell's
/// name, as a value's own breakdown is published).
pub fn breakdown_report(
    conn: &mut PgConnection,
    group: GroupBy,
    definition_id: i64,
    f: &ReportFilter,
    protected: bool,
) -> Result<Vec<BreakdownTotals>, DbError> {
    let key = group.fact_column();
    let achieved = if protected {
        format!("CASE WHEN bool_or(persons) THEN {}::numeric ELSE sum(achieved) END", published("round(sum(achieved))::bigint", "sum(cell_key)::bigint"))
    } else {
        "sum(achieved)".to_owned()
    };
    let sql = format!(
        "WITH f AS (SELECT indicator_id, {key} AS key FROM indicator_facts WHERE {FILTERS} AND definition_id = $5), \
         cells AS ( \
            SELECT f.key, f.indicator_id, d.dimension, c.category, (c.value #>> '{{}}')::numeric AS target, NULL::numeric AS achieved, \
                   NULL::boolean AS persons, 0::bigint AS cell_key \
            FROM f JOIN indicators i ON i.id = f.indicator_id \
            CROSS JOIN LATERAL jsonb_each(i.target_breakdown) d(dimension, categories) \
            CROSS JOIN LATERAL jsonb_each(d.categories) c(category, value) \
            UNION ALL \
            SELECT f.key, f.indicator_id, d.dimension, c.category, NULL, (c.value #>> '{{}}')::numeric, \
                   es_indicator_counts_persons(f.indicator_id), i.figure_key + hashtext(d.dimension || '/' || c.category) \
            FROM f JOIN indicators i ON i.id = f.indicator_id \
            CROSS JOIN LATERAL (SELECT breakdown FROM indicator_measurements \
                                       WHERE indicator_id = f.indicator_id AND status = 'approved' \
                                       ORDER BY period_end DESC, id DESC LIMIT 1) m \
            CROSS JOIN LATERAL jsonb_each(m.breakdown) d(dimension, categories) \
            CROSS JOIN LATERAL jsonb_each(d.categories) c(category, value)) \
         SELECT key, dimension, category, count(DISTINCT indicator_id) AS indicators, sum(target) AS sum_target, {achieved} AS sum_achieved, coalesce(bool_or(persons), FALSE) AS persons \
         FROM cells GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    );
    let filter = ReportFilter { definition_id: Some(definition_id), ..f.clone() };
    Ok(bind_filters(sql, &filter).load(conn)?)
}
