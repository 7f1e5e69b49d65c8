//! The list of operations (Article 49(3) of Regulation (EU) 2021/1060) and the
//! grants of the 360Giving export, read in one statement: each project with its
//! programme, its lead beneficiary, its place and its period; and the
//! achievements of the indicators that do not count persons (their own or their
//! definition's `counts_persons`, migration 000042).

use super::DbError;
use crate::domain::codes::{DatePrecision, Fund, IndicatorKind, ProgrammingPeriod, ProjectStatus};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;

/// Which operations: every filter is optional; a period keeps the operations
/// whose period overlaps it (an unknown bound is open, but an operation with no
/// date at all does not overlap any period).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationFilter {
    pub programme_id: Option<i64>,
    pub voivodeship: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One operation as the lists publish it.
#[derive(Debug, Clone, QueryableByName)]
pub struct OperationRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub contract_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub objective: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub specific_objectives: Vec<String>,
    #[diesel(sql_type = Text)]
    pub status: ProjectStatus,
    /// The actual start, else the planned one (the first day of its period).
    #[diesel(sql_type = Nullable<Date>)]
    pub start_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub start_precision: Option<DatePrecision>,
    /// Whether the start is the actual one.
    #[diesel(sql_type = Nullable<diesel::sql_types::Bool>)]
    pub start_actual: Option<bool>,
    /// The actual end, else the planned one (the last day of its period).
    #[diesel(sql_type = Nullable<Date>)]
    pub end_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub end_precision: Option<DatePrecision>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Bool>)]
    pub end_actual: Option<bool>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub total_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub eligible_value: Option<Decimal>,
    /// The EU amount as stated, else the rate applied to the eligible (else total) value.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub eu_amount: Option<Decimal>,
    /// The rate as stated, else EU amount / eligible (else total) value, in percent.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub cofinancing_rate: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub intervention_field: Option<String>,
    /// The project's fund, else its programme's.
    #[diesel(sql_type = Array<Text>)]
    pub funds: Vec<Fund>,
    #[diesel(sql_type = BigInt)]
    pub programme_id: i64,
    #[diesel(sql_type = Text)]
    pub programme_code: String,
    #[diesel(sql_type = Text)]
    pub programme_name: String,
    #[diesel(sql_type = Text)]
    pub programme_period: ProgrammingPeriod,
    #[diesel(sql_type = Nullable<Text>)]
    pub managing_authority: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub voivodeship: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub voivodeship_name: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub beneficiary_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub beneficiary_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub beneficiary_nip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub beneficiary_regon: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub beneficiary_krs: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub beneficiary_country: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub beneficiary_city: Option<String>,
    /// Where the place comes from: `activities`, `beneficiary` or `voivodeship`.
    #[diesel(sql_type = Nullable<Text>)]
    pub location_source: Option<String>,
    /// TERYT codes, with their names in `location_names` (same order).
    #[diesel(sql_type = Array<Text>)]
    pub location_codes: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub location_names: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub source_url: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The lead beneficiary of a project, as the list names it: the organisation in
