//! Activities: the types of support a project gives.

use crate::db::listing::{code_prefix, matches, search_terms, MATCHES_END};
use crate::db::schema::activities;
use crate::domain::codes::ActivityType;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activities, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Activity)]
pub struct ActivityData {
    pub project_id: i64,
    pub activity_type: ActivityType,
    #[schema(example = "targi wystawiennicze")]
    pub title: String,
    pub description: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// TERYT code of the place (2, 4 or 7 digits).
    pub teryt: Option<String>,
    #[schema(minimum = 0)]
    pub planned_participants: Option<i32>,
    #[schema(minimum = 0)]
    pub actual_participants: Option<i32>,
    /// A document behind the activity, e.g. the resolution that set up a committee ("Uchwała ZWP 598/51/15").
    pub document_reference: Option<String>,
    pub document_date: Option<NaiveDate>,
    /// The loader's own identifier, unique within the project: the key by which a
    /// repeated import finds the activity again.
    pub external_id: Option<String>,
    /// The network whose meeting this is, when it is one.
    pub network_id: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilter {
    pub project_id: Option<i64>,
    pub activity_type: Option<ActivityType>,
    /// The meetings of this network.
    pub network_id: Option<i64>,
    /// Full-text search of titles and descriptions, ignoring case and Polish
    /// diacritics, matching word beginnings; best matches first unless `sort` says otherwise.
    pub q: Option<String>,
    /// Held in this TERYT unit (2, 4 or 7 digits) or within it.
    pub teryt: Option<String>,
    pub sort: Option<ActivitySort>,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    ActivitySort {
        StartDate = "start_date" => "coalesce(start_date, 'infinity'::date)" as "date",
        StartDateDesc = "-start_date" => "coalesce(start_date, '-infinity'::date)" as "date",
        Title = "title" => "title" as "text",
        TitleDesc = "-title" => "title" as "text",
        Relevance = "relevance" => "" as "real",
    }
);
crate::list_filter!(ActivityFilter: ActivitySort, search);

fn apply_filter<'a>(mut q: activities::BoxedQuery<'a, Pg>, f: &ActivityFilter) -> activities::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(activities::project_id.eq(id));
    }
    if let Some(id) = f.network_id {
        q = q.filter(activities::network_id.eq(id));
    }
    if let Some(t) = f.activity_type {
        q = q.filter(activities::activity_type.eq(t));
    }
    if let Some(text) = &f.q {
        q = q.filter(sql::<Bool>(&matches("search")).bind::<Text, _>(search_terms(text)).sql(MATCHES_END));
    }
    if let Some(teryt) = &f.teryt {
        q = q.filter(activities::teryt.like(code_prefix(teryt)));
    }
    q
}

crate::table_store!(Activities, activities, ActivityData, ActivityFilter, apply_filter);
