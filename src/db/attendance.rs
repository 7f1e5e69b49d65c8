//! Attendance: which participant took part in which activity, and how it ended.

use crate::db::schema::{activities, attendance, participants};
use crate::domain::codes::AttendanceOutcome;
use chrono::NaiveDate;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn ongoing() -> AttendanceOutcome {
    AttendanceOutcome::Ongoing
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = attendance, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Attendance)]
pub struct AttendanceData {
    pub participant_id: i64,
    /// An activity of the participant's own project.
    pub activity_id: i64,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    #[serde(default = "ongoing")]
    #[schema(default = "ongoing")]
    pub outcome: AttendanceOutcome,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttendanceFilter {
    pub participant_id: Option<i64>,
    pub activity_id: Option<i64>,
    /// Attendance in any activity of this project.
    pub project_id: Option<i64>,
    pub outcome: Option<AttendanceOutcome>,
    pub sort: Option<crate::db::listing::BasicSort>,
}

crate::list_filter!(AttendanceFilter: crate::db::listing::BasicSort);

fn apply_filter<'a>(mut q: attendance::BoxedQuery<'a, Pg>, f: &AttendanceFilter) -> attendance::BoxedQuery<'a, Pg> {
    if let Some(id) = f.participant_id {
        q = q.filter(attendance::participant_id.eq(id));
    }
    if let Some(id) = f.activity_id {
        q = q.filter(attendance::activity_id.eq(id));
    }
    // Attendance is its participant's personal data, so it belongs to the participant's project.
    if let Some(id) = f.project_id {
        q = q.filter(attendance::participant_id.eq_any(participants::table.filter(participants::project_id.eq(id)).select(participants::id)));
    }
    if let Some(outcome) = f.outcome {
        q = q.filter(attendance::outcome.eq(outcome));
    }
    q
}

/// The project of a participant: `None` when there is no such participant.
pub fn participant_project(conn: &mut PgConnection, participant_id: i64) -> Result<Option<i64>, crate::db::DbError> {
    Ok(participants::table.find(participant_id).select(participants::project_id).first::<i64>(conn).optional()?)
}

/// The projects of a participant and of an activity, holding both rows until the
/// transaction ends: attendance joins a person and an activity of one project,
/// and neither moves to another project while attendance is being written (nor
/// is attendance written while one moves).
pub fn held_projects(conn: &mut PgConnection, participant_id: i64, activity_id: i64) -> Result<(Option<i64>, Option<i64>), crate::db::DbError> {
    let participant = participants::table.find(participant_id).select(participants::project_id).for_share().first::<i64>(conn).optional()?;
    let activity = activities::table.find(activity_id).select(activities::project_id).for_share().first::<i64>(conn).optional()?;
    Ok((participant, activity))
}

/// Whether a participant has any attendance.
pub fn participant_attended(conn: &mut PgConnection, participant_id: i64) -> Result<bool, crate::db::DbError> {
    Ok(diesel::select(diesel::dsl::exists(attendance::table.filter(attendance::participant_id.eq(participant_id)))).get_result(conn)?)
}

/// Whether an activity has any attendance.
pub fn activity_attended(conn: &mut PgConnection, activity_id: i64) -> Result<bool, crate::db::DbError> {
    Ok(diesel::select(diesel::dsl::exists(attendance::table.filter(attendance::activity_id.eq(activity_id)))).get_result(conn)?)
}

/// The project of an activity: `None` when there is no such activity.
pub fn activity_project(conn: &mut PgConnection, activity_id: i64) -> Result<Option<i64>, crate::db::DbError> {
    Ok(activities::table.find(activity_id).select(activities::project_id).first::<i64>(conn).optional()?)
}

crate::table_store!(Attendances, attendance, AttendanceData, AttendanceFilter, apply_filter);
