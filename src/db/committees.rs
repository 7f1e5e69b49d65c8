//! Regional committees for the development of the social economy (RKES, PKRES)
//! and their working groups (a committee with a parent).

use crate::db::schema::committees;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committees, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Committee)]
pub struct CommitteeData {
    /// The voivodeship (TERYT code) whose committee it is; its ROPS keeps it.
    #[schema(example = "22")]
    pub voivodeship: String,
    #[schema(example = "Pomorski Komitet Rozwoju Ekonomii Społecznej")]
    pub name: String,
    #[schema(example = "PKRES")]
    pub acronym: Option<String>,
    /// The committee a working group belongs to; absent for a committee.
    pub parent_id: Option<i64>,
    pub established_on: Option<NaiveDate>,
    /// The act that set it up.
    #[schema(example = "Uchwała Zarządu Województwa Pomorskiego nr 598/51/15 z dnia 23 czerwca 2015 r.")]
    pub established_by: Option<String>,
    pub dissolved_on: Option<NaiveDate>,
    pub url: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitteeFilter {
    pub voivodeship: Option<String>,
    /// The working groups of this committee.
    pub parent_id: Option<i64>,
    pub sort: Option<CommitteeSort>,
}

crate::sort_options!(
    /// The order of committees; `-` before a field reverses it.
    CommitteeSort {
        Name = "name" => "name" as "text",
        NameDesc = "-name" => "name" as "text",
    }
);
crate::list_filter!(CommitteeFilter: CommitteeSort);

fn apply_filter<'a>(mut q: committees::BoxedQuery<'a, Pg>, f: &CommitteeFilter) -> committees::BoxedQuery<'a, Pg> {
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(committees::voivodeship.eq(voivodeship.clone()));
    }
    if let Some(id) = f.parent_id {
        q = q.filter(committees::parent_id.eq(id));
    }
    q
}

crate::table_store!(Committees, committees, CommitteeData, CommitteeFilter, apply_filter);

/// The voivodeship of committee `id`, if there is such a committee.
pub fn voivodeship(conn: &mut PgConnection, id: i64) -> Result<Option<String>, super::DbError> {
    Ok(committees::table.find(id).select(committees::voivodeship).first(conn).optional()?)
}

/// Holds every regrouping of committees until the transaction ends, so the
/// check for a cycle sees the tree as it will be written.
pub fn hold_tree(conn: &mut PgConnection) -> Result<(), super::DbError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('es-registry committees tree'))").execute(conn)?;
    Ok(())
}

/// Whether `parent` is `id` or lies below it: a working group cannot be its own ancestor.
pub fn descends_from(conn: &mut PgConnection, parent: i64, id: i64) -> Result<bool, super::DbError> {
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let found: Found = diesel::sql_query(
        "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM committees WHERE id = $1
             UNION SELECT c.id, c.parent_id FROM committees c JOIN up ON c.id = up.parent_id)
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS found",
    )
    .bind::<BigInt, _>(parent)
    .bind::<BigInt, _>(id)
    .get_result(conn)?;
    Ok(found.found)
}
