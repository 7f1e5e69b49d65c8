//! The reporting calendar's views: who owes a period's report and who is late,
//! the overdue reports rolled up, programme targets against approved values,
//! and a reported value's history (the rules
//! are `service::resources::{reporting_periods, measurements}`).

use crate::api::caller::{Session, SignedIn};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::reporting::{self, MeasurementStep, OverdueRollup, ReportingGroup, StepKind};
use crate::service::targets::{self, TargetProgress};
use crate::service::vocabulary::ProgrammeTargetFilter;
use crate::service::vocabulary::ProjectReport;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodProjectsQuery {
    /// `true`: only projects whose report is overdue; `false`: only the others.
    pub overdue: Option<bool>,
}

/// The projects that owe a report for a period: every project of the
/// programme whose own period overlaps it and that has indicators, with how
/// many of its values in the period are handed in (submitted or approved),
/// approved or still in progress, and whether the report is overdue (nothing
/// handed in by the due day). Public: no person is counted.
#[utoipa::path(get, path = "/api/v1/reporting-periods/{id}/projects", tag = "reporting-periods", operation_id = "reporting_period_projects",
    params(("id" = i64, Path, description = "Reporting period id"), PeriodProjectsQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per project", body = Vec<ProjectReport>),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such period", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn period_projects(state: web::Data<AppState>, id: web::Path<i64>, query: web::Query<PeriodProjectsQuery>) -> Result<HttpResponse, ApiError> {
    let (id, overdue) = (id.into_inner(), query.into_inner().overdue);
    let rows = state.read(move |conn| reporting::period_projects(conn, id, overdue)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverdueQuery {
    /// voivodeship (the default), programme or measure.
    pub group_by: Option<ReportingGroup>,
    pub programme_id: Option<i64>,
    /// Projects of one voivodeship (TERYT code).
    pub voivodeship: Option<String>,
}

/// Reports due by today (a project and a reporting period of its programme),
/// how many are handed in and how many overdue, and the projects overdue, by
/// voivodeship, programme or measure. Public.
#[utoipa::path(get, path = "/api/v1/reports/reporting", tag = "reports", operation_id = "reporting_report",
    params(OverdueQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per group", body = Vec<OverdueRollup>),
        (status = 400, description = "Unknown grouping or parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn overdue_report(state: web::Data<AppState>, query: web::Query<OverdueQuery>) -> Result<HttpResponse, ApiError> {
    let OverdueQuery { group_by, programme_id, voivodeship } = query.into_inner();
    let rows = state.read(move |conn| reporting::overdue_report(conn, group_by.unwrap_or_default(), programme_id, voivodeship)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// A reported value's history, oldest first: created, changed, submitted,
/// returned (with the reason), approved, from the audit trail. For the
/// project's writers and the ROPS of its voivodeship.
#[utoipa::path(get, path = "/api/v1/indicator-measurements/{id}/history", tag = "indicator-measurements", operation_id = "measurement_history",
    params(("id" = i64, Path, description = "Measurement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The value's steps", body = Vec<MeasurementStep>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a writer of the project nor its ROPS", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such measurement", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn measurement_history(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let steps = state.run_as(&session, move |conn, caller| reporting::measurement_history(conn, caller, id)).await?;
    Ok(HttpResponse::Ok().json(steps))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TargetsQuery {
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    pub definition_id: Option<i64>,
    /// `true`: only final targets; `false`: only milestones.
    pub is_final: Option<bool>,
}

/// Programme- and measure-level targets with how far they have come: the
/// latest approved value of each indicator of the target's definition in the
/// projects below (a measure's include its sub-measures'; a milestone's are
/// those approved for periods ending by its year's end), added up, and the
/// share of the target achieved. A ratio adds numerators and denominators
/// apart. Public: approved values are published figures, and sums of counts of
/// persons are protected for anyone but an admin and the programme's ROPS.
#[utoipa::path(get, path = "/api/v1/reports/targets", tag = "reports", operation_id = "targets_report",
    params(TargetsQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per target", body = Vec<TargetProgress>),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn targets_report(state: web::Data<AppState>, session: Session, query: web::Query<TargetsQuery>) -> Result<HttpResponse, ApiError> {
    let TargetsQuery { programme_id, measure_id, definition_id, is_final } = query.into_inner();
    let filter = ProgrammeTargetFilter { programme_id, measure_id, definition_id, is_final, sort: None };
    let rounding = state.disclosure;
    let rows = state.read_if_as(true, &session, move |conn, caller| targets::progress(conn, caller, rounding, &filter)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(period_projects, overdue_report, measurement_history, targets_report), components(schemas(ReportingGroup, StepKind)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/reporting-periods/{id}/projects", "GET").route(web::get().to(period_projects)))
        .service(crate::api::extractors::resource("/api/v1/reports/reporting", "GET").route(web::get().to(overdue_report)))
        .service(crate::api::extractors::resource("/api/v1/reports/targets", "GET").route(web::get().to(targets_report)))
        .service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/history", "GET").route(web::get().to(measurement_history)));
}
