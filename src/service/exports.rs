//! Exports: every record a list's filters select, walked page by page by id and
//! written as CSV or NDJSON in exactly the columns an import takes (`id` and the
//! writable fields), so that an export imports back unchanged. Personal fields
//! come unmasked, to callers allowed to read them, and every record read is
//! audited.

use super::csv::{line, schema_fields, value_cell};
use super::records::readable_scope;
use super::resource::Resource;
use super::tabular::BodyFormat;
use super::{audit, Database, ServiceError};
use crate::db::listing::{Count, ListRequest, Position, SortKey, Window};
use crate::domain::access::{Action, Caller};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use utoipa::ToSchema;

/// Records per page of an export: the walk is by id, so each page is an index range.
const EXPORT_PAGE: i64 = 1_000;

/// The bound on exports streaming at once. Each reads its pages on pooled
/// connections and audits what it sends, so without a bound a crowd of
/// exports (anonymous ones too) would take the pool from every other request.
#[derive(Clone)]
pub struct ExportSlots {
    slots: Arc<Semaphore>,
    at_once: usize,
    /// How long a new export waits for a slot before it is refused.
    wait: Duration,
    /// How long a reader may leave a page untaken before its export is given up.
    stall: Duration,
}

impl ExportSlots {
    pub fn new(at_once: usize, wait: Duration, stall: Duration) -> Self {
        let at_once = at_once.max(1);
        Self { slots: Arc::new(Semaphore::new(at_once)), at_once, wait, stall }
    }

    /// A slot, waited for at most `wait`; refused as busy after that.
    async fn take(&self) -> Result<OwnedSemaphorePermit, ServiceError> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => Ok(slot),
            Ok(Err(closed)) => Err(ServiceError::internal(closed)),
            Err(_) => Err(ServiceError::Busy {
                code: "exports_busy",
                detail: format!("{} exports are streaming, as many as the service runs at once; retry shortly", self.at_once),
                // An export of a national collection takes seconds.
                retry_after: 5,
            }),
        }
    }
}

/// What the walk sends: text, then the end once every page is sent.
enum Chunk {
    Text(String),
    End,
}

/// The chunks of an export, as the walk sends them. A walk that stops before
/// its end (an error, a reader who stopped reading) never sends the end, and
/// the chunks then end with an error, so that the reader sees a broken
/// transfer, never a list that looks whole.
pub struct Chunks {
    receiver: tokio::sync::mpsc::Receiver<Chunk>,
    done: bool,
}

impl Chunks {
    pub async fn next(&mut self) -> Option<Result<String, std::io::Error>> {
        if self.done {
            return None;
        }
        match self.receiver.recv().await {
            Some(Chunk::Text(text)) => Some(Ok(text)),
            Some(Chunk::End) => {
                self.done = true;
                None
            }
            None => {
                self.done = true;
                Some(Err(std::io::Error::other("the export stopped before its end")))
            }
        }
    }
}

/// A record as an import takes it back: its id and its writable fields.
fn export_row<R: Resource>(id: i64, data: &R::Data) -> Result<Map<String, Value>, ServiceError> {
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
    R::Data: ToSchema,
{
    let read_only = R::COLLECTION.spec().read_only;
    let mut columns = vec!["id".to_owned()];
    columns.extend(schema_fields::<R::Data>().into_iter().filter(|k| !read_only.contains(&k.as_str())));
    columns
}

/// Starts an export of the records `filter` selects, in one of `slots`.
/// Refusals come before the first byte (so they are a proper answer); the walk
/// then runs on its own and sends its pages until it ends, the receiver goes
/// away or leaves a page untaken longer than the slots allow.
pub async fn start<R: Resource>(db: &Database, slots: &ExportSlots, caller: Caller, filter: R::Filter, format: BodyFormat) -> Result<Chunks, ServiceError>
where
    R::Data: ToSchema,
{
    super::records::may_try::<R>(&caller, Action::Read)?;
    let slot = slots.take().await?;
    let (checker, scoped) = (caller.clone(), filter.clone());
    let (scope, (filter, outsider)) =
        db.run(move |conn| Ok((readable_scope::<R>(conn, &checker, &scoped)?, super::records::published_filter::<R>(conn, &checker, &scoped)?))).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let columns = export_columns::<R>();
    let mut head = match format {
        BodyFormat::Csv => line(&columns),
        BodyFormat::Ndjson => String::new(),
    };
    // One page on a pooled connection: the records after `from`, as text, and
    // where the next page starts. Between pages no connection is held, so a
    // reader who reads slowly holds its slot, never the pool.
    let page = move |conn: &mut diesel::pg::PgConnection, from: Option<Position>, head: String| -> Result<(String, Option<Position>), ServiceError> {
        let request = ListRequest { limit: EXPORT_PAGE, window: Window::Keyset { from, backwards: false }, sort: SortKey::ID, count: Count::None };
        let mut page = R::list(conn, &filter, &request)?;
        if outsider {
            page.records = super::records::for_outsiders::<R>(conn, std::mem::take(&mut page.records))?;
        }
        if let Some(scope) = &scope {
            let events = page.records.iter().map(|r| audit::event::<R>(&caller, Action::Export, r.id, scope, None, None)).collect::<Result<Vec<_>, _>>()?;
            audit::record(conn, &events)?;
        }
        let mut text = head;
        for record in &page.records {
            let row = export_row::<R>(record.id, &record.data)?;
            match format {
                BodyFormat::Csv => text.push_str(&line(&columns.iter().map(|c| value_cell(row.get(c))).collect::<Vec<_>>())),
                BodyFormat::Ndjson => {
                    text.push_str(&Value::Object(row).to_string());
                    text.push('\n');
                }
            }
        }
        let next = page.records.last().filter(|_| page.more).map(|last| Position { key: None, id: last.id });
        Ok((text, next))
    };
    let (walker, stall) = (db.clone(), slots.stall);
    tokio::spawn(async move {
        let mut from = None;
        loop {
            let read = page.clone();
            let head_now = std::mem::take(&mut head);
            let (text, next) = match walker.run(move |conn| read(conn, from, head_now)).await {
                Ok(walked) => walked,
                Err(e) => {
                    tracing::error!(cause = %e, "an export stopped early");
                    break;
                }
            };
            // A reader who has gone away, or left a page untaken longer than
            // `stall`, gives up the export and its slot.
            if !text.is_empty() && sender.send_timeout(Chunk::Text(text), stall).await.is_err() {
                break;
            }
            match next {
                Some(next) => from = Some(next),
                None => {
                    let _ = sender.send_timeout(Chunk::End, stall).await;
                    break;
                }
            }
        }
        drop(slot);
    });
    Ok(Chunks { receiver, done: false })
}
