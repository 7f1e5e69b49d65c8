//! Awards of the regions' competitions for the social economy, by competition,
//! edition and category, with their laureates.

use crate::db::schema::awards;
use crate::domain::codes::Placing;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn winner() -> Placing {
    Placing::Winner
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = awards, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Award)]
pub struct AwardData {
    /// The voivodeship whose competition it is (TERYT code); its ROPS keeps it.
    #[schema(example = "24")]
    pub voivodeship: String,
    #[schema(example = "Przyjaciel ekonomii społecznej")]
    pub competition: String,
    #[schema(example = "2024")]
    pub edition: String,
    pub category: Option<String>,
    /// The laureate organisation; or else `laureate_person_name`.
    pub laureate_id: Option<i64>,
    /// A laureate person, by name only, published only with their consent
    /// (`person_consent_on`); or else `laureate_id`.
    pub laureate_person_name: Option<String>,
    /// The day the person consented to the publication of their name.
    pub person_consent_on: Option<NaiveDate>,
    #[serde(default = "winner")]
    #[schema(default = "winner")]
    #[diesel(column_name = place)]
    pub placing: Placing,
    pub awarded_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwardFilter {
    pub voivodeship: Option<String>,
    /// Awards of this competition (exactly, ignoring case).
    pub competition: Option<String>,
    pub edition: Option<String>,
    pub laureate_id: Option<i64>,
    pub placing: Option<Placing>,
    pub sort: Option<AwardSort>,
}

crate::sort_options!(
    /// The order of awards; `-` before a field reverses it.
    AwardSort {
        Edition = "edition" => "edition" as "text",
        EditionDesc = "-edition" => "edition" as "text",
    }
);
crate::list_filter!(AwardFilter: AwardSort);

fn apply_filter<'a>(mut q: awards::BoxedQuery<'a, Pg>, f: &AwardFilter) -> awards::BoxedQuery<'a, Pg> {
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(awards::voivodeship.eq(voivodeship.clone()));
    }
    if let Some(competition) = &f.competition {
        q = q.filter(sql::<Bool>("lower(competition) = lower(").bind::<Text, _>(competition.clone()).sql(")"));
    }
    if let Some(edition) = &f.edition {
        q = q.filter(awards::edition.eq(edition.clone()));
    }
    if let Some(id) = f.laureate_id {
        q = q.filter(awards::laureate_id.eq(id));
    }
    if let Some(placing) = f.placing {
        q = q.filter(awards::place.eq(placing));
    }
    q
}

crate::table_store!(Awards, awards, AwardData, AwardFilter, apply_filter);
