use crate::db::partners::{PartnerData, Partners};
use crate::db::scopes;
use crate::domain::access::{authorize_role_row, Caller, Refusal, Scope};
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Partners {
    const COLLECTION: Collection = Collection::Partners;

    fn check(_: &mut PgConnection, mut data: PartnerData) -> Result<PartnerData, ServiceError> {
        let mut checks = Checks::new();
        blank_to_none(&mut data.notes);
        checks.plausible_date("valid_from", data.valid_from);
        checks.plausible_date("valid_to", data.valid_to);
        checks.ordered(data.valid_from, data.valid_to, "valid_to", "valid_from");
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &PartnerData) -> Result<Scope, ServiceError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    fn permission_key(data: &PartnerData) -> Option<i64> {
        Some(data.project_id)
    }

    /// Who runs a project (its beneficiary and leader rows) is the ROPS's to
    /// set, asked of the row as stored and as written.
    fn authorize_content(caller: &Caller, data: &PartnerData) -> Result<(), Refusal> {
        authorize_role_row(caller, data.role)
    }

    fn related(_: i64, data: &PartnerData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id)), ("beneficiary", format!("beneficiaries/{}", data.beneficiary_id))]
    }
}
