use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::Scope;
use crate::db::attendance::{activity_project, participant_project, AttendanceData, AttendanceFilter, Attendances};
use crate::db::scopes;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for Attendances {
    const COLLECTION: &'static str = "attendance";
    const NOUN: &'static str = "attendance";

    fn check(conn: &mut PgConnection, data: AttendanceData, _: Option<i64>) -> Result<AttendanceData, ApiError> {
        let mut checks = Checks::new();
        checks.ordered(data.started_on, data.ended_on, "ended_on", "started_on");
        let (participant_project, activity_project) = (participant_project(conn, data.participant_id)?, activity_project(conn, data.activity_id)?);
        checks.ensure(participant_project.is_some(), "participant_id", "unknown_reference", "participant_id names a participant that does not exist");
        checks.ensure(activity_project.is_some(), "activity_id", "unknown_reference", "activity_id names an activity that does not exist");
        if let (Some(p), Some(a)) = (participant_project, activity_project) {
            checks.ensure(p == a, "activity_id", "other_project", "the activity belongs to another project than the participant");
        }
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &AttendanceData) -> Result<Scope, ApiError> {
        match participant_project(conn, data.participant_id)? {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Project { voivodeship: None, organisations: Vec::new() }),
        }
    }

    /// Attendance of one project (or one participant or activity) is that project's;
    /// otherwise it covers everyone, which only an admin may read.
    fn list_scope(conn: &mut PgConnection, filter: &AttendanceFilter) -> Result<Scope, ApiError> {
        let project = match (filter.project_id, filter.participant_id, filter.activity_id) {
            (Some(project), _, _) => Some(project),
            (None, Some(participant), _) => participant_project(conn, participant)?,
            (None, None, Some(activity)) => activity_project(conn, activity)?,
            (None, None, None) => return Ok(Scope::Everything),
        };
        match project {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Project { voivodeship: None, organisations: Vec::new() }),
        }
    }

    fn related(_: i64, data: &AttendanceData) -> Vec<(&'static str, String)> {
        vec![("participant", format!("participants/{}", data.participant_id)), ("activity", format!("activities/{}", data.activity_id))]
    }
}

crate::resource_routes!(Attendances, AttendanceData, AttendanceFilter, "attendance", "/api/v1/attendance", "/api/v1/attendance/{id}");
