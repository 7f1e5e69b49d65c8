//! Programme- and measure-level targets per indicator definition, and how far
//! the approved values of the projects below have come (the view
//! `programme_target_progress`, migration 000034).

use super::DbError;
use crate::db::schema::{indicator_definitions, measures, priority_axes, programme_target_progress, programme_targets};
use crate::domain::codes::MeasurementType;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What a programme, or one of its measures, is to achieve of one indicator
/// definition: by the end (no `year`) or, as a milestone, by the end of `year`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programme_targets, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = ProgrammeTarget)]
pub struct ProgrammeTargetData {
    pub programme_id: i64,
    /// A measure of the programme: the target is then the measure's (with its
    /// sub-measures); absent, the whole programme's.
    pub measure_id: Option<i64>,
    /// The definition the target is of: a common catalogue one (ESF+) or the programme's own.
    pub definition_id: i64,
    /// A milestone's year (the target is for its last day); absent for the final target.
    #[schema(example = 2029)]
    pub year: Option<i32>,
    /// In the definition's unit; for a ratio, a percentage (0 to 100).
    #[schema(value_type = String, example = "1200")]
    pub target_value: Decimal,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeTargetFilter {
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    pub definition_id: Option<i64>,
    /// `true`: only final targets; `false`: only milestones.
    pub is_final: Option<bool>,
    pub sort: Option<ProgrammeTargetSort>,
}

crate::sort_options!(
    /// The order of targets; `-` before a field reverses it.
    ProgrammeTargetSort {
        DefinitionId = "definition_id" => "definition_id" as "int8",
        DefinitionIdDesc = "-definition_id" => "definition_id" as "int8",
    }
);
crate::list_filter!(ProgrammeTargetFilter: ProgrammeTargetSort);

fn apply_filter<'a>(mut q: programme_targets::BoxedQuery<'a, Pg>, f: &ProgrammeTargetFilter) -> programme_targets::BoxedQuery<'a, Pg> {
    if let Some(id) = f.programme_id {
        q = q.filter(programme_targets::programme_id.eq(id));
    }
    if let Some(id) = f.measure_id {
        q = q.filter(programme_targets::measure_id.eq(id));
    }
    if let Some(id) = f.definition_id {
        q = q.filter(programme_targets::definition_id.eq(id));
    }
    match f.is_final {
        Some(true) => q = q.filter(programme_targets::year.is_null()),
        Some(false) => q = q.filter(programme_targets::year.is_not_null()),
        None => {}
    }
    q
}

crate::table_store!(ProgrammeTargets, programme_targets, ProgrammeTargetData, ProgrammeTargetFilter, apply_filter);

/// The programme of measure `id`, if there is such a measure.
pub fn programme_of_measure(conn: &mut PgConnection, id: i64) -> Result<Option<i64>, DbError> {
    Ok(measures::table.inner_join(priority_axes::table).filter(measures::id.eq(id)).select(priority_axes::programme_id).first(conn).optional()?)
}

/// What a target's definition says of its values.
#[derive(Debug, Clone, Queryable)]
pub struct DefinitionTerms {
    pub programme_id: Option<i64>,
    pub measurement: MeasurementType,
}

pub fn definition_terms(conn: &mut PgConnection, id: i64) -> Result<Option<DefinitionTerms>, DbError> {
    Ok(indicator_definitions::table.find(id).select((indicator_definitions::programme_id, indicator_definitions::measurement)).first(conn).optional()?)
}

/// A target with its definition and how far it has come, before the service
/// works out the share.
#[derive(Debug, Clone, Queryable)]
pub struct TargetFigures {
    pub id: i64,
    pub programme_id: i64,
    pub measure_id: Option<i64>,
    pub definition_id: i64,
    pub definition_code: String,
    pub definition_name: String,
    pub unit: Option<String>,
    pub measurement: MeasurementType,
    pub year: Option<i32>,
    pub target_value: Decimal,
    pub projects: i64,
    pub indicators: i64,
    pub indicators_reporting: i64,
    pub approved_value: Option<Decimal>,
    pub sum_numerator: Option<Decimal>,
    pub sum_denominator: Option<Decimal>,
    /// Whether an indicator below counts persons: then the sums are published
    /// to outsiders as `published_*`, protected cells keyed by their
    /// indicators' keys.
    pub counts_persons: bool,
    pub published_value: Option<Decimal>,
    pub published_numerator: Option<Decimal>,
    pub published_denominator: Option<Decimal>,
}

/// The figures of the targets `f` selects, by definition code, then final
/// targets before milestones by year.
pub fn figures(conn: &mut PgConnection, f: &ProgrammeTargetFilter) -> Result<Vec<TargetFigures>, DbError> {
    // The targets the filter selects, as the list selects them.
    let selected = apply_filter(programme_targets::table.into_boxed(), f).select(programme_targets::id);
    Ok(programme_targets::table
        .filter(programme_targets::id.eq_any(selected))
        .inner_join(indicator_definitions::table)
        .inner_join(programme_target_progress::table)
        .select((
            programme_targets::id,
            programme_targets::programme_id,
            programme_targets::measure_id,
            programme_targets::definition_id,
            indicator_definitions::code,
            indicator_definitions::name,
            indicator_definitions::unit,
            indicator_definitions::measurement,
            programme_targets::year,
            programme_targets::target_value,
            programme_target_progress::projects,
            programme_target_progress::indicators,
            programme_target_progress::indicators_reporting,
            programme_target_progress::approved_value,
            programme_target_progress::sum_numerator,
            programme_target_progress::sum_denominator,
            programme_target_progress::counts_persons,
            programme_target_progress::published_value,
            programme_target_progress::published_numerator,
            programme_target_progress::published_denominator,
        ))
        .order((programme_targets::measure_id.asc().nulls_first(), indicator_definitions::code, programme_targets::year.asc().nulls_first()))
        .load(conn)?)
}
