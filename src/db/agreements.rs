//! Agreements (porozumienia) concluded within a network or a project: their
//! parties (organisations, local governments among them), subject and term.

use crate::db::schema::agreements;
use crate::domain::codes::ProposalStatus;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = agreements, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Agreement)]
pub struct AgreementData {
    #[schema(example = "Porozumienie o współpracy na rzecz rozwoju ekonomii społecznej w powiecie toruńskim")]
    pub title: String,
    /// What the parties agree to do.
    pub subject: Option<String>,
    /// The organisations that signed it (two at least; a local government is an
    /// organisation of kind `jst`).
    #[schema(example = json!([1, 5]))]
    pub party_ids: Vec<i64>,
    pub signed_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The network it was concluded in; or else `project_id`. An agreement of a
    /// network a project set up counts in that project's `agreements_signed`.
    pub network_id: Option<i64>,
    /// The project it was concluded in; or else `network_id`.
    pub project_id: Option<i64>,
    pub document_url: Option<String>,
    /// The loader's own id of the agreement, unique within its network or
    /// project: the key of imports.
    pub external_id: Option<String>,
    pub notes: Option<String>,
    /// Whether the parties agreed to be named: `accepted` once every party
    /// accepted, `declined` once one declined, else `proposed`. A party
    /// accepts at once when one who speaks for it (its own account, the ROPS
    /// of its voivodeship, an admin) files the agreement. Only an accepted
    /// agreement is public and counted.
    #[serde(default = "proposed", deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub status: ProposalStatus,
    /// The parties that accepted.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub accepted_party_ids: Vec<i64>,
    /// The parties that declined.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub declined_party_ids: Vec<i64>,
}

fn proposed() -> ProposalStatus {
    ProposalStatus::Proposed
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementFilter {
    pub network_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Agreements this organisation is a party of.
    pub party_id: Option<i64>,
    /// Agreements signed in this year.
    pub year: Option<i32>,
    /// Agreements in this state (outsiders see accepted ones only).
    pub status: Option<ProposalStatus>,
    pub sort: Option<AgreementSort>,
    /// Accepted agreements only: what a reader outside the agreement's keepers
    /// lists. Set by the service, never by a query.
    #[serde(skip)]
    #[param(ignore)]
    pub accepted_only: bool,
}

crate::sort_options!(
    /// The order of agreements; `-` before a field reverses it.
    AgreementSort {
        SignedOn = "signed_on" => "signed_on" as "date",
        SignedOnDesc = "-signed_on" => "signed_on" as "date",
    }
);
crate::list_filter!(AgreementFilter: AgreementSort);

fn apply_filter<'a>(mut q: agreements::BoxedQuery<'a, Pg>, f: &AgreementFilter) -> agreements::BoxedQuery<'a, Pg> {
    if let Some(id) = f.network_id {
        q = q.filter(agreements::network_id.eq(id));
    }
    if let Some(id) = f.project_id {
        q = q.filter(agreements::project_id.eq(id));
    }
    if let Some(id) = f.party_id {
        q = q.filter(sql::<Bool>("party_ids @> ").bind::<Array<BigInt>, _>(vec![id]));
    }
    if let Some(year) = f.year {
        q = q.filter(sql::<Bool>("extract(year FROM signed_on) = ").bind::<diesel::sql_types::Integer, _>(year));
    }
    if let Some(status) = f.status {
        q = q.filter(agreements::status.eq(status));
    }
    if f.accepted_only {
        q = q.filter(agreements::status.eq(ProposalStatus::Accepted));
    }
    q
}

crate::table_store!(Agreements, agreements, AgreementData, AgreementFilter, apply_filter);

/// The parties among `parties` outside the circle an agreement is concluded in:
/// for a network, its coordinator and members (proposed ones too, not those
/// that declined); for a project, its organisations
/// (any role) and the institutions it supported.
pub fn outsiders(conn: &mut PgConnection, parties: &[i64], network: Option<i64>, project: Option<i64>) -> Result<Vec<i64>, super::DbError> {
    use diesel::sql_types::Nullable;
    #[derive(QueryableByName)]
    struct Party {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let found: Vec<Party> = diesel::sql_query(
        "SELECT p.id FROM unnest($1::bigint[]) AS p (id) WHERE p.id NOT IN (
             SELECT coordinator_id FROM networks WHERE id = $2
             UNION ALL SELECT organisation_id FROM network_members WHERE network_id = $2 AND status <> 'declined'
             UNION ALL SELECT beneficiary_id FROM partners WHERE project_id = $3
             UNION ALL SELECT organisation_id FROM supported_institutions WHERE project_id = $3)
         ORDER BY p.id",
    )
    .bind::<Array<BigInt>, _>(parties)
    .bind::<Nullable<BigInt>, _>(network)
    .bind::<Nullable<BigInt>, _>(project)
    .load(conn)?;
    Ok(found.into_iter().map(|p| p.id).collect())
}

/// The proposed agreements that `organisation`, or (with `voivodeship`) any
/// organisation seated there, is to answer as a party that has not yet;
/// every proposed one with `everyone`. Oldest first, at most `limit`.
pub fn awaiting(conn: &mut PgConnection, everyone: bool, organisation: Option<i64>, voivodeship: Option<&str>, limit: i64) -> Result<Vec<i64>, super::DbError> {
    use diesel::sql_types::{Nullable, Text};
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let found: Vec<Found> = diesel::sql_query(
        "SELECT a.id FROM agreements a
         WHERE a.status = 'proposed'
           AND EXISTS (SELECT 1 FROM unnest(a.party_ids) AS p (id)
                       WHERE p.id <> ALL (a.accepted_party_ids)
                         AND ($1 OR p.id = $2 OR p.id IN (SELECT b.id FROM beneficiaries b WHERE b.voivodeship = $3)))
         ORDER BY a.id LIMIT $4",
    )
    .bind::<Bool, _>(everyone)
    .bind::<Nullable<BigInt>, _>(organisation)
    .bind::<Nullable<Text>, _>(voivodeship)
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    Ok(found.into_iter().map(|f| f.id).collect())
}

/// The agreements naming `organisation` as a party that are not accepted (proposed or declined).
pub fn unaccepted_naming(conn: &mut PgConnection, organisation: i64) -> Result<Vec<i64>, super::DbError> {
    Ok(agreements::table
        .filter(sql::<Bool>("party_ids @> ").bind::<Array<BigInt>, _>(vec![organisation]))
        .filter(agreements::status.ne(ProposalStatus::Accepted))
        .select(agreements::id)
        .order(agreements::id)
        .load(conn)?)
}
