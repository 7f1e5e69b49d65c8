//! Bulk imports: every row goes through the judgement of a single write
//! (`records::Judge`), set-based where the database does the work.
//!
//! An import reads the upload as it arrives (never whole), checks each row by
//! the resource's rules (`records::checked`), and works in batches: the records
//! the rows name are found in one statement (`db::imports::Staging::find`) and
//! loaded in one more, each row is judged as the single write of it would be
//! (the record as stored and as it will be, no move between voivodeships but by
//! an admin, the resource's rules of change; verdicts that depend only on a
//! project are made once), and what is to be written is staged with COPY and
//! written with one INSERT and one UPDATE, with one audit event per record
//! written through `service::audit`. It is all or nothing: one transaction,
//! rolled back when any row is refused or when it is a dry run.

use super::records::{checked, first_judged, Judge, Plan};
use super::resource::Resource;
use super::tabular::{BodyFormat, FileError, RowReader};
use super::{audit, ServiceError};
use crate::db::imports::{Found, RowProblem, StagedRow, Staging};
use crate::db::Record;
use crate::domain::access::{Action, Caller, Scope, Verdict};
use crate::domain::validation::{describe_json_error, FieldError};
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use utoipa::{PartialSchema, ToSchema};

/// Rows checked and staged together; memory holds one batch, not the file.
const BATCH_ROWS: usize = 5_000;
/// Refused rows listed in a 422 (all are counted).
pub const LISTED_PROBLEMS: usize = 100;

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

/// Reads an upload as another task passes it on, chunk by chunk.
pub struct ChannelReader {
    chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
    current: std::collections::VecDeque<u8>,
}

impl ChannelReader {
    pub fn new(chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>) -> Self {
        Self { chunks, current: std::collections::VecDeque::new() }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk.into(),
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        self.current.read(buf)
    }
}

/// The refused rows: all counted, the first [`LISTED_PROBLEMS`] kept. `lines`
/// holds the refused lines of the batch at hand (batches never share a line), so
/// it does not grow with the file.
#[derive(Default)]
struct Refusals {
    listed: Vec<FieldError>,
    count: u64,
    lines: HashSet<i64>,
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

    /// A refusal by the rules of single writes, as the row's problems; errors
    /// that are not about the row end the import.
    fn add_error(&mut self, line: i64, error: ServiceError) -> Result<(), ServiceError> {
        match error {
            ServiceError::Validation(errors) => {
                for e in errors {
                    self.add(line, &e.field, &e.code, e.message);
                }
            }
            ServiceError::Forbidden(message) => self.add(line, "", "forbidden", message),
            ServiceError::NotFound { resource, id } => self.add(line, "", "not_found", format!("{resource} {id} not found")),
            ServiceError::Conflict { code, detail } => self.add(line, "", code, detail),
            other => return Err(other),
        }
        Ok(())
    }

    fn add_db(&mut self, problems: Vec<RowProblem>) {
        for p in problems {
            self.add(p.line, &p.field, p.code, p.message);
        }
    }

    fn refused(&self, line: i64) -> bool {
        self.lines.contains(&line)
    }
}

