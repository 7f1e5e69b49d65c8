use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::Scope;
use crate::db::indicator_definitions::{IndicatorDefinitionData, IndicatorDefinitionFilter, IndicatorDefinitions};
use crate::db::scopes;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for IndicatorDefinitions {
    const COLLECTION: &'static str = "indicator-definitions";
    const NOUN: &'static str = "indicator definition";

    fn check(_: &mut PgConnection, mut data: IndicatorDefinitionData, _: Option<i64>) -> Result<IndicatorDefinitionData, ApiError> {
        let mut checks = Checks::new();
        data.code = data.code.trim().to_owned();
        checks.not_blank("code", &data.code);
        checks.not_blank("name", &data.name);
        blank_to_none(&mut data.unit);
        blank_to_none(&mut data.description);
        checks.into_result()?;
        Ok(data)
    }

    /// A programme's own definitions are its ROPS's; common ones an admin's.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &IndicatorDefinitionData) -> Result<Scope, ApiError> {
        match data.programme_id {
            Some(programme) => Ok(scopes::programme(conn, programme)?),
            None => Ok(Scope::Programme { voivodeship: None }),
        }
    }

    fn related(id: i64, data: &IndicatorDefinitionData) -> Vec<(&'static str, String)> {
        let mut links =
            vec![("indicators", format!("indicators?definition_id={id}")), ("report", format!("reports/indicators?group_by=definition&definition_id={id}"))];
        if let Some(programme) = data.programme_id {
            links.push(("programme", format!("programmes/{programme}")));
        }
        links
    }
}

crate::resource_routes!(
    IndicatorDefinitions,
    IndicatorDefinitionData,
    IndicatorDefinitionFilter,
    "indicator-definitions",
    "/api/v1/indicator-definitions",
    "/api/v1/indicator-definitions/{id}"
);
