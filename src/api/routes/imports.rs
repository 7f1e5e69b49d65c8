//! Bulk loads and their way back: `POST /api/v1/imports/{resource}` and
//! `GET /api/v1/exports/{resource}`, for the collections of the registry that
//! have natural keys. The HTTP side: the upload is passed to the service's
//! import engine (`service::imports`) chunk by chunk as it arrives, and an
//! export's pages are streamed as the service walks them (`service::exports`).

use crate::api::caller::{Session, SignedIn};
use crate::api::problem::Problem;
use crate::api::telemetry::Metrics;
use crate::api::{ApiError, AppState};
use crate::domain::access::Caller;
use crate::domain::collection::Collection;
use crate::service::exports;
use crate::service::imports::{self, ImportOptions, ImportReport};
use crate::service::resource::Resource;
use crate::service::tabular::{BodyFormat, NDJSON};
use crate::service::ServiceError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// A collection that is loaded in bulk: one of the registry's with natural keys.
#[derive(Debug, Clone, Copy)]
pub struct BulkCollection(pub Collection);

impl<'de> Deserialize<'de> for BulkCollection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let collection = Collection::deserialize(deserializer)?;
        match collection.spec().import_keys {
            Some(_) => Ok(Self(collection)),
            None => Err(serde::de::Error::custom(format!("{collection} is not loaded in bulk"))),
        }
    }
}

impl PartialSchema for BulkCollection {
    fn schema() -> RefOr<Schema> {
        let bulk = Collection::ALL.into_iter().filter(|c| c.spec().import_keys.is_some()).map(Collection::path);
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(bulk)).description(Some("The collections that are loaded in bulk")).into()
    }
}

impl ToSchema for BulkCollection {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("BulkCollection")
    }
}

/// How long an upload may pause before the import gives up (and its transaction).
const UPLOAD_STALL: std::time::Duration = std::time::Duration::from_secs(30);

/// The form of an upload, from its `Content-Type`.
fn body_format(req: &HttpRequest) -> Result<BodyFormat, ApiError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" => Ok(BodyFormat::Csv),
        NDJSON | "application/jsonl" | "application/jsonlines" => Ok(BodyFormat::Ndjson),
        _ => Err(ApiError::Service(ServiceError::UnsupportedMediaType(format!(
            "send the rows as text/csv (with a header row) or {NDJSON} (one JSON object per line)"
        )))),
    }
}

/// Receives an upload and imports it while it arrives: the body is passed to the
/// importing thread chunk by chunk through a short queue, so memory holds a few
/// chunks and one batch whatever the file's size.
async fn receive<R: Resource>(state: &AppState, caller: &Caller, req: &HttpRequest, mut payload: web::Payload, dry_run: bool) -> Result<ImportReport, ApiError>
where
    R::Data: ToSchema,
{
    imports::importable::<R>(caller)?;
    let format = body_format(req)?;
    let limit = state.import_limit;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::Service(ServiceError::PayloadTooLarge));
    }
    let (sender, chunks) = tokio::sync::mpsc::channel(16);
    let job = imports::run::<R>(&state.db, caller.clone(), chunks, ImportOptions { format, dry_run });
    let feed = async move {
        let mut received = 0u64;
        loop {
            // An import holds its transaction open while the upload arrives: one
            // that stalls gives it up rather than keep what it holds.
            let chunk = match tokio::time::timeout(UPLOAD_STALL, payload.next()).await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(_) => {
                    let _ = sender.send(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the upload stalled"))).await;
                    return Err(ApiError::RequestTimeout(format!("no part of the upload arrived for {} seconds", UPLOAD_STALL.as_secs())));
                }
            };
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
                    return Err(ApiError::Service(ServiceError::BadRequest(format!("the upload broke off: {e}"))));
                }
            };
            received += chunk.len() as u64;
            if received > limit {
                let _ = sender.send(Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, "over the import limit"))).await;
                return Err(ApiError::Service(ServiceError::PayloadTooLarge));
            }
            if sender.send(Ok(chunk.to_vec())).await.is_err() {
                // The import stopped reading: it has its answer already.
                break;
            }
        }
        Ok(())
    };
    let (report, fed) = futures_util::future::join(job, feed).await;
    fed?;
    Ok(report?)
}

