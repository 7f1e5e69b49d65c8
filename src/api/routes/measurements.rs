//! The workflow of reported indicator values: submit, approve, return
//! (the rules are `service::resources::measurements`).

use crate::api::caller::SignedIn;
use crate::api::crud::view;
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::domain::codes::MeasurementStatus;
use crate::service::resources::measurements;
use crate::service::vocabulary::{MeasurementData, Measurements};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnReason {
    #[schema(example = "the value does not match the attendance lists")]
    pub reason: String,
}

/// Moves measurement `id` from `from` to `to` (see `service::resources::measurements::transition`).
async fn transition(
    state: &AppState,
    session: SignedIn,
    id: i64,
    from: MeasurementStatus,
    to: MeasurementStatus,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let record = state.run_as(&session, move |conn, caller| measurements::transition(conn, caller, id, from, to, reason)).await?;
    Ok(HttpResponse::Ok().json(view::<Measurements>(record)))
}

/// Submit a draft or returned value for approval.
#[utoipa::path(post, path = "/api/v1/indicator-measurements/{id}/submit", tag = "indicator-measurements", operation_id = "submit_measurement",
    params(("id" = i64, Path, description = "Measurement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Submitted", body = crate::api::crud::View<MeasurementData>),
        (status = 403, description = "Not a writer of the project", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such measurement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft or returned value", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    transition(&state, session, id.into_inner(), MeasurementStatus::Draft, MeasurementStatus::Submitted, None).await
}

/// Approve a submitted value: it becomes the indicator's achieved value if it is the latest.
#[utoipa::path(post, path = "/api/v1/indicator-measurements/{id}/approve", tag = "indicator-measurements", operation_id = "approve_measurement",
    params(("id" = i64, Path, description = "Measurement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved", body = crate::api::crud::View<MeasurementData>),
        (status = 403, description = "Not the ROPS of the project's voivodeship", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such measurement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a submitted value", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    transition(&state, session, id.into_inner(), MeasurementStatus::Submitted, MeasurementStatus::Approved, None).await
}

/// Return a submitted value to its writers, with a reason.
#[utoipa::path(post, path = "/api/v1/indicator-measurements/{id}/return", tag = "indicator-measurements", operation_id = "return_measurement",
    params(("id" = i64, Path, description = "Measurement id")),
    request_body = ReturnReason,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Returned", body = crate::api::crud::View<MeasurementData>),
        (status = 403, description = "Not the ROPS of the project's voivodeship", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such measurement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a submitted value", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn return_value(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: web::Json<ReturnReason>) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::field("reason", "blank", "say why the value is returned"));
    }
    transition(&state, session, id.into_inner(), MeasurementStatus::Submitted, MeasurementStatus::Returned, Some(reason)).await
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(submit, approve, return_value), components(schemas(ReturnReason, MeasurementStatus)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/submit", "POST").route(web::post().to(submit)))
        .service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/approve", "POST").route(web::post().to(approve)))
        .service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/return", "POST").route(web::post().to(return_value)));
}
