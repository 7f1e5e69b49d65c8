//! Bulk imports and exports, for every importable resource alike.
//!
//! An import reads the upload as it arrives (never whole), checks each row by the
//! rules of a single write (`Resource::check`, then the permission module for the
//! act the row amounts to), and hands batches to the set-based writer in
//! `db::imports`. It is all or nothing: one transaction, rolled back when any row
//! is refused or when it is a dry run. An export walks the same columns out, so
//! that what it gives can be imported again unchanged.

use super::crud::{allow, authorize_update, readable_scope, Resource};
use super::csv as csv_text;
use super::formats::{self, schema_fields};
use super::problem::describe_json_error;
use super::tabular::{BodyFormat, FileError, RowReader, NDJSON};
use super::{ApiError, AppState};
use crate::auth::policy::authorize;
use crate::auth::{Action, Caller};
use crate::db::audit;
use crate::db::imports::{RowProblem, StagedRow, Staging, Target};
use crate::db::listing::{ListRequest, Position, SortKey, Window};
use crate::domain::validation::FieldError;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use diesel::pg::PgConnection;
use diesel::Connection;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Read;
use utoipa::{PartialSchema, ToSchema};

/// Rows checked and staged together; memory holds one batch, not the file.
const BATCH_ROWS: usize = 5_000;
/// Refused rows listed in a 422 (all are counted).
pub const LISTED_PROBLEMS: usize = 100;

/// A resource that can be loaded in bulk.
pub trait Importable: Resource
where
    Self::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    /// How the set-based writer finds and changes its records.
    const TARGET: Target;

    /// What the permission to write a row depends on, when that is less than the
    /// row (the project of a participant): rows that share it are judged once.
    fn permission_key(_data: &Self::Data) -> Option<i64> {
        None
    }

    /// Refuses a row that the bulk path cannot write as a single write would
    /// (a project an OWES creates must name it as beneficiary, which only
    /// `POST /projects` does).
    fn importable(_caller: &Caller, _action: Action, _data: &Self::Data) -> Result<(), ApiError> {
        Ok(())
    }
}

/// What an import did, or (in a dry run) would do.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// The collection imported into.
    #[schema(example = "participants")]
    pub resource: String,
    /// True when nothing was written because `dry_run` asked only for the report.
    pub dry_run: bool,
    /// Data rows read.
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Rows that named an existing record and matched it exactly.
    pub unchanged: u64,
    /// Rows refused; an import with any is not written and answers 422.
    pub rejected: u64,
}

/// How an import runs.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    pub format: BodyFormat,
    pub dry_run: bool,
}

/// Reads the upload as the HTTP side passes it on, chunk by chunk.
pub struct ChannelReader {
    chunks: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
    current: Bytes,
}

impl ChannelReader {
    pub fn new(chunks: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>) -> Self {
        Self { chunks, current: Bytes::new() }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let chunk = self.current.split_to(buf.len().min(self.current.len()));
        buf.iter_mut().zip(chunk.iter()).for_each(|(to, from)| *to = *from);
        Ok(chunk.len())
    }
}

/// The refused rows: all counted, the first [`LISTED_PROBLEMS`] kept. `lines`
/// holds the refused lines of the batch at hand (batches never share a line), so
/// it does not grow with the file.
#[derive(Default)]
struct Refusals {
    listed: Vec<FieldError>,
    count: u64,
    lines: std::collections::HashSet<i64>,
}

impl Refusals {
    fn add(&mut self, line: i64, field: &str, code: &str, message: impl Into<String>) {
        if self.lines.insert(line) {
            self.count += 1;
        }
        if self.listed.len() < LISTED_PROBLEMS {
            self.listed.push(FieldError { field: field.to_owned(), code: code.to_owned(), message: message.into(), line: Some(line) });
        }
    }

    /// A refusal from the rules of single writes, as the row's problems.
    fn add_api_error(&mut self, line: i64, error: ApiError) -> Result<(), ApiError> {
        match error {
            ApiError::Validation(errors) => {
                for e in errors {
                    self.add(line, &e.field, &e.code, e.message);
                }
            }
            ApiError::Forbidden(message) => self.add(line, "", "forbidden", message),
            ApiError::NotFound { resource, id } => self.add(line, "", "not_found", format!("{resource} {id} not found")),
            ApiError::Conflict { code, detail } => self.add(line, "", code, detail),
            other => return Err(other),
        }
        Ok(())
    }

    fn add_db(&mut self, problems: Vec<RowProblem>) {
        for p in problems {
            self.add(p.line, &p.field, p.code, p.message);
        }
    }
}

