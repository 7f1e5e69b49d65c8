use crate::db::needs::{NeedData, Needs};
use crate::db::Record;
use crate::domain::access::Scope;
use crate::domain::codes::OrganisationKind;
use crate::domain::collection::Collection;
use crate::domain::identifiers::CpvCode;
use crate::domain::places::Place;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::{check_areas, holder_scope, locate_at_organisations, require_kind};
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Needs {
    const COLLECTION: Collection = Collection::Needs;

    fn check(conn: &mut PgConnection, mut data: NeedData) -> Result<NeedData, ServiceError> {
        let mut checks = Checks::new();
        data.title = data.title.trim().to_owned();
        checks.not_blank("title", &data.title);
        data.category = data.category.trim().to_owned();
        checks.not_blank("category", &data.category);
        for field in [&mut data.description, &mut data.cpv_code, &mut data.external_id] {
            blank_to_none(field);
        }
        checks.normalise("cpv_code", &mut data.cpv_code, CpvCode::parse);
        check_areas(&mut checks, &mut data.areas);
        checks.plausible_date("deadline", data.deadline);
        checks.into_result()?;
        require_kind(conn, "organisation_id", data.organisation_id, &[OrganisationKind::Jst], "needs are local governments' (jst)")?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &NeedData) -> Result<Scope, ServiceError> {
        holder_scope(conn, "organisation_id", data.organisation_id)
    }

    fn permission_key(data: &NeedData) -> Option<i64> {
        Some(data.organisation_id)
    }

    fn related(id: i64, data: &NeedData) -> Vec<(&'static str, String)> {
        vec![("organisation", format!("beneficiaries/{}", data.organisation_id)), ("offers", format!("needs/{id}/offers"))]
    }

    const ON_MAP: bool = true;

    fn locate(conn: &mut PgConnection, records: &[Record<NeedData>]) -> Result<Vec<Option<Place>>, ServiceError> {
        locate_at_organisations(conn, records, |d| d.organisation_id, |d| &d.areas)
    }
}
