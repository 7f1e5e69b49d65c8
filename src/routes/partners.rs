use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::policy::authorize_role_row;
use crate::auth::{Caller, Scope};
use crate::db::partners::{PartnerData, PartnerFilter, Partners};
use crate::db::scopes;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for Partners {
    const COLLECTION: &'static str = "partners";
    const NOUN: &'static str = "partner";

    fn check(_: &mut PgConnection, mut data: PartnerData, _: Option<i64>) -> Result<PartnerData, ApiError> {
        let mut checks = Checks::new();
        blank_to_none(&mut data.notes);
        checks.plausible_date("valid_from", data.valid_from);
        checks.plausible_date("valid_to", data.valid_to);
        checks.ordered(data.valid_from, data.valid_to, "valid_to", "valid_from");
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &PartnerData) -> Result<Scope, ApiError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    fn authorize_content(caller: &Caller, data: &PartnerData) -> Result<(), ApiError> {
        authorize_role_row(caller, data.role, data.beneficiary_id)
    }

    fn related(_: i64, data: &PartnerData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id)), ("beneficiary", format!("beneficiaries/{}", data.beneficiary_id))]
    }
}

crate::resource_routes!(Partners, PartnerData, PartnerFilter, "partners", "/api/v1/partners", "/api/v1/partners/{id}");