/// The field a value was refused in: the first whose removal changes the error.
fn culprit<D: DeserializeOwned>(row: &Map<String, Value>, error: &str) -> String {
    row.keys()
        .find(|key| {
            let mut without = row.clone();
            without.insert((*key).clone(), Value::Null);
            serde_json::from_value::<D>(Value::Object(without)).map_err(|e| describe_json_error(&e)).err().as_deref() != Some(error)
        })
        .cloned()
        .unwrap_or_default()
}

/// Takes the record's id (and what an export adds) out of a row.
fn given_id(row: &mut Map<String, Value>, read_only: &[&str]) -> Result<Option<i64>, ()> {
    for derived in ["created_at", "updated_at", "links"].iter().chain(read_only) {
        row.remove(*derived);
    }
    match row.remove("id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().filter(|id| *id > 0).map(Some).ok_or(()),
        Some(_) => Err(()),
    }
}

type Checked<D> = (i64, Option<i64>, D);
/// The checked rows of a batch, and whether the file ended with it.
type BatchRead<D> = (Vec<Checked<D>>, bool);

/// Reads up to one batch of rows and checks each by the single-write rules.
fn read_batch<R: Importable, I: Read>(
    conn: &mut PgConnection,
    reader: &mut RowReader<I>,
    refusals: &mut Refusals,
    report: &mut ImportReport,
) -> Result<BatchRead<R::Data>, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    while batch.len() < BATCH_ROWS {
        let row = match reader.next_row().map_err(file_error)? {
            None => return Ok((batch, true)),
            Some(row) => row,
        };
        report.rows += 1;
        let (line, mut row) = match row {
            Ok(row) => row,
            Err(unreadable) => {
                refusals.add(unreadable.line as i64, "", "unreadable_row", unreadable.message);
                continue;
            }
        };
        let line = line as i64;
        let Ok(id) = given_id(&mut row, R::READ_ONLY) else {
            refusals.add(line, "id", "invalid_id", "id must be a positive whole number");
            continue;
        };
        let data = match serde_json::from_value::<R::Data>(Value::Object(row.clone())) {
            Ok(data) => data,
            Err(e) => {
                let message = describe_json_error(&e);
                refusals.add(line, &culprit::<R::Data>(&row, &message), "invalid_value", message);
                continue;
            }
        };
        // Rules about the existing record are the writer's (`Target::frozen`), asked set-based.
        match crate::api::crud::refuse_overlong(&data).and_then(|()| R::check(conn, data, None)) {
            Ok(data) => batch.push((line, id, data)),
            Err(e) => refusals.add_api_error(line, e)?,
        }
    }
    Ok((batch, false))
}

/// The permission to write one row: as a create, or as an update of the record
/// it names, judged as the single write judges it (the record as stored too).
fn authorize_row<R: Importable>(conn: &mut PgConnection, caller: &Caller, id: Option<i64>, data: &R::Data) -> Result<(), ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    let action = match id {
        None => {
            allow::<R>(conn, caller, Action::Create, None, data)?;
            Action::Create
        }
        Some(id) => {
            let stored = R::find(conn, id)?;
            authorize_update::<R>(conn, caller, id, &stored.data, data)?;
            Action::Update
        }
    };
    R::importable(caller, action, data)
}

fn file_error(e: FileError) -> ApiError {
    match e {
        FileError::Malformed(message) => ApiError::field("body", "unreadable_file", message),
        FileError::Interrupted(e) if e.kind() == std::io::ErrorKind::FileTooLarge => ApiError::PayloadTooLarge,
        FileError::Interrupted(e) => ApiError::BadRequest(format!("the upload could not be read: {e}")),
    }
}

