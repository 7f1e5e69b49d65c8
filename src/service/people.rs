//! The rights and aggregates around participants: a person's copy of everything
//! held about them (GDPR art. 15), erasure (art. 17) by a user or by the
//! retention run, and summaries that carry no personal data.

use super::records::{hold, may_try, not_found};
use super::resource::Resource;
use super::{audit, ServiceError};
use crate::db::attendance::{AttendanceData, AttendanceFilter, Attendances};
use crate::db::audit::{self as trail, AuditEvent, AuditFilter};
use crate::db::listing::ListRequest;
use crate::db::participant_stats::{tally, Population, Tally};
use crate::db::participants::{self, ParticipantData, Participants};
use crate::db::projects::Projects;
use crate::db::store::PageRequest;
use crate::db::{scopes, Record, Store};
use crate::domain::access::{aggregate_detail, authorize, Action, Caller, Detail, Scope};
use crate::domain::collection::Collection;
use crate::domain::places::Voivodeship;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Everything held about one person.
pub struct PersonRecord {
    pub participant: Record<ParticipantData>,
    pub attendance: Vec<Record<AttendanceData>>,
    /// Who created, changed, read or exported the record, and when.
    pub history: Vec<AuditEvent>,
}

/// A person's copy of everything held about them; the copy is itself audited.
pub fn export(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<PersonRecord, ServiceError> {
    may_try::<Participants>(caller, Action::Export)?;
    conn.transaction(|conn| {
        let record = Participants::find(conn, id).map_err(not_found::<Participants>(id))?;
        let scope = Participants::scope(conn, Some(id), &record.data)?;
        authorize(caller, Collection::Participants, Action::Export, Some(&scope))?;
        let filter = AttendanceFilter { participant_id: Some(id), ..Default::default() };
        let attendance = Attendances::list(conn, &filter, &ListRequest::everything())?.records;
        audit::write::<Participants>(conn, caller, Action::Export, id, &scope, None, None)?;
        let history_filter = AuditFilter { resource: Some(Collection::Participants.path().into()), record_id: Some(id), ..Default::default() };
        let history = trail::list(conn, &history_filter, None, PageRequest { limit: 10_000, offset: 0 })?.0;
        Ok(PersonRecord { participant: record, attendance, history })
    })
}

/// Erases person `id` wherever the registry keeps them: the record is
/// anonymised (names, PESEL and its hash, birth date, contact data, place of
/// residence and the loader's identifier go; what the statistics need stays),
/// the values of its audit events lose those fields, and kept answers to
/// requests about the person go. `caller` is a user (who must be allowed to
/// change the person) or the retention run.
pub fn erase(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<Record<ParticipantData>, ServiceError> {
    may_try::<Participants>(caller, Action::Erase)?;
    conn.transaction(|conn| {
        // Nothing sealed is opened: erasure needs no keys (the retention run may have none).
        let project = participants::lock_project(conn, id).map_err(not_found::<Participants>(id))?;
        let scope = scopes::project(conn, project)?;
        authorize(caller, Collection::Participants, Action::Erase, Some(&scope))?;
        let scope = hold::<Participants>(conn, caller, Action::Erase, scope)?;
        participants::anonymise(conn, id)?;
        trail::forget_values(conn, Collection::Participants.path(), id, &participants::IDENTIFYING)?;
        crate::db::idempotency::forget_record(conn, &Collection::Participants.record_path(id))?;
        audit::write::<Participants>(conn, caller, Action::Erase, id, &scope, None, None)?;
        Ok(Participants::find(conn, id)?)
    })
}

/// Erases the participants of every project whose retention date has passed.
/// Returns how many.
pub fn run_retention(conn: &mut PgConnection, today: chrono::NaiveDate) -> Result<usize, ServiceError> {
    let caller = Caller::System { name: "retention run" };
    let due = participants::past_retention(conn, today)?;
    for (id, _) in &due {
        erase(conn, &caller, *id)?;
    }
    Ok(due.len())
}

/// Counts about participants. `null` stands for a count of 1 or 2 hidden from a
/// reader who does not own the data.
#[derive(Serialize, ToSchema)]
pub struct ParticipantSummary {
    /// Whether counts of 1 or 2 are hidden.
    pub suppressed: bool,
    pub participants: Option<i64>,
    /// Persons counted once across activities and projects (by PESEL hash).
    pub unique_persons: Option<i64>,
    /// Persons who completed at least one activity.
    pub persons_completed: Option<i64>,
    pub by_sex: BTreeMap<String, Option<i64>>,
    pub by_age_band: BTreeMap<String, Option<i64>>,
    pub by_education: BTreeMap<String, Option<i64>>,
    pub by_labour_status: BTreeMap<String, Option<i64>>,
    pub by_organisation_kind: BTreeMap<String, Option<i64>>,
    /// Attendance records by outcome: completed, dropped_out, ongoing.
    pub attendance: BTreeMap<String, Option<i64>>,
}

fn present(tally: Tally, detail: Detail) -> ParticipantSummary {
    let suppressed = detail == Detail::Suppressed;
    let shown = |n: i64| if suppressed && (1..3).contains(&n) { None } else { Some(n) };
    let mut dimensions = tally.dimensions;
    let mut dimension = |name: &str| dimensions.remove(name).unwrap_or_default().into_iter().map(|(k, n)| (k, shown(n))).collect();
    ParticipantSummary {
        suppressed,
        participants: shown(tally.participants),
        unique_persons: shown(tally.unique_persons),
        persons_completed: shown(tally.persons_completed),
        by_sex: dimension("sex"),
        by_age_band: dimension("age_band"),
        by_education: dimension("education"),
        by_labour_status: dimension("labour_status"),
        by_organisation_kind: dimension("organisation_kind"),
        attendance: tally.attendance.into_iter().map(|(k, n)| (k, shown(n))).collect(),
    }
}

/// Participant counts of one project.
pub fn project_summary(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<ParticipantSummary, ServiceError> {
    caller.signed_in()?;
    Projects::find(conn, id).map_err(not_found::<Projects>(id))?;
    let detail = aggregate_detail(caller, &scopes::project(conn, id)?)?;
    Ok(present(tally(conn, &Population { project_id: Some(id), ..Default::default() })?, detail))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionalFilter {
    /// Voivodeship TERYT code.
    pub voivodeship: Option<String>,
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    /// The year participants joined.
    pub year: Option<i32>,
}

/// Participant counts by voivodeship, programme, measure and year, each person
/// counted once across projects.
pub fn regional_summary(conn: &mut PgConnection, caller: &Caller, filter: RegionalFilter) -> Result<ParticipantSummary, ServiceError> {
    caller.signed_in()?;
    if let Some(v) = &filter.voivodeship {
        Voivodeship::parse(v).map_err(|e| ServiceError::field("voivodeship", e.code, e.message))?;
    }
    let scope = match &filter.voivodeship {
        Some(v) => Scope::Project { id: None, voivodeship: Some(v.clone()), organisations: Vec::new() },
        None => Scope::Everything,
    };
    let detail = aggregate_detail(caller, &scope)?;
    let population =
        Population { project_id: None, voivodeship: filter.voivodeship, programme_id: filter.programme_id, measure_id: filter.measure_id, year: filter.year };
    Ok(present(tally(conn, &population)?, detail))
}
