//! A record as the API shows it: its fields, id, timestamps, and links to
//! itself and its relatives (paths below the registry's address). Reads, lists,
//! the change feed and a person's export all show records this way.

use super::resource::Resource;
use crate::db::Record;
use crate::domain::API_PREFIX;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A record as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct View<D> {
    pub id: i64,
    #[serde(flatten)]
    pub data: D,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `self` and related records, as paths.
    pub links: BTreeMap<String, String>,
}

pub fn view<R: Resource>(record: Record<R::Data>) -> View<R::Data> {
    let mut links: BTreeMap<String, String> =
        R::related(record.id, &record.data).into_iter().map(|(name, path)| (name.to_owned(), format!("{API_PREFIX}/{path}"))).collect();
    links.insert("self".to_owned(), R::COLLECTION.record_path(record.id));
    View { id: record.id, data: record.data, created_at: record.created_at, updated_at: record.updated_at, links }
}
