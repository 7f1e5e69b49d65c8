//! Facets of a project search, beside the list (`/api/v1/projects?q=…`).

use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::search::{self, ProjectFacets};
use crate::service::vocabulary::ProjectFilter;
use actix_web::{web, HttpResponse};

/// Facets of a project search: counts by voivodeship, programme, fund, status
/// and year of the projects the same `q` and filters find, with their total.
#[utoipa::path(get, path = "/api/v1/projects/facets", tag = "projects", operation_id = "project_facets",
    security((), ("bearer" = [])),
    params(ProjectFilter),
    responses(
        (status = 200, description = "The facets and the total, from one scan", body = ProjectFacets),
        (status = 400, description = "A filter that cannot be read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn facets(state: web::Data<AppState>, filter: web::Query<ProjectFilter>) -> Result<HttpResponse, ApiError> {
    let filter = filter.into_inner();
    let facets = state.read(move |conn| search::project_facets(conn, &filter)).await?;
    Ok(HttpResponse::Ok().json(facets))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(facets))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/projects/facets", "GET").route(web::get().to(facets)));
}
