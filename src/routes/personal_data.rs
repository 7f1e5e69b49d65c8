//! The rights and aggregates around participants: a person's export, erasure,
//! and summaries that carry no personal data.

use crate::api::crud::{allow, audit, not_found, view, Resource, View};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::auth::policy::{aggregate_detail, authorize, Detail};
use crate::auth::{Action, Caller, Scope};
use crate::db::attendance::{AttendanceData, AttendanceFilter, Attendances};
use crate::db::audit::{self as audit_log, AuditEvent, AuditFilter};
use crate::db::listing::ListRequest;
use crate::db::participant_stats::{tally, Population, Tally};
use crate::db::participants::{self, ParticipantData, Participants};
use crate::db::store::PageRequest;
use crate::db::{scopes, DbError, Store};
use crate::domain::places::Voivodeship;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Everything held about one person.
#[derive(Serialize, ToSchema)]
pub struct ParticipantExport {
    pub participant: View<ParticipantData>,
    pub attendance: Vec<View<AttendanceData>>,
    /// Who created, changed, read or exported the record, and when.
    pub history: Vec<AuditEvent>,
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

/// Everything held about a participant (GDPR art. 15), as JSON.
#[utoipa::path(get, path = "/api/v1/participants/{id}/export", tag = "participants", operation_id = "export_participant",
    params(("id" = i64, Path, description = "Participant id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record, its attendance and its history", body = ParticipantExport),
        (status = 403, description = "Not the caller's to see", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such participant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    caller.signed_in()?;
    let id = id.into_inner();
    let body = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let record = Participants::find(conn, id).map_err(not_found::<Participants>(id))?;
                let scope = allow::<Participants>(conn, &caller, Action::Export, Some(id), &record.data)?;
                let filter = AttendanceFilter { participant_id: Some(id), ..Default::default() };
                let attendance = Attendances::list(conn, &filter, &ListRequest::everything())?.records;
                audit::<Participants>(conn, &caller, Action::Export, id, &scope, None, None)?;
                let history_filter = AuditFilter { resource: Some(Participants::COLLECTION.into()), record_id: Some(id), ..Default::default() };
                let history = audit_log::list(conn, &history_filter, None, PageRequest { limit: 10_000, offset: 0 })?.0;
                Ok(ParticipantExport {
                    participant: view::<Participants>(record),
                    attendance: attendance.into_iter().map(view::<Attendances>).collect(),
                    history,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
}

/// Erase a participant (GDPR art. 17): names, PESEL, birth date, contact data and
/// place of residence are removed; counts and attendance stay.
#[utoipa::path(post, path = "/api/v1/participants/{id}/erase", tag = "participants", operation_id = "erase_participant",
    params(("id" = i64, Path, description = "Participant id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The anonymised record", body = View<ParticipantData>),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such participant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn erase(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    authorize(&caller, Participants::COLLECTION, Action::Erase, None)?;
    let id = id.into_inner();
    let record = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let before = Participants::find_for_update(conn, id).map_err(not_found::<Participants>(id))?;
                let scope = allow::<Participants>(conn, &caller, Action::Erase, Some(id), &before.data)?;
                participants::erase(conn, id, &crate::api::crud::item_path::<Participants>(id))?;
                let after = Participants::find(conn, id)?;
                audit::<Participants>(conn, &caller, Action::Erase, id, &scope, Some(&before.data), Some(&after.data))?;
                Ok(after)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view::<Participants>(record)))
}

/// Participant counts of one project.
#[utoipa::path(get, path = "/api/v1/projects/{id}/participants/summary", tag = "participants", operation_id = "project_participant_summary",
    params(("id" = i64, Path, description = "Project id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts; small ones hidden from non-owners", body = ParticipantSummary),
        (status = 403, description = "A local government outside the project's voivodeship", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn project_summary(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    caller.signed_in()?;
    let id = id.into_inner();
    let summary = state
        .run(move |conn| {
            crate::db::projects::Projects::find(conn, id).map_err(|e| match e {
                DbError::NotFound => ApiError::NotFound { resource: "project", id: id.to_string() },
                other => other.into(),
            })?;
            let detail = aggregate_detail(&caller, &scopes::project(conn, id)?)?;
            Ok(present(tally(conn, &Population { project_id: Some(id), ..Default::default() })?, detail))
        })
        .await?;
    Ok(HttpResponse::Ok().json(summary))
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
#[utoipa::path(get, path = "/api/v1/reports/participants", tag = "participants", operation_id = "regional_participant_summary",
    params(RegionalFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts; small ones hidden from non-owners", body = ParticipantSummary),
        (status = 403, description = "A local government asking about another voivodeship", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown voivodeship", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn regional_summary(state: web::Data<AppState>, caller: Caller, filter: web::Query<RegionalFilter>) -> Result<HttpResponse, ApiError> {
    caller.signed_in()?;
    let filter = filter.into_inner();
    if let Some(v) = &filter.voivodeship {
        Voivodeship::parse(v).map_err(|e| ApiError::field("voivodeship", e.code, e.message))?;
    }
    let scope = match &filter.voivodeship {
        Some(v) => Scope::Project { voivodeship: Some(v.clone()), organisations: Vec::new() },
        None => Scope::Everything,
    };
    let detail = aggregate_detail(&caller, &scope)?;
    let population =
        Population { project_id: None, voivodeship: filter.voivodeship, programme_id: filter.programme_id, measure_id: filter.measure_id, year: filter.year };
    let summary = state.run(move |conn| Ok(present(tally(conn, &population)?, detail))).await?;
    Ok(HttpResponse::Ok().json(summary))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(export, erase, project_summary, regional_summary), components(schemas(ParticipantSummary)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/participants/{id}/export", "GET").route(web::get().to(export)))
        .service(crate::api::extractors::resource("/api/v1/participants/{id}/erase", "POST").route(web::post().to(erase)))
        .service(crate::api::extractors::resource("/api/v1/projects/{id}/participants/summary", "GET").route(web::get().to(project_summary)))
        .service(crate::api::extractors::resource("/api/v1/reports/participants", "GET").route(web::get().to(regional_summary)));
}
