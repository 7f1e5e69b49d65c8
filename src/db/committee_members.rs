//! Seats on committees: an organisation's, in a role, for a term. The persons
//! who sit in them are not kept.

use crate::db::schema::committee_members;
use crate::domain::codes::CommitteeRole;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn member() -> CommitteeRole {
    CommitteeRole::Member
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committee_members, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = CommitteeMember)]
pub struct CommitteeMemberData {
    pub committee_id: i64,
    pub organisation_id: i64,
    #[serde(default = "member")]
    #[schema(default = "member")]
    pub role: CommitteeRole,
    pub term_from: Option<NaiveDate>,
    pub term_to: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitteeMemberFilter {
    pub committee_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Seats held on this day.
    pub on: Option<NaiveDate>,
    pub sort: Option<CommitteeMemberSort>,
}

crate::sort_options!(
    /// The order of seats; `-` before a field reverses it.
    CommitteeMemberSort {
        TermFrom = "term_from" => "coalesce(term_from, '-infinity'::date)" as "date",
        TermFromDesc = "-term_from" => "coalesce(term_from, '-infinity'::date)" as "date",
    }
);
crate::list_filter!(CommitteeMemberFilter: CommitteeMemberSort);

fn apply_filter<'a>(mut q: committee_members::BoxedQuery<'a, Pg>, f: &CommitteeMemberFilter) -> committee_members::BoxedQuery<'a, Pg> {
    if let Some(id) = f.committee_id {
        q = q.filter(committee_members::committee_id.eq(id));
    }
    if let Some(id) = f.organisation_id {
        q = q.filter(committee_members::organisation_id.eq(id));
    }
    if let Some(day) = f.on {
        q = q.filter(committee_members::term_from.is_null().or(committee_members::term_from.le(day.into_sql::<Date>().nullable())));
        q = q.filter(committee_members::term_to.is_null().or(committee_members::term_to.ge(day.into_sql::<Date>().nullable())));
    }
    q
}

crate::table_store!(CommitteeMembers, committee_members, CommitteeMemberData, CommitteeMemberFilter, apply_filter);
