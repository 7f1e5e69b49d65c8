//! Agreements (porozumienia) concluded within a network or a project: their
//! parties (organisations, local governments among them), subject and term.

use crate::db::schema::agreements;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = agreements, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Agreement)]
pub struct AgreementData {
    #[schema(example = "Porozumienie o współpracy na rzecz rozwoju ekonomii społecznej w powiecie toruńskim")]
    pub title: String,
    /// What the parties agree to do.
    pub subject: Option<String>,
    /// The organisations that signed it (two at least; a local government is an
    /// organisation of kind `jst`).
    #[schema(example = json!([1, 5]))]
    pub party_ids: Vec<i64>,
    pub signed_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The network it was concluded in; or else `project_id`. An agreement of a
    /// network a project set up counts in that project's `agreements_signed`.
    pub network_id: Option<i64>,
    /// The project it was concluded in; or else `network_id`.
    pub project_id: Option<i64>,
    pub document_url: Option<String>,
    /// The loader's own id of the agreement, unique within its network or
    /// project: the key of imports.
    pub external_id: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementFilter {
    pub network_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Agreements this organisation is a party of.
    pub party_id: Option<i64>,
    /// Agreements signed in this year.
    pub year: Option<i32>,
    pub sort: Option<AgreementSort>,
}

crate::sort_options!(
    /// The order of agreements; `-` before a field reverses it.
    AgreementSort {
        SignedOn = "signed_on" => "signed_on" as "date",
        SignedOnDesc = "-signed_on" => "signed_on" as "date",
    }
);
crate::list_filter!(AgreementFilter: AgreementSort);

fn apply_filter<'a>(mut q: agreements::BoxedQuery<'a, Pg>, f: &AgreementFilter) -> agreements::BoxedQuery<'a, Pg> {
    if let Some(id) = f.network_id {
        q = q.filter(agreements::network_id.eq(id));
    }
    if let Some(id) = f.project_id {
        q = q.filter(agreements::project_id.eq(id));
    }
    if let Some(id) = f.party_id {
        q = q.filter(sql::<Bool>("party_ids @> ").bind::<Array<BigInt>, _>(vec![id]));
    }
    if let Some(year) = f.year {
        q = q.filter(sql::<Bool>("extract(year FROM signed_on) = ").bind::<diesel::sql_types::Integer, _>(year));
    }
    q
}

crate::table_store!(Agreements, agreements, AgreementData, AgreementFilter, apply_filter);

/// The parties among `parties` outside the circle an agreement is concluded in:
/// for a network, its coordinator and members; for a project, its organisations
/// (any role) and the institutions it supported.
pub fn outsiders(conn: &mut PgConnection, parties: &[i64], network: Option<i64>, project: Option<i64>) -> Result<Vec<i64>, super::DbError> {
    use diesel::sql_types::Nullable;
    #[derive(QueryableByName)]
    struct Party {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let found: Vec<Party> = diesel::sql_query(
        "SELECT p.id FROM unnest($1::bigint[]) AS p (id) WHERE p.id NOT IN (
             SELECT coordinator_id FROM networks WHERE id = $2
             UNION ALL SELECT organisation_id FROM network_members WHERE network_id = $2
             UNION ALL SELECT beneficiary_id FROM partners WHERE project_id = $3
             UNION ALL SELECT organisation_id FROM supported_institutions WHERE project_id = $3)
         ORDER BY p.id",
    )
    .bind::<Array<BigInt>, _>(parties)
    .bind::<Nullable<BigInt>, _>(network)
    .bind::<Nullable<BigInt>, _>(project)
    .load(conn)?;
    Ok(found.into_iter().map(|p| p.id).collect())
}
