//! The register's answers beyond its lists: the public check of a mark by the
//! code on its label, the offers that cover a need, and the social-enterprise
//! report.

use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::register::{self, MarkVerification, OfferMatches};
use crate::service::vocabulary::SocialEnterpriseRow;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

/// Whether the mark with this code holds today (in Poland): for a buyer checking a label.
/// Anyone may ask; the code is matched ignoring case.
#[utoipa::path(get, path = "/api/v1/marks/{code}/verify", tag = "marks", operation_id = "verify_mark",
    security((), ("bearer" = [])),
    params(("code" = String, Path, description = "The code on the label", example = "ZP-04-2023-017")),
    responses(
        (status = 200, description = "The mark and where it stands today", body = MarkVerification),
        (status = 404, description = "No mark has this code", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn verify(state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let answer: MarkVerification = state.read(move |conn| register::verify(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The active offers that cover a local government's need: of one kind (CPV
/// codes of which one begins with the other's significant digits, or the same
/// category where either lacks a code) and serving its area (TERYT units of which
/// one lies within the other; no areas: anywhere). Newest first, at most 200.
#[utoipa::path(get, path = "/api/v1/needs/{id}/offers", tag = "needs", operation_id = "offers_for_need",
    security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "The need")),
    responses(
        (status = 200, description = "The offers that cover it", body = OfferMatches),
        (status = 404, description = "No such need", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn offers_for_need(state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let offers: OfferMatches = state.read(move |conn| register::offers_for_need(conn, id)).await?;
    Ok(HttpResponse::Ok().json(offers))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SocialEnterpriseQuery {
    /// The first year (default 2022, the year of the act on the social economy).
    #[param(minimum = 1990, maximum = 2100)]
    pub from_year: Option<i32>,
    /// The last year (default this year); at most 50 years in all.
    #[param(minimum = 1990, maximum = 2100)]
    pub to_year: Option<i32>,
    /// One voivodeship (TERYT code).
    pub voivodeship: Option<String>,
}

/// Social enterprises (PS) per voivodeship and year: how many organisations were
/// one at the year's end, were granted the status and lost it, from the dated
/// statuses of `/api/v1/organisation-statuses`. Counts of organisations, public.
#[utoipa::path(get, path = "/api/v1/reports/social-enterprises", tag = "reports", operation_id = "social_enterprise_report",
    security((), ("bearer" = [])),
    params(SocialEnterpriseQuery),
    responses(
        (status = 200, description = "One row per voivodeship and year with any social enterprise", body = Vec<SocialEnterpriseRow>),
        (status = 400, description = "A parameter that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Years out of range or in the wrong order, or an unknown voivodeship", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn social_enterprises(state: web::Data<AppState>, query: web::Query<SocialEnterpriseQuery>) -> Result<HttpResponse, ApiError> {
    let SocialEnterpriseQuery { from_year, to_year, voivodeship } = query.into_inner();
    let rows: Vec<SocialEnterpriseRow> = state.read(move |conn| register::social_enterprises(conn, from_year, to_year, voivodeship.as_deref())).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(verify, offers_for_need, social_enterprises))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/marks/{code}/verify", "GET").route(web::get().to(verify)));
    cfg.service(crate::api::extractors::resource("/api/v1/needs/{id}/offers", "GET").route(web::get().to(offers_for_need)));
    cfg.service(crate::api::extractors::resource("/api/v1/reports/social-enterprises", "GET").route(web::get().to(social_enterprises)));
}
