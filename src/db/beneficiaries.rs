//! Organisations: beneficiaries, partners, ROPS, OWES, JST, PES.

use crate::db::listing::{code_prefix, in_force, matches, search_terms, MATCHES_END};
use crate::db::schema::beneficiaries;
use crate::domain::codes::{OrganisationKind, OrganisationStatus, PesType};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Nullable, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn poland() -> String {
    "PL".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = beneficiaries, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Beneficiary)]
pub struct BeneficiaryData {
    #[schema(example = "Stowarzyszenie Partnerstwo Społeczne")]
    pub name: String,
    /// Other and former names, e.g. "CISTOR Stowarzyszenie Partnerstwo Społeczne".
    #[serde(default)]
    pub aliases: Vec<String>,
    pub legal_form: Option<String>,
    pub kind: OrganisationKind,
    /// The PES type, for social economy entities.
    pub pes_type: Option<PesType>,
    /// Tax id, 10 digits with a check digit; separators are accepted and removed.
    #[schema(example = "1234563218")]
    pub nip: Option<String>,
    /// 9 or 14 digits with a check digit.
    pub regon: Option<String>,
    /// 10 digits, zero-padded.
    pub krs: Option<String>,
    /// ISO 3166-1 alpha-2 (Leiden is NL).
    #[serde(default = "poland")]
    #[schema(default = "PL", example = "PL")]
    pub country: String,
    /// TERYT code of the seat (2, 4 or 7 digits), Polish organisations only.
    #[schema(example = "0463011")]
    pub teryt: Option<String>,
    /// Voivodeship TERYT code; derived from `teryt` when that is given.
    pub voivodeship: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    /// The organisation this one belongs to (a CIS run by a gmina).
    pub parent_id: Option<i64>,
    /// WGS 84, with `longitude`; maps otherwise use the centroid of the TERYT unit.
    #[schema(value_type = Option<String>, example = "53.010300")]
    pub latitude: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "18.604800")]
    pub longitude: Option<Decimal>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BeneficiaryFilter {
    pub kind: Option<OrganisationKind>,
    pub voivodeship: Option<String>,
    pub country: Option<String>,
    pub nip: Option<String>,
    pub regon: Option<String>,
    pub krs: Option<String>,
    pub parent_id: Option<i64>,
    /// Case-insensitive substring of the name or an alias.
    pub name: Option<String>,
    /// Full-text search of names, aliases and cities, in any inflected form,
    /// ignoring case and Polish diacritics, matching word beginnings and, for names,
    /// despite a typo; best matches first unless `sort` says otherwise.
    pub q: Option<String>,
    /// Seated in this TERYT unit (2, 4 or 7 digits) or within it.
    pub teryt: Option<String>,
    /// Organisations that hold this status (`/api/v1/organisation-statuses`) on
    /// `status_on`, by default today: `status=ps` lists social enterprises.
    pub status: Option<OrganisationStatus>,
    /// The day `status` is asked of.
    pub status_on: Option<chrono::NaiveDate>,
    pub sort: Option<BeneficiarySort>,
}

crate::sort_options!(
    /// The order of organisations; `-` before a field reverses it.
    BeneficiarySort {
        Name = "name" => "name" as "text",
        NameDesc = "-name" => "name" as "text",
        Relevance = "relevance" => "" as "real",
    }
);
crate::list_filter!(BeneficiaryFilter: BeneficiarySort, search);

pub(crate) fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

fn apply_filter<'a>(mut q: beneficiaries::BoxedQuery<'a, Pg>, f: &BeneficiaryFilter) -> beneficiaries::BoxedQuery<'a, Pg> {
    use crate::domain::identifiers::{Krs, Nip, Regon};
    if let Some(kind) = f.kind {
        q = q.filter(beneficiaries::kind.eq(kind));
    }
    if let Some(v) = &f.voivodeship {
        q = q.filter(beneficiaries::voivodeship.eq(v.clone()));
    }
    if let Some(c) = &f.country {
        q = q.filter(beneficiaries::country.eq(c.to_ascii_uppercase()));
    }
    // Identifiers are compared in their normalised form; a malformed one matches nothing.
    if let Some(nip) = &f.nip {
        q = q.filter(beneficiaries::nip.eq(Nip::parse(nip).map(|n| n.to_string()).unwrap_or_default()));
    }
    if let Some(regon) = &f.regon {
        q = q.filter(beneficiaries::regon.eq(Regon::parse(regon).map(|n| n.to_string()).unwrap_or_default()));
    }
    if let Some(krs) = &f.krs {
        q = q.filter(beneficiaries::krs.eq(Krs::parse(krs).map(|n| n.to_string()).unwrap_or_default()));
    }
    if let Some(id) = f.parent_id {
        q = q.filter(beneficiaries::parent_id.eq(id));
    }
    if let Some(name) = &f.name {
        let pattern = like_pattern(name);
        q = q.filter(beneficiaries::name.ilike(pattern.clone()).or(sql::<Bool>("array_to_string(aliases, ' ') ILIKE ").bind::<Text, _>(pattern)));
    }
    if let Some(text) = &f.q {
        q = q.filter(sql::<Bool>(&matches("search")).bind::<Text, _>(search_terms(text)).sql(MATCHES_END));
    }
    if let Some(teryt) = &f.teryt {
        q = q.filter(beneficiaries::teryt.like(code_prefix(teryt)));
    }
    if let Some(status) = f.status {
        let [standing, holds] = in_force("s.valid_from, s.valid_to, s.revoked_on");
        q = q.filter(
            sql::<Bool>("id IN (SELECT s.organisation_id FROM organisation_statuses s WHERE s.status = ")
                .bind::<Text, _>(status.as_str())
                .sql(&format!(" AND {standing}coalesce("))
                .bind::<Nullable<Date>, _>(f.status_on)
                .sql(&format!(", es_today()){holds})")),
        );
    }
    q
}

crate::table_store!(Beneficiaries, beneficiaries, BeneficiaryData, BeneficiaryFilter, apply_filter);

/// The ids among `ids` that name no organisation. The ones that do are held
/// (`FOR KEY SHARE`, as a foreign key would) until the transaction ends, so none
/// is deleted under a record that names it in an array.
pub fn missing(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<i64>, super::DbError> {
    let found: std::collections::HashSet<i64> =
        beneficiaries::table.filter(beneficiaries::id.eq_any(ids)).select(beneficiaries::id).for_key_share().load::<i64>(conn)?.into_iter().collect();
    Ok(ids.iter().copied().filter(|id| !found.contains(id)).collect())
}
