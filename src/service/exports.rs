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
use utoipa::ToSchema;

/// Records per page of an export: the walk is by id, so each page is an index range.
const EXPORT_PAGE: i64 = 1_000;

/// The chunks of an export, as the walk sends them.
pub type Chunks = tokio::sync::mpsc::Receiver<Result<String, std::io::Error>>;

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

/// Starts an export of the records `filter` selects. Refusals come before the
/// first byte (so they are a proper answer); the walk then runs on its own and
/// sends its pages until it ends or the receiver goes away.
pub async fn start<R: Resource>(db: &Database, caller: Caller, filter: R::Filter, format: BodyFormat) -> Result<Chunks, ServiceError>
where
    R::Data: ToSchema,
{
    super::records::may_try::<R>(&caller, Action::Read)?;
    let (checker, scoped) = (caller.clone(), filter.clone());
    let (scope, (filter, outsider)) =
        db.run(move |conn| Ok((readable_scope::<R>(conn, &checker, &scoped)?, super::records::published_filter::<R>(conn, &checker, &scoped)?))).await?;
    let (sender, chunks) = tokio::sync::mpsc::channel(4);
    let columns = export_columns::<R>();
    let walk = move |conn: &mut diesel::pg::PgConnection| -> Result<(), ServiceError> {
        let mut from = None;
        let mut head = match format {
            BodyFormat::Csv => line(&columns),
            BodyFormat::Ndjson => String::new(),
        };
        loop {
            let request = ListRequest { limit: EXPORT_PAGE, window: Window::Keyset { from, backwards: false }, sort: SortKey::ID, count: Count::None };
            let mut page = R::list(conn, &filter, &request)?;
            if outsider {
                page.records = super::records::for_outsiders::<R>(conn, std::mem::take(&mut page.records))?;
            }
            if let Some(scope) = &scope {
                let events = page.records.iter().map(|r| audit::event::<R>(&caller, Action::Export, r.id, scope, None, None)).collect::<Result<Vec<_>, _>>()?;
                audit::record(conn, &events)?;
            }
            let mut text = std::mem::take(&mut head);
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
            if !text.is_empty() && sender.blocking_send(Ok(text)).is_err() {
                return Ok(()); // the reader went away
            }
            match page.records.last() {
                Some(last) if page.more => from = Some(Position { key: None, id: last.id }),
                _ => return Ok(()),
            }
        }
    };
    let walker = db.clone();
    tokio::spawn(async move {
        if let Err(e) = walker.run(walk).await {
            tracing::error!(cause = %e, "an export stopped early");
        }
    });
    Ok(chunks)
}
