//! CSV answers: UTF-8 with a header row, quoted where needed, and cells that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`) escaped with a `'`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

pub const TEXT_CSV: &str = "text/csv; charset=utf-8";

/// Whether the caller asked for CSV: `?format=csv` or `Accept: text/csv`.
pub fn wanted(req: &HttpRequest) -> bool {
    let by_query = req.query_string().split('&').any(|pair| pair == "format=csv");
    let by_accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"));
    by_query || by_accept
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

pub fn response(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type(TEXT_CSV).body(body)
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
