use crate::db::committee_meetings::{CommitteeMeetingData, CommitteeMeetings};
use crate::db::Record;
use crate::domain::access::{Caller, Scope};
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::committees::committee_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for CommitteeMeetings {
    const COLLECTION: Collection = Collection::CommitteeMeetings;

    fn check(_: &mut PgConnection, mut data: CommitteeMeetingData) -> Result<CommitteeMeetingData, ServiceError> {
        let mut checks = Checks::new();
        for field in [&mut data.place, &mut data.agenda, &mut data.minutes_url, &mut data.notes] {
            blank_to_none(field);
        }
        checks.plausible_date("held_on", Some(data.held_on));
        checks.web_address("minutes_url", data.minutes_url.as_deref());
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &CommitteeMeetingData) -> Result<Scope, ServiceError> {
        committee_scope(conn, "committee_id", data.committee_id)
    }

    fn permission_key(data: &CommitteeMeetingData) -> Option<i64> {
        Some(data.committee_id)
    }

    /// A meeting that adopted resolutions stays its committee's: they name both.
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<CommitteeMeetingData>, after: &CommitteeMeetingData) -> Result<(), ServiceError> {
        if before.data.committee_id != after.committee_id && crate::db::resolutions::of_meeting(conn, before.id)? {
            return Err(ServiceError::Conflict { code: "has_resolutions", detail: "the meeting adopted resolutions of its committee; move them first".into() });
        }
        Ok(())
    }

    fn related(id: i64, data: &CommitteeMeetingData) -> Vec<(&'static str, String)> {
        vec![("committee", format!("committees/{}", data.committee_id)), ("resolutions", format!("resolutions?meeting_id={id}"))]
    }
}
