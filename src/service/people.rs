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
use crate::domain::access::{authorize, authorize_summary, Action, Caller, Detail, Scope};
use crate::domain::collection::Collection;
use crate::domain::disclosure::Rounding;
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

/// Counts about participants. A reader who does not own them (anyone but an
/// admin, the ROPS of the voivodeship and the project's OWES) gets every count
/// protected: rounded to a multiple of `rounding_base`, up or down as the record
/// keys of the persons counted decide (see the README, "Counts of people").
#[derive(Serialize, ToSchema)]
pub struct ParticipantSummary {
    /// Whether the counts are protected. A protected count is a multiple of
    /// `rounding_base` within `rounding_base - 1` of the true count (0 only for
    /// fewer than `rounding_base` persons), the same however often it is asked
    /// for; counts do not add up to their totals, each total is protected on its own.
    pub protected: bool,
    /// The base protected counts are rounded to; absent when counts are exact.
    #[schema(example = 5)]
    pub rounding_base: Option<i64>,
    pub participants: i64,
    /// Persons counted once across activities and projects (by PESEL hash).
    pub unique_persons: i64,
    /// Persons who completed at least one activity.
    pub persons_completed: i64,
    pub by_sex: BTreeMap<String, i64>,
    pub by_age_band: BTreeMap<String, i64>,
    pub by_education: BTreeMap<String, i64>,
    pub by_labour_status: BTreeMap<String, i64>,
    pub by_organisation_kind: BTreeMap<String, i64>,
    /// Attendance records by outcome: completed, dropped_out, ongoing.
    pub attendance: BTreeMap<String, i64>,
}

fn present(tally: Tally, protected: bool, rounding: Rounding) -> ParticipantSummary {
    let mut dimensions = tally.dimensions;
    let mut dimension = |name: &str| dimensions.remove(name).unwrap_or_default();
    ParticipantSummary {
        protected,
        rounding_base: protected.then(|| rounding.base()),
        participants: tally.participants,
        unique_persons: tally.unique_persons,
        persons_completed: tally.persons_completed,
        by_sex: dimension("sex"),
        by_age_band: dimension("age_band"),
        by_education: dimension("education"),
        by_labour_status: dimension("labour_status"),
        by_organisation_kind: dimension("organisation_kind"),
        attendance: tally.attendance,
    }
}

/// The counts of `population` as `caller` may see them.
fn summarise(conn: &mut PgConnection, detail: Detail, rounding: Rounding, population: &Population) -> Result<ParticipantSummary, ServiceError> {
    let protected = detail == Detail::Protected;
    Ok(present(tally(conn, population, protected)?, protected, rounding))
}

/// Participant counts of one project.
pub fn project_summary(conn: &mut PgConnection, caller: &Caller, rounding: Rounding, id: i64) -> Result<ParticipantSummary, ServiceError> {
    caller.signed_in()?;
    Projects::find(conn, id).map_err(not_found::<Projects>(id))?;
    let detail = authorize_summary(caller, &scopes::project(conn, id)?)?;
    summarise(conn, detail, rounding, &Population { project_id: Some(id), ..Default::default() })
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
pub fn regional_summary(conn: &mut PgConnection, caller: &Caller, rounding: Rounding, filter: RegionalFilter) -> Result<ParticipantSummary, ServiceError> {
    caller.signed_in()?;
    if let Some(v) = &filter.voivodeship {
        Voivodeship::parse(v).map_err(|e| ServiceError::field("voivodeship", e.code, e.message))?;
    }
    let scope = match &filter.voivodeship {
        Some(v) => Scope::Project { id: None, voivodeship: Some(v.clone()), organisations: Vec::new() },
        None => Scope::Everything,
    };
    let detail = authorize_summary(caller, &scope)?;
    let population =
        Population { project_id: None, voivodeship: filter.voivodeship, programme_id: filter.programme_id, measure_id: filter.measure_id, year: filter.year };
    summarise(conn, detail, rounding, &population)
}
