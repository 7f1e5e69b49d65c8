//! Indicator progress and the public reports: roll-ups of indicators and of the
//! project portfolio, as JSON or CSV.

use crate::api::caller::Session;
use crate::api::problem::Problem;
use crate::api::{csv, ApiError, AppState};
use crate::service::reports::{self, BreakdownRollup, IndicatorProgress, IndicatorRollup, PortfolioRollup, Split};
use crate::service::vocabulary::{GroupBy, ReportFilter};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::IntoParams;

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The progress of one indicator. A value that counts people is protected for
/// anyone but the project's owners (see `protected`).
#[utoipa::path(get, path = "/api/v1/indicators/{id}/progress", tag = "indicators", operation_id = "indicator_progress",
    params(("id" = i64, Path, description = "Indicator id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Achieved value, percentage and status", body = IndicatorProgress),
        (status = 404, description = "No such indicator", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn indicator(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let (id, rounding) = (id.into_inner(), state.disclosure);
    let progress = state.read_if_as(true, &session, move |conn, caller| reports::indicator(conn, caller, rounding, id)).await?;
    Ok(HttpResponse::Ok().json(progress))
}

/// The progress of every indicator of a project. Values that count people are
/// protected for anyone but the project's owners (see `protected`).
#[utoipa::path(get, path = "/api/v1/projects/{id}/indicators/progress", tag = "indicators", operation_id = "project_indicator_progress",
    params(("id" = i64, Path, description = "Project id")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "One entry per indicator", body = Vec<IndicatorProgress>)))]
pub async fn project(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let (id, rounding) = (id.into_inner(), state.disclosure);
    let progress = state.read_if_as(true, &session, move |conn, caller| reports::project(conn, caller, rounding, id)).await?;
    Ok(HttpResponse::Ok().json(progress))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Grouping {
    /// definition, programme, axis, measure, voivodeship or year. By default the
    /// coarsest group that adds like to like: `definition` for indicators (one
    /// definition, one unit), `programme` for the portfolio.
    pub group_by: Option<GroupBy>,
    /// `csv` for text/csv (or send `Accept: text/csv`).
    pub format: Option<String>,
    /// Indicators only: `definition` (the default) gives a row per group and
    /// definition (per unit where there is none); `none` a row per group, and
    /// a 422 where a group mixes definitions or units.
    pub split: Option<Split>,
}

fn decimal(value: Option<Decimal>) -> String {
    text(value.map(|v| v.normalize()))
}

/// Indicators rolled up: sum of targets, sum of achieved values, projects behind.
/// Values that count people enter protected for anyone but their owners (see `protected`).
#[utoipa::path(get, path = "/api/v1/reports/indicators", tag = "reports", operation_id = "indicator_report",
    params(Grouping, ReportFilter),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per group", content((Vec<IndicatorRollup> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Unknown grouping", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`split=none` over a group of unlike indicators", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn indicators(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    grouping: web::Query<Grouping>,
    filter: web::Query<ReportFilter>,
) -> Result<HttpResponse, ApiError> {
    let (group, split, filter, rounding) =
        (grouping.group_by.unwrap_or(GroupBy::Definition), grouping.split.unwrap_or_default(), filter.into_inner(), state.disclosure);
    let rows = state.read_if_as(true, &session, move |conn, caller| reports::indicators(conn, caller, rounding, group, split, &filter)).await?;
    if csv::wanted(&req) {
        let headers = [
            "key",
            "code",
            "name",
            "definition_id",
            "definition_code",
            "definition_name",
            "unit",
            "measurement",
            "indicators",
            "projects",
            "sum_target",
            "sum_achieved",
            "sum_numerator",
            "sum_denominator",
            "ratio_percent",
            "projects_behind",
            "protected",
            "rounding_base",
        ];
        let body = csv::render(
            &headers,
            rows.iter().map(|r| {
                vec![
                    text(r.key.as_deref()),
                    text(r.code.as_deref()),
                    text(r.name.as_deref()),
                    text(r.definition_id),
                    text(r.definition_code.as_deref()),
                    text(r.definition_name.as_deref()),
                    text(r.unit.as_deref()),
                    r.measurement.to_string(),
                    r.indicators.to_string(),
                    r.projects.to_string(),
                    decimal(r.sum_target),
                    decimal(r.sum_achieved),
                    decimal(r.sum_numerator),
                    decimal(r.sum_denominator),
                    decimal(r.ratio_percent),
                    r.projects_behind.to_string(),
                    r.protected.to_string(),
                    text(r.rounding_base),
                ]
            }),
        );
        return Ok(csv::response(body));
    }
    Ok(HttpResponse::Ok().json(rows))
}

