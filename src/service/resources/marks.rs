use crate::db::marks::{MarkData, Marks};
use crate::db::Record;
use crate::domain::access::{Caller, Scope};
use crate::domain::collection::Collection;
use crate::domain::identifiers::MarkCode;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::holder_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Marks {
    const COLLECTION: Collection = Collection::Marks;

    fn check(_: &mut PgConnection, mut data: MarkData) -> Result<MarkData, ServiceError> {
        let mut checks = Checks::new();
        if let Some(code) = checks.check("code", MarkCode::parse(&data.code)) {
            data.code = code.to_string();
        }
        data.name = data.name.trim().to_owned();
        checks.not_blank("name", &data.name);
        checks.texts("covers", &mut data.covers);
        data.covers.dedup();
        for field in [&mut data.edition, &mut data.revocation_reason, &mut data.notes] {
            blank_to_none(field);
        }
        checks.plausible_date("granted_on", Some(data.granted_on));
        checks.plausible_date("valid_until", data.valid_until);
        checks.ordered(Some(data.granted_on), data.valid_until, "valid_until", "granted_on");
        checks.revocation(data.revoked_on, data.revocation_reason.as_deref(), data.granted_on, "granted_on");
        checks.into_result()?;
        Ok(data)
    }

    /// A code is printed on labels: once granted it names this mark for good
    /// (revoke the mark rather than give its code to another).
    fn check_change(_: &mut PgConnection, _: &Caller, before: &Record<MarkData>, after: &MarkData) -> Result<(), ServiceError> {
        if before.data.code != after.code {
            return Err(ServiceError::field("code", "immutable", "a mark's code is printed on its labels and never changes"));
        }
        Ok(())
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &MarkData) -> Result<Scope, ServiceError> {
        holder_scope(conn, "holder_id", data.holder_id)
    }

    fn permission_key(data: &MarkData) -> Option<i64> {
        Some(data.holder_id)
    }

    fn related(_: i64, data: &MarkData) -> Vec<(&'static str, String)> {
        vec![("holder", format!("beneficiaries/{}", data.holder_id)), ("verify", format!("marks/{}/verify", data.code))]
    }
}
