//! What is counted from the coordination records: the records behind a counted
//! indicator, and the yearly coordination report.

use crate::api::caller::Session;
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::coordination::{self, IndicatorBasis};
use crate::service::vocabulary::CoordinationRow;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

/// The records an indicator bound to records (`derived_from_records`) is
/// counted from: the organisations, supported institutions, gminas, strategy
/// documents or agreements behind its achieved value, each with its address.
/// Staff reached are counts of persons: anyone but the project's owners reads
/// them, their sum and the achieved value protected when the indicator counts
/// persons.
#[utoipa::path(get, path = "/api/v1/indicators/{id}/basis", tag = "indicators", operation_id = "indicator_basis",
    security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "The indicator")),
    responses(
        (status = 200, description = "The records counted and what they add up to", body = IndicatorBasis),
        (status = 404, description = "No such indicator, or one not counted from records", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn indicator_basis(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let basis: IndicatorBasis = state.read_if_as(true, &session, move |conn, caller| coordination::indicator_basis(conn, caller, id)).await?;
    Ok(HttpResponse::Ok().json(basis))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CoordinationQuery {
    /// The first year (default 2014).
    #[param(minimum = 1990, maximum = 2100)]
    pub from_year: Option<i32>,
    /// The last year (default this year); at most 50 years in all.
    #[param(minimum = 1990, maximum = 2100)]
    pub to_year: Option<i32>,
    /// One voivodeship (TERYT code).
    pub voivodeship: Option<String>,
}

/// The coordination work per voivodeship and year: networks active, members
/// joining, agreements signed, organisations and their staff supported, gminas
/// covered, local governments adopting strategy documents that name the social
/// economy, committee meetings and resolutions. Counts of organisations and
/// records, and the staff counts projects reported per institution; public.
#[utoipa::path(get, path = "/api/v1/reports/coordination", tag = "reports", operation_id = "coordination_report",
    security((), ("bearer" = [])),
    params(CoordinationQuery),
    responses(
        (status = 200, description = "One row per voivodeship and year with anything to count", body = Vec<CoordinationRow>),
        (status = 400, description = "A parameter that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Years out of range or in the wrong order, or an unknown voivodeship", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report(state: web::Data<AppState>, query: web::Query<CoordinationQuery>) -> Result<HttpResponse, ApiError> {
    let CoordinationQuery { from_year, to_year, voivodeship } = query.into_inner();
    let rows: Vec<CoordinationRow> = state.read(move |conn| coordination::report(conn, from_year, to_year, voivodeship.as_deref())).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(indicator_basis, report))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/indicators/{id}/basis", "GET").route(web::get().to(indicator_basis)));
    cfg.service(crate::api::extractors::resource("/api/v1/reports/coordination", "GET").route(web::get().to(report)));
}
