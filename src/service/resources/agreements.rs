use crate::db::agreements::{self, AgreementData, AgreementFilter, Agreements};
use crate::db::{beneficiaries, Record};
use crate::domain::access::{Caller, Scope};
use crate::domain::codes::ProposalStatus;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::proposals::{self, Naming};
use crate::service::resource::Resource;
use crate::service::resources::coordination::{project_scope, scope_of_network};
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// The most parties one agreement names.
const MAX_PARTIES: usize = 50;

impl Resource for Agreements {
    const COLLECTION: Collection = Collection::Agreements;

    fn check(conn: &mut PgConnection, mut data: AgreementData) -> Result<AgreementData, ServiceError> {
        let mut checks = Checks::new();
        data.title = data.title.trim().to_owned();
        checks.not_blank("title", &data.title);
        for field in [&mut data.subject, &mut data.document_url, &mut data.external_id, &mut data.notes] {
            blank_to_none(field);
        }
        data.party_ids.sort_unstable();
        data.party_ids.dedup();
        checks.ensure(data.party_ids.len() >= 2, "party_ids", "two_parties", "an agreement has two parties at least (distinct organisations)");
        checks.ensure(data.party_ids.len() <= MAX_PARTIES, "party_ids", "too_many", format!("at most {MAX_PARTIES} parties"));
        checks.ensure(
            data.network_id.is_some() != data.project_id.is_some(),
            "network_id",
            "one_owner",
            "an agreement belongs to a network (network_id) or to a project (project_id), one of them",
        );
        checks.period(Some(data.signed_on), data.valid_until, "signed_on", "valid_until");
        checks.web_address("document_url", data.document_url.as_deref());
        checks.into_result()?;
        let missing = beneficiaries::missing(conn, &data.party_ids)?;
        if let Some(id) = missing.first() {
            return Err(ServiceError::field("party_ids", "not_found", format!("there is no organisation with id {id}")));
        }
        // Nobody is named a party from outside: a network's agreements are between
        // its coordinator and members, a project's between its organisations and
        // the institutions it supported.
        let outsiders = agreements::outsiders(conn, &data.party_ids, data.network_id, data.project_id)?;
        if let Some(id) = outsiders.first() {
            return Err(ServiceError::field(
                "party_ids",
                "outside_party",
                format!("organisation {id} is neither the network's coordinator or member nor the project's organisation or supported institution"),
            ));
        }
        Ok(data)
    }

    /// An agreement is its network's or its project's.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &AgreementData) -> Result<Scope, ServiceError> {
        match (data.network_id, data.project_id) {
            (Some(network), _) => scope_of_network(conn, "network_id", network),
            (None, Some(project)) => project_scope(conn, "project_id", project),
            (None, None) => Err(ServiceError::field("network_id", "one_owner", "an agreement belongs to a network or to a project")),
        }
    }

    /// Each party has its say in being named (`service::proposals`).
    fn named(data: &AgreementData) -> Vec<i64> {
        data.party_ids.clone()
    }

    fn settle(conn: &mut PgConnection, caller: &Caller, before: Option<&AgreementData>, data: AgreementData) -> Result<AgreementData, ServiceError> {
        proposals::settle::<Self>(conn, caller, before, data)
    }

    /// The parties' word stays as it is for those still named; a party named
    /// anew is asked anew (`settle`).
    fn carry_over(before: &AgreementData, after: AgreementData) -> AgreementData {
        let kept = |ids: &[i64]| ids.iter().copied().filter(|id| after.party_ids.contains(id)).collect::<Vec<_>>();
        let data = AgreementData {
            accepted_party_ids: kept(&before.accepted_party_ids),
            declined_party_ids: kept(&before.declined_party_ids),
            status: before.status,
            ..after
        };
        AgreementData { status: status_of(&data), ..data }
    }

    /// An agreement not accepted by every party is the keepers' and the parties'.
    fn for_outsiders(record: Record<AgreementData>) -> Option<Record<AgreementData>> {
        (record.data.status == ProposalStatus::Accepted).then_some(record)
    }

    fn published_only(filter: &mut AgreementFilter) {
        filter.accepted_only = true;
    }

    /// A list narrowed to one network or project covers it.
    fn list_scope(conn: &mut PgConnection, filter: &AgreementFilter) -> Result<Scope, ServiceError> {
        match (filter.network_id, filter.project_id) {
            (Some(network), _) => scope_of_network(conn, "network_id", network),
            (None, Some(project)) => project_scope(conn, "project_id", project),
            (None, None) => Ok(Scope::Everything),
        }
    }

    fn related(_: i64, data: &AgreementData) -> Vec<(&'static str, String)> {
        let mut links: Vec<(&'static str, String)> = data.party_ids.iter().map(|id| ("party", format!("beneficiaries/{id}"))).collect();
        links.extend(data.network_id.map(|id| ("network", format!("networks/{id}"))));
        links.extend(data.project_id.map(|id| ("project", format!("projects/{id}"))));
        links
    }
}

/// An agreement is declined once one party declined, accepted once every party accepted.
fn status_of(data: &AgreementData) -> ProposalStatus {
    if !data.declined_party_ids.is_empty() {
        ProposalStatus::Declined
    } else if data.party_ids.iter().all(|id| data.accepted_party_ids.contains(id)) {
        ProposalStatus::Accepted
    } else {
        ProposalStatus::Proposed
    }
}

impl Naming for Agreements {
    fn answer(data: &AgreementData, organisation: i64) -> Option<ProposalStatus> {
        if !data.party_ids.contains(&organisation) {
            None
        } else if data.accepted_party_ids.contains(&organisation) {
            Some(ProposalStatus::Accepted)
        } else if data.declined_party_ids.contains(&organisation) {
            Some(ProposalStatus::Declined)
        } else {
            Some(ProposalStatus::Proposed)
        }
    }

    fn answered(mut data: AgreementData, organisation: i64, status: ProposalStatus, _: Option<i64>) -> AgreementData {
        data.accepted_party_ids.retain(|id| *id != organisation);
        data.declined_party_ids.retain(|id| *id != organisation);
        match status {
            ProposalStatus::Accepted => data.accepted_party_ids.push(organisation),
            ProposalStatus::Declined => data.declined_party_ids.push(organisation),
            ProposalStatus::Proposed => {}
        }
        data.accepted_party_ids.sort_unstable();
        data.declined_party_ids.sort_unstable();
        AgreementData { status: status_of(&data), ..data }
    }

    fn status(data: &AgreementData) -> ProposalStatus {
        data.status
    }
}
