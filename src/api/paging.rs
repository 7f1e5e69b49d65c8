//! Pagination: offsets for the small administrative lists, keyset cursors (and
//! offsets) for resource lists, always with a capped page size and a total.

use crate::service::vocabulary::PageRequest;
use crate::service::vocabulary::{Count, ListRequest, Listed, Position, SortKey, Window};
use crate::service::ServiceError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1-200 (larger values are capped at 200). Default 50.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// Records to skip. Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The page size asked for, defaulted and capped; below 1 is refused.
fn page_size(limit: Option<i64>) -> Result<i64, super::ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit < 1 {
        return Err(super::ApiError::Service(ServiceError::BadRequest("limit must be at least 1".into())));
    }
    Ok(limit.min(MAX_LIMIT))
}

impl PageParams {
    pub fn request(&self) -> Result<PageRequest, super::ApiError> {
        let limit = page_size(self.limit)?;
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(super::ApiError::Service(ServiceError::BadRequest("offset cannot be negative".into())));
        }
        Ok(PageRequest { limit, offset })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// All records matching the filters.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The forms a list can be answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    /// UTF-8 with a header row; also chosen by `Accept: text/csv`.
    Csv,
    /// A GeoJSON FeatureCollection (organisations and projects); also chosen by `Accept: application/geo+json`.
    Geojson,
}

/// Paging, order position and form of a resource list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1-200 (larger values are capped at 200). Default 50.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// Records to skip. A `cursor` costs the same at any depth; an offset does not.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Where the page starts: the `next_cursor` or `prev_cursor` of another page of
    /// the same list (also in the `Link` header). Not together with `offset`.
    pub cursor: Option<String>,
    /// `json` (default), `csv` or `geojson`; the `Accept` header may choose instead.
    pub format: Option<Format>,
    /// How `total` is found: `estimated` (default) counts up to 1 000 matches
    /// exactly and gives the planner's estimate above (`total_is_estimate`);
    /// `exact` always counts, at the cost of reading every match.
    pub count: Option<CountMode>,
}

/// How a list's `total` is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CountMode {
    Exact,
    Estimated,
}

/// What a cursor holds: the order it belongs to and the record it starts from.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct CursorData {
    #[serde(rename = "s")]
    sort: String,
    #[serde(rename = "k")]
    key: Option<String>,
    #[serde(rename = "i")]
    id: i64,
    #[serde(rename = "b", default)]
    backwards: bool,
}

pub fn encode_cursor(sort: &SortKey, key: Option<&str>, id: i64, backwards: bool) -> String {
    let data = CursorData { sort: sort.name.to_owned(), key: key.map(str::to_owned), id, backwards };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
}

// A cursor is well-formed text whatever it holds, so one this list cannot use is
// an invalid field value (422), as a malformed identifier is.
fn bad_cursor() -> super::ApiError {
    super::ApiError::field("cursor", "invalid_cursor", "cursor is not one this list gave out")
}

/// Reads a cursor back, refusing one made for another order or whose key is not
/// a value of the order's type (the key is bound into the query as that type).
fn decode_cursor(text: &str, sort: &SortKey) -> Result<(Position, bool), super::ApiError> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).map_err(|_| bad_cursor())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| bad_cursor())?;
    if data.sort != sort.name {
        return Err(super::ApiError::field("cursor", "invalid_cursor", format!("this cursor belongs to the order `{}`, not `{}`", data.sort, sort.name)));
    }
    if let Some(key) = &data.key {
        let readable = match sort.cast {
            "bigint" => key.parse::<i64>().is_ok(),
            "integer" => key.parse::<i32>().is_ok(),
            "real" => key.parse::<f32>().is_ok_and(f32::is_finite),
            "date" => matches!(key.as_str(), "infinity" | "-infinity") || key.parse::<chrono::NaiveDate>().is_ok(),
            "numeric" => matches!(key.as_str(), "Infinity" | "-Infinity") || key.parse::<rust_decimal::Decimal>().is_ok(),
            "timestamptz" => chrono::DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z").is_ok(),
            _ => !key.contains('\0'),
        };
        if !readable {
            return Err(bad_cursor());
        }
    }
    Ok((Position { key: data.key, id: data.id }, data.backwards))
}

