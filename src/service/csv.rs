//! CSV text: UTF-8 with a header row, quoted where needed, and cells that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`) escaped with a `'`.
//! Lists and exports are written with it; imports undo the guard.

use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

pub const TEXT_CSV: &str = "text/csv; charset=utf-8";

/// The fields a record's schema declares, in its order: the columns of its CSV.
pub fn schema_fields<D: ToSchema>() -> Vec<String> {
    match D::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A JSON value as one CSV cell: text as it is, nothing as empty, lists and objects as JSON.
pub fn value_cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One CSV line, guarded and quoted, with its line break.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells.iter().map(|c| cell(c.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

pub fn render(headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|v| cell(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn quotes_and_guards_cells() {
        let csv = render(&["a", "b"], vec![vec!["=SUM(A1)".into(), "x, \"y\"".into()], vec!["-5".into(), "Toruń".into()]]);
        assert_eq!(csv, "a,b\r\n'=SUM(A1),\"x, \"\"y\"\"\"\r\n'-5,Toruń\r\n");
    }
}
