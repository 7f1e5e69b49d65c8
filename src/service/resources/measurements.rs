//! Reported indicator values and their approval: draft → submitted (by the
//! project's writers) → approved or returned with a reason (by the ROPS).

use crate::db::measurements::{indicator_project, indicator_terms, set_status, MeasurementData, MeasurementFilter, Measurements};
use crate::db::reporting_periods::{frozen_values_below, period_of_value, AboveValues};
use crate::db::{scopes, Record, Store};
use crate::domain::access::{authorize_oversight, Action, Caller, Scope};
use crate::domain::codes::{MeasurementStatus, MeasurementType, ReportingPeriodState};
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::records::{hold, not_found};
use crate::service::resource::Resource;
use crate::service::{audit, ServiceError};
use diesel::pg::PgConnection;
use diesel::Connection;
use rust_decimal::Decimal;

fn editable(status: MeasurementStatus) -> bool {
    matches!(status, MeasurementStatus::Draft | MeasurementStatus::Returned)
}

fn locked() -> ServiceError {
    ServiceError::Conflict {
        code: "measurement_locked",
        detail: "a submitted value waits for its decision: only draft or returned values are changed (an approved one by an admin's correction alone)".into(),
    }
}

/// The one rule of the reporting calendar: a value that falls in a locked
/// period of its programme is frozen. Asked of the value as written (new ones,
/// imports) and as stored (changes, deletions, every workflow step). The
/// period's row is held (`FOR SHARE`) until the write commits, so a period
/// cannot be locked in between.
fn ensure_period_open(conn: &mut PgConnection, data: &MeasurementData) -> Result<(), ServiceError> {
    match period_of_value(conn, data.indicator_id, data.period_end)? {
        Some(period) if period.state == ReportingPeriodState::Locked => Err(ServiceError::Conflict {
            code: "period_locked",
            detail: format!(
                "the reporting period {:?} ({} to {}) is locked: its values can no longer be added, changed, submitted or decided",
                period.name, period.period_from, period.period_to
            ),
        }),
        _ => Ok(()),
    }
}

/// The other side of the lock: a record above values (an indicator, a project,
/// a measure, a priority axis) does not move to another project, measure, axis
/// or programme while values below it are frozen in a locked period, or the
/// move would take them out of it (and back, edited). Asked by those
/// resources when the link changes.
pub fn ensure_values_stay(conn: &mut PgConnection, record: AboveValues) -> Result<(), ServiceError> {
    match frozen_values_below(conn, record)? {
        0 => Ok(()),
        n => Err(ServiceError::Conflict {
            code: "period_locked",
            detail: format!("{n} reported value(s) below lie in a locked reporting period: the record cannot move to another programme, measure or project until it is unlocked"),
        }),
    }
}

/// Whether a value, and so its evidence, may still be changed or deleted: not
/// while it waits for its decision, nor in a locked period (a decided value,
/// and its evidence, is frozen: `domain::workflow`), since the ROPS decides on
/// the value with its evidence.
pub fn ensure_changeable(conn: &mut PgConnection, record: &Record<MeasurementData>) -> Result<(), ServiceError> {
    Measurements::check_open(record)?;
    ensure_period_open(conn, &record.data)
}

impl Resource for Measurements {
    const COLLECTION: Collection = Collection::IndicatorMeasurements;

