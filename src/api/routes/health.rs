//! Liveness and readiness for load balancers and scripts.

use crate::api::{ApiError, AppState};
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health", operation_id = "health_live", security(()),
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/health/ready", tag = "health", operation_id = "health_ready", security(()),
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer", body = crate::api::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(live, ready, crate::api::telemetry::metrics), components(schemas(Health)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/health/live", "GET").route(web::get().to(live)))
        .service(crate::api::extractors::resource("/health/ready", "GET").route(web::get().to(ready)))
        .service(crate::api::extractors::resource("/metrics", "GET").route(web::get().to(crate::api::telemetry::metrics)));
}
