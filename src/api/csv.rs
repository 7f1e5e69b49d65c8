//! CSV answers (see `service::csv` for the text itself).

pub use crate::service::csv::{line, render, TEXT_CSV};
use actix_web::{HttpRequest, HttpResponse};

/// Whether the caller asked for CSV: `?format=csv` or `Accept: text/csv`.
pub fn wanted(req: &HttpRequest) -> bool {
    let by_query = req.query_string().split('&').any(|pair| pair == "format=csv");
    let by_accept = super::formats::accepted(req.headers()) == super::paging::Format::Csv;
    by_query || by_accept
}

pub fn response(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type(TEXT_CSV).body(body)
}
