use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::Scope;
use crate::db::priority_axes::{PriorityAxes, PriorityAxisData, PriorityAxisFilter};
use crate::db::scopes;
use crate::domain::measure_code::AxisNumber;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for PriorityAxes {
    const COLLECTION: &'static str = "priority-axes";
    const NOUN: &'static str = "priority axis";
    const READ_ONLY: &'static [&'static str] = &["sort_key"];

    fn check(_: &mut PgConnection, mut data: PriorityAxisData, _: Option<i64>) -> Result<PriorityAxisData, ApiError> {
        let mut checks = Checks::new();
        if let Some(number) = checks.check("number", AxisNumber::parse(&data.number)) {
            data.number = number.written;
            data.sort_key = number.sort_key;
        }
        blank_to_none(&mut data.name);
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &PriorityAxisData) -> Result<Scope, ApiError> {
        Ok(scopes::programme(conn, data.programme_id)?)
    }

    fn related(id: i64, data: &PriorityAxisData) -> Vec<(&'static str, String)> {
        vec![("programme", format!("programmes/{}", data.programme_id)), ("measures", format!("measures?priority_axis_id={id}"))]
    }
}

crate::resource_routes!(PriorityAxes, PriorityAxisData, PriorityAxisFilter, "priority-axes", "/api/v1/priority-axes", "/api/v1/priority-axes/{id}");
