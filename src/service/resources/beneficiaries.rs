use crate::db::beneficiaries::{Beneficiaries, BeneficiaryData};
use crate::db::{users, Record};
use crate::domain::access::{authorize_identity_change, role_suits, Caller, Scope};
use crate::domain::codes::OrganisationKind;
use crate::domain::collection::Collection;
use crate::domain::identifiers::{Krs, Nip, Regon};
use crate::domain::places::{check_coordinates, Country, Place, TerytCode, Voivodeship};
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Beneficiaries {
    const COLLECTION: Collection = Collection::Beneficiaries;

    fn check(_: &mut PgConnection, mut data: BeneficiaryData) -> Result<BeneficiaryData, ServiceError> {
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
        checks.into_result()?;
        Ok(data)
    }

    fn scope(_: &mut PgConnection, id: Option<i64>, data: &BeneficiaryData) -> Result<Scope, ServiceError> {
        Ok(Scope::Organisation { id, voivodeship: data.voivodeship.clone() })
    }

    /// An organisation is not its own parent. Who it is (kind, names, identifiers,
    /// PES type, parent) is the ROPS's to change; and never to a kind the
    /// organisation's accounts cannot act for: they would fall out of every scope.
    fn check_change(conn: &mut PgConnection, caller: &Caller, before: &Record<BeneficiaryData>, after: &BeneficiaryData) -> Result<(), ServiceError> {
        if after.parent_id == Some(before.id) {
            return Err(ServiceError::field("parent_id", "self_reference", "an organisation cannot be its own parent"));
        }
        // A local government is the gmina, powiat or voivodeship its TERYT code
        // names: its code is who it is (and which gmina counted indicators count).
        let territory = |d: &BeneficiaryData| if d.kind == OrganisationKind::Jst { d.teryt.clone() } else { None };
        let identity = |d: &BeneficiaryData| {
            (d.kind, d.name.clone(), d.aliases.clone(), d.nip.clone(), d.regon.clone(), d.krs.clone(), d.pes_type, d.parent_id, territory(d))
        };
        if identity(&before.data) != identity(after) {
            authorize_identity_change(caller, &Scope::Organisation { id: Some(before.id), voivodeship: before.data.voivodeship.clone() })?;
        }
        if before.data.kind == after.kind {
            return Ok(());
        }
        let mut checks = Checks::new();
        for role in users::roles_of_organisation(conn, before.id)? {
            checks.ensure(
                role_suits(role, after.kind),
                "kind",
                "role_kind_mismatch",
                format!("the organisation has {role} accounts, which cannot act for an organisation of kind {}", after.kind),
            );
        }
        Ok(checks.into_result()?)
    }

    const ON_MAP: bool = true;

    /// An organisation lies at its coordinates, else at the centroid of its TERYT unit or voivodeship.
    fn locate(conn: &mut PgConnection, records: &[Record<BeneficiaryData>]) -> Result<Vec<Option<Place>>, ServiceError> {
        let places: Vec<_> =
            records.iter().map(|r| (r.data.latitude.zip(r.data.longitude), r.data.teryt.iter().chain(r.data.voivodeship.iter()).cloned().collect())).collect();
        Ok(crate::db::places::locate(conn, &places)?)
    }

    /// A proposal naming the organisation (a membership, an agreement it has
    /// not accepted) blocks nothing: it goes first, audited.
    fn before_delete(conn: &mut PgConnection, caller: &Caller, record: &Record<BeneficiaryData>) -> Result<(), ServiceError> {
        crate::service::proposals::withdraw_naming(conn, caller, record.id)
    }

    fn related(id: i64, data: &BeneficiaryData) -> Vec<(&'static str, String)> {
        let mut links = vec![("roles", format!("partners?beneficiary_id={id}")), ("projects", format!("projects?beneficiary_id={id}"))];
        if let Some(parent) = data.parent_id {
            links.push(("parent", format!("beneficiaries/{parent}")));
        }
        links
    }
}
