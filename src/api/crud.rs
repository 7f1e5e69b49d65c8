//! One pattern for list / get / create / update / delete, shared by every resource.
//! A resource supplies its storage ([`Store`]) and its checks ([`Resource`]);
//! [`resource_routes!`](crate::resource_routes) writes the thin, documented handlers.

use super::caching::IfMatch;
use super::formats::{self, Place};
use super::paging::{neighbour_cursors, Format, ListPage, ListParams};
use super::{merge_patch, ApiError, AppState};
use crate::auth::policy::{authorize, authorize_move, needs_scope};
use crate::auth::{Action, Caller, Scope};
use crate::db::audit::{self, NewAuditEvent};
use crate::db::listing::{ListFilter, Window};
use crate::db::{DbError, Record, Store};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub const API_PREFIX: &str = "/api/v1";

/// A resource of the registry.
pub trait Resource: Store
where
    Self::Data: Serialize + DeserializeOwned + Clone,
{
    /// The collection's path segment: `projects`.
    const COLLECTION: &'static str;
    /// What one record is called in messages: `project`.
    const NOUN: &'static str;
    /// Fields the server derives; they are shown but never taken from a client.
    const READ_ONLY: &'static [&'static str] = &[];

    /// Checks and normalises an input before it is written: domain rules, derived
    /// fields, and rules that need other records. `id` is the record being updated.
    fn check(conn: &mut PgConnection, data: Self::Data, id: Option<i64>) -> Result<Self::Data, ApiError>;

    /// What a record belongs to, for the permission check.
    fn scope(conn: &mut PgConnection, id: Option<i64>, data: &Self::Data) -> Result<Scope, ApiError>;

    /// Rules about the record's own content, asked after the scope allowed the act;
    /// they live in the permission module too.
    fn authorize_content(_caller: &Caller, _data: &Self::Data) -> Result<(), ApiError> {
        Ok(())
    }

    /// What a filtered list covers, for collections whose reads are scoped.
    fn list_scope(_conn: &mut PgConnection, _filter: &Self::Filter) -> Result<Scope, ApiError> {
        Ok(Scope::Everything)
    }

    /// Rules about changing a stored record (`before`) into `after`, asked once the
    /// caller may write both: who may change what, and what a change would break.
    fn check_change(_conn: &mut PgConnection, _caller: &Caller, _id: i64, _before: &Self::Data, _after: &Self::Data) -> Result<(), ApiError> {
        Ok(())
    }

    /// Refuses to delete a record that must stay (an approved measurement).
    fn before_delete(_conn: &mut PgConnection, _record: &Record<Self::Data>) -> Result<(), ApiError> {
        Ok(())
    }

    /// Work that belongs to creating a record, in the same transaction.
    fn after_create(_conn: &mut PgConnection, _caller: &Caller, _record: &Record<Self::Data>) -> Result<(), ApiError> {
        Ok(())
    }

    /// Links to related records and collections: `(name, path below /api/v1)`.
    fn related(id: i64, data: &Self::Data) -> Vec<(&'static str, String)>;

    /// Where each record lies on a map, for GeoJSON lists; `None` for a resource
    /// that has no place.
    fn locate(_conn: &mut PgConnection, _records: &[Record<Self::Data>]) -> Result<Option<Vec<Option<Place>>>, ApiError> {
        Ok(None)
    }

    /// The record as the audit trail keeps it.
    fn audit_value(data: &Self::Data) -> Result<Value, ApiError> {
        serde_json::to_value(data).map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// The document a merge patch applies to: the record's writable fields.
    fn patch_base(data: &Self::Data) -> Result<Value, ApiError> {
        let mut value = serde_json::to_value(data).map_err(|e| ApiError::Internal(e.to_string()))?;
        if let Value::Object(fields) = &mut value {
            for key in Self::READ_ONLY {
                fields.remove(*key);
            }
        }
        Ok(value)
    }
}

/// A record as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct View<D> {
    pub id: i64,
    #[serde(flatten)]
    pub data: D,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `self` and related records, as paths.
    pub links: BTreeMap<String, String>,
}

