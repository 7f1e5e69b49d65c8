//! Rows of an uploaded file, read one at a time: CSV with a header row, or
//! newline-delimited JSON. Each row becomes the JSON object a single write would
//! take, so that an import is checked by exactly the rules of single writes.
//! CSV cells are typed by the resource's schema: `12` is a number where the
//! schema says integer and text where it says string.

use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use utoipa::openapi::{RefOr, Schema};

pub const NDJSON: &str = "application/x-ndjson";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Csv,
    Ndjson,
}

/// How a CSV cell of a column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Text,
    Integer,
    Number,
    Boolean,
    /// Lists and objects, written as JSON in their cell.
    Json,
}

/// Why a row could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableRow {
    pub line: u64,
    pub message: String,
}

/// One row of the file with its line number, or why it could not be read.
pub type NextRow = Result<(u64, Map<String, Value>), UnreadableRow>;

/// A fault of the file as a whole: no header, a broken stream.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    Malformed(String),
    #[error("the upload stopped: {0}")]
    Interrupted(std::io::Error),
}

/// The kinds of a schema's properties, by name.
fn cell_kinds(schema: &RefOr<Schema>) -> HashMap<String, CellKind> {
    let value = serde_json::to_value(schema).unwrap_or(Value::Null);
    let Some(properties) = value.get("properties").and_then(Value::as_object) else { return HashMap::new() };
    properties
        .iter()
        .map(|(name, property)| {
            let types: Vec<&str> = match property.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let kind = if types.contains(&"integer") {
                CellKind::Integer
            } else if types.contains(&"number") {
                CellKind::Number
            } else if types.contains(&"boolean") {
                CellKind::Boolean
            } else if types.contains(&"array") || types.contains(&"object") {
                CellKind::Json
            } else {
                CellKind::Text
            };
            (name.clone(), kind)
        })
        .collect()
}

/// A cell as the JSON value its column takes. A cell that does not parse as its
/// kind stays text, so the resource's own rules report it against its field.
fn cell_value(raw: &str, kind: CellKind) -> Value {
    // Undo the guard CSV exports put before a leading =, +, - or @.
    let text = match raw.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => raw,
    };
    if text.is_empty() {
        return Value::Null;
    }
    let parsed = match kind {
        CellKind::Text => None,
        CellKind::Integer => text.trim().parse::<i64>().ok().map(Value::from),
        CellKind::Number => text.trim().parse::<Number>().ok().map(Value::Number),
        CellKind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "1" => Some(Value::Bool(true)),
            "false" | "f" | "no" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        CellKind::Json => serde_json::from_str(text).ok(),
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

enum Source<R: Read> {
    /// `shift`: the csv crate places a record after a CRLF at the preceding line's
    /// `\n`, one line early; the header's end tells which kind of file this is.
    Csv {
        reader: csv::Reader<R>,
        headers: Vec<(String, CellKind)>,
        record: csv::StringRecord,
        shift: u64,
    },
    Ndjson {
        reader: BufReader<R>,
        buffer: String,
        line: u64,
    },
}

/// Reads rows from `R` one at a time; memory does not grow with the file.
pub struct RowReader<R: Read> {
    source: Source<R>,
}

impl<R: Read> RowReader<R> {
    pub fn new(format: BodyFormat, input: R, schema: &RefOr<Schema>) -> Result<Self, FileError> {
        let source = match format {
            BodyFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
                let kinds = cell_kinds(schema);
                let headers = reader
                    .headers()
                    .map_err(csv_error)?
                    .iter()
                    .map(|h| {
                        let name = h.trim().trim_start_matches('\u{feff}').to_owned();
                        let kind = kinds.get(&name).copied().unwrap_or(CellKind::Text);
                        (name, kind)
                    })
                    .collect::<Vec<_>>();
                if headers.iter().all(|(name, _)| name.is_empty()) {
                    return Err(FileError::Malformed("a CSV import starts with a header row naming its columns".into()));
                }
                // A header that names what the resource does not have is the
                // wrong file (or no CSV at all), even before any row is read.
                let unknown: Vec<String> =
                    headers.iter().filter(|(name, _)| name != "id" && !kinds.contains_key(name)).map(|(name, _)| name.chars().take(40).collect()).collect();
                if !kinds.is_empty() && !unknown.is_empty() {
                    let mut known: Vec<&str> = kinds.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    return Err(FileError::Malformed(format!(
                        "the header names {} column(s) the resource does not have ({}); its columns are: id, {}",
                        unknown.len(),
                        unknown.iter().take(5).map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", "),
                        known.join(", ")
                    )));
                }
                let kinds_of_id = headers.iter().map(|(n, k)| (n.clone(), if n == "id" { CellKind::Integer } else { *k })).collect();
                let shift = 2u64.saturating_sub(reader.position().line());
                Source::Csv { reader, headers: kinds_of_id, record: csv::StringRecord::new(), shift }
            }
            BodyFormat::Ndjson => Source::Ndjson { reader: BufReader::with_capacity(64 * 1024, input), buffer: String::new(), line: 0 },
        };
        Ok(Self { source })
    }

    /// The next row with its line number (1 is the first data row of NDJSON, 2 the
    /// first after a CSV header), an unreadable row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<NextRow>, FileError> {
        match &mut self.source {
            Source::Csv { reader, headers, record, shift } => {
                let more = match reader.read_record(record) {
                    Ok(more) => more,
                    Err(e) => {
                        let line = e.position().map_or(0, csv::Position::line) + *shift;
                        return match e.into_kind() {
                            csv::ErrorKind::Io(io) => Err(FileError::Interrupted(io)),
                            csv::ErrorKind::Utf8 { .. } => Ok(Some(Err(UnreadableRow { line, message: "the row is not valid UTF-8".into() }))),
                            _ => Ok(Some(Err(UnreadableRow { line, message: "the row is not valid CSV".into() }))),
                        };
                    }
                };
                if !more {
                    return Ok(None);
                }
                let line = record.position().map_or(0, csv::Position::line) + *shift;
                if record.len() != headers.len() {
                    let message = format!("the row has {} cells; the header names {}", record.len(), headers.len());
                    return Ok(Some(Err(UnreadableRow { line, message })));
                }
                let row = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|((name, _), _)| !name.is_empty())
                    .map(|((name, kind), raw)| (name.clone(), cell_value(raw, *kind)))
                    .collect();
                Ok(Some(Ok((line, row))))
            }
            Source::Ndjson { reader, buffer, line } => loop {
                buffer.clear();
                let read = reader.read_line(buffer).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        FileError::Malformed(format!("line {} is not valid UTF-8", *line + 1))
                    } else {
                        FileError::Interrupted(e)
                    }
                })?;
                if read == 0 {
                    return Ok(None);
                }
                *line += 1;
                let text = buffer.trim();
                if text.is_empty() {
                    continue;
                }
                return Ok(Some(match serde_json::from_str::<Value>(text) {
                    Ok(Value::Object(row)) => Ok((*line, row)),
                    Ok(_) => Err(UnreadableRow { line: *line, message: "each line holds one JSON object".into() }),
                    Err(e) => Err(UnreadableRow { line: *line, message: format!("not JSON: {}", crate::domain::validation::describe_json_error(&e)) }),
                }));
            },
        }
    }
}

