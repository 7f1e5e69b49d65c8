//! Members of networks over time: an organisation joins a network and may leave it.

use crate::db::schema::network_members;
use crate::domain::codes::ProposalStatus;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = network_members, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = NetworkMember)]
pub struct NetworkMemberData {
    pub network_id: i64,
    pub organisation_id: i64,
    pub joined_on: Option<NaiveDate>,
    /// The day it left; absent while it is a member.
    pub left_on: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Whether the member organisation agreed to be named: `proposed` until an
    /// account of it, or the ROPS of its voivodeship, accepts or declines
    /// (`accepted` at once when one of them or an admin enrols it). Only an
    /// accepted membership is public and counted.
    #[serde(default = "proposed", deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub status: ProposalStatus,
    /// When the member organisation accepted or declined; empty when accepted at once.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub decided_at: Option<DateTime<Utc>>,
    /// The account that accepted or declined (for the network's keepers and the member).
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub decided_by: Option<i64>,
}

fn proposed() -> ProposalStatus {
    ProposalStatus::Proposed
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkMemberFilter {
    pub network_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Members on this day: joined on or before it (or with no day of joining)
    /// and not left before it.
    pub on: Option<NaiveDate>,
    /// Memberships in this state (outsiders see accepted ones only).
    pub status: Option<ProposalStatus>,
    pub sort: Option<NetworkMemberSort>,
    /// Accepted memberships only: what a reader outside the network's keepers
    /// lists. Set by the service, never by a query.
    #[serde(skip)]
    #[param(ignore)]
    pub accepted_only: bool,
}

crate::sort_options!(
    /// The order of members; `-` before a field reverses it.
    NetworkMemberSort {
        JoinedOn = "joined_on" => "coalesce(joined_on, '-infinity'::date)" as "date",
        JoinedOnDesc = "-joined_on" => "coalesce(joined_on, '-infinity'::date)" as "date",
    }
);
crate::list_filter!(NetworkMemberFilter: NetworkMemberSort);

fn apply_filter<'a>(mut q: network_members::BoxedQuery<'a, Pg>, f: &NetworkMemberFilter) -> network_members::BoxedQuery<'a, Pg> {
    if let Some(id) = f.network_id {
        q = q.filter(network_members::network_id.eq(id));
    }
    if let Some(id) = f.organisation_id {
        q = q.filter(network_members::organisation_id.eq(id));
    }
    if let Some(day) = f.on {
        q = q.filter(network_members::joined_on.is_null().or(network_members::joined_on.le(day.into_sql::<Date>().nullable())));
        q = q.filter(network_members::left_on.is_null().or(network_members::left_on.ge(day.into_sql::<Date>().nullable())));
    }
    if let Some(status) = f.status {
        q = q.filter(network_members::status.eq(status));
    }
    if f.accepted_only {
        q = q.filter(network_members::status.eq(ProposalStatus::Accepted));
    }
    q
}

crate::table_store!(NetworkMembers, network_members, NetworkMemberData, NetworkMemberFilter, apply_filter);

/// The proposed memberships that `organisation`, or (with `voivodeship`) any
/// organisation seated there, is to answer; every proposed one with `everyone`.
/// Oldest first, at most `limit`.
pub fn awaiting(conn: &mut PgConnection, everyone: bool, organisation: Option<i64>, voivodeship: Option<&str>, limit: i64) -> Result<Vec<i64>, super::DbError> {
    use diesel::sql_types::{BigInt, Bool, Nullable, Text};
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let found: Vec<Found> = diesel::sql_query(
        "SELECT m.id FROM network_members m
         WHERE m.status = 'proposed'
           AND ($1 OR m.organisation_id = $2 OR m.organisation_id IN (SELECT b.id FROM beneficiaries b WHERE b.voivodeship = $3))
         ORDER BY m.id LIMIT $4",
    )
    .bind::<Bool, _>(everyone)
    .bind::<Nullable<BigInt>, _>(organisation)
    .bind::<Nullable<Text>, _>(voivodeship)
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    Ok(found.into_iter().map(|f| f.id).collect())
}

/// The memberships naming `organisation` that are not accepted (proposed or declined).
pub fn unaccepted_naming(conn: &mut PgConnection, organisation: i64) -> Result<Vec<i64>, super::DbError> {
    Ok(network_members::table
        .filter(network_members::organisation_id.eq(organisation))
        .filter(network_members::status.ne(ProposalStatus::Accepted))
        .select(network_members::id)
        .order(network_members::id)
        .load(conn)?)
}
