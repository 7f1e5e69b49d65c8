//! Evidence files attached to a reported value or an activity: checked (type,
//! content, size, the configured virus scan), kept with who added them when,
//! and read only by those the permission module allows
//! (`domain::access::authorize_evidence`) unless marked public.

use super::records::not_found;
use super::resource::Resource;
use super::resources::measurements::ensure_changeable;
use super::{audit, ServiceError};
use crate::db::activities::{Activities, ActivityData};
use crate::db::evidence::{self as store, Attachment, EvidenceFile, NewEvidence};
use crate::db::measurements::{MeasurementData, Measurements};
use crate::db::{DbError, Record, Store};
use crate::domain::access::{authorize_evidence, authorize_frozen_write, Action, Caller, Refusal, Scope};
use crate::domain::collection::Collection;
use crate::domain::evidence::{check_file, clean_file_name, EvidencePolicy, FileRefusal, ACCEPTED};
use crate::domain::validation::blank_to_none;
use crate::domain::workflow::{self, FreezesWith};
use diesel::pg::PgConnection;
use diesel::Connection;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The audit trail's and the change notices' name of evidence files.
const RESOURCE: &str = "evidence";

/// A file as uploaded.
pub struct Upload {
    pub attachment: Attachment,
    pub file_name: String,
    /// The `Content-Type` it was sent with.
    pub content_type: String,
    pub description: Option<String>,
    pub public: bool,
    pub content: Vec<u8>,
}

/// A file that passed its checks, ready to be kept.
pub struct Inspected {
    upload: Upload,
    media_type: String,
    sha256: String,
    scanned: bool,
}

fn refused(refusal: FileRefusal) -> ServiceError {
    match refusal {
        FileRefusal::UnacceptedType(media) => ServiceError::UnsupportedMediaType(format!(
            "{media:?} is not taken as evidence: send one of {} (or application/octet-stream with a file name ending in its extension)",
            ACCEPTED.join(", ")
        )),
        FileRefusal::ContentMismatch(media) => ServiceError::field("content", "content_mismatch", format!("the content is not a {media} file")),
        FileRefusal::Empty => ServiceError::field("content", "empty_file", "the file is empty"),
        FileRefusal::BadName => ServiceError::field("file_name", "invalid_file_name", "name the file (its name, not a path)"),
    }
}

/// Runs the configured scanner with the file on its standard input: the program
/// itself, never a shell, with no environment but `PATH` (the service's holds
/// its signing and personal-data keys and the database's address), in a
/// process group of its own that is killed whole when it takes longer than
/// `timeout`. Gives the content back for keeping.
fn scan(command: &str, timeout: Duration, content: Vec<u8>) -> Result<Vec<u8>, ServiceError> {
    let unavailable = |why: String| ServiceError::Unavailable(format!("the virus scan failed ({why}); the file was not kept, try again later"));
    let mut words = command.split_whitespace();
    let program = words.next().ok_or_else(|| unavailable("no scanner is named".into()))?;
    let mut child = Command::new(program)
        .args(words)
        .env_clear()
        .envs(std::env::var_os("PATH").map(|path| ("PATH", path)))
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(e.to_string()))?;
    // Fed from a thread of its own, so that a scanner that reads nothing, or
    // stops reading (it found something, and closes the pipe), holds up only
    // that thread, and only until the scanner is gone.
    let content = Arc::new(content);
    if let Some(mut input) = child.stdin.take() {
        let feeding = Arc::clone(&content);
        std::thread::spawn(move || input.write_all(&feeding));
    }
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(|e| unavailable(e.to_string()))? {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                // The whole group, so that a scanner's own children go too.
                let group = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.wait();
                return Err(unavailable(format!("no answer within {} s", timeout.as_secs_f64())));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    match status.code() {
        Some(0) => Ok(Arc::try_unwrap(content).unwrap_or_else(|shared| shared.as_ref().clone())),
        Some(1) => Err(ServiceError::field("content", "infected", "the virus scan found the file infected; it was not kept")),
        other => Err(unavailable(format!("exit status {other:?}"))),
    }
}

/// Checks an uploaded file against `policy`: size, name, type, content, and the
/// scan when one is configured. Needs no database, so a slow scan holds no connection.
pub fn inspect(policy: &EvidencePolicy, mut upload: Upload) -> Result<Inspected, ServiceError> {
    if upload.content.len() > policy.max_bytes {
        return Err(ServiceError::PayloadTooLarge);
    }
    blank_to_none(&mut upload.description);
    check_description(&upload.description)?;
    let media_type = check_file(&upload.content_type, &upload.file_name, &upload.content).map_err(refused)?;
    upload.file_name = clean_file_name(&upload.file_name, &media_type).map_err(refused)?;
    let scanned = match &policy.scan_command {
        Some(command) => {
            upload.content = scan(command, policy.scan_timeout, std::mem::take(&mut upload.content))?;
            true
        }
        None => false,
    };
    let sha256 = Sha256::digest(&upload.content).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Inspected { upload, media_type, sha256, scanned })
}