/// Streams an export of `R`, with the list's own filters read from `query`.
async fn export<R: Resource>(state: &AppState, caller: &Caller, query: &str, format: BodyFormat) -> Result<HttpResponse, ApiError>
where
    R::Data: ToSchema,
{
    let filter = web::Query::<R::Filter>::from_query(query)
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::Service(ServiceError::BadRequest(format!("invalid query: {e}"))))?;
    let pages = exports::start::<R>(&state.db, &state.exports, caller.clone(), filter, format).await?;
    let body = futures_util::stream::unfold(pages, |mut pages| async move { pages.next().await.map(|page| (page.map(Bytes::from), pages)) });
    let content_type = match format {
        BodyFormat::Csv => crate::service::csv::TEXT_CSV,
        BodyFormat::Ndjson => NDJSON,
    };
    Ok(HttpResponse::Ok().content_type(content_type).streaming(body))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report what would be written, writing nothing.
    pub dry_run: Option<bool>,
}

/// Loads rows into a collection: all of them or, if any is refused, none.
///
/// The body is CSV with a header row naming fields as the single-write body does
/// (lists and objects as JSON in their cell), or NDJSON with one such object per
/// line. Each row is checked by the rules and permissions of a single write.
/// A row names an existing record by its `id` or by its natural key — organisations:
/// `nip`, `regon` or `krs`; projects: `contract_number`; partners: `project_id` +
/// `beneficiary_id` + `role`; activities: `project_id` + `external_id`; participants:
/// `project_id` + `pesel` or `project_id` + `external_id`; attendance:
/// `participant_id` + `activity_id`; measurements: `indicator_id` + `period_end` —
/// and updates it; other rows are created. Importing the same file again changes
/// nothing. What `GET /api/v1/exports/{resource}` gives can be imported back.
#[utoipa::path(post, path = "/api/v1/imports/{resource}", tag = "imports", operation_id = "import_rows",
    security(("bearer" = [])),
    params(("resource" = BulkCollection, Path, description = "The collection to load"), ImportQuery),
    request_body(description = "The rows", content(
        (String = "text/csv", example = "project_id,external_id,first_name,last_name,pesel\n12,K-001,Anna,Nowak,02270803624\n"),
        (String = "application/x-ndjson"),
    )),
    responses(
        (status = 200, description = "Written (or, in a dry run, checked): how many rows were inserted, updated, unchanged", body = ImportReport),
        (status = 408, description = "No part of the upload arrived for 30 seconds; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The upload is larger than IMPORT_MAX_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither CSV nor NDJSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows were refused and nothing was written; `errors` lists them with their line", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    session: SignedIn,
    collection: web::Path<BulkCollection>,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dry_run = query.dry_run.unwrap_or(false);
    let caller = state.caller(&session).await?;
    let report = crate::with_resource!(collection.into_inner().0, R => receive::<R>(&state, &caller, &req, payload, dry_run).await)?;
    if !report.dry_run {
        metrics.count_imported(report.inserted + report.updated);
    }
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` or `ndjson`; else the `Accept` header decides, and CSV by default.
    pub format: Option<ExportFormat>,
}

/// Every record of a collection (narrowed by the list's own filters, e.g.
/// `project_id`), streamed as CSV or NDJSON in exactly the columns an import
/// takes: `id` and the writable fields. Participants come with their PESEL
/// unmasked, to callers allowed to read them, and every record read is audited.
#[utoipa::path(get, path = "/api/v1/exports/{resource}", tag = "imports", operation_id = "export_rows",
    security((), ("bearer" = [])),
    params(("resource" = BulkCollection, Path, description = "The collection to export"), ExportQuery),
    responses(
        (status = 200, description = "The records, streamed", content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
        )),
        (status = 503, description = "As many exports are streaming as the service runs at once (`EXPORTS_AT_ONCE`), or the database is unavailable; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_rows(
    state: web::Data<AppState>,
    session: Session,
    collection: web::Path<BulkCollection>,
    query: web::Query<ExportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let caller = state.caller(&session).await?;
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = match query.format {
        Some(ExportFormat::Csv) => BodyFormat::Csv,
        Some(ExportFormat::Ndjson) => BodyFormat::Ndjson,
        None if accept.contains(NDJSON) => BodyFormat::Ndjson,
        None => BodyFormat::Csv,
    };
    crate::with_resource!(collection.into_inner().0, R => export::<R>(&state, &caller, req.query_string(), format).await)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(import, export_rows), components(schemas(ImportReport, BulkCollection)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/imports/{resource}", "POST").route(web::post().to(import)));
    cfg.service(crate::api::extractors::resource("/api/v1/exports/{resource}", "GET").route(web::get().to(export_rows)));
}
