//! The second pair of eyes on a ROPS's own entries: confirming a lock of a
//! reporting period or an organisation's status that one account of the ROPS
//! made alone (the rules are `service::workflow`; which collections have such
//! entries is the workflow's declaration, `domain::workflow`).

use crate::api::caller::SignedIn;
use crate::api::crud::view;
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::resource::Resource;
use crate::service::vocabulary::{OrganisationStatusData, OrganisationStatuses};
use crate::service::vocabulary::{ReportingPeriodData, ReportingPeriods};
use crate::service::workflow;
use actix_web::{web, HttpResponse};

async fn confirm<R: Resource>(state: &AppState, session: SignedIn, id: i64) -> Result<HttpResponse, ApiError> {
    let record = state.run_as(&session, move |conn, caller| workflow::confirm::<R>(conn, caller, id)).await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

/// Confirm a lock or unlock one account of the ROPS made alone: another account of the ROPS of the programme's voivodeship (or an admin) confirms it, and it is no longer shown as self-decided.
#[utoipa::path(post, path = "/api/v1/reporting-periods/{id}/confirm", tag = "reporting-periods", operation_id = "confirm_reporting_period",
    params(("id" = i64, Path, description = "Reporting period id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Confirmed", body = crate::api::crud::View<ReportingPeriodData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not another account of the ROPS of the programme's voivodeship, nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such reporting period", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not self-decided", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_period(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    confirm::<ReportingPeriods>(&state, session, id.into_inner()).await
}

/// Confirm a status (its grant or revocation) one account of the ROPS entered alone: another account of the ROPS of the organisation's voivodeship (or an admin) confirms it, and it is no longer shown as self-decided.
#[utoipa::path(post, path = "/api/v1/organisation-statuses/{id}/confirm", tag = "organisation-statuses", operation_id = "confirm_organisation_status",
    params(("id" = i64, Path, description = "Organisation status id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Confirmed", body = crate::api::crud::View<OrganisationStatusData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not another account of the ROPS of the organisation's voivodeship, nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such status", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not self-decided", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_status(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    confirm::<OrganisationStatuses>(&state, session, id.into_inner()).await
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(confirm_period, confirm_status))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/reporting-periods/{id}/confirm", "POST").route(web::post().to(confirm_period)))
        .service(crate::api::extractors::resource("/api/v1/organisation-statuses/{id}/confirm", "POST").route(web::post().to(confirm_status)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow;
    use utoipa::OpenApi;

    #[test]
    fn every_confirmable_workflow_has_its_confirm_route() {
        let paths: Vec<String> = Api::openapi().paths.paths.keys().cloned().collect();
        for w in workflow::ALL.iter().filter(|w| w.confirmable) {
            assert!(paths.contains(&format!("{}/{{id}}/confirm", w.collection.list_path())), "{}", w.collection);
        }
        assert_eq!(paths.len(), workflow::ALL.iter().filter(|w| w.confirmable).count());
    }
}
