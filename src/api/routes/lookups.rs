//! Finding an organisation by its registry number: NIP, REGON or KRS.

use crate::api::crud::view;
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::domain::identifiers::{Krs, Nip, Regon};
use crate::domain::DomainError;
use crate::service::reports;
use crate::service::vocabulary::{Beneficiaries, BeneficiaryData, BeneficiaryFilter};
use crate::service::ServiceError;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

/// Exactly one identifier; separators (`123-456-32-18`) are accepted.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    #[param(example = "1234563218")]
    pub nip: Option<String>,
    pub regon: Option<String>,
    pub krs: Option<String>,
}

fn normalised<T: ToString>(field: &str, parsed: Result<T, DomainError>) -> Result<String, ApiError> {
    parsed.map(|v| v.to_string()).map_err(|e| ApiError::field(field, e.code, e.message))
}

impl LookupQuery {
    fn filter(&self) -> Result<BeneficiaryFilter, ApiError> {
        let mut filter = BeneficiaryFilter::default();
        let given = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        match (given(&self.nip), given(&self.regon), given(&self.krs)) {
            (Some(nip), None, None) => filter.nip = Some(normalised("nip", Nip::parse(&nip))?),
            (None, Some(regon), None) => filter.regon = Some(normalised("regon", Regon::parse(&regon))?),
            (None, None, Some(krs)) => filter.krs = Some(normalised("krs", Krs::parse(&krs))?),
            _ => return Err(ApiError::field("nip", "one_identifier", "give exactly one of nip, regon and krs")),
        }
        Ok(filter)
    }
}

/// The organisation with this NIP, REGON or KRS number.
#[utoipa::path(get, path = "/api/v1/beneficiaries/lookup", tag = "beneficiaries", operation_id = "lookup_beneficiaries",
    security((), ("bearer" = [])),
    params(LookupQuery),
    responses(
        (status = 200, description = "The organisation", body = crate::api::crud::View<BeneficiaryData>),
        (status = 404, description = "No organisation has this number", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid number (length or check digit)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lookup(state: web::Data<AppState>, query: web::Query<LookupQuery>) -> Result<HttpResponse, ApiError> {
    let filter = query.filter()?;
    let wanted = [&filter.nip, &filter.regon, &filter.krs].into_iter().flatten().next().cloned().unwrap_or_default();
    let found = state.read(move |conn| reports::organisation_by_number(conn, &filter)).await?;
    let record = found.ok_or(ApiError::Service(ServiceError::NotFound { resource: "organisation with the number", id: wanted }))?;
    Ok(HttpResponse::Ok().json(view::<Beneficiaries>(record)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(lookup))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/beneficiaries/lookup", "GET").route(web::get().to(lookup)));
}
