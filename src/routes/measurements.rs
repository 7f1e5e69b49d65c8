//! Reported indicator values and their approval: draft → submitted (by the
//! project's writers) → approved or returned with a reason (by the ROPS).

use crate::api::crud::{allow, audit, not_found, view, Resource};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::auth::policy::{authorize, authorize_decision};
use crate::auth::{Action, Caller, Scope};
use crate::db::measurements::{indicator_project, set_status, MeasurementData, MeasurementFilter, Measurements};
use crate::db::{scopes, DbError, Record, Store};
use crate::domain::codes::MeasurementStatus;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use actix_web::{web, HttpResponse};
use diesel::pg::PgConnection;
use diesel::Connection;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

fn editable(status: MeasurementStatus) -> bool {
    matches!(status, MeasurementStatus::Draft | MeasurementStatus::Returned)
}

fn locked() -> ApiError {
    ApiError::Conflict { code: "measurement_locked", detail: "only draft or returned values can be changed; submitted and approved ones are history".into() }
}

impl Resource for Measurements {
    const COLLECTION: &'static str = "indicator-measurements";
    const NOUN: &'static str = "indicator measurement";
    const READ_ONLY: &'static [&'static str] = &["status", "return_reason", "submitted_at", "decided_at"];

    fn check(conn: &mut PgConnection, mut data: MeasurementData, id: Option<i64>) -> Result<MeasurementData, ApiError> {
        if let Some(id) = id {
            let current = Measurements::find(conn, id)?;
            if !editable(current.data.status) {
                return Err(locked());
            }
            data.return_reason = current.data.return_reason;
        }
        // A changed value starts its approval again.
        data.status = MeasurementStatus::Draft;
        data.submitted_at = None;
        data.decided_at = None;
        blank_to_none(&mut data.value_text);
        blank_to_none(&mut data.comment);
        let mut checks = Checks::new();
        checks.ensure(data.value.is_some() || data.value_text.is_some(), "value", "value_missing", "a measurement needs a value or a value_text");
        for (field, value) in [("value", data.value), ("value_women", data.value_women), ("value_men", data.value_men)] {
            checks.ensure(
                value.is_none_or(|v| v >= Decimal::ZERO && v.normalize().scale() <= 4),
                field,
                "invalid_value",
                "a value is non-negative with at most four decimals",
            );
        }
        if let (Some(w), Some(m), Some(total)) = (data.value_women, data.value_men, data.value) {
            checks.ensure(w + m == total, "value", "split_mismatch", "value_women and value_men must add up to value");
        }
        checks.into_result()?;
        if indicator_project(conn, data.indicator_id)?.is_none() {
            return Err(ApiError::field("indicator_id", "unknown_reference", "indicator_id names an indicator that does not exist"));
        }
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &MeasurementData) -> Result<Scope, ApiError> {
        match indicator_project(conn, data.indicator_id)? {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Project { voivodeship: None, organisations: Vec::new() }),
        }
    }

    fn before_delete(_: &mut PgConnection, record: &Record<MeasurementData>) -> Result<(), ApiError> {
        if editable(record.data.status) {
            Ok(())
        } else {
            Err(locked())
        }
    }

    fn related(_: i64, data: &MeasurementData) -> Vec<(&'static str, String)> {
        vec![("indicator", format!("indicators/{}", data.indicator_id)), ("progress", format!("indicators/{}/progress", data.indicator_id))]
    }
}

crate::resource_routes!(
    Measurements,
    MeasurementData,
    MeasurementFilter,
    "indicator-measurements",
    "/api/v1/indicator-measurements",
    "/api/v1/indicator-measurements/{id}"
);

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnReason {
    #[schema(example = "the value does not match the attendance lists")]
    pub reason: String,
}

/// Moves measurement `id` from one of `from` to `to`, checking who may.
async fn transition(
    state: &AppState,
    caller: Caller,
    id: i64,
    from: MeasurementStatus,
    to: MeasurementStatus,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&caller, Measurements::COLLECTION, Action::Update, None)?;
    let record = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let current = Measurements::find_for_update(conn, id).map_err(not_found::<Measurements>(id))?;
                let scope = if to == MeasurementStatus::Submitted {
                    allow::<Measurements>(conn, &caller, Action::Update, Some(id), &current.data)?
                } else {
                    let scope = Measurements::scope(conn, Some(id), &current.data)?;
                    authorize_decision(&caller, &scope)?;
                    scope
                };
                let allowed_from = if from == MeasurementStatus::Draft { editable(current.data.status) } else { current.data.status == from };
                if !allowed_from {
                    return Err(ApiError::Conflict { code: "invalid_transition", detail: format!("a {} value cannot become {to}", current.data.status) });
                }
                set_status(conn, id, to, reason.clone(), caller.user().map(|u| u.id))?;
                let after = Measurements::find(conn, id).map_err(|e: DbError| ApiError::from(e))?;
                audit::<Measurements>(conn, &caller, Action::Update, id, &scope, Some(&current.data), Some(&after.data))?;
                Ok(after)
            })
        })
        .await?;
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
pub async fn submit(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    transition(&state, caller, id.into_inner(), MeasurementStatus::Draft, MeasurementStatus::Submitted, None).await
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
pub async fn approve(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    transition(&state, caller, id.into_inner(), MeasurementStatus::Submitted, MeasurementStatus::Approved, None).await
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
pub async fn return_value(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>, body: web::Json<ReturnReason>) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ApiError::field("reason", "blank", "say why the value is returned"));
    }
    transition(&state, caller, id.into_inner(), MeasurementStatus::Submitted, MeasurementStatus::Returned, Some(reason)).await
}

pub mod workflow {
    use super::*;

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(submit, approve, return_value), components(schemas(ReturnReason, MeasurementStatus)))]
    pub struct Api;

    pub fn configure(cfg: &mut web::ServiceConfig) {
        cfg.service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/submit", "POST").route(web::post().to(submit)))
            .service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/approve", "POST").route(web::post().to(approve)))
            .service(crate::api::extractors::resource("/api/v1/indicator-measurements/{id}/return", "POST").route(web::post().to(return_value)));
    }
}
