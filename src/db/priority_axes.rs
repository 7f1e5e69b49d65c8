//! Priority axes (Oś priorytetowa / Priorytet) of a programme.

use crate::db::schema::priority_axes;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = priority_axes, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = PriorityAxis)]
pub struct PriorityAxisData {
    pub programme_id: i64,
    /// The number as the programme writes it: "9", "VII", "IX".
    #[schema(example = "VII")]
    pub number: String,
    /// The number as an integer, for ordering (VII → 7). Derived from `number`.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only, example = 7)]
    pub sort_key: i32,
    #[schema(example = "Promocja integracji społecznej")]
    pub name: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PriorityAxisFilter {
    pub programme_id: Option<i64>,
    pub sort: Option<PriorityAxisSort>,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    PriorityAxisSort {
        Number = "number" => "sort_key" as "integer",
        NumberDesc = "-number" => "sort_key" as "integer",
    }
);
crate::list_filter!(PriorityAxisFilter: PriorityAxisSort);

fn apply_filter<'a>(mut q: priority_axes::BoxedQuery<'a, Pg>, f: &PriorityAxisFilter) -> priority_axes::BoxedQuery<'a, Pg> {
    if let Some(id) = f.programme_id {
        q = q.filter(priority_axes::programme_id.eq(id));
    }
    q
}

crate::table_store!(PriorityAxes, priority_axes, PriorityAxisData, PriorityAxisFilter, apply_filter);