/// The field a value was refused in: the first whose removal changes the error.
/// Each try reads the row again, so a row of more fields than any record has
/// is not searched (its unknown fields are the culprits anyway).
fn culprit<D: DeserializeOwned>(row: &Map<String, Value>, error: &str) -> String {
    const MOST_FIELDS: usize = 64;
    if row.len() > MOST_FIELDS {
        return String::new();
    }
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

/// A checked row: its line, the id it names (if any), and its data.
struct Row<D> {
    line: i64,
    id: Option<i64>,
    data: D,
}

/// The checked rows of a batch, and whether the file ended with it.
type Batch<D> = (Vec<Row<D>>, bool);

/// Reads up to one batch of rows and checks each by the single-write rules.
/// Returns the rows and whether the file ended with them.
fn read_batch<R: Resource, I: Read>(
    conn: &mut PgConnection,
    judge: &mut Judge<R>,
    reader: &mut RowReader<I>,
    refusals: &mut Refusals,
    report: &mut ImportReport,
) -> Result<Batch<R::Data>, ServiceError> {
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
        let Ok(id) = given_id(&mut row, R::COLLECTION.spec().read_only) else {
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
        match first_judged(conn, judge, data).and_then(|data| checked::<R>(conn, data)) {
            Ok(data) => batch.push(Row { line, id, data }),
            Err(e) => refusals.add_error(line, e)?,
        }
    }
    Ok((batch, false))
}

fn file_error(e: FileError) -> ServiceError {
    match e {
        FileError::Malformed(message) => ServiceError::field("body", "unreadable_file", message),
        FileError::Interrupted(e) if e.kind() == std::io::ErrorKind::FileTooLarge => ServiceError::PayloadTooLarge,
        FileError::Interrupted(e) => ServiceError::BadRequest(format!("the upload could not be read: {e}")),
    }
}

/// What a judged row writes.
struct Write<D> {
    line: i64,
    /// The record as stored, for an update.
    before: Option<Record<D>>,
    /// The row as given, for an update (judged again if the record changes meanwhile).
    given: Option<D>,
    data: D,
    scope: Scope,
    /// The verdict of the workflow's move the row makes, if any.
    verdict: Option<Verdict>,
}

/// Judges one row, naming `record` or a new one, as the single write of it
/// would be judged: what it writes, or nothing (unchanged), or why not.
fn judge_row<R: Resource>(
    conn: &mut PgConnection,
    judge: &mut Judge<R>,
    line: i64,
    record: Option<Record<R::Data>>,
    data: R::Data,
    restaged: &mut Vec<StagedRow>,
) -> Result<Option<Write<R::Data>>, ServiceError> {
    let Some(record) = record else {
        let (scope, verdict) = judge.create(conn, &data)?;
        let written = judge.settle_new(conn, data.clone())?;
        // What was staged is the row as given; the server's fields may differ.
        if written != data {
            restaged.push(StagedRow { line, id: None, doc: R::stored_row(&written)? });
        }
        return Ok(Some(Write { line, before: None, given: None, data: written, scope, verdict }));
    };
    let before = judge.stored(conn, &record)?;
    match judge.update(conn, &record, &before, data.clone())? {
        Plan::Unchanged => Ok(None),
        Plan::Write { data: written, scope, verdict } => {
            // What was staged is the row as given; the judgement may have changed it.
            if written != data {
                restaged.push(StagedRow { line, id: Some(record.id), doc: R::stored_row(&written)? });
            }
            Ok(Some(Write { line, before: Some(record), given: Some(data), data: written, scope, verdict }))
        }
    }
}

/// Where an import's time goes, phase by phase (logged at debug level).
#[derive(Debug, Default)]
struct Phases {
    read: std::time::Duration,
    encode: std::time::Duration,
    find: std::time::Duration,
    judge: std::time::Duration,
    write: std::time::Duration,
    audit: std::time::Duration,
}

impl Phases {
    /// Adds the time since `start` to `phase` and starts the next phase.
    fn lap(start: &mut std::time::Instant, phase: &mut std::time::Duration) {
        let now = std::time::Instant::now();
        *phase += now - *start;
        *start = now;
    }
}

/// The stored form of each row (personal fields sealed). Sealing is the costly
/// part of an import's own work, and the database waits meanwhile, so a large
/// batch is split over two threads.
fn stored_rows<R: Resource>(rows: &[Row<R::Data>]) -> Result<Vec<StagedRow>, ServiceError> {
    let encode = |rows: &[Row<R::Data>]| {
        rows.iter().map(|row| Ok(StagedRow { line: row.line, id: row.id, doc: R::stored_row(&row.data)? })).collect::<Result<Vec<_>, ServiceError>>()
    };
    if rows.len() < 1_000 {
        return encode(rows);
    }
    let (first, second) = rows.split_at(rows.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| encode(second));
        let mut staged = encode(first)?;
        staged.extend(other.join().map_err(|_| ServiceError::Internal("sealing a batch failed".into()))??);
        Ok(staged)
    })
}

