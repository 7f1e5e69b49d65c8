use crate::db::measures::{MeasureData, Measures};
use crate::db::reporting_periods::AboveValues;
use crate::db::{scopes, DbError, Record, Store};
use crate::domain::access::{Caller, Scope};
use crate::domain::collection::Collection;
use crate::domain::measure_code::MeasureCode;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::measurements::ensure_values_stay;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Measures {
    const COLLECTION: Collection = Collection::Measures;

    fn check(conn: &mut PgConnection, mut data: MeasureData) -> Result<MeasureData, ServiceError> {
        let mut checks = Checks::new();
        checks.not_blank("name", &data.name);
        if let Some(code) = checks.check("code", MeasureCode::parse(&data.code)) {
            data.code = code.written;
            data.code_normalised = code.normalised;
        }
        checks.into_result()?;
        if let Some(parent_id) = data.parent_id {
            let parent = match Measures::find(conn, parent_id) {
                Err(DbError::NotFound) => return Err(ServiceError::field("parent_id", "unknown_reference", "parent_id names a measure that does not exist")),
                other => other?,
            };
            let mut checks = Checks::new();
            checks.ensure(
                parent.data.priority_axis_id == data.priority_axis_id,
                "parent_id",
                "different_axis",
                "the parent measure belongs to another priority axis",
            );
            checks.ensure(
                MeasureCode::is_below(&data.code_normalised, &parent.data.code_normalised),
                "code",
                "not_below_parent",
                format!("a sub-measure's code must extend its parent's code {}", parent.data.code),
            );
            checks.into_result()?;
        }
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &MeasureData) -> Result<Scope, ServiceError> {
        Ok(scopes::priority_axis(conn, data.priority_axis_id)?)
    }

    fn permission_key(data: &MeasureData) -> Option<i64> {
        Some(data.priority_axis_id)
    }

    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<MeasureData>, after: &MeasureData) -> Result<(), ServiceError> {
        if after.parent_id == Some(before.id) {
            return Err(ServiceError::field("parent_id", "self_reference", "a measure cannot be its own parent"));
        }
        if after.priority_axis_id != before.data.priority_axis_id {
            ensure_values_stay(conn, AboveValues::Measure(before.id))?;
        }
        Ok(())
    }

    fn related(id: i64, data: &MeasureData) -> Vec<(&'static str, String)> {
        let mut links = vec![
            ("priority_axis", format!("priority-axes/{}", data.priority_axis_id)),
            ("sub_measures", format!("measures?parent_id={id}")),
            ("projects", format!("projects?measure_id={id}")),
        ];
        if let Some(parent) = data.parent_id {
            links.push(("parent", format!("measures/{parent}")));
        }
        links
    }
}
