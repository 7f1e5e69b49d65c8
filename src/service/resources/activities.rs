use crate::db::activities::{Activities, ActivityData};
use crate::db::attendance::activity_attended;
use crate::db::{scopes, Record};
use crate::domain::access::{Caller, Scope};
use crate::domain::codes::MeasurementStatus;
use crate::domain::collection::Collection;
use crate::domain::places::TerytCode;
use crate::domain::validation::blank_to_none;
use crate::domain::workflow;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// Whether a value the activity supports is decided, freezing its evidence
/// (`domain::workflow::FreezesWith::SupportedValues`): a value of its project
/// for a period that includes the activity's first day (any such value, for an
/// activity with no date), since the ROPS decided on the value with that
/// evidence before it.
pub fn supports_frozen_values(conn: &mut PgConnection, activity: &Record<ActivityData>) -> Result<bool, ServiceError> {
    let states = workflow::supported_values_frozen_in()
        .iter()
        .map(|s| s.parse::<MeasurementStatus>().map_err(|_| ServiceError::Internal(format!("{s} is no state of a value"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::db::measurements::in_states_since(conn, activity.data.project_id, activity.data.start_date, &states)?)
}

impl Resource for Activities {
    const COLLECTION: Collection = Collection::Activities;

    fn check(conn: &mut PgConnection, mut data: ActivityData) -> Result<ActivityData, ServiceError> {
        let mut checks = Checks::new();
        data.title = data.title.trim().to_owned();
        checks.not_blank("title", &data.title);
        for field in [&mut data.description, &mut data.teryt, &mut data.document_reference, &mut data.external_id] {
            blank_to_none(field);
        }
        checks.normalise("teryt", &mut data.teryt, TerytCode::parse);
        for (field, date) in [("start_date", data.start_date), ("end_date", data.end_date), ("document_date", data.document_date)] {
            checks.plausible_date(field, date);
        }
        checks.ordered(data.start_date, data.end_date, "end_date", "start_date");
        for (field, count) in [("planned_participants", data.planned_participants), ("actual_participants", data.actual_participants)] {
            checks.ensure(count.is_none_or(|c| c >= 0), field, "negative_count", "a head count cannot be negative");
        }
        checks.into_result()?;
        if let Some(network) = data.network_id {
            network_meeting(conn, network, data.project_id)?;
        }
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &ActivityData) -> Result<Scope, ServiceError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    fn permission_key(data: &ActivityData) -> Option<i64> {
        Some(data.project_id)
    }

    /// Attendance joins a project's participants to the same project's activities.
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<ActivityData>, after: &ActivityData) -> Result<(), ServiceError> {
        if before.data.project_id != after.project_id && activity_attended(conn, before.id)? {
            return Err(ServiceError::Conflict {
                code: "has_attendance",
                detail: "the activity has attendance of this project's participants; remove it before moving the activity to another project".into(),
            });
        }
        Ok(())
    }

    fn related(_: i64, data: &ActivityData) -> Vec<(&'static str, String)> {
        let mut links = vec![("project", format!("projects/{}", data.project_id))];
        links.extend(data.network_id.map(|id| ("network", format!("networks/{id}"))));
        links
    }
}

/// A network's meetings are held by the project that set it up, or, for a
/// network no project set up, by a project its coordinator leads: no project
/// files meetings under another's network.
fn network_meeting(conn: &mut PgConnection, network: i64, project: i64) -> Result<(), ServiceError> {
    let Some((coordinator, network_project)) = crate::db::networks::owners(conn, network)? else {
        return Err(ServiceError::field("network_id", "not_found", "there is no network with this id"));
    };
    let holds = match network_project {
        Some(network_project) => network_project == project,
        None => scopes::leaders(conn, project)?.contains(&coordinator),
    };
    if holds {
        Ok(())
    } else {
        Err(ServiceError::field("network_id", "other_network", "the network was not set up by this project, nor is its coordinator the project's beneficiary"))
    }
}
