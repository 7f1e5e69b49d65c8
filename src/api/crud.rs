//! The HTTP side of list / get / create / replace / patch / delete, shared by
//! every collection of the registry: parse, call the one service function
//! (`service::records`), answer. [`crud_routes!`](crate::crud_routes) writes
//! each collection's documented handlers from its registry entry.

use super::caching::IfMatch;
use super::caller::{Session, SignedIn};
use super::formats;
use super::paging::{neighbour_cursors, Format, ListPage, ListParams};
use super::{ApiError, AppState};
use crate::service::records::{self, Page};
use crate::service::resource::Resource;
pub use crate::service::view::{view, View};
use crate::service::vocabulary::Record;
use crate::service::vocabulary::Window;
use crate::service::ServiceError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;
use utoipa::ToSchema;

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

/// A record's bytes as a read answers them: what its entity tag is made from.
fn representation<R: Resource>(record: &Record<R::Data>) -> Result<Vec<u8>, ServiceError> {
    serde_json::to_vec(&view::<R>(record.clone())).map_err(ServiceError::internal)
}

/// `If-Match` as the service asks it: is the stored record the version named?
fn version_check<R: Resource>(precondition: IfMatch) -> impl Fn(&Record<R::Data>) -> Result<(), ServiceError> {
    move |record| precondition.check(&representation::<R>(record)?)
}

pub async fn list<R: Resource>(state: &AppState, session: &Session, filter: R::Filter, params: ListParams, req: &HttpRequest) -> Result<HttpResponse, ApiError>
where
    R::Data: ToSchema,
{
    if !records::public::<R>() {
        session.required()?;
    }
    let format = formats::chosen(params.format, req);
    let request = params.request(records::order_of::<R>(&filter)?)?;
    let map = format == Format::Geojson;
    let on_async = if session.signed() { None } else { records::list_anonymously::<R>(&state.db, &filter, &request, map).await };
    let Page { listed, places } = match on_async {
        Some(page) => page?,
        None => {
            let paged = request.clone();
            state.read_if_as(records::public::<R>(), session, move |conn, caller| records::list::<R>(conn, caller, &filter, &paged, map)).await?
        }
    };
    let (next, prev) = neighbour_cursors(&request, &listed);
    let mut response = HttpResponse::Ok();
    if let Some(links) = page_links(req, request.limit, next.as_deref(), prev.as_deref()) {
        response.insert_header((header::LINK, links));
    }
    let total = listed.total;
    if total.estimated {
        // A client that shows "N results" can tell an estimate without reading the body.
        response.insert_header(("Total-Is-Estimate", "true"));
    }
    let items: Vec<View<R::Data>> = listed.records.into_iter().map(view::<R>).collect();
    Ok(match (format, places) {
        (Format::Csv, _) => formats::csv::<R::Data>(&mut response, &items)?,
        (Format::Geojson, Some(places)) => formats::geojson(&mut response, items, places)?,
        _ => {
            let offset = match request.window {
                Window::Offset(offset) => Some(offset),
                Window::Keyset { .. } => None,
            };
            response.json(ListPage {
                items,
                total: total.value,
                total_is_estimate: total.estimated,
                limit: request.limit,
                offset,
                next_cursor: next,
                prev_cursor: prev,
            })
        }
    })
}

pub async fn read<R: Resource>(state: &AppState, session: &Session, id: i64) -> Result<HttpResponse, ApiError> {
    if !records::public::<R>() {
        session.required()?;
    }
    let on_async = if session.signed() { None } else { records::read_anonymously::<R>(&state.db, id).await };
    let record = match on_async {
        Some(read) => read?,
        None => state.read_if_as(records::public::<R>(), session, move |conn, caller| records::read::<R>(conn, caller, id)).await?,
    };
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

pub async fn create<R: Resource>(state: &AppState, session: &SignedIn, data: R::Data) -> Result<HttpResponse, ApiError> {
    let record = state.run_as(session, move |conn, caller| records::create::<R>(conn, caller, data)).await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, R::COLLECTION.record_path(record.id))).json(view::<R>(record)))
}

