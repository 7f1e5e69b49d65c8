use crate::db::indicator_definitions::{IndicatorDefinitionData, IndicatorDefinitions};
use crate::db::indicators::{IndicatorData, Indicators};
use crate::db::reporting_periods::AboveValues;
use crate::db::scopes;
use crate::db::Store;
use crate::domain::access::Scope;
use crate::domain::codes::{MeasurementType, RecordBasis};
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::measurements::ensure_values_stay;
use crate::service::ServiceError;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;

/// NUMERIC(18,4) holds at most 14 integer digits.
pub const MAX_VALUE: Decimal = Decimal::from_parts(276_447_232, 23_283, 0, false, 0); // 10^14

/// A project indicator bound to a definition reports on it: the same kind and
/// unit (taken from the definition when left out), and, for a definition of a
/// catalogue (the ESF+ common indicators), its name too; it counts persons when
/// its definition does. A ratio's target is a percentage.
fn inherit(checks: &mut Checks, data: &mut IndicatorData, definition: &IndicatorDefinitionData) {
    checks.ensure(data.kind == definition.kind, "kind", "kind_mismatch", format!("the definition {} is a {} indicator", definition.code, definition.kind));
    let unit_key = |unit: &Option<String>| unit.as_deref().map(|u| u.trim().to_lowercase());
    match (&data.unit, &definition.unit) {
        (None, unit) => data.unit = unit.clone(),
        (given, unit) => checks.ensure(
            unit_key(given) == unit_key(unit),
            "unit",
            "unit_mismatch",
            format!("the definition {} counts in {}", definition.code, unit.as_deref().unwrap_or("no unit")),
        ),
    }
    if definition.catalogue.is_some() {
        data.name = definition.name.clone();
    }
    // Either may say an indicator counts persons; the record shows what counts.
    data.counts_persons |= definition.counts_persons;
    if definition.measurement == MeasurementType::Ratio {
        checks.ensure(
            data.target_value.is_none_or(|v| v >= Decimal::ZERO && v <= Decimal::ONE_HUNDRED),
            "target_value",
            "invalid_percentage",
            "a ratio indicator's target is a percentage between 0 and 100",
        );
    }
}

impl Resource for Indicators {
    const COLLECTION: Collection = Collection::Indicators;

    fn check(conn: &mut PgConnection, mut data: IndicatorData) -> Result<IndicatorData, ServiceError> {
        let definition = match data.definition_id {
            Some(id) => Some(
                IndicatorDefinitions::find(conn, id)
                    .map_err(|_| ServiceError::field("definition_id", "unknown_reference", "definition_id names a definition that does not exist"))?
                    .data,
            ),
            None => None,
        };
        let mut checks = Checks::new();
        if let Some(definition) = &definition {
            inherit(&mut checks, &mut data, definition);
        }
        data.name = data.name.trim().to_owned();
        checks.not_blank("name", &data.name);
        for field in [&mut data.unit, &mut data.target_text, &mut data.achieved_text] {
            blank_to_none(field);
        }
        for (field, value) in [("baseline_value", data.baseline_value), ("target_value", data.target_value), ("achieved_value", data.achieved_value)] {
            if let Some(v) = value {
                checks.ensure(v.normalize().scale() <= 4, field, "value_precision", "at most four decimal places");
                checks.ensure(v.abs() < MAX_VALUE, field, "value_too_large", "at most 14 integer digits");
            }
        }
        checks.ensure(
            data.target_value.is_some() || data.target_text.is_some(),
            "target_value",
            "target_missing",
            "an indicator needs a target_value (quantitative) or a target_text (qualitative)",
        );
        // One source per counted value: attendance or records, not both.
        checks.ensure(
            data.derived_from.is_empty() || data.derived_from_records.is_none(),
            "derived_from_records",
            "two_sources",
            "an indicator is counted from attendance (derived_from) or from records (derived_from_records), not both",
        );
        data.derived_kinds.sort_by_key(|kind| kind.as_str());
        data.derived_kinds.dedup();
        checks.ensure(
            data.derived_kinds.is_empty() || matches!(data.derived_from_records, Some(RecordBasis::OrganisationsSupported | RecordBasis::StaffSupported)),
            "derived_kinds",
            "kinds_without_organisations",
            "derived_kinds narrows organisations_supported or staff_supported only",
        );
        if let Some(breakdown) = &data.target_breakdown {
            let declared = definition.as_ref().map(|d| d.breakdowns.as_slice()).unwrap_or_default();
            breakdown.check(&mut checks, "target_breakdown", declared, data.target_value);
        }
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &IndicatorData) -> Result<Scope, ServiceError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    /// An indicator with values frozen in a locked period stays in its project.
    fn check_change(
        conn: &mut PgConnection,
        _: &crate::domain::access::Caller,
        before: &crate::db::Record<IndicatorData>,
        after: &IndicatorData,
    ) -> Result<(), ServiceError> {
        if after.project_id != before.data.project_id {
            ensure_values_stay(conn, AboveValues::Indicator(before.id))?;
        }
        Ok(())
    }

    fn permission_key(data: &IndicatorData) -> Option<i64> {
        Some(data.project_id)
    }

    fn related(id: i64, data: &IndicatorData) -> Vec<(&'static str, String)> {
        let mut links = vec![("project", format!("projects/{}", data.project_id))];
        if data.derived_from_records.is_some() {
            links.push(("basis", format!("indicators/{id}/basis")));
        }
        links
    }
}
