use crate::db::supported_institutions::{SupportedInstitutionData, SupportedInstitutions};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::coordination::project_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// More staff than any Polish institution employs is a typo, not a count.
const MAX_STAFF: i32 = 100_000;

impl Resource for SupportedInstitutions {
    const COLLECTION: Collection = Collection::SupportedInstitutions;

    fn check(_: &mut PgConnection, mut data: SupportedInstitutionData) -> Result<SupportedInstitutionData, ServiceError> {
        let mut checks = Checks::new();
        for field in [&mut data.external_id, &mut data.notes] {
            blank_to_none(field);
        }
        checks.period(data.started_on, data.ended_on, "started_on", "ended_on");
        checks.ensure(
            data.staff_supported.is_none_or(|n| (0..=MAX_STAFF).contains(&n)),
            "staff_supported",
            "implausible_count",
            format!("a number of persons from 0 to {MAX_STAFF}"),
        );
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
