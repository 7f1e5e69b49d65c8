//! The official lists, public: the list of operations (Article 49(3) of
//! Regulation (EU) 2021/1060) as JSON or CSV, and the 360Giving data package.
//! Registered before the bulk exports' `/api/v1/exports/{resource}`.

use crate::api::problem::Problem;
use crate::api::{csv, ApiError, AppState};
use crate::service::operation_list::{self, GrantPackage, ListFilter, Operation, OPERATION_COLUMNS};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The form of the list of operations.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OperationListFormat {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OperationListQuery {
    /// Operations of any measure of this programme.
    pub programme_id: Option<i64>,
    /// Operations in this voivodeship (TERYT code, 2 digits).
    #[param(example = "04")]
    pub voivodeship: Option<String>,
    /// Operations whose period (actual, else planned) reaches this day or later.
    pub from: Option<NaiveDate>,
    /// Operations whose period starts on this day or earlier.
    pub to: Option<NaiveDate>,
    /// Operations whose period overlaps this year (not with `from` / `to`).
    #[param(minimum = 1990, maximum = 2100)]
    pub year: Option<i32>,
    /// `csv` for text/csv (or send `Accept: text/csv`); JSON by default.
    pub format: Option<OperationListFormat>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GrantQuery {
    /// Grants of any measure of this programme.
    pub programme_id: Option<i64>,
    /// Grants in this voivodeship (TERYT code, 2 digits).
    #[param(example = "04")]
    pub voivodeship: Option<String>,
    /// Grants whose period (actual, else planned) reaches this day or later.
    pub from: Option<NaiveDate>,
    /// Grants whose period starts on this day or earlier.
    pub to: Option<NaiveDate>,
    /// Grants whose period overlaps this year (not with `from` / `to`).
    #[param(minimum = 1990, maximum = 2100)]
    pub year: Option<i32>,
}

/// The list of operations of Article 49(3) of Regulation (EU) 2021/1060 (the
/// Common Provisions Regulation), in the fields its Annex asks for and Kohesio
/// collects: operation name, purpose and achievements, beneficiary, start and
/// expected or actual end, total cost, EU co-financing rate, location indicator
/// (TERYT units), country, category of intervention, fund and specific
/// objective. Every project is an operation (the registry has no draft or
/// withdrawn records); no personal data and no count of people appear.
#[utoipa::path(get, path = "/api/v1/exports/operations", tag = "exports", operation_id = "operation_list",
    security((), ("bearer" = [])),
    params(OperationListQuery),
    responses(
        (status = 200, description = "Every operation the filters find, by id", content((Vec<Operation> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A parameter that cannot be read, or an unknown one", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown programme or voivodeship, a period in the wrong order, a year out of range or with from/to", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn operations(state: web::Data<AppState>, req: HttpRequest, query: web::Query<OperationListQuery>) -> Result<HttpResponse, ApiError> {
    let OperationListQuery { programme_id, voivodeship, from, to, year, format } = query.into_inner();
    let filter = ListFilter { programme_id, voivodeship, from, to, year };
    let list = state.read(move |conn| operation_list::operations(conn, filter)).await?;
    if matches!(format, Some(OperationListFormat::Csv)) || (format.is_none() && csv::wanted(&req)) {
        return Ok(csv::response(csv::render(&OPERATION_COLUMNS, list.iter().map(operation_list::operation_cells))));
    }
    Ok(HttpResponse::Ok().json(list))
}

/// The operations as grants of the 360Giving Data Standard (1.4): a data
/// package `{"grants": [...]}` of the EU co-financing each operation was
/// awarded, by the programme's managing authority, with recipients identified
/// by org-id.guide lists (`PL-KRS`, `PL-REGON`, `PL-NIP`) where known. An
/// operation without an EU amount, a start or a beneficiary is not a grant the
/// standard can describe and is left out.
#[utoipa::path(get, path = "/api/v1/exports/360giving", tag = "exports", operation_id = "grants_360giving",
    security((), ("bearer" = [])),
    params(GrantQuery),
    responses(
        (status = 200, description = "The 360Giving data package", body = GrantPackage),
        (status = 400, description = "A parameter that cannot be read, or an unknown one", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown programme or voivodeship, a period in the wrong order, a year out of range or with from/to", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn grants(state: web::Data<AppState>, query: web::Query<GrantQuery>) -> Result<HttpResponse, ApiError> {
    let GrantQuery { programme_id, voivodeship, from, to, year } = query.into_inner();
    let filter = ListFilter { programme_id, voivodeship, from, to, year };
    let package = state.read(move |conn| operation_list::grants(conn, filter)).await?;
    Ok(HttpResponse::Ok().json(package))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(operations, grants), components(schemas(OperationListFormat)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/exports/operations", "GET").route(web::get().to(operations)));
    cfg.service(crate::api::extractors::resource("/api/v1/exports/360giving", "GET").route(web::get().to(grants)));
}
