//! Counts over participants, for summaries that carry no personal data.

use super::DbError;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use std::collections::BTreeMap;

/// Which participants a summary covers; every filter is optional.
#[derive(Debug, Default, Clone)]
pub struct Population {
    pub project_id: Option<i64>,
    pub voivodeship: Option<String>,
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    /// The year participants joined.
    pub year: Option<i32>,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Text)]
    dimension: String,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const FROM: &str = "FROM participants p \
    JOIN projects pr ON pr.id = p.project_id \
    JOIN measures m ON m.id = pr.measure_id \
    JOIN priority_axes ax ON ax.id = m.priority_axis_id \
    WHERE ($1::bigint IS NULL OR p.project_id = $1) \
      AND ($2::text IS NULL OR pr.voivodeship = $2) \
      AND ($3::bigint IS NULL OR ax.programme_id = $3) \
      AND ($4::bigint IS NULL OR pr.measure_id = $4) \
      AND ($5::int IS NULL OR extract(year FROM p.joined_on)::int = $5)";

/// The dimensions of a summary: name and the SQL expression that buckets a participant.
const DIMENSIONS: [(&str, &str); 5] = [
    ("sex", "coalesce(p.sex, 'unknown')"),
    (
        "age_band",
        "CASE WHEN p.age_at_entry IS NULL THEN 'unknown' WHEN p.age_at_entry < 18 THEN 'under_18' \
         WHEN p.age_at_entry < 30 THEN '18_29' WHEN p.age_at_entry < 55 THEN '30_54' ELSE '55_plus' END",
    ),
    ("education", "coalesce(p.education, 'unknown')"),
    ("labour_status", "coalesce(p.labour_status, 'unknown')"),
    ("organisation_kind", "coalesce(p.organisation_kind, 'unknown')"),
];

/// Every count of a summary as (dimension, key) cells, exact or published.
fn counted(conn: &mut PgConnection, population: &Population, protected: bool) -> Result<Vec<Counted>, DbError> {
    let buckets: Vec<String> = DIMENSIONS.iter().map(|(name, expression)| format!("('{name}', {expression})")).collect();
    let bucketed =
        FROM.replacen(" WHERE ", &format!(" CROSS JOIN LATERAL (VALUES ('', 'participants'), {}) AS d(dimension, key) WHERE ", buckets.join(", ")), 1);
    let attended = FROM.replacen("FROM participants p", "FROM attendance a JOIN participants p ON p.id = a.participant_id", 1);
    // Persons across projects are told apart by PESEL hash; each carries the key
    // of its first record, so a person is the same cell wherever counted.
    let cells = format!(
        "SELECT d.dimension, d.key, count(*) AS n, sum(p.record_key)::bigint AS keys {bucketed} GROUP BY 1, 2 \
         UNION ALL SELECT '', 'unique_persons', count(*), coalesce(sum(k), 0)::bigint FROM ( \
            SELECT min(p.record_key) AS k {FROM} GROUP BY coalesce(encode(p.pesel_hash, 'hex'), 'id:' || p.id)) persons \
         UNION ALL SELECT '', 'persons_completed', count(*), coalesce(sum(p.record_key), 0)::bigint {FROM} \
            AND EXISTS (SELECT 1 FROM attendance a WHERE a.participant_id = p.id AND a.outcome = 'completed') \
         UNION ALL SELECT 'attendance', a.outcome, count(*), sum(p.record_key)::bigint {attended} GROUP BY 2"
    );
    let sql = format!("SELECT dimension, key, CASE WHEN $6 THEN {} ELSE n END AS n FROM ({cells}) cells", super::disclosure::published("n", "keys"));
    Ok(diesel::sql_query(sql)
        .bind::<Nullable<BigInt>, _>(population.project_id)
        .bind::<Nullable<Text>, _>(population.voivodeship.clone())
        .bind::<Nullable<BigInt>, _>(population.programme_id)
        .bind::<Nullable<BigInt>, _>(population.measure_id)
        .bind::<Nullable<Integer>, _>(population.year)
        .bind::<Bool, _>(protected)
        .load(conn)?)
}

/// Counts, exact or published (`domain::disclosure`): totals, each dimension, and
/// attendance by outcome.
#[derive(Debug, Default)]
pub struct Tally {
    pub participants: i64,
    /// Persons counted once across projects (same PESEL hash), anonymised ones
    /// once each; a person carries the smallest record key of their records.
    pub unique_persons: i64,
    /// Participants who completed at least one activity.
    pub persons_completed: i64,
    pub dimensions: BTreeMap<&'static str, BTreeMap<String, i64>>,
    /// Attendance records by outcome; a person counts (and adds their key) once per record.
    pub attendance: BTreeMap<String, i64>,
}

/// The counts of `population`, each published protected when `protected`.
pub fn tally(conn: &mut PgConnection, population: &Population, protected: bool) -> Result<Tally, DbError> {
    let mut tally = Tally { dimensions: DIMENSIONS.iter().map(|(name, _)| (*name, BTreeMap::new())).collect(), ..Default::default() };
    for row in counted(conn, population, protected)? {
        match (row.dimension.as_str(), row.key.as_str()) {
            ("", "participants") => tally.participants = row.n,
            ("", "unique_persons") => tally.unique_persons = row.n,
            ("", "persons_completed") => tally.persons_completed = row.n,
            ("attendance", _) => {
                tally.attendance.insert(row.key, row.n);
            }
            (dimension, _) => {
                if let Some(buckets) = tally.dimensions.iter_mut().find(|(name, _)| **name == dimension).map(|(_, b)| b) {
                    buckets.insert(row.key, row.n);
                }
            }
        }
    }
    Ok(tally)
}
