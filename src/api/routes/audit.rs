//! The audit trail: admins read all of it, a ROPS what happened in its voivodeship.

use crate::api::caller::Session;
use crate::api::paging::{Page, PageParams};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::audit;
use crate::service::vocabulary::{AuditEvent, AuditFilter};
use actix_web::{web, HttpResponse};

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", operation_id = "list_audit_events",
    params(AuditFilter, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of events", body = Page<AuditEvent>),
        (status = 403, description = "Not an admin or ROPS", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    filter: web::Query<AuditFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let filter = filter.into_inner();
    let (events, total) = state.run_as(&session, move |conn, caller| audit::list(conn, caller, &filter, request)).await?;
    Ok(HttpResponse::Ok().json(Page { items: events, total, limit: request.limit, offset: request.offset }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/audit-events", "GET").route(web::get().to(list)));
}
