//! User accounts: admins manage all, a ROPS the OWES and JST users of its
//! voivodeship (the rules are `service::accounts`).

use crate::api::caller::{Session, SignedIn};
use crate::api::extractors::resource;
use crate::api::paging::{Page, PageParams};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::accounts::{self, NewUser, UserPatch, UserView};
use actix_web::{web, HttpResponse};

/// List accounts (a ROPS sees those of its voivodeship).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", operation_id = "list_users", params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of accounts", body = Page<UserView>),
        (status = 403, description = "Not an admin or ROPS", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>, session: Session, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let (items, total) = state.run_as(&session, move |conn, caller| accounts::list(conn, caller, request)).await?;
    Ok(HttpResponse::Ok().json(Page { items, total, limit: request.limit, offset: request.offset }))
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", operation_id = "create_user", request_body = NewUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Not yours to create", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(state: web::Data<AppState>, session: SignedIn, body: web::Json<NewUser>) -> Result<HttpResponse, ApiError> {
    let user = accounts::create(&state.db, state.caller(&session).await?, body.into_inner()).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/users/{}", user.id))).json(user))
}

/// Read an account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", operation_id = "get_user",
    params(("id" = i64, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserView),
        (status = 403, description = "Not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = state.run_as(&session, move |conn, caller| accounts::read(conn, caller, id)).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Change an account: enable or disable it, set its password, role or organisation.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "patch_user",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = UserView),
        (status = 403, description = "Not yours to change, or your own role or organisation", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: web::Json<UserPatch>) -> Result<HttpResponse, ApiError> {
    let user = accounts::patch(&state.db, &state.throttle, state.caller(&session).await?, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(user))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, read, patch), components(schemas(NewUser, UserPatch, UserView)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/users", "GET, POST").route(web::get().to(list)).route(web::post().to(create)))
        .service(resource("/api/v1/users/{id}", "GET, PATCH").route(web::get().to(read)).route(web::patch().to(patch)));
}
