use crate::db::network_members::{NetworkMemberData, NetworkMemberFilter, NetworkMembers};
use crate::db::Record;
use crate::domain::access::{Caller, Scope};
use crate::domain::codes::ProposalStatus;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::proposals::{self, Naming};
use crate::service::resource::Resource;
use crate::service::resources::coordination::scope_of_network;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for NetworkMembers {
    const COLLECTION: Collection = Collection::NetworkMembers;

    fn check(_: &mut PgConnection, mut data: NetworkMemberData) -> Result<NetworkMemberData, ServiceError> {
        let mut checks = Checks::new();
        blank_to_none(&mut data.notes);
        checks.period(data.joined_on, data.left_on, "joined_on", "left_on");
        checks.into_result()?;
        Ok(data)
    }

    /// A membership is the network's: whoever keeps the network keeps its members.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &NetworkMemberData) -> Result<Scope, ServiceError> {
        scope_of_network(conn, "network_id", data.network_id)
    }

    fn permission_key(data: &NetworkMemberData) -> Option<i64> {
        Some(data.network_id)
    }

    /// The member organisation has its say in being named (`service::proposals`).
    fn named(data: &NetworkMemberData) -> Vec<i64> {
        vec![data.organisation_id]
    }

    fn settle(
        conn: &mut PgConnection,
        caller: &Caller,
        before: Option<&NetworkMemberData>,
        data: NetworkMemberData,
    ) -> Result<NetworkMemberData, ServiceError> {
        proposals::settle::<Self>(conn, caller, before, data)
    }

    /// The member's word stays as it is; naming another organisation asks it anew (`settle`).
    fn carry_over(before: &NetworkMemberData, after: NetworkMemberData) -> NetworkMemberData {
        NetworkMemberData { status: before.status, decided_at: before.decided_at, decided_by: before.decided_by, ..after }
    }

    /// A proposed or declined membership is the network's keepers' and the
    /// member's; who decided is theirs too.
    fn for_outsiders(record: Record<NetworkMemberData>) -> Option<Record<NetworkMemberData>> {
        if record.data.status != ProposalStatus::Accepted {
            return None;
        }
        Some(record)
    }

    fn published_only(filter: &mut NetworkMemberFilter) {
        filter.accepted_only = true;
    }

    /// A list narrowed to one network covers that network.
    fn list_scope(conn: &mut PgConnection, filter: &NetworkMemberFilter) -> Result<Scope, ServiceError> {
        match filter.network_id {
            Some(network) => scope_of_network(conn, "network_id", network),
            None => Ok(Scope::Everything),
        }
    }

    fn related(_: i64, data: &NetworkMemberData) -> Vec<(&'static str, String)> {
        vec![("network", format!("networks/{}", data.network_id)), ("organisation", format!("beneficiaries/{}", data.organisation_id))]
    }
}

impl Naming for NetworkMembers {
    fn answer(data: &NetworkMemberData, organisation: i64) -> Option<ProposalStatus> {
        (data.organisation_id == organisation).then_some(data.status)
    }

    fn answered(data: NetworkMemberData, _: i64, status: ProposalStatus, by: Option<i64>) -> NetworkMemberData {
        NetworkMemberData { status, decided_at: by.map(|_| chrono::Utc::now()), decided_by: by, ..data }
    }

    fn status(data: &NetworkMemberData) -> ProposalStatus {
        data.status
    }
}
