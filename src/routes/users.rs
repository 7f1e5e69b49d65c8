//! User accounts: admins manage all, a ROPS the OWES and JST users of its voivodeship.

use crate::api::extractors::resource;
use crate::api::paging::{Page, PageParams};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::auth::accounts::{self, NewUser, UserPatch, UserView};
use crate::auth::policy::authorize;
use crate::auth::{passwords, sessions, Action, Caller, Scope};
use crate::db::audit;
use crate::db::users::{self, UserChanges};
use crate::db::DbError;
use crate::domain::codes::Role;
use actix_web::{web, HttpResponse};
use diesel::pg::PgConnection;
use diesel::Connection;

const COLLECTION: &str = "users";

fn not_found(id: i64) -> impl FnOnce(DbError) -> ApiError {
    move |e| match e {
        DbError::NotFound => ApiError::NotFound { resource: "user", id: id.to_string() },
        other => other.into(),
    }
}

fn record(
    conn: &mut PgConnection,
    caller: &Caller,
    action: Action,
    id: i64,
    scope: &Scope,
    before: Option<&UserView>,
    after: Option<&UserView>,
) -> Result<(), ApiError> {
    let json = |v: Option<&UserView>| v.map(serde_json::to_value).transpose().map_err(|e| ApiError::Internal(e.to_string()));
    let event = caller.audit_event(action, COLLECTION, id, scope, json(before)?, json(after)?);
    Ok(audit::record(conn, &[event])?)
}

/// Only admins and ROPS users manage accounts: asked before any costly work.
fn manager(caller: &Caller) -> Result<(), ApiError> {
    match caller.signed_in()?.role {
        Role::Admin | Role::Rops => Ok(()),
        _ => Err(ApiError::Forbidden("only admins and ROPS users manage accounts".into())),
    }
}

async fn hash(password: String) -> Result<String, ApiError> {
    web::block(move || passwords::hash(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))?.map_err(ApiError::Internal)
}

/// List accounts (a ROPS sees those of its voivodeship).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", operation_id = "list_users", params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of accounts", body = Page<UserView>),
        (status = 403, description = "Not an admin or ROPS", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>, caller: Caller, page: web::Query<PageParams>) -> Result<HttpResponse, ApiError> {
    let user = caller.signed_in()?.clone();
    let request = page.request()?;
    let (voivodeship, roles) = match user.role {
        Role::Admin => (None, None),
        Role::Rops => (Some(user.voivodeship.clone().unwrap_or_default()), Some(&[Role::Owes, Role::Jst][..])),
        _ => return Err(ApiError::Forbidden("only admins and ROPS users manage accounts".into())),
    };
    let (rows, total) = state.run(move |conn| Ok(users::list(conn, voivodeship.as_deref(), roles, request)?)).await?;
    Ok(HttpResponse::Ok().json(Page { items: rows.iter().map(UserView::from).collect(), total, limit: request.limit, offset: request.offset }))
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
pub async fn create(state: web::Data<AppState>, caller: Caller, body: web::Json<NewUser>) -> Result<HttpResponse, ApiError> {
    manager(&caller)?;
    let NewUser { email, password, role, organisation_id } = body.into_inner();
    let email = accounts::normalise_email(&email)?;
    accounts::check_password(&password)?;
    let password_hash = hash(password).await?;
    let row = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let scope = accounts::account_scope(conn, None, role, organisation_id)?;
                authorize(&caller, COLLECTION, Action::Create, Some(&scope))?;
                let row = accounts::insert(conn, email, password_hash, role, organisation_id)?;
                record(conn, &caller, Action::Create, row.id, &scope, None, Some(&UserView::from(&row)))?;
                Ok(row)
            })
        })
        .await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/users/{}", row.id))).json(UserView::from(&row)))
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
pub async fn read(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    manager(&caller)?;
    let id = id.into_inner();
    let row = state
        .run(move |conn| {
            let row = users::find(conn, id).map_err(not_found(id))?;
            let scope = accounts::account_scope(conn, Some(id), row.role, row.organisation_id)?;
            authorize(&caller, COLLECTION, Action::Read, Some(&scope))?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(&row)))
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
pub async fn patch(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>, body: web::Json<UserPatch>) -> Result<HttpResponse, ApiError> {
    let me = caller.signed_in()?.clone();
    let id = id.into_inner();
    let UserPatch { enabled, password, current_password, role, organisation_id } = body.into_inner();
    let own = id == me.id;
    if own && (role.is_some() || organisation_id.is_some() || enabled.is_some()) {
        return Err(ApiError::Forbidden("nobody changes their own role, organisation or enabled state".into()));
    }
    if !own {
        manager(&caller)?;
    }
    let password_hash = match password {
        Some(password) => {
            accounts::check_password(&password)?;
            // A stolen access token must not become a permanent account.
            if own {
                let current =
                    current_password.ok_or_else(|| ApiError::field("current_password", "required", "setting your own password needs your current one"))?;
                sessions::confirm_password(&state, &me, current).await?;
            }
            Some(hash(password).await?)
        }
        None => None,
    };
    // Whoever sets their own password stays signed in here; everywhere else they are signed out.
    let keep = if own { me.session } else { None };
    let row = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let current = users::find_for_update(conn, id).map_err(not_found(id))?;
                let old_scope = accounts::account_scope(conn, Some(id), current.role, current.organisation_id)?;
                let new_role = role.unwrap_or(current.role);
                let new_org = organisation_id.or(current.organisation_id);
                let scope = accounts::account_scope(conn, Some(id), new_role, new_org)?;
                // Anyone may set their own password; everything else is the managers'.
                if id != me.id {
                    authorize(&caller, COLLECTION, Action::Update, Some(&old_scope))?;
                    authorize(&caller, COLLECTION, Action::Update, Some(&scope))?;
                }
                let changes = UserChanges { password_hash, role, organisation_id: organisation_id.map(Some), enabled };
                let row = accounts::update(conn, id, &changes, keep)?;
                record(conn, &caller, Action::Update, id, &scope, Some(&UserView::from(&current)), Some(&UserView::from(&row)))?;
                Ok(row)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(&row)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, read, patch), components(schemas(NewUser, UserPatch, UserView)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/users", "GET, POST").route(web::get().to(list)).route(web::post().to(create)))
        .service(resource("/api/v1/users/{id}", "GET, PATCH").route(web::get().to(read)).route(web::patch().to(patch)));
}