fn csv_error(e: csv::Error) -> FileError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => FileError::Interrupted(io),
        other => FileError::Malformed(format!("the CSV header could not be read: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use utoipa::openapi::schema::{ObjectBuilder, Type};

    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .property("n", ObjectBuilder::new().schema_type(Type::Integer))
                .property("name", ObjectBuilder::new().schema_type(Type::String))
                .property("tags", ObjectBuilder::new().schema_type(Type::Array))
                .build(),
        ))
    }

    fn rows(format: BodyFormat, text: &str) -> Vec<Result<(u64, Value), UnreadableRow>> {
        let mut reader = RowReader::new(format, text.as_bytes(), &schema()).unwrap();
        let mut out = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            out.push(row.map(|(line, r)| (line, Value::Object(r))));
        }
        out
    }

    #[test]
    fn csv_cells_take_their_schema_types_and_lose_the_formula_guard() {
        let got = rows(BodyFormat::Csv, "id,n,name,tags\r\n7,12,'-5,\"[\"\"a\"\"]\"\r\n,x,,\r\n");
        assert_eq!(got[0], Ok((2, json!({"id": 7, "n": 12, "name": "-5", "tags": ["a"]}))));
        // Unparsable cells stay text for the resource's rules to refuse; empty cells are null.
        assert_eq!(got[1], Ok((3, json!({"id": null, "n": "x", "name": null, "tags": null}))));
    }

    #[test]
    fn ragged_csv_rows_and_bad_ndjson_lines_are_reported_by_line() {
        let got = rows(BodyFormat::Csv, "n,name\n1,a\n2\n");
        assert_eq!(got[1].as_ref().unwrap_err().line, 3);
        let got = rows(BodyFormat::Csv, "n,name\r\n1,a\r\n2\r\n");
        assert_eq!(got[1].as_ref().unwrap_err().line, 3);
        let got = rows(BodyFormat::Ndjson, "{\"n\": 1}\n\n[1]\n{oops\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].as_ref().unwrap_err().line, 3);
        assert_eq!(got[2].as_ref().unwrap_err().line, 4);
    }
}
