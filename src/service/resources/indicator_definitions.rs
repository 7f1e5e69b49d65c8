use crate::db::indicator_definitions::{IndicatorDefinitionData, IndicatorDefinitions};
use crate::db::scopes;
use crate::domain::access::Scope;
use crate::domain::codes::MeasurementType;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for IndicatorDefinitions {
    const COLLECTION: Collection = Collection::IndicatorDefinitions;

    fn check(_: &mut PgConnection, mut data: IndicatorDefinitionData) -> Result<IndicatorDefinitionData, ServiceError> {
        let mut checks = Checks::new();
        data.code = data.code.trim().to_owned();
        checks.not_blank("code", &data.code);
        checks.not_blank("name", &data.name);
        blank_to_none(&mut data.unit);
        blank_to_none(&mut data.description);
        data.breakdowns.sort();
        data.breakdowns.dedup();
        checks.ensure(
            data.catalogue.is_none() || data.programme_id.is_none(),
            "catalogue",
            "catalogue_of_a_programme",
            "a catalogue's definitions are common to every programme: leave programme_id out",
        );
        if data.measurement == MeasurementType::Ratio {
            checks.ensure(data.unit.as_deref().is_none_or(|u| u == "%"), "unit", "ratio_unit", "a ratio is reported as a percentage: its unit is %");
            data.unit = Some("%".to_owned());
            checks.ensure(data.breakdowns.is_empty(), "breakdowns", "ratio_breakdowns", "a ratio indicator's values are not broken down");
        }
        checks.into_result()?;
        Ok(data)
    }

    /// A programme's own definitions are its ROPS's; common ones an admin's.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &IndicatorDefinitionData) -> Result<Scope, ServiceError> {
        match data.programme_id {
            Some(programme) => Ok(scopes::programme(conn, programme)?),
            None => Ok(Scope::Programme { voivodeship: None }),
        }
    }

    fn permission_key(data: &IndicatorDefinitionData) -> Option<i64> {
        data.programme_id
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