impl ListParams {
    pub fn request(&self, sort: SortKey) -> Result<ListRequest, super::ApiError> {
        let limit = page_size(self.limit)?;
        // An empty cursor is no cursor: a form may send the parameter blank.
        let cursor = self.cursor.as_deref().filter(|c| !c.is_empty());
        let window = match (cursor, self.offset.filter(|&o| o != 0)) {
            (Some(_), Some(_)) => return Err(super::ApiError::field("offset", "cursor_and_offset", "give either a cursor or an offset, not both")),
            (Some(cursor), None) => {
                let (from, backwards) = decode_cursor(cursor, &sort)?;
                Window::Keyset { from: Some(from), backwards }
            }
            (None, Some(offset)) if offset < 0 => return Err(super::ApiError::Service(ServiceError::BadRequest("offset cannot be negative".into()))),
            (None, Some(offset)) if offset > 0 => Window::Offset(offset),
            (None, _) => Window::Keyset { from: None, backwards: false },
        };
        let count = match self.count {
            Some(CountMode::Exact) => Count::Exact,
            Some(CountMode::Estimated) | None => Count::Estimated,
        };
        Ok(ListRequest { limit, window, sort, count })
    }
}

/// One page of a resource list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// All records matching the filters; above 1 000 an estimate unless `count=exact`
    /// was asked for.
    pub total: i64,
    /// Whether `total` is the database planner's estimate (from its statistics of
    /// the tables) rather than a count.
    pub total_is_estimate: bool,
    pub limit: i64,
    /// The offset asked for, if the page was asked for by offset.
    pub offset: Option<i64>,
    /// Cursor of the page after this one, if any.
    pub next_cursor: Option<String>,
    /// Cursor of the page before this one, if any.
    pub prev_cursor: Option<String>,
}

/// The cursors of the pages around a listed page: `(next, prev)`.
pub fn neighbour_cursors<D>(request: &ListRequest, page: &Listed<D>) -> (Option<String>, Option<String>) {
    let (Some(first), Some(last)) = (page.records.first(), page.records.last()) else { return (None, None) };
    let (has_next, has_prev) = match &request.window {
        Window::Offset(offset) => (page.more, *offset > 0),
        Window::Keyset { from, backwards: false } => (page.more, from.is_some()),
        Window::Keyset { backwards: true, .. } => (true, page.more),
    };
    let key = |i: usize| page.keys.get(i).cloned().flatten();
    let next = has_next.then(|| encode_cursor(&request.sort, key(page.records.len() - 1).as_deref(), last.id, false));
    let prev = has_prev.then(|| encode_cursor(&request.sort, key(0).as_deref(), first.id, true));
    (next, prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let sort = SortKey::new("-planned_start", "planned_start", "date");
        let cursor = encode_cursor(&sort, Some("2019-01-01"), 7, true);
        let params = ListParams { cursor: Some(cursor.clone()), ..Default::default() };
        let request = params.request(sort.clone()).unwrap();
        assert_eq!(request.window, Window::Keyset { from: Some(Position { key: Some("2019-01-01".into()), id: 7 }), backwards: true });
        assert!(params.request(SortKey::ID).is_err(), "a cursor of one order is refused by another");
        let forged = URL_SAFE_NO_PAD.encode(br#"{"s":"-planned_start","k":"1); DROP TABLE x","i":1}"#);
        assert!(ListParams { cursor: Some(forged), ..Default::default() }.request(sort.clone()).is_err());
        assert!(ListParams { cursor: Some("!!".into()), ..Default::default() }.request(sort).is_err());
    }
}
