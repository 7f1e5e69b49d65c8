use crate::db::network_members::{NetworkMemberData, NetworkMembers};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
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

    fn related(_: i64, data: &NetworkMemberData) -> Vec<(&'static str, String)> {
        vec![("network", format!("networks/{}", data.network_id)), ("organisation", format!("beneficiaries/{}", data.organisation_id))]
    }
}
