//! Counts over participants, for summaries that carry no personal data.

use super::DbError;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
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
struct Count {
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

fn counts(conn: &mut PgConnection, select: &str, from: &str, population: &Population) -> Result<BTreeMap<String, i64>, DbError> {
    let rows: Vec<Count> = diesel::sql_query(format!("SELECT {select} {from}"))
        .bind::<Nullable<BigInt>, _>(population.project_id)
        .bind::<Nullable<Text>, _>(population.voivodeship.clone())
        .bind::<Nullable<BigInt>, _>(population.programme_id)
        .bind::<Nullable<BigInt>, _>(population.measure_id)
        .bind::<Nullable<Integer>, _>(population.year)
        .load(conn)?;
    Ok(rows.into_iter().map(|c| (c.key, c.n)).collect())
}

/// Raw counts: totals, each dimension, and attendance by outcome.
pub struct Tally {
    pub participants: i64,
    /// Persons counted once across projects (same PESEL hash), anonymised ones once each.
    pub unique_persons: i64,
    pub dimensions: BTreeMap<&'static str, BTreeMap<String, i64>>,
    pub attendance: BTreeMap<String, i64>,
    pub persons_completed: i64,
}

pub fn tally(conn: &mut PgConnection, population: &Population) -> Result<Tally, DbError> {
    let base = counts(
        conn,
        "v.key, v.n FROM (SELECT count(*) AS participants, \
         count(DISTINCT coalesce(encode(p.pesel_hash, 'hex'), 'id:' || p.id)) AS persons",
        &format!("{FROM}) t, LATERAL (VALUES ('participants', t.participants), ('unique_persons', t.persons)) AS v(key, n)"),
        population,
    )?;
    let mut dimensions = BTreeMap::new();
    for (name, expression) in DIMENSIONS {
        dimensions.insert(name, counts(conn, &format!("{expression} AS key, count(*) AS n"), &format!("{FROM} GROUP BY 1"), population)?);
    }
    let attended = FROM.replacen("FROM participants p", "FROM attendance a JOIN participants p ON p.id = a.participant_id", 1);
    let attendance = counts(conn, "a.outcome AS key, count(*) AS n", &format!("{attended} GROUP BY 1"), population)?;
    let completed = counts(conn, "'completed' AS key, count(DISTINCT a.participant_id) AS n", &format!("{attended} AND a.outcome = 'completed'"), population)?;
    Ok(Tally {
        participants: base.get("participants").copied().unwrap_or(0),
        unique_persons: base.get("unique_persons").copied().unwrap_or(0),
        dimensions,
        attendance,
        persons_completed: completed.get("completed").copied().unwrap_or(0),
    })
}
