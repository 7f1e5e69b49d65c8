use crate::db::organisation_statuses::{OrganisationStatusData, OrganisationStatuses};
use crate::domain::access::Scope;
use crate::domain::codes::OrganisationStatus;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::holder_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for OrganisationStatuses {
    const COLLECTION: Collection = Collection::OrganisationStatuses;

    fn check(_: &mut PgConnection, mut data: OrganisationStatusData) -> Result<OrganisationStatusData, ServiceError> {
        let mut checks = Checks::new();
        for field in [&mut data.decision_number, &mut data.granting_authority, &mut data.accreditation_scope, &mut data.revocation_reason, &mut data.notes] {
            blank_to_none(field);
        }
        checks.plausible_date("decided_on", data.decided_on);
        checks.plausible_date("valid_from", Some(data.valid_from));
        checks.plausible_date("valid_to", data.valid_to);
        checks.ordered(Some(data.valid_from), data.valid_to, "valid_to", "valid_from");
        checks.revocation(data.revoked_on, data.revocation_reason.as_deref(), data.valid_from, "valid_from");
        checks.ensure(
            data.accreditation_scope.is_none() || data.status == OrganisationStatus::OwesAccreditation,
            "accreditation_scope",
            "scope_for_accreditation",
            "accreditation_scope applies only to an OWES accreditation",
        );
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &OrganisationStatusData) -> Result<Scope, ServiceError> {
        holder_scope(conn, "organisation_id", data.organisation_id)
    }

    fn permission_key(data: &OrganisationStatusData) -> Option<i64> {
        Some(data.organisation_id)
    }

    /// Whether a status is self-decided is the server's (`service::workflow`).
    fn carry_over(before: &OrganisationStatusData, after: OrganisationStatusData) -> OrganisationStatusData {
        OrganisationStatusData { self_decided: before.self_decided, ..after }
    }

    fn related(_: i64, data: &OrganisationStatusData) -> Vec<(&'static str, String)> {
        vec![("organisation", format!("beneficiaries/{}", data.organisation_id))]
    }
}
