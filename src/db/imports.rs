//! Bulk writes, set-based. An import stages each batch of checked rows with COPY
//! (as JSON documents of the stored row), types them with `jsonb_populate_record`,
//! finds the records they name by natural key, and writes the new and changed ones
//! with one INSERT and one UPDATE per batch. Everything runs in the caller's
//! transaction, so an import that fails, or is killed, leaves nothing behind.

use super::DbError;
use diesel::pg::{CopyFormat, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use std::io::Write;

diesel::table! {
    /// One batch of staged rows (a temporary table of the import's transaction).
    import_batch (line) {
        line -> Int8,
        given_id -> Nullable<Int8>,
        doc -> Jsonb,
    }
}

/// How an import finds and may change the records of one table.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub table: &'static str,
    /// Natural keys, each a set of columns; a row is matched by the first whose
    /// columns it fills. A row may instead give the record's `id`.
    pub keys: &'static [&'static [&'static str]],
    /// The column naming the record's owner (its project, say): a record found by
    /// id must stay with its owner.
    pub owner: Option<&'static str>,
    /// Columns an import never changes on an existing record (workflow state).
    pub kept: &'static [&'static str],
    /// Columns whose stored bytes differ on every write (sealed values): left out
    /// when deciding whether a record changed; a digest stands for them.
    pub opaque: &'static [&'static str],
    /// A condition on the existing record (`t`) under which it cannot be changed,
    /// with the reason's code and message.
    pub frozen: Option<(&'static str, &'static str, &'static str)>,
    /// The voivodeship of a written record (`w`), as its audit event names it, so
    /// that a regional centre sees imports in its region's trail.
    pub region: &'static str,
}

/// [`Target::region`] of a record that hangs off a project.
pub const PROJECT_REGION: &str = "(SELECT p.voivodeship FROM projects p WHERE p.id = w.project_id)";

/// A row the database refused, by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: i64,
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// What staging a batch found: the rows refused, and the `(line, id)` of rows
/// that name an existing record.
pub type StageOutcome = (Vec<RowProblem>, Vec<(i64, i64)>);

/// A staged row: its line, the id it names (if any), and its stored form.
pub struct StagedRow {
    pub line: i64,
    pub given_id: Option<i64>,
    pub doc: serde_json::Value,
}

