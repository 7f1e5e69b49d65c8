use crate::db::committee_meetings;
use crate::db::resolutions::{ResolutionData, Resolutions};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::places::Voivodeship;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::committees::committee_in;
use crate::service::resources::register::regional_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Resolutions {
    const COLLECTION: Collection = Collection::Resolutions;

    fn check(conn: &mut PgConnection, mut data: ResolutionData) -> Result<ResolutionData, ServiceError> {
        let mut checks = Checks::new();
        if let Some(voivodeship) = checks.check("voivodeship", Voivodeship::parse(data.voivodeship.trim())) {
            data.voivodeship = voivodeship.to_string();
        }
        for (field, text) in [("issued_by", &mut data.issued_by), ("number", &mut data.number), ("subject", &mut data.subject)] {
            *text = text.trim().to_owned();
            checks.not_blank(field, text);
        }
        for field in [&mut data.url, &mut data.notes] {
            blank_to_none(field);
        }
        checks.plausible_date("adopted_on", Some(data.adopted_on));
        checks.web_address("url", data.url.as_deref());
        checks.ensure(
            data.meeting_id.is_none() || data.committee_id.is_some(),
            "committee_id",
            "meeting_without_committee",
            "a meeting's resolution names its committee",
        );
        checks.into_result()?;
        // What a resolution names is of its own voivodeship: a ROPS files nothing
        // under another region's committee.
        if let Some(committee) = data.committee_id {
            committee_in(conn, "committee_id", committee, &data.voivodeship)?;
        }
        if let Some(meeting) = data.meeting_id {
            match committee_meetings::committee(conn, meeting)? {
                None => return Err(ServiceError::field("meeting_id", "not_found", "there is no committee meeting with this id")),
                Some(c) if Some(c) != data.committee_id => {
                    return Err(ServiceError::field("meeting_id", "other_committee", "the meeting is of another committee"))
                }
                Some(_) => {}
            }
        }
        Ok(data)
    }

    fn scope(_: &mut PgConnection, _: Option<i64>, data: &ResolutionData) -> Result<Scope, ServiceError> {
        Ok(regional_scope(Some(data.voivodeship.clone())))
    }

    fn related(_: i64, data: &ResolutionData) -> Vec<(&'static str, String)> {
        let mut links = Vec::new();
        links.extend(data.committee_id.map(|id| ("committee", format!("committees/{id}"))));
        links.extend(data.meeting_id.map(|id| ("meeting", format!("committee-meetings/{id}"))));
        links
    }
}
