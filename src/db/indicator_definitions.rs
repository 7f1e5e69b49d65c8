//! The catalogue of indicator definitions: ESF common indicators and programme-specific ones.

use crate::db::schema::indicator_definitions;
use crate::domain::codes::{BreakdownDimension, Catalogue, IndicatorKind, MeasurementType};
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn quantitative() -> MeasurementType {
    MeasurementType::Quantitative
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicator_definitions, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = IndicatorDefinition)]
pub struct IndicatorDefinitionData {
    /// Unique code, e.g. `CO01` or `PI-KP-9.4.2-02`.
    pub code: String,
    #[schema(example = "Liczba podmiotów ekonomii społecznej objętych wsparciem w ramach sieciowania")]
    pub name: String,
    pub unit: Option<String>,
    pub kind: IndicatorKind,
    #[serde(default = "quantitative")]
    #[schema(default = "quantitative")]
    pub measurement: MeasurementType,
    #[serde(default = "crate::db::store::yes")]
    #[schema(default = true)]
    pub higher_is_better: bool,
    /// Values are reported for women and men separately.
    #[serde(default)]
    pub split_by_sex: bool,
    /// The programme of a programme-specific indicator; absent for common ones.
    pub programme_id: Option<i64>,
    pub description: Option<String>,
    /// The catalogue a common definition belongs to (`esf_plus`: the ESF+ common
    /// indicators, seeded by the registry); such a definition has no programme,
    /// and a project indicator bound to it takes its name, unit and kind.
    pub catalogue: Option<Catalogue>,
    /// The breakdowns (disaggregations) values and targets are reported in.
    #[serde(default)]
    pub breakdowns: Vec<BreakdownDimension>,
    /// The indicator counts persons (every participant indicator of the ESF+
    /// catalogue does): values of its indicators reach anyone but their owners
    /// only protected, like counts derived from attendance.
    #[serde(default)]
    pub counts_persons: bool,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorDefinitionFilter {
    pub code: Option<String>,
    pub kind: Option<IndicatorKind>,
    /// A programme's own definitions; `common` for those of every programme.
    pub programme: Option<String>,
    pub catalogue: Option<Catalogue>,
    pub sort: Option<IndicatorDefinitionSort>,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    IndicatorDefinitionSort {
        Code = "code" => "code" as "text",
        CodeDesc = "-code" => "code" as "text",
    }
);
crate::list_filter!(IndicatorDefinitionFilter: IndicatorDefinitionSort);

fn apply_filter<'a>(mut q: indicator_definitions::BoxedQuery<'a, Pg>, f: &IndicatorDefinitionFilter) -> indicator_definitions::BoxedQuery<'a, Pg> {
    if let Some(code) = &f.code {
        q = q.filter(indicator_definitions::code.eq(code.clone()));
    }
    if let Some(kind) = f.kind {
        q = q.filter(indicator_definitions::kind.eq(kind));
    }
    if let Some(catalogue) = f.catalogue {
        q = q.filter(indicator_definitions::catalogue.eq(catalogue));
    }
    match f.programme.as_deref() {
        Some("common") => q = q.filter(indicator_definitions::programme_id.is_null()),
        Some(id) => q = q.filter(indicator_definitions::programme_id.eq(id.parse::<i64>().unwrap_or(-1))),
        None => {}
    }
    q
}

crate::table_store!(IndicatorDefinitions, indicator_definitions, IndicatorDefinitionData, IndicatorDefinitionFilter, apply_filter);
