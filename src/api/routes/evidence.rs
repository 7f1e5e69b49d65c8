//! Evidence files: uploaded as the request body (its `Content-Type` the
//! file's), listed per reported value or activity, described, downloaded and
//! removed (the rules are `service::evidence`).

use crate::api::caller::{Session, SignedIn};
use crate::api::problem::Problem;
use crate::api::{ApiError, AppState};
use crate::service::evidence::{self, Upload};
use crate::service::vocabulary::{Attachment, EvidenceFile};
use crate::service::ServiceError;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The content of a file: the bytes as they are.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileContent(#[allow(dead_code)] Vec<u8>);

/// What a file is evidence of: exactly one of the two.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvidenceOf {
    /// A reported indicator value.
    pub measurement_id: Option<i64>,
    /// An activity.
    pub activity_id: Option<i64>,
}

impl EvidenceOf {
    fn attachment(&self) -> Result<Attachment, ApiError> {
        match (self.measurement_id, self.activity_id) {
            (Some(id), None) => Ok(Attachment::Measurement(id)),
            (None, Some(id)) => Ok(Attachment::Activity(id)),
            _ => Err(ApiError::field("measurement_id", "one_record", "name exactly one of measurement_id and activity_id")),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// A reported indicator value (while it is a draft or returned, in an open period).
    pub measurement_id: Option<i64>,
    /// An activity.
    pub activity_id: Option<i64>,
    /// The file's name, as it is offered back on download.
    #[param(example = "lista obecności 2024-03-12.pdf")]
    pub file_name: String,
    pub description: Option<String>,
    /// Whether anonymous readers may see and download it (not by default).
    #[serde(default)]
    pub public: bool,
}

async fn read_body(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::Service(ServiceError::PayloadTooLarge));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::Service(ServiceError::BadRequest(format!("the upload broke off: {e}"))))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::Service(ServiceError::PayloadTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Attach a file to a reported value or an activity: the request body is the
/// file, its `Content-Type` the file's (PDF, JPEG, PNG, CSV, plain text, DOCX,
/// XLSX, ODT, ODS; the content must be of that type), or
/// `application/octet-stream` with the type named by the file name's extension. Up to 20 MiB unless
/// configured otherwise (`EVIDENCE_MAX_BYTES`), and scanned by the configured
/// scanner (`EVIDENCE_SCAN_COMMAND`) before it is kept. For whoever may change
/// the record; a value's evidence only while the value is a draft or returned
/// and its reporting period open.
#[utoipa::path(post, path = "/api/v1/evidence", tag = "evidence", operation_id = "add_evidence",
    params(UploadParams),
    request_body(description = "The file's bytes. Sent as `application/octet-stream`, the file's type is taken from the extension of `file_name`; its own type (`application/pdf`, `image/png`, …) may be sent instead", content(
        (FileContent = "application/octet-stream"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Kept", body = EvidenceFile, headers(("Location" = String, description = "The file's description"))),
        (status = 400, description = "An unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not change the record", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record's evidence is frozen: a value no longer open to change, or an activity supporting an approved value", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A type not taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one record named; empty, not of its type, badly named, or infected", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The virus scan failed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add(
    state: web::Data<AppState>,
    session: SignedIn,
    req: HttpRequest,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let UploadParams { measurement_id, activity_id, file_name, description, public } = params.into_inner();
    let attachment = EvidenceOf { measurement_id, activity_id }.attachment()?;
    // Who may not attach learns so before the file is received, let alone scanned.
    state.run_as(&session, move |conn, caller| evidence::may_attach(conn, caller, attachment)).await?;
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let content = read_body(&req, payload, state.evidence.max_bytes).await?;
    let policy = state.evidence.clone();
    let upload = Upload { attachment, file_name, content_type, description, public, content };
    let inspected = web::block(move || evidence::inspect(&policy, upload)).await.map_err(|e| ApiError::Service(ServiceError::Internal(e.to_string())))??;
    let file = state.run_as(&session, move |conn, caller| evidence::add(conn, caller, inspected)).await?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/evidence/{}", file.id))).json(file))
}

/// The files attached to a reported value or an activity, oldest first, with
/// who added them when: all of them for the project's writers and the ROPS of
/// its voivodeship, the public ones for anyone else.
#[utoipa::path(get, path = "/api/v1/evidence", tag = "evidence", operation_id = "list_evidence",
    params(EvidenceOf),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The files", body = Vec<EvidenceFile>),
        (status = 422, description = "Not exactly one record named", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(state: web::Data<AppState>, session: Session, of: web::Query<EvidenceOf>) -> Result<HttpResponse, ApiError> {
    let attachment = of.attachment()?;
    let files = state.run_as(&session, move |conn, caller| evidence::list(conn, caller, attachment)).await?;
    Ok(HttpResponse::Ok().json(files))
}

/// A file's description.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "evidence", operation_id = "read_evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The file's description", body = EvidenceFile),
        (status = 401, description = "Not public, and not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not public, and not for this caller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let file = state.run_as(&session, move |conn, caller| evidence::read(conn, caller, id)).await?;
    Ok(HttpResponse::Ok().json(file))
}

/// Download a file: its content, as an attachment of its own type.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", tag = "evidence", operation_id = "download_evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The file, with its type and name (`Content-Disposition: attachment`)", content(
            (FileContent = "application/pdf"), (FileContent = "image/jpeg"), (FileContent = "image/png"), (FileContent = "text/csv"),
            (FileContent = "text/plain"),
            (FileContent = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (FileContent = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileContent = "application/vnd.oasis.opendocument.text"), (FileContent = "application/vnd.oasis.opendocument.spreadsheet"),
        )),
        (status = 401, description = "Not public, and not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not public, and not for this caller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn download(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (file, content) = state.run_as(&session, move |conn, caller| evidence::download(conn, caller, id)).await?;
    let disposition = header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![header::DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: file.file_name.clone().into_bytes(),
        })],
    };
    // Served as stored: tagged by the digest kept with it (nothing hashes the
    // bytes again) and never compressed on the way out (they are the file's own).
    Ok(HttpResponse::Ok()
        .content_type(file.content_type.as_str())
        .insert_header((header::ETAG, format!("\"{}\"", file.sha256)))
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
        .body(content))
}

/// What may be changed of a file: its description and whether it is public.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidencePatch {
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub public: Option<bool>,
}

/// A field present as `null` is `Some(None)`; absent, `None`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

/// Change a file's description or whether it is public: for whoever may change its record.
#[utoipa::path(patch, path = "/api/v1/evidence/{id}", tag = "evidence", operation_id = "describe_evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    request_body = EvidencePatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = EvidenceFile),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not change the record", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record's evidence is frozen: a value no longer open to change, or an activity supporting an approved value", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn describe(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>, body: web::Json<EvidencePatch>) -> Result<HttpResponse, ApiError> {
    let (id, EvidencePatch { description, public }) = (id.into_inner(), body.into_inner());
    let file = state.run_as(&session, move |conn, caller| evidence::describe(conn, caller, id, description, public)).await?;
    Ok(HttpResponse::Ok().json(file))
}

/// Remove a file: for whoever may change its record; a value's evidence only
/// while the value is a draft or returned and its period open.
#[utoipa::path(delete, path = "/api/v1/evidence/{id}", tag = "evidence", operation_id = "remove_evidence",
    params(("id" = i64, Path, description = "Evidence id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not change the record", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record's evidence is frozen: a value no longer open to change, or an activity supporting an approved value", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(state: web::Data<AppState>, session: SignedIn, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state.run_as(&session, move |conn, caller| evidence::remove(conn, caller, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(add, list, read, download, describe, remove),
    components(schemas(FileContent, EvidencePatch)),
    tags((name = "evidence", description = "Evidence files of reported values and activities: attendance lists, certificates, photos"))
)]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use crate::api::extractors::resource;
    cfg.service(resource("/api/v1/evidence", "GET, POST").route(web::get().to(list)).route(web::post().to(add)))
        .service(
            resource("/api/v1/evidence/{id}", "GET, PATCH, DELETE").route(web::get().to(read)).route(web::patch().to(describe)).route(web::delete().to(remove)),
        )
        .service(resource("/api/v1/evidence/{id}/content", "GET").route(web::get().to(download)));
}
