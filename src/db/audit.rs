//! The audit trail: who did what to which record, with the values before and after.

use super::schema::audit_events;
use super::store::PageRequest;
use super::DbError;
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct NewAuditEvent {
    pub user_id: Option<i64>,
    pub user_email: Option<String>,
    pub action: String,
    pub resource: String,
    pub record_id: Option<i64>,
    pub voivodeship: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(Pg))]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub user_email: Option<String>,
    #[schema(value_type = crate::domain::access::Action)]
    pub action: String,
    /// The collection: `projects`, `participants`, `users`, …
    pub resource: String,
    pub record_id: Option<i64>,
    pub voivodeship: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    pub resource: Option<String>,
    pub record_id: Option<i64>,
    pub user_id: Option<i64>,
    pub action: Option<String>,
    /// Events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// Events from this many on are copied in (binary COPY) rather than inserted.
const COPIED_FROM: usize = 64;

pub fn record(conn: &mut PgConnection, events: &[NewAuditEvent]) -> Result<(), DbError> {
    match events.len() {
        0 => {}
        n if n < COPIED_FROM => {
            diesel::insert_into(audit_events::table).values(events).execute(conn)?;
        }
        _ => {
            diesel::copy_from(audit_events::table).from_insertable(events).execute(conn)?;
        }
    }
    Ok(())
}

/// Removes `fields` from the values every event of one record holds: what an
/// erasure takes from the record, it takes from the trail too.
pub fn forget_values(conn: &mut PgConnection, resource: &str, record_id: i64, fields: &[&str]) -> Result<(), DbError> {
    use diesel::sql_types::{Array, BigInt, Text};
    diesel::sql_query("UPDATE audit_events SET before = before - $3::text[], after = after - $3::text[] WHERE resource = $1 AND record_id = $2")
        .bind::<Text, _>(resource)
        .bind::<BigInt, _>(record_id)
        .bind::<Array<Text>, _>(fields)
        .execute(conn)?;
    Ok(())
}

/// The accounts that made record `record_id` of `resource` and that last
/// changed it, as the audit trail names them (the system names no account):
/// every write is audited in its own transaction, whatever its path.
pub fn makers(conn: &mut PgConnection, resource: &str, record_id: i64) -> Result<Vec<i64>, DbError> {
    let writes = || {
        audit_events::table
            .filter(audit_events::resource.eq(resource))
            .filter(audit_events::record_id.eq(record_id))
            .filter(audit_events::action.eq_any(["create", "update"]))
            .select(audit_events::user_id)
    };
    let made = writes().filter(audit_events::action.eq("create")).load::<Option<i64>>(conn)?;
    let last = writes().order(audit_events::id.desc()).first::<Option<i64>>(conn).optional()?;
    Ok(made.into_iter().chain(last).flatten().collect())
}

fn filtered<'a>(f: &'a AuditFilter, voivodeship: Option<&'a str>) -> audit_events::BoxedQuery<'a, Pg> {
    let mut q = audit_events::table.into_boxed();
    if let Some(r) = &f.resource {
        q = q.filter(audit_events::resource.eq(r));
    }
    if let Some(id) = f.record_id {
        q = q.filter(audit_events::record_id.eq(id));
    }
    if let Some(id) = f.user_id {
        q = q.filter(audit_events::user_id.eq(id));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_events::action.eq(a));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(v) = voivodeship {
        q = q.filter(audit_events::voivodeship.eq(v));
    }
    q
}

/// Events matching `filter`, newest first, limited to `voivodeship` when given.
pub fn list(conn: &mut PgConnection, filter: &AuditFilter, voivodeship: Option<&str>, page: PageRequest) -> Result<(Vec<AuditEvent>, i64), DbError> {
    let total = filtered(filter, voivodeship).count().get_result(conn)?;
    let events =
        filtered(filter, voivodeship).select(AuditEvent::as_select()).order(audit_events::id.desc()).limit(page.limit).offset(page.offset).load(conn)?;
    Ok((events, total))
}
