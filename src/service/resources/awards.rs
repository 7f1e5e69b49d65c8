use crate::db::awards::{AwardData, Awards};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::places::Voivodeship;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::{holder_scope, regional_scope};
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Awards {
    const COLLECTION: Collection = Collection::Awards;

    fn check(conn: &mut PgConnection, mut data: AwardData) -> Result<AwardData, ServiceError> {
        let mut checks = Checks::new();
        if let Some(voivodeship) = checks.check("voivodeship", Voivodeship::parse(data.voivodeship.trim())) {
            data.voivodeship = voivodeship.to_string();
        }
        for (field, text) in [("competition", &mut data.competition), ("edition", &mut data.edition)] {
            *text = text.trim().to_owned();
            checks.not_blank(field, text);
        }
        for field in [&mut data.category, &mut data.laureate_person_name, &mut data.notes] {
            blank_to_none(field);
        }
        checks.ensure(
            data.laureate_id.is_some() != data.laureate_person_name.is_some(),
            "laureate_id",
            "one_laureate",
            "a laureate is an organisation (laureate_id) or a person (laureate_person_name), one of them",
        );
        // A person's name is published only with their consent, and nothing else of them is kept.
        checks.ensure(
            data.laureate_person_name.is_none() || data.person_consent_on.is_some(),
            "person_consent_on",
            "consent_required",
            "a person's name is published only with the day they consented to it",
        );
        checks.ensure(data.laureate_person_name.is_some() || data.person_consent_on.is_none(), "person_consent_on", "no_person", "consent without a person");
        checks.plausible_date("person_consent_on", data.person_consent_on);
        // Consent is given before a name is published, not promised for later.
        let today = crate::db::calendar::today(conn)?;
        checks.ensure(data.person_consent_on.is_none_or(|day| day <= today), "person_consent_on", "consent_in_future", "consent is recorded once given");
        checks.plausible_date("awarded_on", data.awarded_on);
        checks.into_result()?;
        if let Some(laureate) = data.laureate_id {
            holder_scope(conn, "laureate_id", laureate)?;
        }
        Ok(data)
    }

    /// An award is its region's: the ROPS of the competition's voivodeship keeps it.
    fn scope(_: &mut PgConnection, _: Option<i64>, data: &AwardData) -> Result<Scope, ServiceError> {
        Ok(regional_scope(Some(data.voivodeship.clone())))
    }

    fn related(_: i64, data: &AwardData) -> Vec<(&'static str, String)> {
        data.laureate_id.map(|id| ("laureate", format!("beneficiaries/{id}"))).into_iter().collect()
    }
}
