//! The rights and aggregates around participants: a person's export, erasure,
//! and summaries that carry no personal data (the rules are `service::people`).

use crate::api::caller::SignedIn;
use crate::api::crud::{view, View};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::people::{self, ParticipantSummary, RegionalFilter};
use crate::service::vocabulary::AuditEvent;
use crate::service::vocabulary::{AttendanceData, Attendances};
use crate::service::vocabulary::{ParticipantData, Participants};
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

/// Everything held about one person.
#[derive(Serialize, ToSchema)]
pub struct ParticipantExport {
    pub participant: View<ParticipantData>,
    pub attendance: Vec<View<AttendanceData>>,
    /// Who created, changed, read or exported the record, and when.
    pub history: Vec<AuditEvent>,
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
pub async fn export(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let person = state.run_as(&session, move |conn, caller| people::export(conn, caller, id)).await?;
    let body = ParticipantExport {
        participant: view::<Participants>(person.participant),
        attendance: person.attendance.into_iter().map(view::<Attendances>).collect(),
        history: person.history,
    };
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
pub async fn erase(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state.run_as(&session, move |conn, caller| people::erase(conn, caller, id)).await?;
    Ok(HttpResponse::Ok().json(view::<Participants>(record)))
}

/// Participant counts of one project.
#[utoipa::path(get, path = "/api/v1/projects/{id}/participants/summary", tag = "participants", operation_id = "project_participant_summary",
    params(("id" = i64, Path, description = "Project id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts: exact for the data's owners, protected (rounded by cell key) for anyone else", body = ParticipantSummary),
        (status = 403, description = "A local government outside the project's voivodeship", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn project_summary(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rounding = state.disclosure;
    let summary = state.run_as(&session, move |conn, caller| people::project_summary(conn, caller, rounding, id)).await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Participant counts by voivodeship, programme, measure and year, each person
/// counted once across projects.
#[utoipa::path(get, path = "/api/v1/reports/participants", tag = "participants", operation_id = "regional_participant_summary",
    params(RegionalFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts: exact for the data's owners, protected (rounded by cell key) for anyone else", body = ParticipantSummary),
        (status = 403, description = "A local government asking about another voivodeship", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown voivodeship", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn regional_summary(state: web::Data<AppState>, session: SignedIn, filter: web::Query<RegionalFilter>) -> Result<HttpResponse, ApiError> {
    let filter = filter.into_inner();
    let rounding = state.disclosure;
    let summary = state.run_as(&session, move |conn, caller| people::regional_summary(conn, caller, rounding, filter)).await?;
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
