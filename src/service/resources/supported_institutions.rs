use crate::db::supported_institutions::{SupportedInstitutionData, SupportedInstitutions};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::coordination::project_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for SupportedInstitutions {
    const COLLECTION: Collection = Collection::SupportedInstitutions;

    fn check(_: &mut PgConnection, mut data: SupportedInstitutionData) -> Result<SupportedInstitutionData, ServiceError> {
        let mut checks = Checks::new();
        for field in [&mut data.external_id, &mut data.notes] {
            blank_to_none(field);
        }
        checks.period(data.started_on, data.ended_on, "started_on", "ended_on");
        checks.ensure(data.staff_supported.is_none_or(|n| n >= 0), "staff_supported", "negative", "a number of persons, not negative");
        checks.into_result()?;
        Ok(data)
    }

    /// A supported institution is one of the project's records.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &SupportedInstitutionData) -> Result<Scope, ServiceError> {
        project_scope(conn, "project_id", data.project_id)
    }

    fn permission_key(data: &SupportedInstitutionData) -> Option<i64> {
        Some(data.project_id)
    }

    fn related(_: i64, data: &SupportedInstitutionData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id)), ("organisation", format!("beneficiaries/{}", data.organisation_id))]
    }
}
