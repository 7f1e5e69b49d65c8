use crate::db::attendance::{activity_project, held_projects, participant_project, AttendanceData, AttendanceFilter, Attendances};
use crate::db::scopes;
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// Attendance is its participant's personal data and belongs to the participant's project.
fn project_of(conn: &mut PgConnection, project: Option<i64>) -> Result<Scope, ServiceError> {
    match project {
        Some(project) => Ok(scopes::project(conn, project)?),
        None => Ok(Scope::Project { id: None, voivodeship: None, organisations: Vec::new() }),
    }
}

impl Resource for Attendances {
    const COLLECTION: Collection = Collection::Attendance;

    fn check(conn: &mut PgConnection, data: AttendanceData) -> Result<AttendanceData, ServiceError> {
        let mut checks = Checks::new();
        checks.ordered(data.started_on, data.ended_on, "ended_on", "started_on");
        let (participant_project, activity_project) = held_projects(conn, data.participant_id, data.activity_id)?;
        checks.ensure(participant_project.is_some(), "participant_id", "unknown_reference", "participant_id names a participant that does not exist");
        checks.ensure(activity_project.is_some(), "activity_id", "unknown_reference", "activity_id names an activity that does not exist");
        if let (Some(p), Some(a)) = (participant_project, activity_project) {
            checks.ensure(p == a, "activity_id", "other_project", "the activity belongs to another project than the participant");
        }
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &AttendanceData) -> Result<Scope, ServiceError> {
        let project = participant_project(conn, data.participant_id)?;
        project_of(conn, project)
    }

    /// Checked attendance joins a participant and an activity of one project, so
    /// the activity tells the project.
    fn permission_key(data: &AttendanceData) -> Option<i64> {
        Some(data.activity_id)
    }

    /// Attendance of one project (or one participant or activity) is that project's;
    /// otherwise it covers everyone, which only an admin may read.
    fn list_scope(conn: &mut PgConnection, filter: &AttendanceFilter) -> Result<Scope, ServiceError> {
        let project = match (filter.project_id, filter.participant_id, filter.activity_id) {
            (Some(project), _, _) => Some(project),
            (None, Some(participant), _) => participant_project(conn, participant)?,
            (None, None, Some(activity)) => activity_project(conn, activity)?,
            (None, None, None) => return Ok(Scope::Everything),
        };
        project_of(conn, project)
    }

    fn related(_: i64, data: &AttendanceData) -> Vec<(&'static str, String)> {
        vec![("participant", format!("participants/{}", data.participant_id)), ("activity", format!("activities/{}", data.activity_id))]
    }
}
