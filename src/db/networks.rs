//! Networks of cooperation (sieci współpracy): of social-economy entities, of a
//! territory, of reintegration entities, of the region's OWES; coordinated by an
//! organisation, often set up by a project.

use crate::db::listing::seated_in;
use crate::db::schema::networks;
use crate::domain::codes::NetworkKind;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = networks, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Network)]
pub struct NetworkData {
    #[schema(example = "Pomorska Sieć Podmiotów Reintegracyjnych")]
    pub name: String,
    pub kind: NetworkKind,
    /// The organisation that coordinates it. A network no project set up is its
    /// coordinator's (its accounts and its ROPS keep it).
    pub coordinator_id: i64,
    /// The project that set it up, if one did: then the network, its members and
    /// agreements are the project's records (its OWES and ROPS keep them), and
    /// its agreements count in the project's `agreements_signed`.
    pub project_id: Option<i64>,
    /// The TERYT units it covers; none: no territory given.
    #[serde(default)]
    #[schema(example = json!(["22"]))]
    pub areas: Vec<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// The coordinator's own id of the network, unique within it: the key of imports.
    pub external_id: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkFilter {
    pub kind: Option<NetworkKind>,
    pub coordinator_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Networks whose coordinator is seated in this voivodeship (TERYT code).
    pub voivodeship: Option<String>,
    pub sort: Option<NetworkSort>,
}

crate::sort_options!(
    /// The order of networks; `-` before a field reverses it.
    NetworkSort {
        Name = "name" => "name" as "text",
        NameDesc = "-name" => "name" as "text",
    }
);
crate::list_filter!(NetworkFilter: NetworkSort);

fn apply_filter<'a>(mut q: networks::BoxedQuery<'a, Pg>, f: &NetworkFilter) -> networks::BoxedQuery<'a, Pg> {
    if let Some(kind) = f.kind {
        q = q.filter(networks::kind.eq(kind));
    }
    if let Some(id) = f.coordinator_id {
        q = q.filter(networks::coordinator_id.eq(id));
    }
    if let Some(id) = f.project_id {
        q = q.filter(networks::project_id.eq(id));
    }
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(sql::<Bool>(&seated_in("coordinator_id")).bind::<Text, _>(voivodeship.clone()).sql(")"));
    }
    q
}

crate::table_store!(Networks, networks, NetworkData, NetworkFilter, apply_filter);

/// The coordinator and the project of network `id`, if there is such a network.
pub fn owners(conn: &mut PgConnection, id: i64) -> Result<Option<(i64, Option<i64>)>, super::DbError> {
    Ok(networks::table.find(id).select((networks::coordinator_id, networks::project_id)).first(conn).optional()?)
}
