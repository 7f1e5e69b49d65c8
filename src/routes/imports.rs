//! Bulk loads and their way back: `POST /api/v1/imports/{resource}` and
//! `GET /api/v1/exports/{resource}`, for the seven resources that are loaded in
//! bulk. How each is found again (its natural key) is declared here, once.

use crate::api::imports::{export, receive, ImportReport, Importable};
use crate::api::problem::Problem;
use crate::api::tabular::{BodyFormat, NDJSON};
use crate::api::telemetry::Metrics;
use crate::api::{ApiError, AppState};
use crate::auth::{Action, Caller};
use crate::db::activities::{Activities, ActivityData};
use crate::db::attendance::{AttendanceData, Attendances};
use crate::db::beneficiaries::Beneficiaries;
use crate::db::imports::{Target, PROJECT_REGION};
use crate::db::measurements::{MeasurementData, Measurements};
use crate::db::participants::{ParticipantData, Participants};
use crate::db::partners::Partners;
use crate::db::projects::{ProjectData, Projects};
use crate::domain::codes::Role;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

impl Importable for Beneficiaries {
    const TARGET: Target =
        Target { table: "beneficiaries", keys: &[&["nip"], &["regon"], &["krs"]], owner: None, kept: &[], opaque: &[], frozen: None, region: "w.voivodeship" };
}

impl Importable for Projects {
    const TARGET: Target =
        Target { table: "projects", keys: &[&["contract_number"]], owner: None, kept: &[], opaque: &[], frozen: None, region: "w.voivodeship" };

    fn importable(caller: &Caller, action: Action, _: &ProjectData) -> Result<(), ApiError> {
        match caller.user() {
            Some(user) if user.role == Role::Owes && action == Action::Create => {
                Err(ApiError::Forbidden("an OWES creates projects one at a time (POST /api/v1/projects), which names its organisation as beneficiary".into()))
            }
            _ => Ok(()),
        }
    }
}

// Partner rows are judged one by one: whether a role row may be written depends
// on the role and the organisation, not only on the project.
impl Importable for Partners {
    const TARGET: Target = Target {
        table: "partners",
        keys: &[&["project_id", "beneficiary_id", "role"]],
        owner: Some("project_id"),
        kept: &[],
        opaque: &[],
        frozen: None,
        region: PROJECT_REGION,
    };
}

impl Importable for Activities {
    const TARGET: Target = Target {
        table: "activities",
        keys: &[&["project_id", "external_id"]],
        owner: Some("project_id"),
        kept: &[],
        opaque: &[],
        frozen: None,
        region: PROJECT_REGION,
    };

    fn permission_key(data: &ActivityData) -> Option<i64> {
        Some(data.project_id)
    }
}

impl Importable for Participants {
    const TARGET: Target = Target {
        table: "participants",
        keys: &[&["project_id", "pesel_hash"], &["project_id", "external_id"]],
        owner: Some("project_id"),
        kept: &["anonymised_at"],
        // Sealed anew on every write; `personal_digest` tells whether they changed.
        opaque: &["first_name_sealed", "last_name_sealed", "pesel_sealed", "email_sealed", "phone_sealed"],
        frozen: Some(("t.anonymised_at IS NOT NULL", "anonymised", "an anonymised participant cannot be changed")),
        region: PROJECT_REGION,
    };

    fn permission_key(data: &ParticipantData) -> Option<i64> {
        Some(data.project_id)
    }
}

impl Importable for Attendances {
    const TARGET: Target = Target {
        table: "attendance",
        keys: &[&["participant_id", "activity_id"]],
        owner: Some("participant_id"),
        kept: &[],
        opaque: &[],
        frozen: None,
        region: "(SELECT p.voivodeship FROM activities a JOIN projects p ON p.id = a.project_id WHERE a.id = w.activity_id)",
    };

    /// The activity's project decides; its checks make the participant one of that project's.
    fn permission_key(data: &AttendanceData) -> Option<i64> {
        Some(data.activity_id)
    }
}

impl Importable for Measurements {
    const TARGET: Target = Target {
        table: "indicator_measurements",
        keys: &[&["indicator_id", "period_end"]],
        owner: Some("indicator_id"),
        kept: &["status", "return_reason", "submitted_at", "decided_at"],
        opaque: &[],
        frozen: Some((
            "t.status NOT IN ('draft', 'returned')",
            "measurement_locked",
            "only draft or returned values can be changed; submitted and approved ones are history",
        )),
        region: "(SELECT p.voivodeship FROM indicators i JOIN projects p ON p.id = i.project_id WHERE i.id = w.indicator_id)",
    };

    fn permission_key(data: &MeasurementData) -> Option<i64> {
        Some(data.indicator_id)
    }
}

/// The collections that are loaded in bulk.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BulkCollection {
    Beneficiaries,
    Projects,
    Partners,
    Activities,
    Participants,
    Attendance,
    IndicatorMeasurements,
}

/// Runs `$call::<R>(args)` for the resource type of `$collection`.
macro_rules! for_collection {
    ($collection:expr, $call:ident ( $($arg:expr),* )) => {
        match $collection {
            BulkCollection::Beneficiaries => $call::<Beneficiaries>($($arg),*).await,
            BulkCollection::Projects => $call::<Projects>($($arg),*).await,
            BulkCollection::Partners => $call::<Partners>($($arg),*).await,
            BulkCollection::Activities => $call::<Activities>($($arg),*).await,
            BulkCollection::Participants => $call::<Participants>($($arg),*).await,
            BulkCollection::Attendance => $call::<Attendances>($($arg),*).await,
            BulkCollection::IndicatorMeasurements => $call::<Measurements>($($arg),*).await,
        }
    };
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
        (status = 413, description = "The upload is larger than IMPORT_MAX_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither CSV nor NDJSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows were refused and nothing was written; `errors` lists them with their line", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    caller: Caller,
    collection: web::Path<BulkCollection>,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dry_run = query.dry_run.unwrap_or(false);
    let report: ImportReport = for_collection!(collection.into_inner(), receive(&state, &caller, &req, payload, dry_run))?;
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
    ))]
pub async fn export_rows(
    state: web::Data<AppState>,
    caller: Caller,
    collection: web::Path<BulkCollection>,
    query: web::Query<ExportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = match query.format {
        Some(ExportFormat::Csv) => BodyFormat::Csv,
        Some(ExportFormat::Ndjson) => BodyFormat::Ndjson,
        None if accept.contains(NDJSON) => BodyFormat::Ndjson,
        None => BodyFormat::Csv,
    };
    for_collection!(collection.into_inner(), export(&state, &caller, req.query_string(), format))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(import, export_rows), components(schemas(ImportReport, BulkCollection)))]
pub struct Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::extractors::resource("/api/v1/imports/{resource}", "POST").route(web::post().to(import)));
    cfg.service(crate::api::extractors::resource("/api/v1/exports/{resource}", "GET").route(web::get().to(export_rows)));
}
