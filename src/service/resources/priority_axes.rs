use crate::db::priority_axes::{PriorityAxes, PriorityAxisData};
use crate::db::scopes;
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::measure_code::AxisNumber;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for PriorityAxes {
    const COLLECTION: Collection = Collection::PriorityAxes;

    fn check(_: &mut PgConnection, mut data: PriorityAxisData) -> Result<PriorityAxisData, ServiceError> {
        let mut checks = Checks::new();
        if let Some(number) = checks.check("number", AxisNumber::parse(&data.number)) {
            data.number = number.written;
            data.sort_key = number.sort_key;
        }
        blank_to_none(&mut data.name);
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &PriorityAxisData) -> Result<Scope, ServiceError> {
        Ok(scopes::programme(conn, data.programme_id)?)
    }

    /// An axis with values frozen in a locked period stays in its programme.
    fn check_change(
        conn: &mut PgConnection,
        _: &crate::domain::access::Caller,
        before: &crate::db::Record<PriorityAxisData>,
        after: &PriorityAxisData,
    ) -> Result<(), ServiceError> {
        if after.programme_id != before.data.programme_id {
            crate::service::resources::measurements::ensure_values_stay(conn, crate::db::reporting_periods::AboveValues::PriorityAxis(before.id))?;
        }
        Ok(())
    }

    fn permission_key(data: &PriorityAxisData) -> Option<i64> {
        Some(data.programme_id)
    }

    fn related(id: i64, data: &PriorityAxisData) -> Vec<(&'static str, String)> {
        vec![("programme", format!("programmes/{}", data.programme_id)), ("measures", format!("measures?priority_axis_id={id}"))]
    }
}