pub fn item_path<R: Resource>(id: i64) -> String
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    format!("{API_PREFIX}/{}/{id}", R::COLLECTION)
}

pub(crate) fn view<R: Resource>(record: Record<R::Data>) -> View<R::Data>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    let mut links: BTreeMap<String, String> =
        R::related(record.id, &record.data).into_iter().map(|(name, path)| (name.to_owned(), format!("{API_PREFIX}/{path}"))).collect();
    links.insert("self".to_owned(), item_path::<R>(record.id));
    View { id: record.id, data: record.data, created_at: record.created_at, updated_at: record.updated_at, links }
}

pub(crate) fn not_found<R: Resource>(id: i64) -> impl FnOnce(DbError) -> ApiError
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    move |e| match e {
        DbError::NotFound => ApiError::NotFound { resource: R::NOUN, id: id.to_string() },
        other => other.into(),
    }
}

/// Refuses any text longer than the registry keeps, before other checks.
pub(crate) fn refuse_overlong<D: Serialize>(data: &D) -> Result<(), ApiError> {
    let value = serde_json::to_value(data).map_err(|e| ApiError::Internal(e.to_string()))?;
    let errors = crate::domain::validation::overlong_texts(&value);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Checks `caller` may do `action` to the record `data` (with id `id`).
pub(crate) fn allow<R: Resource>(conn: &mut PgConnection, caller: &Caller, action: Action, id: Option<i64>, data: &R::Data) -> Result<Scope, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    let scope = R::scope(conn, id, data)?;
    authorize(caller, R::COLLECTION, action, Some(&scope))?;
    if action != Action::Read && action != Action::Export {
        R::authorize_content(caller, data)?;
    }
    Ok(scope)
}

/// Checks `caller` may turn record `id` from `before` (as stored) into `after`:
/// the record as it is and as it will be must both be the caller's, it may not
/// move to another voivodeship (but by an admin), and the change itself must be
/// allowed. Single writes and imports both ask this.
pub(crate) fn authorize_update<R: Resource>(conn: &mut PgConnection, caller: &Caller, id: i64, before: &R::Data, after: &R::Data) -> Result<Scope, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    let stored = allow::<R>(conn, caller, Action::Update, Some(id), before)?;
    let scope = allow::<R>(conn, caller, Action::Update, Some(id), after)?;
    authorize_move(caller, &stored, &scope)?;
    R::check_change(conn, caller, id, before, after)?;
    Ok(scope)
}

fn audit_event<R: Resource>(
    caller: &Caller,
    action: Action,
    id: i64,
    scope: &Scope,
    before: Option<&R::Data>,
    after: Option<&R::Data>,
) -> Result<NewAuditEvent, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    Ok(caller.audit_event(action, R::COLLECTION, id, scope, before.map(R::audit_value).transpose()?, after.map(R::audit_value).transpose()?))
}

/// Writes the audit event of a change, in the change's transaction.
pub(crate) fn audit<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    action: Action,
    id: i64,
    scope: &Scope,
    before: Option<&R::Data>,
    after: Option<&R::Data>,
) -> Result<(), ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    Ok(audit::record(conn, &[audit_event::<R>(caller, action, id, scope, before, after)?])?)
}

/// RFC 8288 links to the neighbouring pages, keeping the caller's filters.
fn page_links(req: &HttpRequest, limit: i64, next: Option<&str>, prev: Option<&str>) -> Option<String> {
    let others: Vec<(String, String)> =
        url_pairs(req.query_string()).into_iter().filter(|(k, _)| !matches!(k.as_str(), "limit" | "offset" | "cursor")).collect();
    let link = |cursor: &str, rel: &str| {
        let mut pairs = others.clone();
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("cursor".into(), cursor.to_owned()));
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("<{}?{}>; rel=\"{rel}\"", req.path(), query.join("&"))
    };
    let links: Vec<String> = [(next, "next"), (prev, "prev")].into_iter().filter_map(|(cursor, rel)| cursor.map(|c| link(c, rel))).collect();
    (!links.is_empty()).then(|| links.join(", "))
}

