//! The reporting calendar's views: who owes a report for a period and who is
//! overdue, overdue reports rolled up by region, programme or measure, and the
//! history of one reported value (submissions, returns with their reasons,
//! approvals). The rules of periods and values are their resources'.

use super::records::{may_try, not_found};
use super::reports::{label, labels_of};
use super::resource::Resource;
use super::ServiceError;
use crate::db::audit::{self as trail, AuditEvent, AuditFilter};
use crate::db::indicator_progress::GroupBy;
use crate::db::measurements::Measurements;
use crate::db::reporting_periods::{self, ProjectReport, ReportingPeriods};
use crate::db::store::PageRequest;
use crate::db::Store;
use crate::domain::access::{authorize_oversight, Action, Caller};
use crate::domain::codes::MeasurementStatus;
use crate::domain::collection::Collection;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// The projects that owe a report for period `id`: every project of its
/// programme whose own period overlaps it and that has indicators.
pub fn period_projects(conn: &mut PgConnection, id: i64, overdue: Option<bool>) -> Result<Vec<ProjectReport>, ServiceError> {
    ReportingPeriods::find(conn, id).map_err(not_found::<ReportingPeriods>(id))?;
    Ok(reporting_periods::reports_of_period(conn, id, overdue)?)
}

/// What the overdue report is grouped by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReportingGroup {
    #[default]
    Voivodeship,
    Programme,
    Measure,
}

/// One group of the overdue report: the reports whose due day has passed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueRollup {
    /// The group: a voivodeship's TERYT code, a programme or measure id.
    pub key: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    /// Reports due by today: a project and a reporting period of its programme.
    pub reports_due: i64,
    pub reports_handed_in: i64,
    pub reports_overdue: i64,
    /// Projects with at least one report overdue (`GET /projects?overdue=true` lists them).
    pub projects_overdue: i64,
    /// reports_handed_in / reports_due in percent, one decimal.
    #[schema(value_type = Option<String>, example = "87.5")]
    pub handed_in_percent: Option<Decimal>,
}

/// `part / whole` in percent with one decimal, as the SQL reports give them.
fn percent(part: i64, whole: i64) -> Decimal {
    let mut share = (Decimal::from(100 * part) / Decimal::from(whole)).round_dp(1);
    share.rescale(1);
    share
}

pub fn overdue_report(
    conn: &mut PgConnection,
    group: ReportingGroup,
    programme_id: Option<i64>,
    voivodeship: Option<String>,
) -> Result<Vec<OverdueRollup>, ServiceError> {
    let (key, labelled) = match group {
        ReportingGroup::Voivodeship => ("voivodeship", GroupBy::Voivodeship),
        ReportingGroup::Programme => ("programme_id", GroupBy::Programme),
        ReportingGroup::Measure => ("measure_id", GroupBy::Measure),
    };
    let totals = reporting_periods::overdue_totals(conn, key, programme_id, voivodeship)?;
    let labels = labels_of(conn, labelled, totals.iter().map(|t| &t.key))?;
    Ok(totals
        .into_iter()
        .map(|t| OverdueRollup {
            code: label(&labels, &t.key, |l| &l.code),
            name: label(&labels, &t.key, |l| &l.name),
            handed_in_percent: (t.reports_due > 0).then(|| percent(t.reports_handed_in, t.reports_due)),
            key: t.key,
            reports_due: t.reports_due,
            reports_handed_in: t.reports_handed_in,
            reports_overdue: t.reports_overdue,
            projects_overdue: t.projects_overdue,
        })
        .collect())
}

/// What happened to a reported value in one step of its history.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Created,
    /// Its content changed (a changed submitted value would be a new draft).
    Changed,
    Submitted,
    Approved,
    Returned,
    Deleted,
}

/// One step of a reported value's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasurementStep {
    pub at: DateTime<Utc>,
    pub step: StepKind,
    /// Who took the step (their e-mail), when a user did.
    pub by: Option<String>,
    pub status: Option<MeasurementStatus>,
    /// The value after the step.
    #[schema(value_type = Option<String>)]
    pub value: Option<String>,
    /// Why it was returned, for a return.
    pub reason: Option<String>,
}

fn field<'a>(value: &'a Option<Value>, name: &str) -> Option<&'a str> {
    value.as_ref().and_then(|v| v.get(name)).and_then(Value::as_str)
}

fn step_of(event: AuditEvent) -> MeasurementStep {
    let status_after = field(&event.after, "status").and_then(|s| s.parse::<MeasurementStatus>().ok());
    let status_before = field(&event.before, "status").and_then(|s| s.parse::<MeasurementStatus>().ok());
    let step = match event.action.as_str() {
        "create" => StepKind::Created,
        "delete" => StepKind::Deleted,
        _ => match status_after {
            Some(MeasurementStatus::Submitted) if status_before != status_after => StepKind::Submitted,
            Some(MeasurementStatus::Approved) if status_before != status_after => StepKind::Approved,
            Some(MeasurementStatus::Returned) if status_before != status_after => StepKind::Returned,
            _ => StepKind::Changed,
        },
    };
    let reason = (step == StepKind::Returned).then(|| field(&event.after, "return_reason").map(str::to_owned)).flatten();
    MeasurementStep {
        at: event.occurred_at,
        step,
        by: event.user_email,
        status: status_after.or(status_before),
        value: field(&event.after, "value").map(str::to_owned),
        reason,
    }
}

/// The history of value `id` from the audit trail: for the project's writers
/// and the ROPS that decides its values.
pub fn measurement_history(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<Vec<MeasurementStep>, ServiceError> {
    may_try::<Measurements>(caller, Action::Update)?;
    let record = Measurements::find(conn, id).map_err(not_found::<Measurements>(id))?;
    let scope = Measurements::scope(conn, Some(id), &record.data)?;
    authorize_oversight(caller, Collection::IndicatorMeasurements, &scope)?;
    let filter = AuditFilter { resource: Some(Collection::IndicatorMeasurements.path().into()), record_id: Some(id), ..Default::default() };
    let mut events = trail::list(conn, &filter, None, PageRequest { limit: 10_000, offset: 0 })?.0;
    events.reverse();
    Ok(events.into_iter().map(step_of).collect())
}
