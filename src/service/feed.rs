//! The change feed: what happened to public records, in an order a portal can
//! resume from, so that it can mirror the registry without reading it whole.
//! Which collections it carries is the registry's word: every public one, never
//! personal data.

use super::view::view;
use super::ServiceError;
use crate::db::changes::{self, Change, LogPosition};
use crate::db::Store;
use crate::domain::collection::Collection;
use diesel::PgConnection;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One page of the feed: the changes after `from`, each with its record as its
/// `GET` shows it now (none once deleted), where to read on, and whether this
/// read reached the end of what is committed so far.
pub struct FeedPage {
    pub changes: Vec<(Change, Option<Value>)>,
    pub next: LogPosition,
    pub caught_up: bool,
}

/// The records among `ids` of a public collection, as reads show them.
fn current(conn: &mut PgConnection, collection: Collection, ids: &[i64]) -> Result<HashMap<i64, Value>, ServiceError> {
    if !collection.public() {
        return Err(ServiceError::Internal(format!("the change log names {collection}, which is personal data and never in the feed")));
    }
    // The feed is everyone's: records as outsiders see them, an unpublished one
    // (a draft) as absent until it is published.
    crate::with_resource!(collection, R => {
        let found = R::find_many(conn, ids)?;
        super::records::for_outsiders::<R>(conn, found)?
        .into_iter()
        .map(|record| Ok((record.id, serde_json::to_value(view::<R>(record)).map_err(ServiceError::internal)?)))
        .collect()
    })
}

/// Reads the feed after `from`, at most `limit` changes.
pub fn read(conn: &mut PgConnection, from: LogPosition, limit: i64) -> Result<FeedPage, ServiceError> {
    let log = changes::after(conn, from, limit)?;
    let mut ids: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for change in &log {
        ids.entry(change.resource.as_str()).or_default().push(change.record_id);
    }
    let mut records: HashMap<(String, i64), Value> = HashMap::new();
    for (resource, ids) in ids {
        let collection =
            Collection::from_path(resource).ok_or_else(|| ServiceError::Internal(format!("the change log names an unknown collection {resource}")))?;
        for (id, record) in current(conn, collection, &ids)? {
            records.insert((resource.to_owned(), id), record);
        }
    }
    let next = log.last().map_or(from, Change::position);
    let caught_up = (log.len() as i64) < limit && !changes::held_back(conn, next)?;
    let changes = log
        .into_iter()
        .map(|change| {
            let record = records.get(&(change.resource.clone(), change.record_id)).cloned();
            (change, record)
        })
        .collect();
    Ok(FeedPage { changes, next, caught_up })
}