/// Splits a query string into pairs, keeping each value as it was encoded.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').map_or((p.to_owned(), String::new()), |(k, v)| (k.to_owned(), v.to_owned()))).collect()
}

/// The scope a filtered list of `R` covers, once `caller` may read it; `None` for
/// a public collection, whose lists anyone may read.
pub(crate) fn readable_scope<R: Resource>(conn: &mut PgConnection, caller: &Caller, filter: &R::Filter) -> Result<Option<Scope>, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    if !needs_scope(R::COLLECTION, Action::Read) {
        return Ok(None);
    }
    let scope = R::list_scope(conn, filter)?;
    authorize(caller, R::COLLECTION, Action::Read, Some(&scope))?;
    Ok(Some(scope))
}

pub async fn list<R: Resource>(state: &AppState, caller: &Caller, filter: R::Filter, params: ListParams, req: &HttpRequest) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    authorize(caller, R::COLLECTION, Action::Read, None)?;
    let format = formats::chosen(params.format, req);
    let request = params.request(filter.order()?)?;
    let caller = caller.clone();
    let paged = request.clone();
    let (page, places) = state
        .read_if(!needs_scope(R::COLLECTION, Action::Read), move |conn| {
            let scope = readable_scope::<R>(conn, &caller, &filter)?;
            let page = R::list(conn, &filter, &paged)?;
            if let Some(scope) = &scope {
                // Who read whose record: one event per person shown.
                let events = page.records.iter().map(|r| audit_event::<R>(&caller, Action::Read, r.id, scope, None, None)).collect::<Result<Vec<_>, _>>()?;
                audit::record(conn, &events)?;
            }
            let places = if format == Format::Geojson { Some(R::locate(conn, &page.records)?.ok_or_else(formats::no_map::<R>)?) } else { None };
            Ok((page, places))
        })
        .await?;
    let (next, prev) = neighbour_cursors(&request, &page);
    let mut response = HttpResponse::Ok();
    if let Some(links) = page_links(req, request.limit, next.as_deref(), prev.as_deref()) {
        response.insert_header((header::LINK, links));
    }
    let total = page.total;
    let items: Vec<View<R::Data>> = page.records.into_iter().map(view::<R>).collect();
    Ok(match (format, places) {
        (Format::Csv, _) => formats::csv::<R::Data>(&mut response, &items)?,
        (Format::Geojson, Some(places)) => formats::geojson(&mut response, items, places)?,
        _ => {
            let offset = match request.window {
                Window::Offset(offset) => Some(offset),
                Window::Keyset { .. } => None,
            };
            response.json(ListPage { items, total, limit: request.limit, offset, next_cursor: next, prev_cursor: prev })
        }
    })
}

pub async fn read<R: Resource>(state: &AppState, caller: &Caller, id: i64) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    authorize(caller, R::COLLECTION, Action::Read, None)?;
    let caller = caller.clone();
    let record = state
        .read_if(!needs_scope(R::COLLECTION, Action::Read), move |conn| {
            let record = R::find(conn, id).map_err(not_found::<R>(id))?;
            if needs_scope(R::COLLECTION, Action::Read) {
                // Reads of personal data are themselves audited.
                let scope = allow::<R>(conn, &caller, Action::Read, Some(id), &record.data)?;
                audit::<R>(conn, &caller, Action::Read, id, &scope, None, None)?;
            }
            Ok(record)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

pub async fn create<R: Resource>(state: &AppState, caller: &Caller, data: R::Data) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    authorize(caller, R::COLLECTION, Action::Create, None)?;
    let caller = caller.clone();
    let record = state
        .run(move |conn| {
            conn.transaction(|conn| {
                refuse_overlong(&data)?;
                let data = R::check(conn, data, None)?;
                let scope = allow::<R>(conn, &caller, Action::Create, None, &data)?;
                let record = R::insert(conn, &data)?;
                R::after_create(conn, &caller, &record)?;
                audit::<R>(conn, &caller, Action::Create, record.id, &scope, None, Some(&record.data))?;
                Ok(record)
            })
        })
        .await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, item_path::<R>(record.id))).json(view::<R>(record)))
}