/// The import proper; see the module documentation. Returns the report, or a
/// 422 listing the refused rows (and then nothing is written).
pub fn import<R: Importable, I: Read>(conn: &mut PgConnection, caller: &Caller, input: I, options: ImportOptions) -> Result<ImportReport, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    authorize(caller, R::COLLECTION, Action::Create, None)?;
    let mut report = ImportReport { resource: R::COLLECTION.to_owned(), dry_run: options.dry_run, ..ImportReport::default() };
    let outcome = conn.transaction::<_, Halt, _>(|conn| {
        let mut reader = RowReader::new(options.format, input, &<R::Data as PartialSchema>::schema()).map_err(file_error)?;
        let mut refusals = Refusals::default();
        let mut staging: Option<Staging> = None;
        let mut verdicts: HashMap<(bool, i64), Result<(), ApiError>> = HashMap::new();
        let user = caller.user().map(|u| (u.id, u.email.clone()));
        loop {
            let (batch, finished) = read_batch::<R, I>(conn, &mut reader, &mut refusals, &mut report)?;
            if !batch.is_empty() {
                let rows = batch
                    .iter()
                    .map(|(line, id, data)| Ok(StagedRow { line: *line, given_id: *id, doc: R::stored_row(data)? }))
                    .collect::<Result<Vec<_>, ApiError>>()?;
                if staging.is_none() {
                    let fields: Vec<String> = rows.first().and_then(|row| row.doc.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
                    staging = Some(Staging::begin(conn, R::TARGET, &fields)?);
                }
                let staging = staging.as_ref().expect("staging was just begun");
                let (problems, matched) = staging.stage(conn, &rows)?;
                refusals.add_db(problems);
                let matched: HashMap<i64, i64> = matched.into_iter().collect();
                for (line, _, data) in &batch {
                    let id = matched.get(line).copied();
                    // Rows that share an owner share a verdict; an import never moves a
                    // record to another owner, so the stored record's owner is the row's.
                    let key = R::permission_key(data).map(|k| (id.is_some(), k));
                    let verdict = match key.and_then(|k| verdicts.get(&k)) {
                        Some(verdict) => verdict.clone(),
                        None => {
                            let verdict = authorize_row::<R>(conn, caller, id, data);
                            if let Some(key) = key {
                                verdicts.insert(key, verdict.clone());
                            }
                            verdict
                        }
                    };
                    if let Err(e) = verdict {
                        refusals.add_api_error(*line, e)?;
                    }
                }
                if refusals.count == 0 {
                    let (inserted, updated) = staging.write(conn, R::COLLECTION, user.as_ref().map(|(id, email)| (*id, email.as_str())))?;
                    report.inserted += inserted;
                    report.updated += updated;
                    report.unchanged += matched.len() as u64 - updated;
                }
            }
            refusals.lines.clear();
            if finished {
                break;
            }
        }
        report.rejected = refusals.count;
        if refusals.count > 0 {
            let detail = format!(
                "{} of {} rows were refused, so nothing was written{}",
                refusals.count,
                report.rows,
                if refusals.count as usize > refusals.listed.len() { format!("; the first {} are listed", refusals.listed.len()) } else { String::new() }
            );
            return Err(Halt::Failed(ApiError::RowsRejected { detail, errors: refusals.listed }));
        }
        if options.dry_run {
            return Err(Halt::DryRun);
        }
        Ok(())
    });
    match outcome {
        Ok(()) | Err(Halt::DryRun) => Ok(report),
        Err(Halt::Failed(e)) => Err(e),
    }
}

/// Why an import's transaction is rolled back.
enum Halt {
    Failed(ApiError),
    /// Everything was checked and written; a dry run takes it back.
    DryRun,
}

impl From<ApiError> for Halt {
    fn from(e: ApiError) -> Self {
        Halt::Failed(e)
    }
}

impl From<crate::db::DbError> for Halt {
    fn from(e: crate::db::DbError) -> Self {
        Halt::Failed(e.into())
    }
}

impl From<diesel::result::Error> for Halt {
    fn from(e: diesel::result::Error) -> Self {
        Halt::Failed(e.into())
    }
}

/// The form of an upload, from its `Content-Type`.
pub fn body_format(req: &HttpRequest) -> Result<BodyFormat, ApiError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" => Ok(BodyFormat::Csv),
        NDJSON | "application/jsonl" | "application/jsonlines" => Ok(BodyFormat::Ndjson),
        _ => Err(ApiError::UnsupportedMediaType(format!("send the rows as text/csv (with a header row) or {NDJSON} (one JSON object per line)"))),
    }
}

/// Receives an upload and imports it while it arrives: the body is passed to the
/// importing thread chunk by chunk through a short queue, so memory holds a few
/// chunks and one batch whatever the file's size.
pub async fn receive<R: Importable>(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    mut payload: web::Payload,
    dry_run: bool,
) -> Result<ImportReport, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    authorize(caller, R::COLLECTION, Action::Create, None)?;
    let format = body_format(req)?;
    let limit = state.import_limit;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge);
    }
    let (sender, chunks) = tokio::sync::mpsc::channel(16);
    let importer = caller.clone();
    let job = state.run(move |conn| import::<R, _>(conn, &importer, ChannelReader::new(chunks), ImportOptions { format, dry_run }));
    let feed = async move {
        let mut received = 0u64;
        while let Some(chunk) = payload.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
                    return Err(ApiError::BadRequest(format!("the upload broke off: {e}")));
                }
            };
            received += chunk.len() as u64;
            if received > limit {
                let _ = sender.send(Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, "over the import limit"))).await;
                return Err(ApiError::PayloadTooLarge);
            }
            if sender.send(Ok(chunk)).await.is_err() {
                // The import stopped reading: it has its answer already.
                break;
            }
        }
        Ok(())
    };
    let (report, fed) = futures_util::future::join(job, feed).await;
    fed?;
    report
}