    fn check(conn: &mut PgConnection, mut data: MeasurementData) -> Result<MeasurementData, ServiceError> {
        // A new value is a draft; the workflow moves it on.
        data.status = MeasurementStatus::Draft;
        data.return_reason = None;
        data.submitted_at = None;
        data.decided_at = None;
        blank_to_none(&mut data.value_text);
        blank_to_none(&mut data.comment);
        let mut checks = Checks::new();
        checks.ensure(
            data.value.is_some() || data.value_text.is_some() || data.denominator.is_some(),
            "value",
            "value_missing",
            "a measurement needs a value, a value_text, or a ratio's numerator and denominator",
        );
        for (field, value) in [("value", data.value), ("value_women", data.value_women), ("value_men", data.value_men)] {
            checks.ensure(
                value.is_none_or(|v| v >= Decimal::ZERO && v.normalize().scale() <= 4),
                field,
                "invalid_value",
                "a value is non-negative with at most four decimals",
            );
        }
        if let (Some(w), Some(m), Some(total)) = (data.value_women, data.value_men, data.value) {
            checks.ensure(w + m == total, "value", "split_mismatch", "value_women and value_men must add up to value");
        }
        checks.into_result()?;
        let Some(terms) = indicator_terms(conn, data.indicator_id)? else {
            return Err(ServiceError::field("indicator_id", "unknown_reference", "indicator_id names an indicator that does not exist"));
        };
        let mut checks = Checks::new();
        let ratio = terms.measurement == Some(MeasurementType::Ratio);
        match (data.numerator, data.denominator) {
            (Some(numerator), Some(denominator)) if ratio => {
                checks.ensure(denominator > Decimal::ZERO, "denominator", "invalid_denominator", "a ratio's denominator is positive");
                checks.ensure(numerator >= Decimal::ZERO, "numerator", "invalid_value", "a ratio's numerator is non-negative");
                if denominator > Decimal::ZERO {
                    let percent = (Decimal::ONE_HUNDRED * numerator / denominator).round_dp(4);
                    checks.ensure(
                        data.value.is_none_or(|v| (v - percent).abs() < Decimal::new(5, 2)),
                        "value",
                        "ratio_mismatch",
                        format!("a ratio's value is 100 * numerator / denominator = {}; leave value out to have it derived", percent.normalize()),
                    );
                    data.value = Some(percent);
                }
            }
            _ if ratio => checks.fail("denominator", "ratio_parts_missing", "a ratio indicator's value is reported as numerator and denominator"),
            (None, None) => {}
            _ => checks.fail("numerator", "not_a_ratio", "numerator and denominator are for indicators whose definition measures a ratio"),
        }
        if let Some(breakdown) = &data.breakdown {
            breakdown.check(&mut checks, "breakdown", terms.breakdowns.as_deref().unwrap_or_default(), data.value);
        }
        checks.into_result()?;
        // In `check`, not `after_create`, so that an import names the line.
        ensure_period_open(conn, &data)?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &MeasurementData) -> Result<Scope, ServiceError> {
        match indicator_project(conn, data.indicator_id)? {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Project { id: None, voivodeship: None, organisations: Vec::new() }),
        }
    }

    fn permission_key(data: &MeasurementData) -> Option<i64> {
        Some(data.indicator_id)
    }

    /// A value no one has approved yet is its owners'; so are its comment and
    /// the reason it was returned (the registry's `owners_only`).
    fn for_outsiders(record: Record<MeasurementData>) -> Option<Record<MeasurementData>> {
        if record.data.status != MeasurementStatus::Approved {
            return None;
        }
        Some(record)
    }

    fn published_only(filter: &mut MeasurementFilter) {
        filter.approved_only = true;
    }

    /// A list narrowed to one indicator covers that indicator's project.
    fn list_scope(conn: &mut PgConnection, filter: &MeasurementFilter) -> Result<Scope, ServiceError> {
        match filter.indicator_id.map(|indicator| indicator_project(conn, indicator)).transpose()?.flatten() {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Everything),
        }
    }

    /// The workflow's state stays as it is while the value does; a changed value
    /// starts its approval again (the reason it was last returned stays in
    /// sight), but for an approved one: only an admin changes it (the
    /// workflow's frozen state), and its audited correction stays decided.
    fn carry_over(before: &MeasurementData, after: MeasurementData) -> MeasurementData {
        let kept = MeasurementData {
            status: before.status,
            return_reason: before.return_reason.clone(),
            submitted_at: before.submitted_at,
            decided_at: before.decided_at,
            ..after
        };
        if kept == *before || before.status == MeasurementStatus::Approved {
            return kept;
        }
        MeasurementData { status: MeasurementStatus::Draft, submitted_at: None, decided_at: None, ..kept }
    }

    /// A submitted value waits for its decision: nobody changes it meanwhile.
    /// An approved one is history, changed by an admin alone (`domain::workflow`).
    fn check_open(before: &Record<MeasurementData>) -> Result<(), ServiceError> {
        if before.data.status != MeasurementStatus::Submitted {
            Ok(())
        } else {
            Err(locked())
        }
    }

    /// A value leaves a locked period no more than it enters one (`check`).
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<MeasurementData>, _: &MeasurementData) -> Result<(), ServiceError> {
        ensure_period_open(conn, &before.data)
    }

    fn before_delete(conn: &mut PgConnection, _: &Caller, record: &Record<MeasurementData>) -> Result<(), ServiceError> {
        ensure_changeable(conn, record)
    }

    fn related(_: i64, data: &MeasurementData) -> Vec<(&'static str, String)> {
        vec![("indicator", format!("indicators/{}", data.indicator_id)), ("progress", format!("indicators/{}/progress", data.indicator_id))]
    }
}

/// Moves measurement `id` from `from` (a draft: draft or returned) to `to`:
/// submitting is for the project's writers, approving and returning (with a
/// reason) for the ROPS of the project's voivodeship.
pub fn transition(
    conn: &mut PgConnection,
    caller: &Caller,
    id: i64,
    from: MeasurementStatus,
    to: MeasurementStatus,
    reason: Option<String>,
) -> Result<Record<MeasurementData>, ServiceError> {
    crate::service::records::may_try::<Measurements>(caller, Action::Update)?;
    conn.transaction(|conn| {
        let current = Measurements::find_for_update(conn, id).map_err(not_found::<Measurements>(id))?;
        let scope = Measurements::scope(conn, Some(id), &current.data)?;
        // Outsiders learn nothing of a value, not even its state.
        authorize_oversight(caller, Collection::IndicatorMeasurements, &scope)?;
        let allowed_from = if from == MeasurementStatus::Draft { editable(current.data.status) } else { current.data.status == from };
        // Who may make the move is the workflow's declaration: the project's
        // writers hand a value in, a second pair of eyes decides it. The caller
        // is judged for the move this route makes before being told the value
        // is not in a state to make it.
        let declared =
            Record { data: MeasurementData { status: if allowed_from { current.data.status } else { from }, ..current.data.clone() }, ..current.clone() };
        let moved = MeasurementData { status: to, ..current.data.clone() };
        crate::service::workflow::judge::<Measurements>(conn, caller, &scope, Some(&declared), Some(&moved))?;
        if !allowed_from {
            return Err(ServiceError::Conflict { code: "invalid_transition", detail: format!("a {} value cannot become {to}", current.data.status) });
        }
        let scope = hold::<Measurements>(conn, caller, Action::Update, scope)?;
        ensure_period_open(conn, &current.data)?;
        set_status(conn, id, to, reason, caller.user().map(|u| u.id))?;
        let after = Measurements::find(conn, id)?;
        audit::write::<Measurements>(conn, caller, Action::Update, id, &scope, Some(&current.data), Some(&after.data))?;
        Ok(after)
    })
}