/// Replaces record `id` by `data` once both the record as it is and as it will be
/// are the caller's to write.
fn update_checked<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    id: i64,
    current: Record<R::Data>,
    data: R::Data,
    precondition: &IfMatch,
) -> Result<Record<R::Data>, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    allow::<R>(conn, caller, Action::Update, Some(id), &current.data)?;
    precondition.check(&representation::<R>(&current)?)?;
    refuse_overlong(&data)?;
    let data = R::check(conn, data, Some(id))?;
    let scope = authorize_update::<R>(conn, caller, id, &current.data, &data)?;
    let record = R::update(conn, id, &data)?;
    audit::<R>(conn, caller, Action::Update, id, &scope, Some(&current.data), Some(&record.data))?;
    Ok(record)
}

/// A record's bytes as a read answers them: what its entity tag is made from.
fn representation<R: Resource>(record: &Record<R::Data>) -> Result<Vec<u8>, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    serde_json::to_vec(&view::<R>(record.clone())).map_err(|e| ApiError::Internal(e.to_string()))
}

pub async fn replace<R: Resource>(state: &AppState, caller: &Caller, id: i64, data: R::Data, precondition: IfMatch) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    authorize(caller, R::COLLECTION, Action::Update, None)?;
    let caller = caller.clone();
    let record = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let current = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
                update_checked::<R>(conn, &caller, id, current, data, &precondition)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

