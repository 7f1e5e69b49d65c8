//! What is counted from the coordination records: the records behind a counted
//! indicator (the SQL function `es_indicator_basis`, migration 000022, the one
//! rule the indicator view adds up too), and the yearly report per voivodeship.

use super::DbError;
use crate::domain::codes::{OrganisationKind, RecordBasis};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Numeric, Text};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// One thing an indicator counts.
#[derive(Debug, Clone, QueryableByName)]
pub struct BasisRow {
    /// The collection of the record (`beneficiaries`, `supported-institutions`,
    /// `strategy-documents`, `agreements`), or `gminas` for a gmina.
    #[diesel(sql_type = Text)]
    pub collection: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub record_id: Option<i64>,
    /// A gmina's TERYT code.
    #[diesel(sql_type = Nullable<Text>)]
    pub code: Option<String>,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
}

/// The records project `project` is counted from for `basis`, in a stable order.
pub fn basis(conn: &mut PgConnection, project: i64, basis: RecordBasis, kinds: &[OrganisationKind]) -> Result<Vec<BasisRow>, DbError> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    Ok(diesel::sql_query("SELECT * FROM es_indicator_basis($1, $2, $3) ORDER BY label, record_id, code")
        .bind::<BigInt, _>(project)
        .bind::<Text, _>(basis.as_str())
        .bind::<Array<Text>, _>(kinds)
        .load(conn)?)
}

/// The coordination work of one voivodeship in one year.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Serialize, ToSchema)]
pub struct CoordinationRow {
    /// The voivodeship (TERYT code): a project's, else a network coordinator's
    /// or a local government's seat, or a committee's.
    #[diesel(sql_type = Nullable<Text>)]
    #[schema(example = "04")]
    pub voivodeship: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    #[schema(example = "kujawsko-pomorskie")]
    pub voivodeship_name: Option<String>,
    #[diesel(sql_type = Integer)]
    pub year: i32,
    /// Networks that existed in the year (established on or before its end, not
    /// dissolved before its start); networks without a day of establishment are not counted.
    #[diesel(sql_type = BigInt)]
    pub networks_active: i64,
    /// Organisations that joined a network in the year (accepted memberships only:
    /// a proposed one is not counted).
    #[diesel(sql_type = BigInt)]
    pub network_members_joined: i64,
    /// Agreements signed in the year (accepted by every party).
    #[diesel(sql_type = BigInt)]
    pub agreements_signed: i64,
    /// Distinct organisations whose support by a project began in the year (or,
    /// without a day, whose project began in it).
    #[diesel(sql_type = BigInt)]
    pub organisations_supported: i64,
    /// Their staff reached, as the projects reported it: a count of persons,
    /// so published to everyone through the one protection rule (a multiple of
    /// the rounding base, keyed by each institution's own key), never exact.
    #[diesel(sql_type = BigInt)]
    pub staff_supported: i64,
    /// Distinct gminas whose local government was among them (a regional
    /// figure: a project's `gminas_covered` also counts where its activities took place).
    #[diesel(sql_type = BigInt)]
    pub gminas_supported: i64,
    /// Distinct local governments seated in the voivodeship that adopted a
    /// strategy document naming the social economy in the year, whichever
    /// project supported them (a project's `strategy_documents` counts only those
    /// it supported, within its period).
    #[diesel(sql_type = BigInt)]
    pub local_governments_adopting_strategies: i64,
    /// Meetings of committees and their working groups held in the year.
    #[diesel(sql_type = BigInt)]
    pub committee_meetings: i64,
    /// Resolutions adopted in the year.
    #[diesel(sql_type = BigInt)]
    pub resolutions: i64,
}

