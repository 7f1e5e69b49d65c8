//! Outcome indicators of a project: planned (target) and achieved values.

use crate::db::schema::indicators;
use crate::domain::breakdown::Breakdown;
use crate::domain::codes::{ActivityType, IndicatorKind, OrganisationKind, RecordBasis};
use diesel::pg::Pg;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A quantitative indicator has a `target_value`; a qualitative one a `target_text`
/// ("3 TV spots", "result achieved in 100%"); some have both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicators, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Indicator)]
pub struct IndicatorData {
    pub project_id: i64,
    /// The catalogue definition this indicator reports on, if any.
    pub definition_id: Option<i64>,
    #[schema(example = "Liczba osób przeszkolonych w zakresie zakładania spółdzielni socjalnych")]
    pub name: String,
    pub kind: IndicatorKind,
    #[schema(example = "osoby")]
    pub unit: Option<String>,
    #[schema(value_type = Option<String>)]
    pub baseline_value: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "35")]
    pub target_value: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "40")]
    pub achieved_value: Option<Decimal>,
    pub target_text: Option<String>,
    pub achieved_text: Option<String>,
    /// Order in the project's list of indicators.
    pub position: Option<i32>,
    /// Binds the indicator to attendance: its achieved value is the number of persons
    /// who completed activities of these types in the project.
    #[serde(default)]
    pub derived_from: Vec<ActivityType>,
    /// Binds the indicator to records: its achieved value is counted from the
    /// project's supported institutions, activities, agreements and its supported
    /// local governments' strategy documents (`GET /indicators/{id}/basis` lists them).
    pub derived_from_records: Option<RecordBasis>,
    /// Counts only organisations of these kinds (for `organisations_supported` and
    /// `staff_supported`); none: every kind.
    #[serde(default)]
    pub derived_kinds: Vec<OrganisationKind>,
    /// The target per category of the breakdowns its definition declares; each
    /// dimension's categories add up to `target_value`.
    #[schema(value_type = Option<Object>, example = json!({"sex": {"women": "20", "men": "15"}}))]
    pub target_breakdown: Option<Breakdown>,
    /// The indicator counts persons (participants, people reached): its values
    /// reach anyone but their owners only protected (rounded to the registry's
    /// rounding base, as reports say), like counts derived from attendance. Its
    /// definition may say so instead: either is enough. Declare it for an
    /// indicator without a definition.
    #[serde(default)]
    pub counts_persons: bool,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorFilter {
    pub project_id: Option<i64>,
    pub kind: Option<IndicatorKind>,
    pub definition_id: Option<i64>,
    /// Indicators counted from these records.
    pub derived_from_records: Option<RecordBasis>,
    pub sort: Option<IndicatorSort>,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    IndicatorSort {
        Position = "position" => "coalesce(position, 2147483647)" as "integer",
        PositionDesc = "-position" => "coalesce(position, -2147483648)" as "integer",
        Name = "name" => "name" as "text",
        NameDesc = "-name" => "name" as "text",
    }
);
crate::list_filter!(IndicatorFilter: IndicatorSort);

fn apply_filter<'a>(mut q: indicators::BoxedQuery<'a, Pg>, f: &IndicatorFilter) -> indicators::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(indicators::project_id.eq(id));
    }
    if let Some(kind) = f.kind {
        q = q.filter(indicators::kind.eq(kind));
    }
    if let Some(id) = f.definition_id {
        q = q.filter(indicators::definition_id.eq(id));
    }
    if let Some(basis) = f.derived_from_records {
        q = q.filter(indicators::derived_from_records.eq(basis));
    }
    q
}

crate::table_store!(Indicators, indicators, IndicatorData, IndicatorFilter, apply_filter);