pub async fn patch<R: Resource>(state: &AppState, caller: &Caller, id: i64, patch: Value, precondition: IfMatch) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    authorize(caller, R::COLLECTION, Action::Update, None)?;
    if !patch.is_object() {
        return Err(ApiError::BadRequest("a merge patch must be a JSON object".into()));
    }
    let caller = caller.clone();
    let record = state
        .run(move |conn| {
            conn.transaction(|conn| {
                let current = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
                // Nothing of the record is used before the caller may change it.
                allow::<R>(conn, &caller, Action::Update, Some(id), &current.data)?;
                let mut document = R::patch_base(&current.data)?;
                merge_patch::apply(&mut document, &patch);
                let data: R::Data =
                    serde_json::from_value(document).map_err(|e| ApiError::field("body", "invalid_value", super::problem::describe_json_error(&e)))?;
                update_checked::<R>(conn, &caller, id, current, data, &precondition)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

pub async fn delete<R: Resource>(state: &AppState, caller: &Caller, id: i64, precondition: IfMatch) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    authorize(caller, R::COLLECTION, Action::Delete, None)?;
    let caller = caller.clone();
    state
        .run(move |conn| {
            conn.transaction(|conn| {
                let current = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
                let scope = allow::<R>(conn, &caller, Action::Delete, Some(id), &current.data)?;
                precondition.check(&representation::<R>(&current)?)?;
                R::before_delete(conn, &current)?;
                R::delete(conn, id).map_err(not_found::<R>(id))?;
                audit::<R>(conn, &caller, Action::Delete, id, &scope, Some(&current.data), None)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Writes a resource's six documented handlers, its OpenAPI fragment (`Api`) and
/// its route table (`configure`).
#[macro_export]
macro_rules! resource_routes {
    ($store:ident, $data:ident, $filter:ident, $tag:tt, $collection:tt, $item:tt) => {
        #[utoipa::path(get, path = $collection, tag = $tag, operation_id = concat!("list_", $tag),
            security((), ("bearer" = [])),
            params($filter, $crate::api::paging::ListParams),
            responses(
                (status = 200, description = "One page of records; `Link` holds the next and previous pages",
                    content(
                        ($crate::api::paging::ListPage<$crate::api::crud::View<$data>> = "application/json"),
                        (String = "text/csv"),
                        ($crate::api::formats::FeatureCollection = "application/geo+json"),
                    )),
            ))]
        pub async fn list(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::auth::Caller,
            filter: ::actix_web::web::Query<$filter>,
            page: ::actix_web::web::Query<$crate::api::paging::ListParams>,
            req: ::actix_web::HttpRequest,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::list::<$store>(&state, &caller, filter.into_inner(), page.into_inner(), &req).await
        }

        #[utoipa::path(post, path = $collection, tag = $tag, operation_id = concat!("create_", $tag),
            security(("bearer" = [])),
            request_body = $data,
            responses(
                (status = 201, description = "Created; `Location` names the new record", body = $crate::api::crud::View<$data>),
                (status = 409, description = "A record with the same key exists", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn create(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::auth::Caller,
            body: ::actix_web::web::Json<$data>,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::create::<$store>(&state, &caller, body.into_inner()).await
        }

        #[utoipa::path(get, path = $item, tag = $tag, operation_id = concat!("get_", $tag),
            security((), ("bearer" = [])),
            params(("id" = i64, Path, description = "Record id")),
            responses(
                (status = 200, description = "The record", body = $crate::api::crud::View<$data>),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn read(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<i64>,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::read::<$store>(&state, &caller, id.into_inner()).await
        }

        #[utoipa::path(put, path = $item, tag = $tag, operation_id = concat!("replace_", $tag),
            security(("bearer" = [])),
            params(("id" = i64, Path, description = "Record id"), $crate::api::caching::IfMatchHeader),
            request_body = $data,
            responses(
                (status = 200, description = "Replaced; `ETag` is the new version", body = $crate::api::crud::View<$data>),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 409, description = "A record with the same key exists", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names a version that is no longer current", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn replace(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<i64>,
            body: ::actix_web::web::Json<$data>,
            precondition: $crate::api::caching::IfMatch,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::replace::<$store>(&state, &caller, id.into_inner(), body.into_inner(), precondition).await
        }

        #[utoipa::path(patch, path = $item, tag = $tag, operation_id = concat!("patch_", $tag),
            security(("bearer" = [])),
            params(("id" = i64, Path, description = "Record id"), $crate::api::caching::IfMatchHeader),
            request_body(content = Object, description = "JSON merge patch (RFC 7386) of the record's fields; `null` clears a field",
                content_type = "application/merge-patch+json"),
            responses(
                (status = 200, description = "Patched; `ETag` is the new version", body = $crate::api::crud::View<$data>),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 409, description = "A record with the same key exists", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names a version that is no longer current", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn patch(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<i64>,
            body: ::actix_web::web::Json<::serde_json::Value>,
            precondition: $crate::api::caching::IfMatch,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::patch::<$store>(&state, &caller, id.into_inner(), body.into_inner(), precondition).await
        }

        #[utoipa::path(delete, path = $item, tag = $tag, operation_id = concat!("delete_", $tag),
            security(("bearer" = [])),
            params(("id" = i64, Path, description = "Record id"), $crate::api::caching::IfMatchHeader),
            responses(
                (status = 204, description = "Deleted"),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 409, description = "Other records still refer to this one", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names a version that is no longer current", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn delete(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<i64>,
            precondition: $crate::api::caching::IfMatch,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::delete::<$store>(&state, &caller, id.into_inner(), precondition).await
        }

        #[derive(utoipa::OpenApi)]
        #[openapi(paths(list, create, read, replace, patch, delete))]
        pub struct Api;

        pub fn configure(cfg: &mut ::actix_web::web::ServiceConfig) {
            use ::actix_web::web;
            use $crate::api::extractors::resource;
            cfg.service(resource($collection, "GET, POST").route(web::get().to(list)).route(web::post().to(create)))
                .service(
                    resource($item, "GET, PUT, PATCH, DELETE")
                        .route(web::get().to(read))
                        .route(web::put().to(replace))
                        .route(web::patch().to(patch))
                        .route(web::delete().to(delete)),
                );
        }
    };
}

#[cfg(test)]
mod tests {
    use super::url_pairs;

    #[test]
    fn query_pairs_keep_encoding() {
        assert_eq!(url_pairs("a=1&b=x%20y&c"), vec![("a".into(), "1".into()), ("b".into(), "x%20y".into()), ("c".into(), String::new())]);
    }
}