/// the role `beneficiary` or `leader` that holds it last (open-ended first, then
/// the latest end), so a project whose beneficiary changed (seed 001) names the
/// one that took over.
const OPERATIONS: &str = "
    SELECT pr.id, pr.title, pr.contract_number, pr.objective, pr.specific_objectives, pr.status,
           es_project_start(pr.actual_start, pr.planned_start) AS start_date,
           CASE WHEN pr.actual_start IS NOT NULL THEN pr.actual_start_precision ELSE pr.planned_start_precision END AS start_precision,
           CASE WHEN pr.actual_start IS NOT NULL THEN TRUE WHEN pr.planned_start IS NOT NULL THEN FALSE END AS start_actual,
           es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision) AS end_date,
           CASE WHEN pr.actual_end IS NOT NULL THEN pr.actual_end_precision ELSE pr.planned_end_precision END AS end_precision,
           CASE WHEN pr.actual_end IS NOT NULL THEN TRUE WHEN pr.planned_end IS NOT NULL THEN FALSE END AS end_actual,
           pr.total_value, pr.eligible_value,
           coalesce(pr.eu_amount, round(coalesce(pr.eligible_value, pr.total_value) * pr.cofinancing_rate / 100, 2)) AS eu_amount,
           coalesce(pr.cofinancing_rate, round(pr.eu_amount * 100 / nullif(coalesce(pr.eligible_value, pr.total_value), 0), 2)) AS cofinancing_rate,
           pr.intervention_field,
           CASE WHEN pr.fund IS NOT NULL THEN ARRAY[pr.fund] ELSE pg.funds END AS funds,
           pg.id AS programme_id, pg.code AS programme_code, pg.name AS programme_name, pg.period AS programme_period, pg.managing_authority,
           pr.voivodeship::text AS voivodeship, v.name AS voivodeship_name,
           lead.id AS beneficiary_id, lead.name AS beneficiary_name, lead.nip AS beneficiary_nip, lead.regon::text AS beneficiary_regon,
           lead.krs AS beneficiary_krs, lead.country AS beneficiary_country, lead.city AS beneficiary_city,
           place.source AS location_source, coalesce(place.codes, '{}') AS location_codes,
           coalesce((SELECT array_agg(coalesce(u.name, c.code) ORDER BY c.n)
                     FROM unnest(place.codes) WITH ORDINALITY AS c (code, n) LEFT JOIN teryt_units u ON u.teryt = c.code), '{}') AS location_names,
           pr.source_url, pr.updated_at
    FROM projects pr
    JOIN measures m ON m.id = pr.measure_id
    JOIN priority_axes ax ON ax.id = m.priority_axis_id
    JOIN programmes pg ON pg.id = ax.programme_id
    LEFT JOIN voivodeships v ON v.teryt = pr.voivodeship
    LEFT JOIN LATERAL (
        SELECT b.id, b.name, b.nip, b.regon, b.krs, b.country, b.city, b.teryt
        FROM partners pa JOIN beneficiaries b ON b.id = pa.beneficiary_id
        WHERE pa.project_id = pr.id AND pa.role IN ('beneficiary', 'leader')
        ORDER BY coalesce(pa.valid_to, 'infinity') DESC, pa.valid_from DESC NULLS LAST, pa.role = 'beneficiary' DESC, pa.id
        LIMIT 1) lead ON TRUE
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT a.teryt::text ORDER BY a.teryt::text) AS codes
        FROM activities a WHERE a.project_id = pr.id AND a.teryt IS NOT NULL) act ON TRUE
    CROSS JOIN LATERAL (
        SELECT CASE WHEN act.codes IS NOT NULL THEN 'activities' WHEN lead.teryt IS NOT NULL THEN 'beneficiary'
                    WHEN pr.voivodeship IS NOT NULL THEN 'voivodeship' END AS source,
               CASE WHEN act.codes IS NOT NULL THEN act.codes WHEN lead.teryt IS NOT NULL THEN ARRAY[lead.teryt::text]
                    WHEN pr.voivodeship IS NOT NULL THEN ARRAY[pr.voivodeship::text] END AS codes) place
    WHERE ($1::bigint IS NULL OR pg.id = $1)
      AND ($2::text IS NULL OR pr.voivodeship = $2)
      AND ($3::date IS NULL OR coalesce(es_project_end(pr.actual_end, pr.actual_end_precision, pr.planned_end, pr.planned_end_precision), 'infinity') >= $3)
      AND ($4::date IS NULL OR coalesce(es_project_start(pr.actual_start, pr.planned_start), '-infinity') <= $4)
      AND (($3::date IS NULL AND $4::date IS NULL) OR coalesce(pr.actual_start, pr.planned_start, pr.actual_end, pr.planned_end) IS NOT NULL)
    ORDER BY pr.id";

/// The operations `filter` finds, by id.
pub fn operations(conn: &mut PgConnection, filter: &OperationFilter) -> Result<Vec<OperationRow>, DbError> {
    Ok(diesel::sql_query(OPERATIONS)
        .bind::<Nullable<BigInt>, _>(filter.programme_id)
        .bind::<Nullable<Text>, _>(filter.voivodeship.as_deref())
        .bind::<Nullable<Date>, _>(filter.from)
        .bind::<Nullable<Date>, _>(filter.to)
        .load(conn)?)
}

/// What an operation achieved by one of its indicators (one that does not count people).
#[derive(Debug, Clone, QueryableByName)]
pub struct AchievementRow {
    #[diesel(sql_type = BigInt)]
    pub project_id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub kind: IndicatorKind,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub target_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub target_text: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub achieved_value: Option<Decimal>,
    #[diesel(sql_type = Nullable<Text>)]
    pub achieved_text: Option<String>,
}

/// The indicators of `projects` that do not count people, with their achieved
/// values as every report gives them (the `indicator_progress` view), in each
/// project's order.
pub fn achievements(conn: &mut PgConnection, projects: &[i64]) -> Result<Vec<AchievementRow>, DbError> {
    Ok(diesel::sql_query(
        "SELECT i.project_id, i.name, i.kind, coalesce(i.unit, d.unit) AS unit, v.target_value, v.target_text, v.achieved_value, v.achieved_text
         FROM indicators i
         JOIN indicator_progress v ON v.indicator_id = i.id
         LEFT JOIN indicator_definitions d ON d.id = i.definition_id
         WHERE i.project_id = ANY ($1) AND NOT (v.counts_persons OR v.protected)
         ORDER BY i.project_id, i.position NULLS LAST, i.id",
    )
    .bind::<Array<BigInt>, _>(projects)
    .load(conn)?)
}
