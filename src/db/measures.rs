//! Measures and sub-measures (Działanie / Poddziałanie).

use crate::db::schema::measures;
use crate::domain::codes::{ProgrammingPeriod, SelectionMode};
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = measures, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Measure)]
pub struct MeasureData {
    pub priority_axis_id: i64,
    /// The enclosing measure of a sub-measure (9.4 for 9.4.2), in the same axis.
    pub parent_id: Option<i64>,
    /// The code as written: "06.03", "9.4.2".
    #[schema(example = "06.03")]
    pub code: String,
    /// The code without zero padding or trailing dot ("6.3"). Derived from `code`.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only, example = "6.3")]
    pub code_normalised: String,
    #[schema(example = "Ekonomia społeczna")]
    pub name: String,
    pub default_selection_mode: Option<SelectionMode>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureFilter {
    pub priority_axis_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// Matches the normalised code: `06.03` finds `6.3`.
    pub code: Option<String>,
    pub sort: Option<MeasureSort>,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    MeasureSort {
        Code = "code" => "code_normalised" as "text",
        CodeDesc = "-code" => "code_normalised" as "text",
    }
);
crate::list_filter!(MeasureFilter: MeasureSort);

fn apply_filter<'a>(mut q: measures::BoxedQuery<'a, Pg>, f: &MeasureFilter) -> measures::BoxedQuery<'a, Pg> {
    if let Some(id) = f.priority_axis_id {
        q = q.filter(measures::priority_axis_id.eq(id));
    }
    if let Some(id) = f.parent_id {
        q = q.filter(measures::parent_id.eq(id));
    }
    if let Some(code) = &f.code {
        let normalised = crate::domain::measure_code::MeasureCode::parse(code).map(|c| c.normalised).unwrap_or_else(|_| code.clone());
        q = q.filter(measures::code_normalised.eq(normalised));
    }
    q
}

crate::table_store!(Measures, measures, MeasureData, MeasureFilter, apply_filter);

/// The voivodeship and period of the programme a measure belongs to: `None` when
/// the measure does not exist; the voivodeship is `None` for a national programme.
pub fn programme_of(conn: &mut PgConnection, measure_id: i64) -> Result<Option<(Option<String>, ProgrammingPeriod)>, crate::db::DbError> {
    use crate::db::schema::{priority_axes, programmes};
    Ok(measures::table
        .inner_join(priority_axes::table.inner_join(programmes::table))
        .filter(measures::id.eq(measure_id))
        .select((programmes::voivodeship, programmes::period))
        .first::<(Option<String>, ProgrammingPeriod)>(conn)
        .optional()?)
}