/// The import's working state: the target and the columns it writes.
pub struct Staging {
    target: Target,
    columns: Vec<String>,
    /// `(column, referenced table, referenced column)` of the single-column foreign keys among the columns.
    references: Vec<(String, String, String)>,
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Reference {
    #[diesel(sql_type = Text)]
    column: String,
    #[diesel(sql_type = Text)]
    referenced: String,
    #[diesel(sql_type = Text)]
    referenced_column: String,
}

#[derive(QueryableByName)]
struct LineRow {
    #[diesel(sql_type = BigInt)]
    line: i64,
}

#[derive(QueryableByName)]
struct Matched {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn list<S: AsRef<str>>(columns: &[S], prefix: &str) -> String {
    columns.iter().map(|c| format!("{prefix}{}", quoted(c.as_ref()))).collect::<Vec<_>>().join(", ")
}

/// The condition that a row fills every column of `key`.
fn filled(key: &[&str]) -> String {
    key.iter().map(|c| format!("{} IS NOT NULL", quoted(c))).collect::<Vec<_>>().join(" AND ")
}

/// The row text of a COPY in text format: tabs, newlines and backslashes escaped.
fn copy_text(value: &str, out: &mut Vec<u8>) {
    for byte in value.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

impl Staging {
    /// Creates the staging tables. `fields` are the keys of a stored row; the
    /// columns written are those of them that the table has and may be written.
    pub fn begin(conn: &mut PgConnection, target: Target, fields: &[String]) -> Result<Self, DbError> {
        let writable: Vec<ColumnName> = diesel::sql_query(
            "SELECT column_name::text AS name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
               AND column_name NOT IN ('id', 'created_at', 'updated_at') ORDER BY ordinal_position",
        )
        .bind::<Text, _>(target.table)
        .load(conn)?;
        let columns: Vec<String> = writable.into_iter().map(|c| c.name).filter(|c| fields.contains(c)).collect();
        let table = quoted(target.table);
        diesel::sql_query("CREATE TEMP TABLE import_batch (line BIGINT, given_id BIGINT, doc JSONB) ON COMMIT DROP").execute(conn)?;
        diesel::sql_query(format!(
            "CREATE TEMP TABLE import_typed ON COMMIT DROP AS
             SELECT 0::bigint AS line, NULL::bigint AS given_id, FALSE AS repeated, t.* FROM {table} t WITH NO DATA"
        ))
        .execute(conn)?;
        let references: Vec<Reference> = diesel::sql_query(
            "SELECT a.attname::text AS column, c.confrelid::regclass::text AS referenced, f.attname::text AS referenced_column
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND c.conrelid = $1::regclass AND cardinality(c.conkey) = 1",
        )
        .bind::<Text, _>(target.table)
        .load(conn)?;
        let references = references.into_iter().filter(|r| columns.contains(&r.column)).map(|r| (r.column, r.referenced, r.referenced_column)).collect();
        Ok(Self { target, columns, references })
    }

    /// Stages one batch and finds the records its rows name. Returns what the
    /// database refuses (unknown ids, rows without a key, repeated keys, records
    /// that would move or cannot change) and the `(line, id)` of found records.
    pub fn stage(&self, conn: &mut PgConnection, rows: &[StagedRow]) -> Result<StageOutcome, DbError> {
        diesel::sql_query("TRUNCATE import_batch, import_typed").execute(conn)?;
        let mut data = Vec::with_capacity(rows.len() * 512);
        for row in rows {
            let _ = write!(data, "{}\t", row.line);
            match row.given_id {
                Some(id) => {
                    let _ = write!(data, "{id}\t");
                }
                None => data.extend_from_slice(b"\\N\t"),
            }
            copy_text(&row.doc.to_string(), &mut data);
            data.push(b'\n');
        }
        diesel::copy_from(import_batch::table)
            .from_raw_data(import_batch::table, |sink: &mut dyn Write| sink.write_all(&data).map_err(|e| DbError::Other(format!("staging rows failed: {e}"))))
            .with_format(CopyFormat::Text)
            .execute(conn)?;
        let t = self.target;
        let table = quoted(t.table);
        let columns = list(&self.columns, "");
        diesel::sql_query(format!(
            "INSERT INTO import_typed (line, given_id, {columns})
             SELECT b.line, b.given_id, {typed} FROM import_batch b, jsonb_populate_record(NULL::{table}, b.doc) r",
            typed = list(&self.columns, "r.")
        ))
        .execute(conn)?;
        // Rows this transaction already wrote (an earlier batch) have its xid as xmin.
        let repeated = "t.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text";
        diesel::sql_query(format!(
            "UPDATE import_typed b SET id = t.id, repeated = {repeated} FROM {table} t WHERE b.given_id IS NOT NULL AND t.id = b.given_id"
        ))
        .execute(conn)?;
        for key in t.keys {
            let same: Vec<String> = key.iter().map(|c| format!("t.{0} = b.{0}", quoted(c))).collect();
            diesel::sql_query(format!(
                "UPDATE import_typed b SET id = t.id, repeated = {repeated} FROM {table} t WHERE b.id IS NULL AND b.given_id IS NULL AND {}",
                same.join(" AND ")
            ))
            .execute(conn)?;
        }
        let mut problems = Vec::new();
        let mut refuse = |conn: &mut PgConnection, sql: String, field: &str, code: &'static str, message: &str| -> Result<(), DbError> {
            for row in diesel::sql_query(sql).load::<LineRow>(conn)? {
                problems.push(RowProblem { line: row.line, field: field.to_owned(), code, message: message.to_owned() });
            }
            Ok(())
        };
        refuse(
            conn,
            "SELECT line FROM import_typed WHERE given_id IS NOT NULL AND id IS NULL".into(),
            "id",
            "not_found",
            "no record of this kind has this id",
        )?;
        let any_key: Vec<String> = t.keys.iter().map(|key| format!("({})", filled(key))).collect();
        let keys_named: Vec<String> = t.keys.iter().map(|key| key.join(" + ")).collect();
        refuse(
            conn,
            format!("SELECT line FROM import_typed WHERE given_id IS NULL AND NOT ({})", any_key.join(" OR ")),
            t.keys.first().and_then(|key| key.last()).copied().unwrap_or("id"),
            "key_required",
            &format!("an imported row needs a key so that importing it again finds it: {}, or the record's id", keys_named.join(", or ")),
        )?;
        // Named by an earlier batch (written there) or by an earlier line of this one.
        refuse(
            conn,
            "SELECT line FROM (SELECT line, repeated, row_number() OVER (PARTITION BY id ORDER BY line) AS n FROM import_typed WHERE id IS NOT NULL) x
             WHERE repeated OR n > 1"
                .into(),
            "id",
            "repeated",
            "an earlier line of this import names the same record",
        )?;
        for key in t.keys {
            refuse(
                conn,
                format!(
                    "SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY {columns} ORDER BY line) AS n FROM import_typed WHERE id IS NULL AND {filled}) x WHERE n > 1",
                    columns = list(key, ""),
                    filled = filled(key)
                ),
                key.last().copied().unwrap_or("id"),
                "repeated",
                "an earlier line of this import has the same key",
            )?;
        }
        for (column, referenced, key) in &self.references {
            let (column_name, key) = (quoted(column), quoted(key));
            refuse(
                conn,
                format!("SELECT b.line FROM import_typed b WHERE b.{column_name} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {referenced} r WHERE r.{key} = b.{column_name})"),
                column,
                "unknown_reference",
                &format!("{column} names a record that does not exist"),
            )?;
        }
        if let Some(owner) = t.owner {
            let owner = quoted(owner);
            refuse(
                conn,
                format!("SELECT b.line FROM import_typed b JOIN {table} t ON t.id = b.id WHERE t.{owner} IS DISTINCT FROM b.{owner}"),
                t.owner.unwrap_or_default(),
                "moved",
                "an import cannot move a record to another owner; change it on its own",
            )?;
        }
        if let Some((condition, code, message)) = t.frozen {
            refuse(conn, format!("SELECT b.line FROM import_typed b JOIN {table} t ON t.id = b.id WHERE {condition}"), "id", code, message)?;
        }
        problems.sort_by_key(|p| p.line);
        let matched = diesel::sql_query("SELECT line, id FROM import_typed WHERE id IS NOT NULL ORDER BY line").load::<Matched>(conn)?;
        Ok((problems, matched.into_iter().map(|m| (m.line, m.id)).collect()))
    }

    /// Writes the staged batch: inserts the new records and updates the changed
    /// ones, with an audit event for each. Returns `(inserted, updated)`.
    pub fn write(&self, conn: &mut PgConnection, resource: &str, user: Option<(i64, &str)>) -> Result<(u64, u64), DbError> {
        let t = self.target;
        let table = quoted(t.table);
        let columns = list(&self.columns, "");
        let changeable: Vec<String> = self.columns.iter().filter(|c| !t.kept.contains(&c.as_str())).cloned().collect();
        let compared: Vec<String> = changeable.iter().filter(|c| !t.opaque.contains(&c.as_str())).cloned().collect();
        // The audit trail names each record written, never its values.
        let audited = |verb: &str| {
            format!(
                ", audited AS (INSERT INTO audit_events (user_id, user_email, action, resource, record_id, voivodeship, after)
                 SELECT $1, $2, '{verb}', $3, w.id, {region}, '{{\"import\": true}}'::jsonb FROM written w)
                 SELECT count(*) AS n FROM written",
                region = t.region
            )
        };
        let run = |conn: &mut PgConnection, sql: String| -> Result<u64, DbError> {
            let counted: Counted = diesel::sql_query(sql)
                .bind::<Nullable<BigInt>, _>(user.map(|u| u.0))
                .bind::<Nullable<Text>, _>(user.map(|u| u.1))
                .bind::<Text, _>(resource)
                .get_result(conn)?;
            Ok(counted.n as u64)
        };
        let inserted = run(
            conn,
            format!(
                "WITH written AS (INSERT INTO {table} ({columns}) SELECT {columns} FROM import_typed WHERE id IS NULL ORDER BY line RETURNING *){}",
                audited("create")
            ),
        )?;
        let updated = run(
            conn,
            format!(
                "WITH written AS (UPDATE {table} t SET ({set}) = ROW({from}) FROM import_typed b
                                  WHERE t.id = b.id AND ROW({old}) IS DISTINCT FROM ROW({new}) RETURNING t.*){}",
                audited("update"),
                set = list(&changeable, ""),
                from = list(&changeable, "b."),
                old = list(&compared, "t."),
                new = list(&compared, "b."),
            ),
        )?;
        Ok((inserted, updated))
    }
}

#[cfg(test)]
mod tests {
    use super::copy_text;

    #[test]
    fn copy_text_escapes_what_copy_would_read_as_structure() {
        let mut out = Vec::new();
        copy_text("a\tb\\n\nc", &mut out);
        assert_eq!(out, b"a\\tb\\\\n\\nc");
    }
}
