//! The areas of cooperation local governments seek with the social economy, by
//! category, CPV code and TERYT area: the needs layer of the portals' map.

use crate::db::schema::needs;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = needs, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Need)]
pub struct NeedData {
    /// The local government (JST) that seeks cooperation.
    pub organisation_id: i64,
    #[schema(example = "Catering dla dziennego domu seniora")]
    pub title: String,
    pub description: Option<String>,
    /// The kind of product or service sought, in words.
    #[schema(example = "catering")]
    pub category: String,
    /// Its CPV code: eight digits, a dash and a check digit.
    #[schema(example = "55500000-5")]
    pub cpv_code: Option<String>,
    /// The TERYT units where it is needed; none: anywhere.
    #[serde(default)]
    #[schema(example = json!(["0463011"]))]
    pub areas: Vec<String>,
    /// The last day offers are sought.
    pub deadline: Option<NaiveDate>,
    /// Whether it is sought now.
    #[serde(default = "crate::db::store::yes")]
    #[schema(default = true)]
    pub active: bool,
    /// The organisation's own id of the need, unique within it: the key of imports.
    pub external_id: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeedFilter {
    pub organisation_id: Option<i64>,
    /// Needs of this category (ignoring case).
    pub category: Option<String>,
    /// Needs whose CPV code begins with these digits.
    pub cpv: Option<String>,
    /// Needs in this TERYT unit (or a unit within or around it); needs without areas are anywhere.
    pub teryt: Option<String>,
    pub active: Option<bool>,
    /// Full-text search of titles, categories and descriptions.
    pub q: Option<String>,
    pub sort: Option<NeedSort>,
}

crate::sort_options!(
    /// The order of needs; `-` before a field reverses it.
    NeedSort {
        Title = "title" => "title" as "text",
        Deadline = "deadline" => "coalesce(deadline, 'infinity'::date)" as "date",
        Relevance = "relevance" => "" as "real",
    }
);
crate::list_filter!(NeedFilter: NeedSort, search);

fn apply_filter<'a>(mut q: needs::BoxedQuery<'a, Pg>, f: &NeedFilter) -> needs::BoxedQuery<'a, Pg> {
    crate::offer_like_filter!(q, needs, f);
    q
}

crate::table_store!(Needs, needs, NeedData, NeedFilter, apply_filter);
