//! Resolutions about the social economy of a region's bodies: of a committee, or
//! of the voivodeship's board about one (the resolution that set up PKRES).

use crate::db::schema::resolutions;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = resolutions, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Resolution)]
pub struct ResolutionData {
    /// The voivodeship (TERYT code) whose body adopted it; its ROPS keeps it.
    #[schema(example = "22")]
    pub voivodeship: String,
    /// The body that adopted it.
    #[schema(example = "Zarząd Województwa Pomorskiego")]
    pub issued_by: String,
    #[schema(example = "598/51/15")]
    pub number: String,
    pub adopted_on: NaiveDate,
    #[schema(example = "powołanie Pomorskiego Komitetu Rozwoju Ekonomii Społecznej")]
    pub subject: String,
    /// The committee it concerns or that adopted it.
    pub committee_id: Option<i64>,
    /// The committee's meeting that adopted it.
    pub meeting_id: Option<i64>,
    pub url: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolutionFilter {
    pub voivodeship: Option<String>,
    pub committee_id: Option<i64>,
    pub meeting_id: Option<i64>,
    /// Resolutions adopted in this year.
    pub year: Option<i32>,
    pub sort: Option<ResolutionSort>,
}

crate::sort_options!(
    /// The order of resolutions; `-` before a field reverses it.
    ResolutionSort {
        AdoptedOn = "adopted_on" => "adopted_on" as "date",
        AdoptedOnDesc = "-adopted_on" => "adopted_on" as "date",
    }
);
crate::list_filter!(ResolutionFilter: ResolutionSort);

fn apply_filter<'a>(mut q: resolutions::BoxedQuery<'a, Pg>, f: &ResolutionFilter) -> resolutions::BoxedQuery<'a, Pg> {
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(resolutions::voivodeship.eq(voivodeship.clone()));
    }
    if let Some(id) = f.committee_id {
        q = q.filter(resolutions::committee_id.eq(id));
    }
    if let Some(id) = f.meeting_id {
        q = q.filter(resolutions::meeting_id.eq(id));
    }
    if let Some(year) = f.year {
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("extract(year FROM adopted_on) = ").bind::<Integer, _>(year));
    }
    q
}

crate::table_store!(Resolutions, resolutions, ResolutionData, ResolutionFilter, apply_filter);

/// Whether meeting `id` adopted any resolution.
pub fn of_meeting(conn: &mut PgConnection, id: i64) -> Result<bool, super::DbError> {
    Ok(diesel::select(diesel::dsl::exists(resolutions::table.filter(resolutions::meeting_id.eq(id)))).get_result(conn)?)
}