/// The record a file is attached to, as the permission module needs it, and
/// the record itself, whose state its evidence follows.
struct Parent {
    collection: Collection,
    scope: Scope,
    holder: Holder,
}

enum Holder {
    Value(Record<MeasurementData>),
    Activity(Record<ActivityData>),
}

impl Parent {
    /// Whether `caller` may still change the files, as declared
    /// (`domain::workflow::EVIDENCE`): not while the record waits for a
    /// decision or lies in a locked period; once what they support is decided,
    /// an admin's correction alone.
    fn ensure_open(&self, conn: &mut PgConnection, caller: &Caller) -> Result<(), ServiceError> {
        let declared = workflow::evidence_of(self.collection)
            .ok_or_else(|| ServiceError::Internal(format!("{} holds evidence that no declaration covers", self.collection)))?;
        let frozen = match (&self.holder, declared.freezes_with) {
            (Holder::Value(value), FreezesWith::Record) => {
                ensure_changeable(conn, value)?;
                let own = workflow::of(self.collection).ok_or_else(|| ServiceError::Internal(format!("{} has no workflow", self.collection)))?;
                own.frozen(Some(value.data.status.as_str()))
            }
            (Holder::Activity(activity), FreezesWith::SupportedValues) => super::resources::activities::supports_frozen_values(conn, activity)?,
            _ => return Err(ServiceError::Internal(format!("the evidence of {} follows another declaration", self.collection))),
        };
        if frozen {
            authorize_frozen_write(caller).map_err(|_| ServiceError::Conflict {
                code: "evidence_frozen",
                detail: "the evidence supports a decided value: only an admin's correction adds, changes or removes it".to_owned(),
            })?;
        }
        Ok(())
    }
}

fn parent(conn: &mut PgConnection, attachment: Attachment) -> Result<Parent, ServiceError> {
    match attachment {
        Attachment::Measurement(id) => {
            let record = Measurements::find(conn, id).map_err(not_found::<Measurements>(id))?;
            let scope = Measurements::scope(conn, Some(id), &record.data)?;
            Ok(Parent { collection: Collection::IndicatorMeasurements, scope, holder: Holder::Value(record) })
        }
        Attachment::Activity(id) => {
            let record = Activities::find(conn, id).map_err(not_found::<Activities>(id))?;
            let scope = Activities::scope(conn, Some(id), &record.data)?;
            Ok(Parent { collection: Collection::Activities, scope, holder: Holder::Activity(record) })
        }
    }
}

/// The parent of a change (`action`) to its evidence, once the caller may make
/// it and then, so that a refused caller learns nothing of the record's state,
/// once its evidence may still change.
fn parent_for_change(conn: &mut PgConnection, caller: &Caller, attachment: Attachment, action: Action) -> Result<Parent, ServiceError> {
    let parent = parent(conn, attachment)?;
    authorize_evidence(caller, parent.collection, &parent.scope, action)?;
    parent.ensure_open(conn, caller)?;
    Ok(parent)
}

/// Removes the files of a record about to be deleted (a value, an activity),
/// each under the rules and with the audit event of a removal of its own, so
/// that the database's cascade finds nothing left to remove unseen. A record
/// whose evidence is frozen is not deleted with it.
pub fn remove_with(conn: &mut PgConnection, caller: &Caller, collection: Collection, id: i64) -> Result<(), ServiceError> {
    let attachment = match collection {
        Collection::IndicatorMeasurements => Attachment::Measurement(id),
        Collection::Activities => Attachment::Activity(id),
        _ => return Ok(()),
    };
    let files = store::attached(conn, attachment, true)?;
    if files.is_empty() {
        return Ok(());
    }
    let parent = parent_for_change(conn, caller, attachment, Action::Delete)?;
    let mut events = Vec::with_capacity(files.len());
    for file in &files {
        store::delete(conn, file.id)?;
        events.push(audit::of(caller, Action::Delete, RESOURCE, file.id, &parent.scope, Some(trail_value(file)), None));
    }
    audit::record(conn, &events)
}

fn attachment_of(file: &EvidenceFile) -> Result<Attachment, ServiceError> {
    match (file.measurement_id, file.activity_id) {
        (Some(id), None) => Ok(Attachment::Measurement(id)),
        (None, Some(id)) => Ok(Attachment::Activity(id)),
        _ => Err(ServiceError::Internal(format!("evidence {} is attached to one record", file.id))),
    }
}

fn found(id: i64) -> impl FnOnce(DbError) -> ServiceError {
    move |e| match e {
        DbError::NotFound => ServiceError::NotFound { resource: RESOURCE, id: id.to_string() },
        other => other.into(),
    }
}

fn refusal(refusal: Refusal) -> ServiceError {
    refusal.into()
}

/// What the trail keeps of a file: its description, never its content.
fn trail_value(file: &EvidenceFile) -> serde_json::Value {
    json!({
        "measurement_id": file.measurement_id, "activity_id": file.activity_id, "file_name": file.file_name,
        "content_type": file.content_type, "size_bytes": file.size_bytes, "sha256": file.sha256,
        "description": file.description, "public": file.public, "scanned": file.scanned,
    })
}

