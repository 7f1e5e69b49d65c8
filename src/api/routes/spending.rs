//! Money over time: the spending roll-up and a project's spending by year, as
//! JSON or CSV. Money is not personal data: public.

use crate::api::problem::Problem;
use crate::api::{csv, ApiError, AppState};
use crate::service::spending::{self, ProjectSpending, SpendingGroup, SpendingRollup};
use crate::service::vocabulary::ReportFilter;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SpendingQuery {
    /// programme (the default), axis, measure, voivodeship or year (the year of
    /// the money: a budget line's year, a claim's `period_to`).
    pub group_by: Option<SpendingGroup>,
    /// `csv` for text/csv (or send `Accept: text/csv`).
    pub format: Option<String>,
    /// Projects of one voivodeship (TERYT code).
    pub voivodeship: Option<String>,
    pub programme_id: Option<i64>,
    pub measure_id: Option<i64>,
    /// Projects that start in this year.
    pub year: Option<i32>,
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Spending rolled up: projects, total value and EU amount, budgeted, claimed
/// and approved amounts (payment claims; advances left out), the approved
/// share of the value against the elapsed share of the projects' periods, and
/// the projects behind in spending (approved share more than 25 points below
/// the elapsed share; `GET /projects/{id}/spending` gives each project's).
#[utoipa::path(get, path = "/api/v1/reports/spending", tag = "reports", operation_id = "spending_report",
    params(SpendingQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One row per group", content((Vec<SpendingRollup> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Unknown grouping or parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report(state: web::Data<AppState>, req: HttpRequest, query: web::Query<SpendingQuery>) -> Result<HttpResponse, ApiError> {
    let SpendingQuery { group_by, format: _, voivodeship, programme_id, measure_id, year } = query.into_inner();
    let filter = ReportFilter { voivodeship, programme_id, measure_id, year, definition_id: None };
    let group = group_by.unwrap_or_default();
    let rows: Vec<SpendingRollup> = state.read(move |conn| spending::report(conn, group, &filter)).await?;
    if csv::wanted(&req) {
        let headers = [
            "key",
            "code",
            "name",
            "projects",
            "total_value",
            "eu_amount",
            "budgeted",
            "claimed",
            "approved",
            "eu_approved",
            "spent_percent",
            "expected_percent",
            "projects_behind_spending",
        ];
        let body = csv::render(
            &headers,
            rows.iter().map(|r| {
                vec![
                    text(r.key.as_deref()),
                    text(r.code.as_deref()),
                    text(r.name.as_deref()),
                    r.projects.to_string(),
                    text(r.total_value.map(decimal)),
                    text(r.eu_amount.map(decimal)),
                    decimal(r.budgeted),
                    decimal(r.claimed),
                    decimal(r.approved),
                    decimal(r.eu_approved),
                    text(r.spent_percent),
                    text(r.expected_percent),
                    r.projects_behind_spending.to_string(),
                ]
            }),
        );
        return Ok(csv::response(body));
    }
    Ok(HttpResponse::Ok().json(rows))
}

/// A project's spending: budgeted, claimed and approved amounts in all and
/// year by year, the approved share of its value against the elapsed share of
/// its period, and whether it is behind in spending (the rule of the spending
/// report). Public.
#[utoipa::path(get, path = "/api/v1/projects/{id}/spending", tag = "projects", operation_id = "project_spending",
    params(("id" = i64, Path, description = "Project id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The project's spending", body = ProjectSpending),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn project(state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let spending: ProjectSpending = state.read(move |conn| spending::project(conn, id)).await?;
    Ok(HttpResponse::Ok().json(spending))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(report, project), components(schemas(SpendingGroup)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/reports/spending", "GET").route(web::get().to(report)))
        .service(crate::api::extractors::resource("/api/v1/projects/{id}/spending", "GET").route(web::get().to(project)));
}
