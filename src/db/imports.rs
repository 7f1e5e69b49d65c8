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

diesel::table! {
    /// One batch of staged rows as text cells (an array of them per row), before
    /// they are typed.
    import_cells (line) {
        line -> Int8,
        given_id -> Nullable<Int8>,
        cells -> Array<Nullable<Text>>,
    }
}

/// A JSON value as the text of one column, or `None` for NULL.
fn cell_text(value: Option<&serde_json::Value>, kind: CellKind) -> Option<String> {
    use serde_json::Value;
    match (value, kind) {
        (None | Some(Value::Null), _) => None,
        (Some(Value::String(text)), CellKind::Plain) => Some(text.clone()),
        (Some(Value::Array(items)), CellKind::Array) => {
            let elements: Vec<String> = items.iter().map(|item| array_element(cell_text(Some(item), CellKind::Plain).as_deref())).collect();
            Some(format!("{{{}}}", elements.join(",")))
        }
        (Some(other), _) => Some(other.to_string()),
    }
}

/// One element of an array literal: quoted, with its quotes and backslashes escaped.
fn array_element(text: Option<&str>) -> String {
    match text {
        None => "NULL".to_owned(),
        Some(text) => format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")),
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
    /// How each of `columns` is written in COPY's text format.
    kinds: Vec<CellKind>,
    /// Each of `columns`' type, as SQL names it.
    types: Vec<String>,
    /// `(column, referenced table, referenced column)` of the single-column foreign keys among the columns.
    references: Vec<(String, String, String)>,
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

/// How a column's value is written in COPY's text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    /// Scalars: their text as the JSON document has it.
    Plain,
    /// `jsonb`: the JSON text.
    Json,
    /// Arrays: an array literal, `{"a","b"}`.
    Array,
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

/// The condition that staged row `b` and stored record `t` have the same `key`.
/// It says the stored columns are filled too, so that the partial unique indexes
/// that natural keys have (`WHERE external_id IS NOT NULL`) serve the join.
fn same_key(key: &[&str]) -> Vec<String> {
    key.iter().map(|c| format!("t.{0} = b.{0} AND t.{0} IS NOT NULL", quoted(c))).collect()
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
            "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS data_type
             FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
               AND a.attname NOT IN ('id', 'created_at', 'updated_at') ORDER BY a.attnum",
        )
        .bind::<Text, _>(table)
        .load(conn)?;
        let writable: Vec<ColumnName> = writable.into_iter().filter(|c| fields.contains(&c.name)).collect();
        let kinds = writable
            .iter()
            .map(|c| match c.data_type.as_str() {
                "jsonb" | "json" => CellKind::Json,
                array if array.ends_with("[]") => CellKind::Array,
                _ => CellKind::Plain,
            })
            .collect();
        let types = writable.iter().map(|c| c.data_type.clone()).collect();
        let columns: Vec<String> = writable.into_iter().map(|c| c.name).collect();
        let typed = quoted(table);
        diesel::sql_query("CREATE TEMP TABLE import_batch (line BIGINT, given_id BIGINT, doc JSONB) ON COMMIT DROP").execute(conn)?;
        diesel::sql_query("CREATE TEMP TABLE import_cells (line BIGINT, given_id BIGINT, cells TEXT[]) ON COMMIT DROP").execute(conn)?;
        diesel::sql_query(format!(
            "CREATE TEMP TABLE import_typed ON COMMIT DROP AS
             SELECT 0::bigint AS line, NULL::bigint AS given_id, t.* FROM {typed} t WITH NO DATA"
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
        Ok(Self { table, keys, columns, kinds, types, references })
    }

    /// Stages a batch (documents of the stored rows, each with the id it gives,
    /// if any) and finds the records its rows name: by the id a row gives, or else
    /// by the first natural key it fills. Refuses unknown ids, rows without a
    /// key, rows naming a record an earlier line of the import named too, and
    /// rows naming records that do not exist (by the table's single-column
    /// foreign keys, read from the catalog).
    pub fn stage(&self, conn: &mut PgConnection, rows: &[StagedRow]) -> Result<Found, DbError> {
        diesel::sql_query("TRUNCATE import_typed").execute(conn)?;
        self.copy_typed(conn, rows)?;
        let table = quoted(self.table);
        // The table grows within the import's transaction, so its statistics lag
        // behind it and the planner would hash or sort the whole table once per
        // batch (quadratic in the file); a batch is small, so finding each of its
        // rows through the natural key's index is what stays fast at any size.
        diesel::sql_query("SET LOCAL enable_hashjoin = off").execute(conn)?;
        diesel::sql_query("SET LOCAL enable_mergejoin = off").execute(conn)?;
        diesel::sql_query(format!("UPDATE import_typed b SET id = t.id FROM {table} t WHERE b.given_id IS NOT NULL AND t.id = b.given_id")).execute(conn)?;
        // A row is found by the first key it fills, and by that key only: a row
        // with a new PESEL and someone else's external id is a new person.
        for (i, key) in self.keys.iter().enumerate() {
            let same = same_key(key);
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
        // A key the row gives that another record already has is taken. Only keys
        // after the one a row was found by (or, for a row that gives its id, any
        // key) can be: a row found by no key has no record with its first key.
        for (i, key) in self.keys.iter().enumerate() {
            let same = same_key(key);
            let earlier: Vec<String> = self.keys.iter().take(i).map(|key| format!(" OR ({})", filled_in("b", key))).collect();
            refuse(
                conn,
                format!(
                    "SELECT b.line FROM import_typed b WHERE (b.given_id IS NOT NULL{}) AND {} AND EXISTS (SELECT 1 FROM {table} t WHERE {} AND t.id IS DISTINCT FROM b.id)",
                    earlier.concat(),
                    filled_in("b", key),
                    same.join(" AND ")
                ),
                key.last().copied().unwrap_or("id"),
                "key_taken",
                &format!("another record already has this {}", key.join(" + ")),
            )?;
        }
        diesel::sql_query("SET LOCAL enable_hashjoin = on").execute(conn)?;
        diesel::sql_query("SET LOCAL enable_mergejoin = on").execute(conn)?;
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

    /// Copies rows into `import_typed`: each row's columns as text, in one array
    /// (into `import_cells`, which COPY reads as it reads a file), then cast to
    /// the columns' types in one statement; no JSON is parsed per row.
    fn copy_typed(&self, conn: &mut PgConnection, rows: &[StagedRow]) -> Result<(), DbError> {
        diesel::sql_query("TRUNCATE import_cells").execute(conn)?;
        let mut data = Vec::with_capacity(rows.len() * 384);
        let mut cells = String::with_capacity(512);
        for row in rows {
            let _ = write!(data, "{}\t", row.line);
            match row.id {
                Some(id) => {
                    let _ = write!(data, "{id}\t");
                }
                None => data.extend_from_slice(b"\\N\t"),
            }
            cells.clear();
            cells.push('{');
            for (i, (column, kind)) in self.columns.iter().zip(&self.kinds).enumerate() {
                if i > 0 {
                    cells.push(',');
                }
                cells.push_str(&array_element(cell_text(row.doc.get(column), *kind).as_deref()));
            }
            cells.push('}');
            copy_text(&cells, &mut data);
            data.push(b'\n');
        }
        diesel::copy_from(import_cells::table)
            .from_raw_data(import_cells::table, |sink: &mut dyn Write| sink.write_all(&data).map_err(|e| DbError::Other(format!("staging rows failed: {e}"))))
            .with_format(CopyFormat::Text)
            .execute(conn)?;
        let cast: Vec<String> = self.types.iter().enumerate().map(|(i, ty)| format!("cells[{}]::{ty}", i + 1)).collect();
        diesel::sql_query(format!(
            "INSERT INTO import_typed (line, given_id, {}) SELECT line, given_id, {} FROM import_cells",
            list(&self.columns, ""),
            cast.join(", ")
        ))
        .execute(conn)?;
        Ok(())
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

    /// Takes `n` ids from the table's sequence for new records, so that the
    /// service knows them (for the audit trail) before they are written.
    pub fn reserve_ids(&self, conn: &mut PgConnection, n: usize) -> Result<Vec<i64>, DbError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let ids = diesel::sql_query("SELECT 0::bigint AS line, nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)")
            .bind::<Text, _>(self.table)
            .bind::<BigInt, _>(n as i64)
            .load::<Matched>(conn)?;
        Ok(ids.into_iter().map(|m| m.id).collect())
    }

    /// Writes the staged rows the service decided to write: the new ones (as
    /// `(line, id)`, with ids it reserved) are inserted, the changed ones (on
    /// `changed_lines`) update the records they were found to name.
    pub fn write(&self, conn: &mut PgConnection, new: &[(i64, i64)], changed_lines: &[i64]) -> Result<(), DbError> {
        use diesel::sql_types::Array;
        let table = quoted(self.table);
        let columns = list(&self.columns, "");
        if !new.is_empty() {
            let (lines, ids): (Vec<i64>, Vec<i64>) = new.iter().copied().unzip();
            diesel::sql_query(format!(
                "INSERT INTO {table} (id, {columns}) SELECT x.id, {typed} FROM import_typed b JOIN unnest($1::bigint[], $2::bigint[]) AS x(line, id) ON x.line = b.line ORDER BY b.line",
                typed = list(&self.columns, "b.")
            ))
            .bind::<Array<BigInt>, _>(&lines)
            .bind::<Array<BigInt>, _>(&ids)
            .execute(conn)?;
        }
        if !changed_lines.is_empty() {
            diesel::sql_query(format!(
                "UPDATE {table} t SET ({columns}) = ROW({from}) FROM import_typed b WHERE t.id = b.id AND b.line = ANY($1)",
                from = list(&self.columns, "b."),
            ))
            .bind::<Array<BigInt>, _>(changed_lines)
            .execute(conn)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{array_element, cell_text, copy_text, CellKind};
    use serde_json::json;

    #[test]
    fn cells_are_the_text_postgresql_reads_for_each_type() {
        assert_eq!(cell_text(None, CellKind::Plain), None);
        assert_eq!(cell_text(Some(&json!(null)), CellKind::Json), None);
        assert_eq!(cell_text(Some(&json!("Toruń")), CellKind::Plain).as_deref(), Some("Toruń"));
        assert_eq!(cell_text(Some(&json!(12)), CellKind::Plain).as_deref(), Some("12"));
        assert_eq!(cell_text(Some(&json!(true)), CellKind::Plain).as_deref(), Some("true"));
        assert_eq!(cell_text(Some(&json!([{"name": "a"}])), CellKind::Json).as_deref(), Some(r#"[{"name":"a"}]"#));
        assert_eq!(cell_text(Some(&json!("a\"b")), CellKind::Json).as_deref(), Some(r#""a\"b""#));
        assert_eq!(cell_text(Some(&json!(["CIS", "say \"hi\"", null])), CellKind::Array).as_deref(), Some(r#"{"CIS","say \"hi\"",NULL}"#));
        assert_eq!(array_element(Some(r"a\b")), r#""a\\b""#);
        assert_eq!(array_element(None), "NULL");
    }

    #[test]
    fn copy_text_escapes_what_copy_would_read_as_structure() {
        let mut out = Vec::new();
        copy_text("a\tb\\n\nc", &mut out);
        assert_eq!(out, b"a\\tb\\\\n\\nc");
    }
}
