//! Bulk writes, set-based. Each batch of an import is staged with COPY (as JSON
//! documents of the stored row), typed with `jsonb_populate_record`, matched to
//! existing records by id or natural key and checked for references that do
//! not exist; then the service judges the rows (`service::imports`), the rows
//! not to write are dropped from the stage, and the rest are written with one
//! INSERT and one UPDATE. Everything runs in the caller's transaction, so an
//! import that fails, or is killed, leaves nothing behind. Whether a row may be
//! written, and what it writes, is the service's to judge, not this module's.

use super::DbError;
use diesel::pg::{CopyFormat, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::io::Write;

diesel::table! {
    /// One batch of staged documents (a temporary table of the import's transaction).
    import_batch (line) {
        line -> Int8,
        given_id -> Nullable<Int8>,
        doc -> Jsonb,
    }
}

/// A row the database refused, by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: i64,
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// A staged row: its line, the record's id (if it names or gets one), and a
/// document of its stored columns.
pub struct StagedRow {
    pub line: i64,
    pub id: Option<i64>,
    pub doc: serde_json::Value,
}

/// What finding a batch's records gave: the rows refused, and the `(line, id)`
/// of rows that name an existing record.
pub struct Found {
    pub problems: Vec<RowProblem>,
    pub matched: Vec<(i64, i64)>,
}

/// The import's working state: the table, its natural keys and the columns it writes.
pub struct Staging {
    table: &'static str,
    keys: &'static [&'static [&'static str]],
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

/// [`filled`], of the row named `alias`.
fn filled_in(alias: &str, key: &[&str]) -> String {
    key.iter().map(|c| format!("{alias}.{} IS NOT NULL", quoted(c))).collect::<Vec<_>>().join(" AND ")
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

/// Copies `rows` into `import_batch`, emptied first.
fn copy_batch(conn: &mut PgConnection, rows: &[StagedRow]) -> Result<(), DbError> {
    diesel::sql_query("TRUNCATE import_batch").execute(conn)?;
    let mut data = Vec::with_capacity(rows.len() * 512);
    for row in rows {
        let _ = write!(data, "{}\t", row.line);
        match row.id {
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
    Ok(())
}

impl Staging {
    /// Creates the staging tables. `fields` are the keys of a stored row; the
    /// columns written are those of them that the table has and may be written.
    pub fn begin(conn: &mut PgConnection, table: &'static str, keys: &'static [&'static [&'static str]], fields: &[String]) -> Result<Self, DbError> {
        let writable: Vec<ColumnName> = diesel::sql_query(
            "SELECT column_name::text AS name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
               AND column_name NOT IN ('id', 'created_at', 'updated_at') ORDER BY ordinal_position",
        )
        .bind::<Text, _>(table)
        .load(conn)?;
        let columns: Vec<String> = writable.into_iter().map(|c| c.name).filter(|c| fields.contains(c)).collect();
        let typed = quoted(table);
        diesel::sql_query("CREATE TEMP TABLE import_batch (line BIGINT, given_id BIGINT, doc JSONB) ON COMMIT DROP").execute(conn)?;
        diesel::sql_query(format!(
            "CREATE TEMP TABLE import_typed ON COMMIT DROP AS
             SELECT 0::bigint AS line, NULL::bigint AS given_id, FALSE AS new, t.* FROM {typed} t WITH NO DATA"
        ))
        .execute(conn)?;
        let references: Vec<Reference> = diesel::sql_query(
            "SELECT a.attname::text AS column, c.confrelid::regclass::text AS referenced, f.attname::text AS referenced_column
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND c.conrelid = $1::regclass AND cardinality(c.conkey) = 1",
        )
        .bind::<Text, _>(table)
        .load(conn)?;
        let references = references.into_iter().filter(|r| columns.contains(&r.column)).map(|r| (r.column, r.referenced, r.referenced_column)).collect();
        Ok(Self { table, keys, columns, references })
    }

    /// Stages a batch (documents of the stored rows, each with the id it gives,
    /// if any) and finds the records its rows name: by the id a row gives, or else
    /// by the first natural key it fills. Refuses unknown ids, rows without a
    /// key, rows naming a record an earlier line of the import named too, and
    /// rows naming records that do not exist (by the table's single-column
    /// foreign keys, read from the catalog).
    pub fn stage(&self, conn: &mut PgConnection, rows: &[StagedRow]) -> Result<Found, DbError> {
        copy_batch(conn, rows)?;
        diesel::sql_query("TRUNCATE import_typed").execute(conn)?;
        let table = quoted(self.table);
        diesel::sql_query(format!(
            "INSERT INTO import_typed (line, given_id, new, {columns})
             SELECT b.line, b.given_id, FALSE, {typed} FROM import_batch b, jsonb_populate_record(NULL::{table}, b.doc) r",
            columns = list(&self.columns, ""),
            typed = list(&self.columns, "r.")
        ))
        .execute(conn)?;
        diesel::sql_query(format!("UPDATE import_typed b SET id = t.id FROM {table} t WHERE b.given_id IS NOT NULL AND t.id = b.given_id")).execute(conn)?;
        // A row is found by the first key it fills, and by that key only: a row
        // with a new PESEL and someone else's external id is a new person.
        for (i, key) in self.keys.iter().enumerate() {
            let same: Vec<String> = key.iter().map(|c| format!("t.{0} = b.{0}", quoted(c))).collect();
            let earlier: Vec<String> = self.keys.iter().take(i).map(|key| format!(" AND NOT ({})", filled_in("b", key))).collect();
            diesel::sql_query(format!(
                "UPDATE import_typed b SET id = t.id FROM {table} t WHERE b.given_id IS NULL AND {}{}",
                same.join(" AND "),
                earlier.concat()
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
        let any_key: Vec<String> = self.keys.iter().map(|key| format!("({})", filled(key))).collect();
        let keys_named: Vec<String> = self.keys.iter().map(|key| key.join(" + ")).collect();
        refuse(
            conn,
            format!("SELECT line FROM import_typed WHERE given_id IS NULL AND NOT ({})", any_key.join(" OR ")),
            self.keys.first().and_then(|key| key.last()).copied().unwrap_or("id"),
            "key_required",
            &format!("an imported row needs a key so that importing it again finds it: {}, or the record's id", keys_named.join(", or ")),
        )?;
        // Named by an earlier line of this batch (of an earlier batch: the service keeps those).
        refuse(
            conn,
            "SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY id ORDER BY line) AS n FROM import_typed WHERE id IS NOT NULL) x WHERE n > 1"
                .into(),
            "id",
            "repeated",
            "an earlier line of this import names the same record",
        )?;
        for key in self.keys {
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
        // A key the row gives that another record already has is taken, whether
        // the row is new or names a record by an earlier key.
        for key in self.keys {
            let same: Vec<String> = key.iter().map(|c| format!("t.{0} = b.{0}", quoted(c))).collect();
            refuse(
                conn,
                format!("SELECT DISTINCT b.line FROM import_typed b JOIN {table} t ON {} WHERE b.id IS DISTINCT FROM t.id", same.join(" AND ")),
                key.last().copied().unwrap_or("id"),
                "key_taken",
                &format!("another record already has this {}", key.join(" + ")),
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
        problems.sort_by_key(|p| p.line);
        let matched = diesel::sql_query("SELECT line, id FROM import_typed WHERE id IS NOT NULL ORDER BY line").load::<Matched>(conn)?;
        Ok(Found { problems, matched: matched.into_iter().map(|m| (m.line, m.id)).collect() })
    }

    /// Replaces the staged documents of some lines: rows whose stored form the
    /// service's judgement changed (workflow state carried over).
    pub fn restage(&self, conn: &mut PgConnection, rows: &[StagedRow]) -> Result<(), DbError> {
        if rows.is_empty() {
            return Ok(());
        }
        copy_batch(conn, rows)?;
        let table = quoted(self.table);
        diesel::sql_query(format!(
            "UPDATE import_typed t SET ({columns}) = ROW({typed}) FROM import_batch b, jsonb_populate_record(NULL::{table}, b.doc) r WHERE t.line = b.line",
            columns = list(&self.columns, ""),
            typed = list(&self.columns, "r.")
        ))
        .execute(conn)?;
        Ok(())
    }

    /// Keeps of the staged batch only the rows to write: the new ones (on
    /// `new_lines`), which get ids from the table's sequence now, so that the
    /// service knows them (for the audit trail) before they are written, and the
    /// changed ones (on `changed_lines`). Returns the `(line, id)` of new rows.
    pub fn keep(&self, conn: &mut PgConnection, new_lines: &[i64], changed_lines: &[i64]) -> Result<Vec<(i64, i64)>, DbError> {
        use diesel::sql_types::Array;
        diesel::sql_query("DELETE FROM import_typed WHERE NOT (line = ANY($1) OR line = ANY($2))")
            .bind::<Array<BigInt>, _>(new_lines)
            .bind::<Array<BigInt>, _>(changed_lines)
            .execute(conn)?;
        let numbered =
            diesel::sql_query("UPDATE import_typed SET id = nextval(pg_get_serial_sequence($1, 'id')), new = TRUE WHERE line = ANY($2) RETURNING line, id")
                .bind::<Text, _>(self.table)
                .bind::<Array<BigInt>, _>(new_lines)
                .load::<Matched>(conn)?;
        Ok(numbered.into_iter().map(|m| (m.line, m.id)).collect())
    }

    /// Writes the rows kept: inserts the new records and updates the others.
    pub fn write(&self, conn: &mut PgConnection) -> Result<(), DbError> {
        let table = quoted(self.table);
        let columns = list(&self.columns, "");
        diesel::sql_query(format!("INSERT INTO {table} (id, {columns}) SELECT id, {columns} FROM import_typed WHERE new ORDER BY line")).execute(conn)?;
        diesel::sql_query(format!(
            "UPDATE {table} t SET ({columns}) = ROW({from}) FROM import_typed b WHERE t.id = b.id AND NOT b.new",
            from = list(&self.columns, "b."),
        ))
        .execute(conn)?;
        Ok(())
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