/// One batch: stage and find, judge, write. Returns `(inserted, updated, unchanged)`.
fn import_batch<R: Resource>(
    conn: &mut PgConnection,
    judge: &mut Judge<R>,
    staging: &mut Option<Staging>,
    rows: Vec<Row<R::Data>>,
    refusals: &mut Refusals,
    seen: &mut HashSet<i64>,
    phases: &mut Phases,
) -> Result<(u64, u64, u64), ServiceError> {
    let mut clock = std::time::Instant::now();
    let staged = stored_rows::<R>(&rows)?;
    Phases::lap(&mut clock, &mut phases.encode);
    let staging = match staging {
        Some(staging) => staging,
        None => {
            let keys = R::COLLECTION.spec().import_keys.unwrap_or_default();
            let fields: Vec<String> = staged.first().and_then(|row| row.doc.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
            staging.insert(Staging::begin(conn, R::TABLE, keys, &fields)?)
        }
    };
    let Found { problems, matched } = staging.stage(conn, &staged)?;
    drop(staged);
    refusals.add_db(problems);
    // A record is named once in an import: a later line naming it again is refused.
    for (line, id) in &matched {
        if !seen.insert(*id) && !refusals.refused(*line) {
            refusals.add(*line, "id", "repeated", "an earlier line of this import names the same record");
        }
    }
    let matched: HashMap<i64, i64> = matched.into_iter().collect();
    let ids: Vec<i64> = matched.values().copied().collect();
    let mut stored: HashMap<i64, Record<R::Data>> = R::find_many(conn, &ids)?.into_iter().map(|r| (r.id, r)).collect();
    Phases::lap(&mut clock, &mut phases.find);

    let mut writes: Vec<Write<R::Data>> = Vec::new();
    let mut restaged = Vec::new();
    let mut unchanged = 0;
    for row in rows {
        if refusals.refused(row.line) {
            continue;
        }
        let record = match matched.get(&row.line).map(|id| stored.remove(id).ok_or(*id)) {
            None => None,
            Some(Ok(record)) => Some(record),
            Some(Err(id)) => {
                refusals.add_error(row.line, ServiceError::NotFound { resource: R::COLLECTION.spec().noun, id: id.to_string() })?;
                continue;
            }
        };
        match judge_row(conn, judge, row.line, record, row.data, &mut restaged) {
            Ok(Some(write)) => writes.push(write),
            Ok(None) => unchanged += 1,
            Err(e) => refusals.add_error(row.line, e)?,
        }
    }
    if writes.is_empty() || refusals.count > 0 {
        Phases::lap(&mut clock, &mut phases.judge);
        // Nothing is written once a row is refused; the rest is only checked.
        return Ok((0, 0, unchanged));
    }
    // The records to change are locked now, as a single write locks the record it
    // changes, so nothing commits in between that the import would overwrite (an
    // erasure, an approval); one that changed since it was read is judged again.
    let to_change: Vec<i64> = writes.iter().filter_map(|w| w.before.as_ref().map(|r| r.id)).collect();
    let mut fresh: HashMap<i64, Record<R::Data>> = R::find_many_for_update(conn, &to_change)?.into_iter().map(|r| (r.id, r)).collect();
    let mut kept = Vec::with_capacity(writes.len());
    for write in writes {
        let Some(before) = &write.before else {
            kept.push(write);
            continue;
        };
        match fresh.remove(&before.id) {
            Some(now) if now.updated_at == before.updated_at && now.data == before.data => kept.push(write),
            Some(now) => {
                restaged.retain(|r| r.line != write.line);
                let given = write.given.unwrap_or(write.data);
                match judge_row(conn, judge, write.line, Some(now), given, &mut restaged) {
                    Ok(Some(write)) => kept.push(write),
                    Ok(None) => unchanged += 1,
                    Err(e) => refusals.add_error(write.line, e)?,
                }
            }
            None => refusals.add_error(write.line, ServiceError::NotFound { resource: R::COLLECTION.spec().noun, id: before.id.to_string() })?,
        }
    }
    let writes = kept;
    Phases::lap(&mut clock, &mut phases.judge);
    if writes.is_empty() || refusals.count > 0 {
        return Ok((0, 0, unchanged));
    }

    staging.restage(conn, &restaged)?;
    let new_lines: Vec<i64> = writes.iter().filter(|w| w.before.is_none()).map(|w| w.line).collect();
    let changed_lines: Vec<i64> = writes.iter().filter(|w| w.before.is_some()).map(|w| w.line).collect();
    // New records get their ids now, so that their audit events can name them.
    let new: Vec<(i64, i64)> = new_lines.iter().copied().zip(staging.reserve_ids(conn, new_lines.len())?).collect();
    seen.extend(new.iter().map(|(_, id)| *id));
    staging.write(conn, &new, &changed_lines)?;
    let new_ids: HashMap<i64, i64> = new.into_iter().collect();
    Phases::lap(&mut clock, &mut phases.write);
    let caller = judge.caller().clone();
    let mut events = Vec::with_capacity(writes.len());
    let mut verdicts = Vec::new();
    let (mut inserted, mut updated) = (0, 0);
    for write in &writes {
        match &write.before {
            None => {
                let id = *new_ids.get(&write.line).ok_or_else(|| ServiceError::Internal("a new record was not given an id".into()))?;
                verdicts.push((id, write.verdict));
                R::after_create(conn, &caller, id, &write.data)?;
                events.push(audit::event::<R>(&caller, Action::Create, id, &write.scope, None, Some(&write.data))?);
                inserted += 1;
            }
            Some(before) => {
                verdicts.push((before.id, write.verdict));
                events.push(audit::event::<R>(&caller, Action::Update, before.id, &write.scope, Some(&before.data), Some(&write.data))?);
                updated += 1;
            }
        }
    }
    super::workflow::record::<R>(conn, &caller, &verdicts)?;
    audit::record(conn, &events)?;
    Phases::lap(&mut clock, &mut phases.audit);
    Ok((inserted, updated, unchanged))
}

/// The import proper; see the module documentation. Returns the report, or a
/// 422 listing the refused rows (and then nothing is written).
pub fn import<R: Resource, I: Read>(conn: &mut PgConnection, caller: &Caller, input: I, options: ImportOptions) -> Result<ImportReport, ServiceError>
where
    R::Data: ToSchema,
{
    importable::<R>(caller)?;
    let mut report = ImportReport { resource: R::COLLECTION.path().to_owned(), dry_run: options.dry_run, ..ImportReport::default() };
    let outcome = conn.transaction::<_, Halt, _>(|conn| {
        let mut reader = RowReader::new(options.format, input, &<R::Data as PartialSchema>::schema()).map_err(file_error)?;
        let mut refusals = Refusals::default();
        let mut staging: Option<Staging> = None;
        let mut judge = Judge::<R>::new(caller);
        let mut seen = HashSet::new();
        let mut phases = Phases::default();
        loop {
            let mut clock = std::time::Instant::now();
            let (batch, finished) = read_batch::<R, I>(conn, &mut judge, &mut reader, &mut refusals, &mut report)?;
            Phases::lap(&mut clock, &mut phases.read);
            if !batch.is_empty() {
                let (inserted, updated, unchanged) = import_batch(conn, &mut judge, &mut staging, batch, &mut refusals, &mut seen, &mut phases)?;
                report.inserted += inserted;
                report.updated += updated;
                report.unchanged += unchanged;
            }
            refusals.lines.clear();
            if finished {
                break;
            }
        }
        tracing::debug!(resource = R::COLLECTION.path(), rows = report.rows, ?phases, "import phases");
        report.rejected = refusals.count;
        if refusals.count > 0 {
            let detail = format!(
                "{} of {} rows were refused, so nothing was written{}",
                refusals.count,
                report.rows,
                if refusals.count as usize > refusals.listed.len() { format!("; the first {} are listed", refusals.listed.len()) } else { String::new() }
            );
            return Err(Halt::Failed(ServiceError::RowsRejected { detail, errors: refusals.listed }));
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

/// Whether `caller` may import into `R` at all: the collection is loaded in bulk
/// and the caller may try to write it. Each row is then judged on its own.
pub fn importable<R: Resource>(caller: &Caller) -> Result<(), ServiceError> {
    if R::COLLECTION.spec().import_keys.is_none() {
        return Err(ServiceError::NotFound { resource: "importable collection", id: R::COLLECTION.path().to_owned() });
    }
    super::records::may_try::<R>(caller, Action::Create)
}

/// Why an import's transaction is rolled back.
enum Halt {
    Failed(ServiceError),
    /// Everything was checked and written; a dry run takes it back.
    DryRun,
}

impl From<ServiceError> for Halt {
    fn from(e: ServiceError) -> Self {
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

/// Runs an import of `R` from chunks another task passes on as they arrive
/// (an upload), on a connection of its own.
pub async fn run<R: Resource>(
    db: &super::Database,
    caller: Caller,
    chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
    options: ImportOptions,
) -> Result<ImportReport, ServiceError>
where
    R::Data: ToSchema,
{
    db.run(move |conn| import::<R, _>(conn, &caller, ChannelReader::new(chunks), options)).await
}
