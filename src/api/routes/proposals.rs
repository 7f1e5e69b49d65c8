//! Proposals: relations that name another organisation (a network's member,
//! an agreement's parties) and that organisation's word on them: accept,
//! decline, leave, and the inbox of what awaits the caller's word (the rules
//! are `service::proposals`).

use crate::api::caller::SignedIn;
use crate::api::crud::view;
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::domain::codes::ProposalStatus;
use crate::domain::validation::describe_json_error;
use crate::service::proposals::{self, Inbox, Naming};
use crate::service::vocabulary::{AgreementData, Agreements};
use crate::service::vocabulary::{NetworkMemberData, NetworkMembers};
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;

/// For whom an answer is given; the body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The named organisation answered for: needed only when the caller speaks
    /// for several of those named (a ROPS, an admin); by default the caller's
    /// own organisation, or the one named organisation it speaks for.
    pub organisation_id: Option<i64>,
}

/// When a member leaves; the body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Leaving {
    /// The day it leaves (by default today); not before it joined.
    pub on: Option<NaiveDate>,
}

/// A body that may be left out (empty), else read as JSON.
fn optional_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::field("body", "invalid_value", describe_json_error(&e)))
}

async fn answer<R: Naming>(state: &AppState, session: SignedIn, id: i64, body: &Bytes, accept: bool) -> Result<HttpResponse, ApiError>
where
    R::Data: serde::Serialize,
{
    let Answer { organisation_id } = optional_body(body)?;
    let record = state.run_as(&session, move |conn, caller| proposals::answer::<R>(conn, caller, id, organisation_id, accept)).await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

/// Accept a membership proposed to an organisation: it becomes public and counted.
#[utoipa::path(post, path = "/api/v1/network-members/{id}/accept", tag = "network-members", operation_id = "accept_network_member",
    params(("id" = i64, Path, description = "Membership id")),
    request_body(content = Option<Answer>, description = "Optional: the named organisation answered for"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Accepted", body = crate::api::crud::View<NetworkMemberData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an account of the member organisation, the ROPS of its voivodeship or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such membership", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed (any more)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organisation the membership does not name", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn accept_member(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: Bytes) -> Result<HttpResponse, ApiError> {
    answer::<NetworkMembers>(&state, session, id.into_inner(), &body, true).await
}

/// Decline a membership proposed to an organisation: it stays its keepers' and the organisation's, never public nor counted.
#[utoipa::path(post, path = "/api/v1/network-members/{id}/decline", tag = "network-members", operation_id = "decline_network_member",
    params(("id" = i64, Path, description = "Membership id")),
    request_body(content = Option<Answer>, description = "Optional: the named organisation answered for"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Declined", body = crate::api::crud::View<NetworkMemberData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an account of the member organisation, the ROPS of its voivodeship or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such membership", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed (any more)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organisation the membership does not name", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decline_member(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: Bytes) -> Result<HttpResponse, ApiError> {
    answer::<NetworkMembers>(&state, session, id.into_inner(), &body, false).await
}

/// End a membership: by the member organisation's account or its ROPS (or the network's keepers), on the day given or today.
#[utoipa::path(post, path = "/api/v1/network-members/{id}/leave", tag = "network-members", operation_id = "leave_network",
    params(("id" = i64, Path, description = "Membership id")),
    request_body(content = Option<Leaving>, description = "Optional: the day it leaves"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Left", body = crate::api::crud::View<NetworkMemberData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the member organisation (its account, its ROPS) nor the network's keepers", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such membership", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an accepted membership, or left already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A day before it joined", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn leave(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: Bytes) -> Result<HttpResponse, ApiError> {
    let Leaving { on } = optional_body(&body)?;
    let id = id.into_inner();
    let record = state.run_as(&session, move |conn, caller| proposals::leave(conn, caller, id, on)).await?;
    Ok(HttpResponse::Ok().json(view::<NetworkMembers>(record)))
}

/// Accept, as a party, an agreement that names an organisation: it becomes public and counted once every party accepted.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/accept", tag = "agreements", operation_id = "accept_agreement",
    params(("id" = i64, Path, description = "Agreement id")),
    request_body(content = Option<Answer>, description = "Optional: the party answered for"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Accepted by the party", body = crate::api::crud::View<AgreementData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an account of a party, the ROPS of its voivodeship or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed (any more), or the party answered already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organisation that is not a party, or several the caller speaks for", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn accept_agreement(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: Bytes) -> Result<HttpResponse, ApiError> {
    answer::<Agreements>(&state, session, id.into_inner(), &body, true).await
}

/// Decline, as a party, an agreement that names an organisation: the agreement is then declined.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/decline", tag = "agreements", operation_id = "decline_agreement",
    params(("id" = i64, Path, description = "Agreement id")),
    request_body(content = Option<Answer>, description = "Optional: the party answered for"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Declined", body = crate::api::crud::View<AgreementData>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an account of a party, the ROPS of its voivodeship or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed (any more), or the party answered already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organisation that is not a party, or several the caller speaks for", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decline_agreement(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: Bytes) -> Result<HttpResponse, ApiError> {
    answer::<Agreements>(&state, session, id.into_inner(), &body, false).await
}

/// What awaits the caller's word: memberships and agreements proposed to its
/// organisation (for a ROPS, to any organisation of its voivodeship; for an
/// admin, every proposal) and not yet answered, oldest first, at most 500 of each.
#[utoipa::path(get, path = "/api/v1/proposals", tag = "proposals", operation_id = "proposals_inbox",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The proposals awaiting the caller's word", body = Inbox),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn inbox(state: web::Data<AppState>, session: SignedIn) -> Result<HttpResponse, ApiError> {
    let inbox = state.run_as(&session, proposals::inbox).await?;
    Ok(HttpResponse::Ok().json(inbox))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(accept_member, decline_member, leave, accept_agreement, decline_agreement, inbox), components(schemas(Answer, Leaving, Inbox, ProposalStatus)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use crate::api::extractors::resource;
    cfg.service(resource("/api/v1/network-members/{id}/accept", "POST").route(web::post().to(accept_member)))
        .service(resource("/api/v1/network-members/{id}/decline", "POST").route(web::post().to(decline_member)))
        .service(resource("/api/v1/network-members/{id}/leave", "POST").route(web::post().to(leave)))
        .service(resource("/api/v1/agreements/{id}/accept", "POST").route(web::post().to(accept_agreement)))
        .service(resource("/api/v1/agreements/{id}/decline", "POST").route(web::post().to(decline_agreement)))
        .service(resource("/api/v1/proposals", "GET").route(web::get().to(inbox)));
}
