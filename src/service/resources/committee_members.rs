use crate::db::committee_members::{CommitteeMemberData, CommitteeMembers};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::committees::committee_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for CommitteeMembers {
    const COLLECTION: Collection = Collection::CommitteeMembers;

    fn check(_: &mut PgConnection, mut data: CommitteeMemberData) -> Result<CommitteeMemberData, ServiceError> {
        let mut checks = Checks::new();
        blank_to_none(&mut data.notes);
        checks.period(data.term_from, data.term_to, "term_from", "term_to");
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &CommitteeMemberData) -> Result<Scope, ServiceError> {
        committee_scope(conn, "committee_id", data.committee_id)
    }

    fn permission_key(data: &CommitteeMemberData) -> Option<i64> {
        Some(data.committee_id)
    }

    fn related(_: i64, data: &CommitteeMemberData) -> Vec<(&'static str, String)> {
        vec![("committee", format!("committees/{}", data.committee_id)), ("organisation", format!("beneficiaries/{}", data.organisation_id))]
    }
}
