//! Meetings of committees and working groups.

use crate::db::schema::committee_meetings;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committee_meetings, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = CommitteeMeeting)]
pub struct CommitteeMeetingData {
    pub committee_id: i64,
    pub held_on: NaiveDate,
    pub place: Option<String>,
    pub agenda: Option<String>,
    pub minutes_url: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitteeMeetingFilter {
    pub committee_id: Option<i64>,
    /// Meetings held in this year.
    pub year: Option<i32>,
    pub sort: Option<CommitteeMeetingSort>,
}

crate::sort_options!(
    /// The order of meetings; `-` before a field reverses it.
    CommitteeMeetingSort {
        HeldOn = "held_on" => "held_on" as "date",
        HeldOnDesc = "-held_on" => "held_on" as "date",
    }
);
crate::list_filter!(CommitteeMeetingFilter: CommitteeMeetingSort);

fn apply_filter<'a>(mut q: committee_meetings::BoxedQuery<'a, Pg>, f: &CommitteeMeetingFilter) -> committee_meetings::BoxedQuery<'a, Pg> {
    if let Some(id) = f.committee_id {
        q = q.filter(committee_meetings::committee_id.eq(id));
    }
    if let Some(year) = f.year {
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("extract(year FROM held_on) = ").bind::<Integer, _>(year));
    }
    q
}

crate::table_store!(CommitteeMeetings, committee_meetings, CommitteeMeetingData, CommitteeMeetingFilter, apply_filter);

/// The committee of meeting `id`, if there is such a meeting.
pub fn committee(conn: &mut PgConnection, id: i64) -> Result<Option<i64>, super::DbError> {
    Ok(committee_meetings::table.find(id).select(committee_meetings::committee_id).first(conn).optional()?)
}
