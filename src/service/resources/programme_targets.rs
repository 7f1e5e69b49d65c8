//! A programme's targets: its ROPS's for a regional programme, an admin's for a
//! national one, like the programme's other records.

use crate::db::programme_targets::{definition_terms, programme_of_measure, ProgrammeTargetData, ProgrammeTargets};
use crate::db::scopes;
use crate::domain::access::Scope;
use crate::domain::codes::MeasurementType;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::indicators::MAX_VALUE;
use crate::service::ServiceError;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;

impl Resource for ProgrammeTargets {
    const COLLECTION: Collection = Collection::ProgrammeTargets;

    fn check(conn: &mut PgConnection, mut data: ProgrammeTargetData) -> Result<ProgrammeTargetData, ServiceError> {
        blank_to_none(&mut data.notes);
        let mut checks = Checks::new();
        checks.ensure(data.year.is_none_or(|y| (1990..=2100).contains(&y)), "year", "implausible_year", "a year between 1990 and 2100");
        checks.ensure(
            data.target_value >= Decimal::ZERO && data.target_value < MAX_VALUE && data.target_value.normalize().scale() <= 4,
            "target_value",
            "invalid_value",
            "a target is non-negative, below 10^14, with at most four decimals",
        );
        if let Some(measure) = data.measure_id {
            match programme_of_measure(conn, measure)? {
                None => checks.fail("measure_id", "unknown_reference", "measure_id names a measure that does not exist"),
                Some(programme) => {
                    checks.ensure(programme == data.programme_id, "measure_id", "measure_of_another_programme", "the measure belongs to another programme")
                }
            }
        }
        match definition_terms(conn, data.definition_id)? {
            None => checks.fail("definition_id", "unknown_reference", "definition_id names a definition that does not exist"),
            Some(terms) => {
                checks.ensure(
                    terms.programme_id.is_none_or(|p| p == data.programme_id),
                    "definition_id",
                    "definition_of_another_programme",
                    "a target is of a common definition or of the programme's own",
                );
                if terms.measurement == MeasurementType::Ratio {
                    checks.ensure(data.target_value <= Decimal::ONE_HUNDRED, "target_value", "invalid_ratio", "a ratio's target is a percentage, 0 to 100");
                }
            }
        }
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &ProgrammeTargetData) -> Result<Scope, ServiceError> {
        Ok(scopes::programme(conn, data.programme_id)?)
    }

    fn permission_key(data: &ProgrammeTargetData) -> Option<i64> {
        Some(data.programme_id)
    }

    fn related(_: i64, data: &ProgrammeTargetData) -> Vec<(&'static str, String)> {
        let mut links = vec![
            ("programme", format!("programmes/{}", data.programme_id)),
            ("definition", format!("indicator-definitions/{}", data.definition_id)),
            ("progress", format!("reports/targets?programme_id={}", data.programme_id)),
        ];
        if let Some(measure) = data.measure_id {
            links.push(("measure", format!("measures/{measure}")));
        }
        links
    }
}