/// The report's facts: (voivodeship, year, measure, what is counted, amount).
const FACTS: &str = "
    SELECT coalesce(pr.voivodeship, b.voivodeship)::text AS voivodeship, y.year, 'networks_active' AS measure, n.id::text AS item, 1 AS amount, 0 AS figure_key
    FROM networks n JOIN beneficiaries b ON b.id = n.coordinator_id LEFT JOIN projects pr ON pr.id = n.project_id
    CROSS JOIN LATERAL generate_series(extract(year FROM n.established_on)::int, extract(year FROM coalesce(n.dissolved_on, es_today()))::int) AS y (year)
    WHERE n.established_on IS NOT NULL
    UNION ALL
    SELECT coalesce(pr.voivodeship, b.voivodeship)::text, extract(year FROM m.joined_on)::int, 'network_members_joined', m.organisation_id::text, 1, 0
    FROM network_members m JOIN networks n ON n.id = m.network_id JOIN beneficiaries b ON b.id = n.coordinator_id LEFT JOIN projects pr ON pr.id = n.project_id
    WHERE m.joined_on IS NOT NULL AND m.status = 'accepted'
    UNION ALL
    SELECT coalesce(pr.voivodeship, npr.voivodeship, nb.voivodeship)::text, extract(year FROM a.signed_on)::int, 'agreements_signed', a.id::text, 1, 0
    FROM agreements a LEFT JOIN projects pr ON pr.id = a.project_id
    LEFT JOIN networks n ON n.id = a.network_id LEFT JOIN projects npr ON npr.id = n.project_id LEFT JOIN beneficiaries nb ON nb.id = n.coordinator_id
    WHERE a.status = 'accepted'
    UNION ALL
    SELECT pr.voivodeship::text, extract(year FROM coalesce(s.started_on, es_project_start(pr.actual_start, pr.planned_start)))::int, m.measure, m.item, m.amount, m.figure_key
    FROM supported_institutions s JOIN projects pr ON pr.id = s.project_id JOIN beneficiaries b ON b.id = s.organisation_id
    CROSS JOIN LATERAL (VALUES ('organisations_supported', s.organisation_id::text, 1, 0),
                               ('staff_supported', s.id::text, coalesce(s.staff_supported, 0), s.figure_key::int),
                               ('gminas_supported', CASE WHEN b.kind = 'jst' AND length(b.teryt) = 7 THEN left(b.teryt, 6) END, 1, 0)) AS m (measure, item, amount, figure_key)
    WHERE m.item IS NOT NULL
    UNION ALL
    SELECT b.voivodeship::text, extract(year FROM d.adopted_on)::int, 'local_governments_adopting_strategies', d.jst_id::text, 1, 0
    FROM strategy_documents d JOIN beneficiaries b ON b.id = d.jst_id
    WHERE d.names_social_economy AND d.adopted_on IS NOT NULL
    UNION ALL
    SELECT c.voivodeship, extract(year FROM m.held_on)::int, 'committee_meetings', m.id::text, 1, 0
    FROM committee_meetings m JOIN committees c ON c.id = m.committee_id
    UNION ALL
    SELECT r.voivodeship, extract(year FROM r.adopted_on)::int, 'resolutions', r.id::text, 1, 0
    FROM resolutions r";

/// The report for the years `from..=to`: only voivodeships and years with something to count.
pub fn by_year(conn: &mut PgConnection, from: i32, to: i32, voivodeship: Option<&str>) -> Result<Vec<CoordinationRow>, DbError> {
    let sql = format!(
        "WITH facts AS ({FACTS})
         SELECT f.voivodeship, v.name AS voivodeship_name, f.year,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'networks_active') AS networks_active,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'network_members_joined') AS network_members_joined,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'agreements_signed') AS agreements_signed,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'organisations_supported') AS organisations_supported,
                coalesce({staff}, 0) AS staff_supported,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'gminas_supported') AS gminas_supported,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'local_governments_adopting_strategies') AS local_governments_adopting_strategies,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'committee_meetings') AS committee_meetings,
                count(DISTINCT f.item) FILTER (WHERE f.measure = 'resolutions') AS resolutions
         FROM facts f LEFT JOIN voivodeships v ON v.teryt = f.voivodeship
         WHERE f.year BETWEEN $1 AND $2 AND ($3::text IS NULL OR f.voivodeship = $3)
         GROUP BY f.voivodeship, v.name, f.year
         ORDER BY f.voivodeship NULLS LAST, f.year",
        staff = super::disclosure::published(
            "(sum(f.amount) FILTER (WHERE f.measure = 'staff_supported'))::bigint",
            "(sum(f.figure_key) FILTER (WHERE f.measure = 'staff_supported'))::bigint"
        )
    );
    Ok(diesel::sql_query(sql).bind::<Integer, _>(from).bind::<Integer, _>(to).bind::<Nullable<Text>, _>(voivodeship).load(conn)?)
}
