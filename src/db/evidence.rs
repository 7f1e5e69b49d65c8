//! Evidence files: their description (listed without their content) and their
//! content (read one at a time).

use super::DbError;
use crate::db::schema::{evidence, users};
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// What an evidence file is attached to: a reported value or an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attachment {
    Measurement(i64),
    Activity(i64),
}

impl Attachment {
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Attachment::Measurement(id) => (Some(id), None),
            Attachment::Activity(id) => (None, Some(id)),
        }
    }
}

/// An evidence file as listed: everything but its content.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
#[schema(as = Evidence)]
pub struct EvidenceFile {
    pub id: i64,
    /// The reported value it is evidence of.
    pub measurement_id: Option<i64>,
    /// The activity it is evidence of.
    pub activity_id: Option<i64>,
    #[schema(example = "lista obecności 2024-03-12.pdf")]
    pub file_name: String,
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size_bytes: i32,
    /// The SHA-256 of the content, in hex.
    pub sha256: String,
    pub description: Option<String>,
    /// Whether anonymous readers may see and download it.
    pub public: bool,
    /// Whether the configured virus scanner passed it (false when none is configured).
    pub scanned: bool,
    /// Who added it: the e-mail of the account (none once the account is gone).
    pub added_by: Option<String>,
    pub added_at: DateTime<Utc>,
}

#[diesel::dsl::auto_type(no_type_alias)]
fn described() -> _ {
    evidence::table.left_join(users::table).select((
        evidence::id,
        evidence::measurement_id,
        evidence::activity_id,
        evidence::file_name,
        evidence::content_type,
        evidence::size_bytes,
        evidence::sha256,
        evidence::description,
        evidence::public,
        evidence::scanned,
        users::email.nullable(),
        evidence::added_at,
    ))
}

/// A new evidence file.
pub struct NewEvidence {
    pub attachment: Attachment,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub description: Option<String>,
    pub public: bool,
    pub scanned: bool,
    pub added_by: Option<i64>,
    pub content: Vec<u8>,
}

pub fn insert(conn: &mut PgConnection, file: NewEvidence) -> Result<i64, DbError> {
    let (measurement_id, activity_id) = file.attachment.columns();
    // The service's size limit keeps files far below 2 GiB.
    let size = i32::try_from(file.content.len()).unwrap_or(i32::MAX);
    Ok(diesel::insert_into(evidence::table)
        .values((
            evidence::measurement_id.eq(measurement_id),
            evidence::activity_id.eq(activity_id),
            evidence::file_name.eq(file.file_name),
            evidence::content_type.eq(file.content_type),
            evidence::size_bytes.eq(size),
            evidence::sha256.eq(file.sha256),
            evidence::description.eq(file.description),
            evidence::public.eq(file.public),
            evidence::scanned.eq(file.scanned),
            evidence::added_by.eq(file.added_by),
            evidence::content.eq(file.content),
        ))
        .returning(evidence::id)
        .get_result(conn)?)
}

pub fn find(conn: &mut PgConnection, id: i64) -> Result<EvidenceFile, DbError> {
    Ok(described().filter(evidence::id.eq(id)).first(conn)?)
}

/// The files attached to `attachment`, oldest first; only public ones unless `all`.
pub fn attached(conn: &mut PgConnection, attachment: Attachment, all: bool) -> Result<Vec<EvidenceFile>, DbError> {
    let mut q = described().order(evidence::id).into_boxed::<Pg>();
    q = match attachment {
        Attachment::Measurement(id) => q.filter(evidence::measurement_id.eq(id)),
        Attachment::Activity(id) => q.filter(evidence::activity_id.eq(id)),
    };
    if !all {
        q = q.filter(evidence::public);
    }
    Ok(q.load(conn)?)
}

pub fn content(conn: &mut PgConnection, id: i64) -> Result<Vec<u8>, DbError> {
    Ok(evidence::table.find(id).select(evidence::content).first(conn)?)
}

pub fn describe(conn: &mut PgConnection, id: i64, description: Option<String>, public: bool) -> Result<(), DbError> {
    diesel::update(evidence::table.find(id)).set((evidence::description.eq(description), evidence::public.eq(public))).execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut PgConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(evidence::table.find(id)).execute(conn)?;
    Ok(())
}
