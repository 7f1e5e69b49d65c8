//! The other forms of a resource list: CSV for spreadsheets and GeoJSON for maps.

use super::crud::View;
use super::paging::Format;
use super::{csv as csv_text, ApiError};
pub use crate::domain::places::Place;
use crate::service::csv::{schema_fields, value_cell as cell};
use crate::service::ServiceError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

pub const GEO_JSON: &str = "application/geo+json";

/// The form asked for: `?format=` first, then the `Accept` header, else JSON.
pub fn chosen(format: Option<Format>, req: &HttpRequest) -> Format {
    format.unwrap_or_else(|| accepted(req.headers()))
}

/// The form an `Accept` header chooses: the one rule every answer in several
/// forms follows, and what the response cache keys its entries by (so two
/// headers that choose the same form share one entry).
pub fn accepted(headers: &header::HeaderMap) -> Format {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if accept.contains("text/csv") {
        Format::Csv
    } else if accept.contains(GEO_JSON) {
        Format::Geojson
    } else {
        Format::Json
    }
}

/// The columns of a record's CSV row: id, the fields as the schema declares them,
/// then the timestamps. Taken from the schema so that an empty list still has its header.
fn columns<D: ToSchema + Serialize>(items: &[View<D>]) -> Result<Vec<String>, ApiError> {
    let mut fields = schema_fields::<D>();
    if fields.is_empty() {
        if let Some(first) = items.first() {
            let value = serde_json::to_value(&first.data).map_err(|e| ApiError::Service(ServiceError::Internal(e.to_string())))?;
            fields = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        }
    }
    let mut all = vec!["id".to_owned()];
    all.extend(fields);
    all.extend(["created_at".to_owned(), "updated_at".to_owned()]);
    Ok(all)
}

pub fn csv<D: ToSchema + Serialize>(response: &mut HttpResponseBuilder, items: &[View<D>]) -> Result<HttpResponse, ApiError> {
    let columns = columns(items)?;
    let rows = items
        .iter()
        .map(|item| {
            let value = serde_json::to_value(item).map_err(|e| ApiError::Service(ServiceError::Internal(e.to_string())))?;
            Ok(columns.iter().map(|c| cell(value.get(c))).collect())
        })
        .collect::<Result<Vec<Vec<String>>, ApiError>>()?;
    let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
    Ok(response.content_type(csv_text::TEXT_CSV).body(csv_text::render(&headers, rows)))
}

/// A GeoJSON FeatureCollection (RFC 7946): one Point feature per record, with the
/// record as its properties; records with no known place have no geometry.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Vec<Object>)]
    pub features: Vec<Value>,
}

pub fn geojson<D: Serialize>(response: &mut HttpResponseBuilder, items: Vec<View<D>>, places: Vec<Option<Place>>) -> Result<HttpResponse, ApiError> {
    let features = items
        .into_iter()
        .zip(places)
        .map(|(item, place)| {
            let id = item.id;
            let mut properties = serde_json::to_value(item).map_err(|e| ApiError::Service(ServiceError::Internal(e.to_string())))?;
            let geometry = match place {
                Some(place) => {
                    if let Some(fields) = properties.as_object_mut() {
                        fields.insert("location_source".into(), Value::String(place.source));
                    }
                    // RFC 7946: longitude first.
                    json!({"type": "Point", "coordinates": [place.longitude.to_f64(), place.latitude.to_f64()]})
                }
                None => Value::Null,
            };
            Ok(json!({"type": "Feature", "id": id, "geometry": geometry, "properties": properties}))
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    let body = serde_json::to_vec(&FeatureCollection { kind: "FeatureCollection".into(), features })
        .map_err(|e| ApiError::Service(ServiceError::Internal(e.to_string())))?;
    Ok(response.content_type(GEO_JSON).body(body))
}
