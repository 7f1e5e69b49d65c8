//! CSV answers (see `service::csv` for the text itself).

pub use crate::service::csv::{line, render, TEXT_CSV};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// Whether the caller asked for CSV: `?format=csv` or `Accept: text/csv`.
pub fn wanted(req: &HttpRequest) -> bool {
    let by_query = req.query_string().split('&').any(|pair| pair == "format=csv");
    let by_accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"));
    by_query || by_accept
}

pub fn response(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type(TEXT_CSV).body(body)
}