/// Records per page of an export: the walk is by id, so each page is an index range.
const EXPORT_PAGE: i64 = 1_000;

/// A record as an import takes it back: its id and its writable fields, with
/// personal fields unmasked for the callers allowed to read them.
fn export_row<R: Resource>(id: i64, data: &R::Data) -> Result<Map<String, Value>, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone,
{
    let mut row = Map::new();
    row.insert("id".into(), Value::from(id));
    if let Value::Object(fields) = R::patch_base(data)? {
        row.extend(fields);
    }
    Ok(row)
}

/// The columns of an export: id and the writable fields in the schema's order.
fn export_columns<R: Resource>() -> Vec<String>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
{
    let mut columns = vec!["id".to_owned()];
    columns.extend(schema_fields::<R::Data>().into_iter().filter(|k| !R::READ_ONLY.contains(&k.as_str())));
    columns
}

/// Streams every record the filter selects, page by page, as CSV or NDJSON in the
/// columns an import takes. Reading personal data this way is audited per record.
pub async fn export<R: Importable>(state: &AppState, caller: &Caller, query: &str, format: BodyFormat) -> Result<HttpResponse, ApiError>
where
    R::Data: Serialize + DeserializeOwned + Clone + ToSchema,
    R::Filter: DeserializeOwned,
{
    authorize(caller, R::COLLECTION, Action::Read, None)?;
    let filter_of =
        |query: &str| web::Query::<R::Filter>::from_query(query).map(web::Query::into_inner).map_err(|e| ApiError::BadRequest(format!("invalid query: {e}")));
    let (scoped, filter) = (filter_of(query)?, filter_of(query)?);
    let checker = caller.clone();
    // Refusals come before the first byte, as a proper problem answer.
    let scope = state.run(move |conn| readable_scope::<R>(conn, &checker, &scoped)).await?;
    let (sender, pages) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let columns = export_columns::<R>();
    let reader = caller.clone();
    let walk = move |conn: &mut PgConnection| -> Result<(), ApiError> {
        let mut from = None;
        let mut head = match format {
            BodyFormat::Csv => csv_text::line(&columns),
            BodyFormat::Ndjson => String::new(),
        };
        loop {
            let request = ListRequest { limit: EXPORT_PAGE, window: Window::Keyset { from, backwards: false }, sort: SortKey::ID, counted: false };
            let page = R::list(conn, &filter, &request)?;
            if let Some(scope) = &scope {
                let events = page.records.iter().map(|r| reader.audit_event(Action::Export, R::COLLECTION, r.id, scope, None, None)).collect::<Vec<_>>();
                audit::record(conn, &events)?;
            }
            let mut text = std::mem::take(&mut head);
            for record in &page.records {
                let row = export_row::<R>(record.id, &record.data)?;
                match format {
                    BodyFormat::Csv => text.push_str(&csv_text::line(&columns.iter().map(|c| formats::cell(row.get(c))).collect::<Vec<_>>())),
                    BodyFormat::Ndjson => {
                        text.push_str(&Value::Object(row).to_string());
                        text.push('\n');
                    }
                }
            }
            if !text.is_empty() && sender.blocking_send(Ok(Bytes::from(text))).is_err() {
                return Ok(()); // the client went away
            }
            match page.records.last() {
                Some(last) if page.more => from = Some(Position { key: None, id: last.id }),
                _ => return Ok(()),
            }
        }
    };
    let walker = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = walker.run(walk).await {
            tracing::error!(cause = %e, "an export stopped early");
        }
    });
    let body = futures_util::stream::unfold(pages, |mut pages| async move { pages.recv().await.map(|page| (page, pages)) });
    let content_type = match format {
        BodyFormat::Csv => csv_text::TEXT_CSV,
        BodyFormat::Ndjson => NDJSON,
    };
    Ok(HttpResponse::Ok().content_type(content_type).streaming(body))
}
