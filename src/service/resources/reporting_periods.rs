//! A programme's reporting calendar. A period is its programme's: written by
//! the ROPS of a regional programme, by an admin for a national one. Locking
//! freezes the period's values (the rule is the measurements resource's, which
//! asks which period a value falls in); here are the rules of the period itself.

use crate::db::reporting_periods::{self, ReportingPeriodData, ReportingPeriods};
use crate::db::{scopes, Record};
use crate::domain::access::{Caller, Scope};
use crate::domain::codes::ReportingPeriodState;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// A programme's periods do not share a day, so each value falls in one.
fn ensure_no_overlap(conn: &mut PgConnection, id: Option<i64>, data: &ReportingPeriodData) -> Result<(), ServiceError> {
    match reporting_periods::overlapping(conn, id, data.programme_id, data.period_from, data.period_to)? {
        Some(other) => Err(ServiceError::Conflict {
            code: "overlapping_period",
            detail: format!("the period shares days with the programme's period {other:?}: a value must fall in one period"),
        }),
        None => Ok(()),
    }
}

/// Locking waits for the decisions on the values handed in.
fn ensure_decided(conn: &mut PgConnection, id: i64) -> Result<(), ServiceError> {
    match reporting_periods::awaiting_decision(conn, id)? {
        0 => Ok(()),
        waiting => Err(ServiceError::Conflict {
            code: "values_awaiting_decision",
            detail: format!("{waiting} value(s) of the period are submitted and await approval or return: decide them before locking"),
        }),
    }
}

fn frozen(name: &str, what: &str) -> ServiceError {
    ServiceError::Conflict { code: "period_locked", detail: format!("the reporting period {name:?} is locked: {what}; unlock it first") }
}

impl Resource for ReportingPeriods {
    const COLLECTION: Collection = Collection::ReportingPeriods;

    fn check(_: &mut PgConnection, mut data: ReportingPeriodData) -> Result<ReportingPeriodData, ServiceError> {
        let mut checks = Checks::new();
        data.name = data.name.trim().to_owned();
        checks.not_blank("name", &data.name);
        blank_to_none(&mut data.notes);
        checks.ensure(data.period_to >= data.period_from, "period_to", "period_before_start", "period_to is on or after period_from");
        checks.ensure(data.due_on >= data.period_to, "due_on", "due_before_end", "values are due on or after the period's last day");
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &ReportingPeriodData) -> Result<Scope, ServiceError> {
        Ok(scopes::programme(conn, data.programme_id)?)
    }

    fn permission_key(data: &ReportingPeriodData) -> Option<i64> {
        Some(data.programme_id)
    }

    /// Whether a lock is self-decided is the server's (`service::workflow`).
    fn carry_over(before: &ReportingPeriodData, after: ReportingPeriodData) -> ReportingPeriodData {
        ReportingPeriodData { self_decided: before.self_decided, ..after }
    }

    /// A locked period keeps its days (moving them would freeze or free values
    /// silently): it can be unlocked, and its notes changed. Locking waits for
    /// the decisions on the values handed in.
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<ReportingPeriodData>, after: &ReportingPeriodData) -> Result<(), ServiceError> {
        let locked = ReportingPeriodState::Locked;
        if before.data.state == locked && after.state == locked {
            let kept = ReportingPeriodData { notes: before.data.notes.clone(), ..after.clone() };
            if kept != before.data {
                return Err(frozen(&before.data.name, "only its notes can change"));
            }
        }
        if after.state == locked && before.data.state != locked {
            ensure_decided(conn, before.id)?;
        }
        ensure_no_overlap(conn, Some(before.id), after)
    }

    /// A period made locked is locked as a locked one would be.
    fn after_create(conn: &mut PgConnection, _: &Caller, id: i64, data: &ReportingPeriodData) -> Result<(), ServiceError> {
        ensure_no_overlap(conn, Some(id), data)?;
        if data.state == ReportingPeriodState::Locked {
            ensure_decided(conn, id)?;
        }
        Ok(())
    }

    fn before_delete(_: &mut PgConnection, _: &Caller, record: &Record<ReportingPeriodData>) -> Result<(), ServiceError> {
        if record.data.state == ReportingPeriodState::Locked {
            return Err(frozen(&record.data.name, "it cannot be deleted"));
        }
        Ok(())
    }

    fn related(id: i64, data: &ReportingPeriodData) -> Vec<(&'static str, String)> {
        vec![("programme", format!("programmes/{}", data.programme_id)), ("projects", format!("reporting-periods/{id}/projects"))]
    }
}