/// The project portfolio rolled up: projects, total value, EU amount, participants.
/// Participant counts are protected for anyone but their owners (see `protected`).
#[utoipa::path(get, path = "/api/v1/reports/portfolio", tag = "reports", operation_id = "portfolio_report",
    params(Grouping, ReportFilter),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per group", content((Vec<PortfolioRollup> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Unknown grouping", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn portfolio(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    grouping: web::Query<Grouping>,
    filter: web::Query<ReportFilter>,
) -> Result<HttpResponse, ApiError> {
    let (group, filter, rounding) = (grouping.group_by.unwrap_or(GroupBy::Programme), filter.into_inner(), state.disclosure);
    let on_async = if session.signed() { None } else { reports::portfolio_anonymously(&state.db, rounding, group, &filter).await };
    let rows = match on_async {
        Some(rows) => rows?,
        None => state.read_if_as(true, &session, move |conn, caller| reports::portfolio(conn, caller, rounding, group, &filter)).await?,
    };
    if csv::wanted(&req) {
        let headers = ["key", "code", "name", "projects", "total_value", "eu_amount", "participants", "protected", "rounding_base"];
        let body = csv::render(
            &headers,
            rows.iter().map(|r| {
                vec![
                    text(r.key.as_deref()),
                    text(r.code.as_deref()),
                    text(r.name.as_deref()),
                    r.projects.to_string(),
                    decimal(r.total_value),
                    decimal(r.eu_amount),
                    r.participants.to_string(),
                    r.protected.to_string(),
                    text(r.rounding_base),
                ]
            }),
        );
        return Ok(csv::response(body));
    }
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BreakdownQuery {
    /// The definition whose indicators' breakdowns are rolled up.
    pub definition_id: i64,
    /// definition, programme, axis, measure, voivodeship or year (default programme).
    pub group_by: Option<GroupBy>,
    pub voivodeship: Option<String>,
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    /// The year projects start.
    pub year: Option<i32>,
}

/// The breakdowns (disaggregations) of one definition's indicators rolled up:
/// per group, dimension and category, the sum of targets and of the values of
/// the latest approved measurements.
#[utoipa::path(get, path = "/api/v1/reports/indicators/breakdown", tag = "reports", operation_id = "breakdown_report",
    params(BreakdownQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per group, dimension and category", body = Vec<BreakdownRollup>),
        (status = 400, description = "No definition_id, or a parameter that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such definition", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn breakdowns(state: web::Data<AppState>, session: Session, query: web::Query<BreakdownQuery>) -> Result<HttpResponse, ApiError> {
    let BreakdownQuery { definition_id, group_by, voivodeship, programme_id, measure_id, year } = query.into_inner();
    let filter = ReportFilter { voivodeship, programme_id, measure_id, year, definition_id: None };
    let (group, rounding) = (group_by.unwrap_or(GroupBy::Programme), state.disclosure);
    let rows = state.read_if_as(true, &session, move |conn, caller| reports::breakdowns(conn, caller, rounding, group, definition_id, &filter)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(indicator, project, indicators, breakdowns, portfolio), components(schemas(GroupBy, Split)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/indicators/{id}/progress", "GET").route(web::get().to(indicator)))
        .service(crate::api::extractors::resource("/api/v1/projects/{id}/indicators/progress", "GET").route(web::get().to(project)))
        .service(crate::api::extractors::resource("/api/v1/reports/indicators", "GET").route(web::get().to(indicators)))
        .service(crate::api::extractors::resource("/api/v1/reports/indicators/breakdown", "GET").route(web::get().to(breakdowns)))
        .service(crate::api::extractors::resource("/api/v1/reports/portfolio", "GET").route(web::get().to(portfolio)));
}
