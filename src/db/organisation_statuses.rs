//! What an organisation officially is, over time: a social enterprise (PS) by
//! the voivode's decision, an accredited OWES for a term, a CIS, KIS, WTZ or ZAZ,
//! a social cooperative; so "who was a PS on 30 June 2024" has an answer.

use crate::db::listing::{in_force, seated_in};
use crate::db::schema::organisation_statuses;
use crate::db::DbError;
use crate::domain::codes::OrganisationStatus;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisation_statuses, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = OrganisationStatusRecord)]
pub struct OrganisationStatusData {
    /// The organisation that holds (or held) the status.
    pub organisation_id: i64,
    pub status: OrganisationStatus,
    /// The decision's number, e.g. "WPS-II.8141.1.2023".
    #[schema(example = "WPS-II.8141.1.2023")]
    pub decision_number: Option<String>,
    /// Who decided: the voivode, the minister (AKSES), a starost (ZAZ).
    #[schema(example = "Wojewoda Kujawsko-Pomorski")]
    pub granting_authority: Option<String>,
    /// The day of the decision.
    pub decided_on: Option<NaiveDate>,
    /// The first day the status holds.
    pub valid_from: NaiveDate,
    /// The last day of its term; absent while it holds without end.
    pub valid_to: Option<NaiveDate>,
    /// For an OWES accreditation: what it covers (e.g. "A i B").
    pub accreditation_scope: Option<String>,
    /// From this day on the status no longer holds (revocation by decision).
    pub revoked_on: Option<NaiveDate>,
    /// Why it was revoked; required with `revoked_on`.
    pub revocation_reason: Option<String>,
    pub notes: Option<String>,
    /// Granted or revoked by one account of the ROPS alone: in force, until
    /// another account of the ROPS (or an admin) confirms it
    /// (`POST /api/v1/organisation-statuses/{id}/confirm`). Kept by the server.
    #[serde(default)]
    pub self_decided: bool,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationStatusFilter {
    pub organisation_id: Option<i64>,
    pub status: Option<OrganisationStatus>,
    /// Statuses that held on this day: granted by then, not expired, not revoked.
    pub on: Option<NaiveDate>,
    /// Statuses of organisations of this voivodeship (TERYT code).
    pub voivodeship: Option<String>,
    pub sort: Option<OrganisationStatusSort>,
}

crate::sort_options!(
    /// The order of statuses; `-` before a field reverses it.
    OrganisationStatusSort {
        ValidFrom = "valid_from" => "valid_from" as "date",
        ValidFromDesc = "-valid_from" => "valid_from" as "date",
    }
);
crate::list_filter!(OrganisationStatusFilter: OrganisationStatusSort);

fn apply_filter<'a>(mut q: organisation_statuses::BoxedQuery<'a, Pg>, f: &OrganisationStatusFilter) -> organisation_statuses::BoxedQuery<'a, Pg> {
    if let Some(id) = f.organisation_id {
        q = q.filter(organisation_statuses::organisation_id.eq(id));
    }
    if let Some(status) = f.status {
        q = q.filter(organisation_statuses::status.eq(status));
    }
    if let Some(day) = f.on {
        let [before, after] = in_force("valid_from, valid_to, revoked_on");
        q = q.filter(sql::<Bool>(&before).bind::<Date, _>(day).sql(&after));
    }
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(sql::<Bool>(&seated_in("organisation_id")).bind::<Text, _>(voivodeship.clone()).sql(")"));
    }
    q
}

crate::table_store!(OrganisationStatuses, organisation_statuses, OrganisationStatusData, OrganisationStatusFilter, apply_filter);

/// Social enterprises of one voivodeship in one year: how many organisations
/// were one at the year's end, were granted the status in it, and lost it in it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Serialize, ToSchema)]
pub struct SocialEnterpriseRow {
    /// The voivodeship of the organisations' seats (TERYT code); absent for
    /// organisations without one.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    #[schema(example = "04")]
    pub voivodeship: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    #[schema(example = "kujawsko-pomorskie")]
    pub voivodeship_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub year: i32,
    /// Organisations that were a social enterprise (PS) on 31 December.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub at_year_end: i64,
    /// Organisations granted the status in the year.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub granted: i64,
    /// Organisations whose status was revoked in the year.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub revoked: i64,
}

/// The PS count per voivodeship (of the organisation's seat) and year, for the
/// years `from..=to`; only voivodeships and years with something to count. "At
/// the year's end" is the register's one rule, `es_standing`, on 31 December.
pub fn social_enterprises_by_year(conn: &mut PgConnection, from: i32, to: i32, voivodeship: Option<&str>) -> Result<Vec<SocialEnterpriseRow>, DbError> {
    use diesel::sql_types::{Integer, Nullable};
    Ok(diesel::sql_query(
        "SELECT b.voivodeship::text AS voivodeship, v.name AS voivodeship_name, y.year,
                count(DISTINCT s.organisation_id) FILTER (WHERE es_standing(make_date(y.year, 12, 31), s.valid_from, s.valid_to, s.revoked_on) = 'valid') AS at_year_end,
                count(DISTINCT s.organisation_id) FILTER (WHERE extract(year FROM s.valid_from) = y.year) AS granted,
                count(DISTINCT s.organisation_id) FILTER (WHERE extract(year FROM s.revoked_on) = y.year) AS revoked
         FROM organisation_statuses s
         JOIN beneficiaries b ON b.id = s.organisation_id
         LEFT JOIN voivodeships v ON v.teryt = b.voivodeship
         CROSS JOIN generate_series($1, $2) AS y (year)
         WHERE s.status = 'ps' AND ($3::text IS NULL OR b.voivodeship = $3)
           AND s.valid_from <= make_date(y.year, 12, 31)
           AND coalesce(least(s.valid_to, s.revoked_on), 'infinity'::date) >= make_date(y.year, 1, 1)
         GROUP BY b.voivodeship, v.name, y.year
         ORDER BY b.voivodeship NULLS LAST, y.year",
    )
    .bind::<Integer, _>(from)
    .bind::<Integer, _>(to)
    .bind::<Nullable<Text>, _>(voivodeship)
    .load(conn)?)
}
