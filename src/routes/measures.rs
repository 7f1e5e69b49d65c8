use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::Scope;
use crate::db::measures::{MeasureData, MeasureFilter, Measures};
use crate::db::scopes;
use crate::db::{DbError, Store};
use crate::domain::measure_code::MeasureCode;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for Measures {
    const COLLECTION: &'static str = "measures";
    const NOUN: &'static str = "measure";
    const READ_ONLY: &'static [&'static str] = &["code_normalised"];

    fn check(conn: &mut PgConnection, mut data: MeasureData, id: Option<i64>) -> Result<MeasureData, ApiError> {
        let mut checks = Checks::new();
        checks.not_blank("name", &data.name);
        if let Some(code) = checks.check("code", MeasureCode::parse(&data.code)) {
            data.code = code.written;
            data.code_normalised = code.normalised;
        }
        checks.into_result()?;
        if let Some(parent_id) = data.parent_id {
            if Some(parent_id) == id {
                return Err(ApiError::field("parent_id", "self_reference", "a measure cannot be its own parent"));
            }
            let parent = match Measures::find(conn, parent_id) {
                Err(DbError::NotFound) => return Err(ApiError::field("parent_id", "unknown_reference", "parent_id names a measure that does not exist")),
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

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &MeasureData) -> Result<Scope, ApiError> {
        Ok(scopes::priority_axis(conn, data.priority_axis_id)?)
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

crate::resource_routes!(Measures, MeasureData, MeasureFilter, "measures", "/api/v1/measures", "/api/v1/measures/{id}");
