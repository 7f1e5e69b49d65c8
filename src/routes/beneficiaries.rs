use crate::api::crud::Resource;
use crate::api::formats::Place;
use crate::api::ApiError;
use crate::auth::accounts::role_suits;
use crate::auth::policy::authorize_kind_change;
use crate::auth::{Caller, Scope};
use crate::db::beneficiaries::{Beneficiaries, BeneficiaryData, BeneficiaryFilter};
use crate::db::users;
use crate::db::Record;
use crate::domain::codes::OrganisationKind;
use crate::domain::identifiers::{Krs, Nip, Regon};
use crate::domain::places::{check_coordinates, Country, TerytCode, Voivodeship};
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for Beneficiaries {
    const COLLECTION: &'static str = "beneficiaries";
    const NOUN: &'static str = "beneficiary";

    fn check(_: &mut PgConnection, mut data: BeneficiaryData, id: Option<i64>) -> Result<BeneficiaryData, ApiError> {
        let mut checks = Checks::new();
        data.name = data.name.trim().to_owned();
        checks.not_blank("name", &data.name);
        checks.texts("aliases", &mut data.aliases);
        data.aliases.dedup();
        for field in
            [&mut data.legal_form, &mut data.city, &mut data.website, &mut data.nip, &mut data.regon, &mut data.krs, &mut data.teryt, &mut data.voivodeship]
        {
            blank_to_none(field);
        }
        checks.normalise("nip", &mut data.nip, Nip::parse);
        checks.normalise("regon", &mut data.regon, Regon::parse);
        checks.normalise("krs", &mut data.krs, Krs::parse);
        let country = checks.check("country", Country::parse(&data.country));
        if let Some(country) = &country {
            data.country = country.to_string();
        }
        checks.normalise("voivodeship", &mut data.voivodeship, Voivodeship::parse);
        if let Some(teryt) = data.teryt.as_deref().and_then(|t| checks.check("teryt", TerytCode::parse(t))) {
            checks.ensure(country.as_ref().is_none_or(Country::is_poland), "teryt", "teryt_outside_poland", "TERYT codes are for Polish organisations");
            match data.voivodeship.as_deref() {
                None => data.voivodeship = Some(teryt.voivodeship().to_owned()),
                Some(v) => checks.ensure(v == teryt.voivodeship(), "voivodeship", "teryt_mismatch", "voivodeship disagrees with the TERYT code"),
            }
            data.teryt = Some(teryt.to_string());
        }
        checks.ensure(
            data.pes_type.is_none() || matches!(data.kind, OrganisationKind::Pes | OrganisationKind::Ngo | OrganisationKind::Owes),
            "pes_type",
            "pes_type_for_non_pes",
            "pes_type applies only to kinds pes, ngo and owes",
        );
        check_coordinates(&mut checks, &mut data.latitude, &mut data.longitude);
        checks.ensure(id.is_none() || data.parent_id != id, "parent_id", "self_reference", "an organisation cannot be its own parent");
        checks.into_result()?;
        Ok(data)
    }

    fn scope(_: &mut PgConnection, id: Option<i64>, data: &BeneficiaryData) -> Result<Scope, ApiError> {
        Ok(Scope::Organisation { id, voivodeship: data.voivodeship.clone() })
    }

    /// A change of kind is the ROPS's, and never to a kind the organisation's
    /// accounts cannot act for: they would fall out of every scope.
    fn check_change(conn: &mut PgConnection, caller: &Caller, id: i64, before: &BeneficiaryData, after: &BeneficiaryData) -> Result<(), ApiError> {
        if before.kind == after.kind {
            return Ok(());
        }
        authorize_kind_change(caller, &Scope::Organisation { id: Some(id), voivodeship: before.voivodeship.clone() })?;
        let mut checks = Checks::new();
        for role in users::roles_of_organisation(conn, id)? {
            checks.ensure(
                role_suits(role, after.kind),
                "kind",
                "role_kind_mismatch",
                format!("the organisation has {role} accounts, which cannot act for an organisation of kind {}", after.kind),
            );
        }
        Ok(checks.into_result()?)
    }

    /// An organisation lies at its coordinates, else at the centroid of its TERYT unit or voivodeship.
    fn locate(conn: &mut PgConnection, records: &[Record<BeneficiaryData>]) -> Result<Option<Vec<Option<Place>>>, ApiError> {
        let places: Vec<_> =
            records.iter().map(|r| (r.data.latitude.zip(r.data.longitude), r.data.teryt.iter().chain(r.data.voivodeship.iter()).cloned().collect())).collect();
        Ok(Some(crate::db::places::locate(conn, &places)?))
    }

    fn related(id: i64, data: &BeneficiaryData) -> Vec<(&'static str, String)> {
        let mut links = vec![("roles", format!("partners?beneficiary_id={id}")), ("projects", format!("projects?beneficiary_id={id}"))];
        if let Some(parent) = data.parent_id {
            links.push(("parent", format!("beneficiaries/{parent}")));
        }
        links
    }
}

crate::resource_routes!(Beneficiaries, BeneficiaryData, BeneficiaryFilter, "beneficiaries", "/api/v1/beneficiaries", "/api/v1/beneficiaries/{id}");
