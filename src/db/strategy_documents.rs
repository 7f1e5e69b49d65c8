//! Local governments' strategy documents, and whether and where they name the
//! social economy: the record behind "gminas that included the social economy
//! in their strategic documents".

use crate::db::listing::seated_in;
use crate::db::schema::strategy_documents;
use crate::domain::codes::StrategyKind;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = strategy_documents, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = StrategyDocument)]
pub struct StrategyDocumentData {
    /// The local government (an organisation of kind `jst`) whose document it is.
    pub jst_id: i64,
    #[schema(example = "Strategia Rozwiązywania Problemów Społecznych Gminy Chełmża na lata 2021-2030")]
    pub title: String,
    pub kind: StrategyKind,
    /// The day its council adopted it.
    pub adopted_on: Option<NaiveDate>,
    /// The council's resolution that adopted it.
    #[schema(example = "XXXV/245/21")]
    pub resolution_number: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// Whether it names the social economy (as a goal, a measure or a partner).
    #[serde(default)]
    pub names_social_economy: bool,
    /// Where it does: chapter, goal, page.
    #[schema(example = "cel operacyjny 2.3: rozwój ekonomii społecznej, s. 48")]
    pub social_economy_reference: Option<String>,
    pub url: Option<String>,
    /// The local government's own id of the document: the key of imports.
    pub external_id: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StrategyDocumentFilter {
    pub jst_id: Option<i64>,
    pub kind: Option<StrategyKind>,
    pub names_social_economy: Option<bool>,
    /// Documents of local governments seated in this voivodeship (TERYT code).
    pub voivodeship: Option<String>,
    /// Documents adopted in this year.
    pub adopted_in: Option<i32>,
    pub sort: Option<StrategyDocumentSort>,
}

crate::sort_options!(
    /// The order of documents; `-` before a field reverses it.
    StrategyDocumentSort {
        AdoptedOn = "adopted_on" => "coalesce(adopted_on, 'infinity'::date)" as "date",
        AdoptedOnDesc = "-adopted_on" => "coalesce(adopted_on, '-infinity'::date)" as "date",
    }
);
crate::list_filter!(StrategyDocumentFilter: StrategyDocumentSort);

fn apply_filter<'a>(mut q: strategy_documents::BoxedQuery<'a, Pg>, f: &StrategyDocumentFilter) -> strategy_documents::BoxedQuery<'a, Pg> {
    if let Some(id) = f.jst_id {
        q = q.filter(strategy_documents::jst_id.eq(id));
    }
    if let Some(kind) = f.kind {
        q = q.filter(strategy_documents::kind.eq(kind));
    }
    if let Some(names) = f.names_social_economy {
        q = q.filter(strategy_documents::names_social_economy.eq(names));
    }
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(sql::<Bool>(&seated_in("jst_id")).bind::<Text, _>(voivodeship.clone()).sql(")"));
    }
    if let Some(year) = f.adopted_in {
        q = q.filter(sql::<Bool>("extract(year FROM adopted_on) = ").bind::<Integer, _>(year));
    }
    q
}

crate::table_store!(StrategyDocuments, strategy_documents, StrategyDocumentData, StrategyDocumentFilter, apply_filter);