pub async fn replace<R: Resource>(state: &AppState, session: &SignedIn, id: i64, data: R::Data, precondition: IfMatch) -> Result<HttpResponse, ApiError> {
    let record = state.run_as(session, move |conn, caller| records::replace::<R>(conn, caller, id, data, &version_check::<R>(precondition))).await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

/// Refuses a merge patch that names a field the record does not have, before
/// anything is read: the fields are those of its data, as the document lists
/// them (the `…Patch` schemas allow no other).
fn only_known_fields<R: Resource>(patch: &Value) -> Result<(), ApiError>
where
    R::Data: ToSchema,
{
    let fields = crate::service::csv::schema_fields::<R::Data>();
    let Some(patch) = patch.as_object().filter(|_| !fields.is_empty()) else { return Ok(()) };
    match patch.keys().find(|name| !fields.contains(name)) {
        Some(unknown) => Err(ApiError::field(unknown, "unknown_field", format!("{} have no field {unknown}", R::COLLECTION))),
        None => Ok(()),
    }
}

pub async fn patch<R: Resource>(state: &AppState, session: &SignedIn, id: i64, patch: Value, precondition: IfMatch) -> Result<HttpResponse, ApiError>
where
    R::Data: ToSchema,
{
    only_known_fields::<R>(&patch)?;
    let record = state.run_as(session, move |conn, caller| records::patch::<R>(conn, caller, id, &patch, &version_check::<R>(precondition))).await?;
    Ok(HttpResponse::Ok().json(view::<R>(record)))
}

pub async fn delete<R: Resource>(state: &AppState, session: &SignedIn, id: i64, precondition: IfMatch) -> Result<HttpResponse, ApiError> {
    state.run_as(session, move |conn, caller| records::delete::<R>(conn, caller, id, &version_check::<R>(precondition))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A collection's part of the OpenAPI document: its six operations as the
/// handlers declare them, completed with what the registry says of it (see
/// [`openapi::complete_collection`](super::openapi::complete_collection)).
pub fn document<R: Resource>(declared: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi
where
    R::Data: ToSchema,
{
    type SortOf<R> = <<R as crate::service::vocabulary::Store>::Filter as crate::service::vocabulary::ListFilter>::Sort;
    let sort = (SortOf::<R>::name().into_owned(), <SortOf<R> as utoipa::PartialSchema>::schema());
    super::openapi::complete_collection(declared, R::COLLECTION, &R::Data::name(), sort, R::ON_MAP)
}

/// Writes a collection's six documented handlers, its OpenAPI fragment (`Api`)
/// and its route table (`configure`), with paths, tag and operation ids taken
/// from its registry entry (`domain::collection`).
#[macro_export]
macro_rules! crud_routes {
    ($collection:ident, $store:ty, $data:ident, $filter:ident) => {
        const COLLECTION: $crate::domain::collection::Collection = $crate::domain::collection::Collection::$collection;

        fn list_path() -> String {
            COLLECTION.list_path()
        }

        fn item_path() -> String {
            format!("{}/{{id}}", COLLECTION.list_path())
        }

        fn operation(verb: &str) -> String {
            format!("{verb}_{}", COLLECTION.path())
        }

        #[utoipa::path(get, path = list_path(), tag = COLLECTION.path(), operation_id = operation("list"),
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
            session: $crate::api::caller::Session,
            filter: ::actix_web::web::Query<$filter>,
            page: ::actix_web::web::Query<$crate::api::paging::ListParams>,
            req: ::actix_web::HttpRequest,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::list::<$store>(&state, &session, filter.into_inner(), page.into_inner(), &req).await
        }

        #[utoipa::path(post, path = list_path(), tag = COLLECTION.path(), operation_id = operation("create"),
            security(("bearer" = [])),
            request_body = $data,
            responses(
                (status = 201, description = "Created; `Location` names the new record", body = $crate::api::crud::View<$data>),
                (status = 409, description = "A record with the same key exists", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn create(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            session: $crate::api::caller::SignedIn,
            body: ::actix_web::web::Json<$data>,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::create::<$store>(&state, &session, body.into_inner()).await
        }

        #[utoipa::path(get, path = item_path(), tag = COLLECTION.path(), operation_id = operation("get"),
            security((), ("bearer" = [])),
            params(("id" = i64, Path, description = "Record id")),
            responses(
                (status = 200, description = "The record", body = $crate::api::crud::View<$data>),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn read(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            session: $crate::api::caller::Session,
            id: ::actix_web::web::Path<i64>,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::read::<$store>(&state, &session, id.into_inner()).await
        }

        #[utoipa::path(put, path = item_path(), tag = COLLECTION.path(), operation_id = operation("replace"),
            security(("bearer" = [])),
            params(("id" = i64, Path, description = "Record id"), $crate::api::caching::IfMatchHeader),
            request_body = $data,
            responses(
                (status = 200, description = "Replaced; `ETag` is the new version", body = $crate::api::crud::View<$data>),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 409, description = "A record with the same key exists, or the record's state forbids the change", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names a version that is no longer current", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn replace(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            session: $crate::api::caller::SignedIn,
            id: ::actix_web::web::Path<i64>,
            body: ::actix_web::web::Json<$data>,
            precondition: $crate::api::caching::IfMatch,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::replace::<$store>(&state, &session, id.into_inner(), body.into_inner(), precondition).await
        }

        #[utoipa::path(patch, path = item_path(), tag = COLLECTION.path(), operation_id = operation("patch"),
            security(("bearer" = [])),
            params(("id" = i64, Path, description = "Record id"), $crate::api::caching::IfMatchHeader),
            request_body(content = Object, description = "JSON merge patch (RFC 7386) of the record's fields: only the fields to change; `null` clears a field that may be empty",
                content_type = "application/merge-patch+json"),
            responses(
                (status = 200, description = "Patched; `ETag` is the new version", body = $crate::api::crud::View<$data>),
                (status = 404, description = "No such record", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 409, description = "A record with the same key exists, or the record's state forbids the change", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names a version that is no longer current", body = $crate::api::problem::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn patch(
            state: ::actix_web::web::Data<$crate::api::AppState>,
            session: $crate::api::caller::SignedIn,
            id: ::actix_web::web::Path<i64>,
            body: ::actix_web::web::Json<::serde_json::Value>,
            precondition: $crate::api::caching::IfMatch,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::patch::<$store>(&state, &session, id.into_inner(), body.into_inner(), precondition).await
        }

        #[utoipa::path(delete, path = item_path(), tag = COLLECTION.path(), operation_id = operation("delete"),
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
            session: $crate::api::caller::SignedIn,
            id: ::actix_web::web::Path<i64>,
            precondition: $crate::api::caching::IfMatch,
        ) -> Result<::actix_web::HttpResponse, $crate::api::ApiError> {
            $crate::api::crud::delete::<$store>(&state, &session, id.into_inner(), precondition).await
        }

        #[derive(utoipa::OpenApi)]
        #[openapi(paths(list, create, read, replace, patch, delete))]
        struct Declared;

        pub fn document() -> utoipa::openapi::OpenApi {
            $crate::api::crud::document::<$store>(<Declared as utoipa::OpenApi>::openapi())
        }

        pub fn configure(cfg: &mut ::actix_web::web::ServiceConfig) {
            use ::actix_web::web;
            use $crate::api::extractors::resource;
            cfg.service(resource(&list_path(), "GET, POST").route(web::get().to(list)).route(web::post().to(create))).service(
                resource(&item_path(), "GET, PUT, PATCH, DELETE")
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
