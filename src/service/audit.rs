//! The audit trail: who did what to which record, written through one function
//! ([`event`]) whatever the path (a single write, an import, a workflow step, an
//! erasure, the command line), and read by admins and the regional centres.

use super::resource::Resource;
use super::ServiceError;
use crate::db::audit::{self as store, AuditEvent, AuditFilter, NewAuditEvent};
use crate::db::store::PageRequest;
use crate::domain::access::{audit_trail_region, Action, Caller, Scope};
use diesel::pg::PgConnection;
use serde_json::Value;

/// The event of `caller` doing `action` to record `id` named `resource`, which
/// belongs to `scope` (the voivodeship the event is filed under).
pub fn of(caller: &Caller, action: Action, resource: &str, id: i64, scope: &Scope, before: Option<Value>, after: Option<Value>) -> NewAuditEvent {
    let (user_id, user_email) = caller.audit_name();
    NewAuditEvent {
        user_id,
        user_email,
        action: action.as_str().to_owned(),
        resource: resource.to_owned(),
        record_id: Some(id),
        voivodeship: scope.voivodeship().map(str::to_owned),
        before,
        after,
    }
}

/// The event of a write to (or audited read of) a record of `R`, with the
/// values as the resource lets the trail keep them (`Resource::audit_value`);
/// fields without a value are left out (absent is empty).
pub fn event<R: Resource>(
    caller: &Caller,
    action: Action,
    id: i64,
    scope: &Scope,
    before: Option<&R::Data>,
    after: Option<&R::Data>,
) -> Result<NewAuditEvent, ServiceError> {
    let value = |data: Option<&R::Data>| -> Result<Option<Value>, ServiceError> {
        let Some(data) = data else { return Ok(None) };
        let mut value = R::audit_value(data)?;
        if let Value::Object(fields) = &mut value {
            fields.retain(|_, v| !v.is_null());
        }
        Ok(Some(value))
    };
    Ok(of(caller, action, R::COLLECTION.path(), id, scope, value(before)?, value(after)?))
}

/// Writes events, in the caller's transaction.
pub fn record(conn: &mut PgConnection, events: &[NewAuditEvent]) -> Result<(), ServiceError> {
    Ok(store::record(conn, events)?)
}

/// Writes the event of one write, in the write's transaction.
pub fn write<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    action: Action,
    id: i64,
    scope: &Scope,
    before: Option<&R::Data>,
    after: Option<&R::Data>,
) -> Result<(), ServiceError> {
    record(conn, &[event::<R>(caller, action, id, scope, before, after)?])
}

/// Events matching `filter`, newest first: all of them for an admin, its
/// voivodeship's for a ROPS.
pub fn list(conn: &mut PgConnection, caller: &Caller, filter: &AuditFilter, page: PageRequest) -> Result<(Vec<AuditEvent>, i64), ServiceError> {
    let region = audit_trail_region(caller)?;
    Ok(store::list(conn, filter, region.as_deref(), page)?)
}