/// Keeps an inspected file, attached to its record, for a caller who may change that record.
pub fn add(conn: &mut PgConnection, caller: &Caller, file: Inspected) -> Result<EvidenceFile, ServiceError> {
    caller.signed_in().map_err(refusal)?;
    conn.transaction(|conn| {
        let Inspected { upload, media_type, sha256, scanned } = file;
        let parent = parent_for_change(conn, caller, upload.attachment, Action::Create)?;
        let id = store::insert(
            conn,
            NewEvidence {
                attachment: upload.attachment,
                file_name: upload.file_name,
                content_type: media_type,
                sha256,
                description: upload.description,
                public: upload.public,
                scanned,
                added_by: caller.user().map(|u| u.id),
                content: upload.content,
            },
        )?;
        let kept = store::find(conn, id)?;
        audit::record(conn, &[audit::of(caller, Action::Create, RESOURCE, id, &parent.scope, None, Some(trail_value(&kept)))])?;
        Ok(kept)
    })
}

/// A file as a reader sees it: who added it is the record's own people's to
/// know, not a public reader's (an account's e-mail is personal data).
fn as_seen(mut file: EvidenceFile, insider: bool) -> EvidenceFile {
    if !insider {
        file.added_by = None;
    }
    file
}

/// The files attached to a record: all of them for those who may read them, the public ones for anyone else.
pub fn list(conn: &mut PgConnection, caller: &Caller, attachment: Attachment) -> Result<Vec<EvidenceFile>, ServiceError> {
    let parent = parent(conn, attachment)?;
    let insider = authorize_evidence(caller, parent.collection, &parent.scope, Action::Read).is_ok();
    Ok(store::attached(conn, attachment, insider)?.into_iter().map(|file| as_seen(file, insider)).collect())
}

/// File `id`'s description, if the caller may read it.
pub fn read(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<EvidenceFile, ServiceError> {
    let file = store::find(conn, id).map_err(found(id))?;
    let parent = parent(conn, attachment_of(&file)?)?;
    let allowed = authorize_evidence(caller, parent.collection, &parent.scope, Action::Read);
    match allowed {
        Ok(()) => Ok(file),
        Err(_) if file.public => Ok(as_seen(file, false)),
        Err(refusal) => Err(refusal.into()),
    }
}

/// Refuses a caller who may not attach files to the record, before the file
/// is even received (`add` judges again, with the file).
pub fn may_attach(conn: &mut PgConnection, caller: &Caller, attachment: Attachment) -> Result<(), ServiceError> {
    caller.signed_in().map_err(refusal)?;
    parent_for_change(conn, caller, attachment, Action::Create)?;
    Ok(())
}

/// The longest description kept.
const DESCRIPTION_LIMIT: usize = 2000;

fn check_description(description: &Option<String>) -> Result<(), ServiceError> {
    match description {
        Some(text) if text.chars().count() > DESCRIPTION_LIMIT => {
            Err(ServiceError::field("description", "too_long", format!("a description has at most {DESCRIPTION_LIMIT} characters")))
        }
        _ => Ok(()),
    }
}

/// File `id` with its content, if the caller may read it.
pub fn download(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<(EvidenceFile, Vec<u8>), ServiceError> {
    let file = read(conn, caller, id)?;
    let content = store::content(conn, id).map_err(found(id))?;
    Ok((file, content))
}

/// Changes what is said of file `id` (its description, whether it is public).
pub fn describe(
    conn: &mut PgConnection,
    caller: &Caller,
    id: i64,
    description: Option<Option<String>>,
    public: Option<bool>,
) -> Result<EvidenceFile, ServiceError> {
    caller.signed_in().map_err(refusal)?;
    conn.transaction(|conn| {
        let before = store::find(conn, id).map_err(found(id))?;
        // A value's evidence is frozen with the value, what is said of it too.
        let parent = parent_for_change(conn, caller, attachment_of(&before)?, Action::Update)?;
        let mut description = description.unwrap_or_else(|| before.description.clone());
        blank_to_none(&mut description);
        check_description(&description)?;
        store::describe(conn, id, description, public.unwrap_or(before.public))?;
        let after = store::find(conn, id)?;
        audit::record(conn, &[audit::of(caller, Action::Update, RESOURCE, id, &parent.scope, Some(trail_value(&before)), Some(trail_value(&after)))])?;
        Ok(after)
    })
}

/// Removes file `id`, while its record may still change.
pub fn remove(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<(), ServiceError> {
    caller.signed_in().map_err(refusal)?;
    conn.transaction(|conn| {
        let before = store::find(conn, id).map_err(found(id))?;
        let parent = parent_for_change(conn, caller, attachment_of(&before)?, Action::Delete)?;
        store::delete(conn, id)?;
        audit::record(conn, &[audit::of(caller, Action::Delete, RESOURCE, id, &parent.scope, Some(trail_value(&before)), None)])
    })
}
