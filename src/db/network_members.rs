//! Members of networks over time: an organisation joins a network and may leave it.

use crate::db::schema::network_members;
use chrono::NaiveDate;
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
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkMemberFilter {
    pub network_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Members on this day: joined on or before it (or with no day of joining)
    /// and not left before it.
    pub on: Option<NaiveDate>,
    pub sort: Option<NetworkMemberSort>,
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
    q
}

crate::table_store!(NetworkMembers, network_members, NetworkMemberData, NetworkMemberFilter, apply_filter);
