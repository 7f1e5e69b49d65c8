use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::{Caller, Scope};
use crate::db::activities::{Activities, ActivityData, ActivityFilter};
use crate::db::attendance::activity_attended;
use crate::db::scopes;
use crate::domain::places::TerytCode;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for Activities {
    const COLLECTION: &'static str = "activities";
    const NOUN: &'static str = "activity";

    fn check(_: &mut PgConnection, mut data: ActivityData, _: Option<i64>) -> Result<ActivityData, ApiError> {
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
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &ActivityData) -> Result<Scope, ApiError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    /// Attendance joins a project's participants to the same project's activities.
    fn check_change(conn: &mut PgConnection, _: &Caller, id: i64, before: &ActivityData, after: &ActivityData) -> Result<(), ApiError> {
        if before.project_id != after.project_id && activity_attended(conn, id)? {
            return Err(ApiError::Conflict {
                code: "has_attendance",
                detail: "the activity has attendance of this project's participants; remove it before moving the activity to another project".into(),
            });
        }
        Ok(())
    }

    fn related(_: i64, data: &ActivityData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id))]
    }
}

crate::resource_routes!(Activities, ActivityData, ActivityFilter, "activities", "/api/v1/activities", "/api/v1/activities/{id}");
