//! How a resource list is ordered and cut: sort keys, keyset positions and the
//! full-text query built from a visitor's words.

use super::DbError;
use std::borrow::Cow;

/// One order a list can be read in: an SQL expression over the table's own columns,
/// the SQL type a cursor's key is read back as, and the direction. Ties are broken
/// by id, so every order is total and keyset pages never skip or repeat a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// As the client names it: `title`, `-planned_start`, `relevance`.
    pub name: &'static str,
    pub expr: Cow<'static, str>,
    pub cast: &'static str,
    pub descending: bool,
}

impl SortKey {
    pub const fn new(name: &'static str, expr: &'static str, cast: &'static str) -> SortKey {
        let descending = matches!(name.as_bytes().first(), Some(b'-'));
        SortKey { name, expr: Cow::Borrowed(expr), cast, descending }
    }

    pub const ID: SortKey = SortKey::new("id", "id", "bigint");

    /// Best match first, for a search: `ts_rank` of the searched document (an SQL
    /// expression over the table's own columns). The words are inlined: they are
    /// letters, digits and spaces only.
    pub fn relevance(query: &SearchQuery, document: &str) -> SortKey {
        SortKey { name: "relevance", expr: Cow::Owned(format!("ts_rank({document}, (SELECT es_search_query('{}')))", query.0)), cast: "real", descending: true }
    }
}

/// Where a keyset page starts: the sort key and id of the record it follows (or,
/// read backwards, precedes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub key: Option<String>,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// Skip this many records (costs grow with the offset).
    Offset(i64),
    /// The records after `from` (or before it, when `backwards`); from the start when `None`.
    Keyset { from: Option<Position>, backwards: bool },
}

#[derive(Debug, Clone)]
pub struct ListRequest {
    pub limit: i64,
    pub window: Window,
    pub sort: SortKey,
    /// How to count every matching record (`total`); a walk through all pages
    /// (an export) need not pay for it on each page.
    pub count: Count,
}

/// How a list's `total` is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Not at all (`total` is -1).
    None,
    /// Every matching record counted: a second scan of all of them.
    Exact,
    /// Counted exactly up to [`ESTIMATE_ABOVE`] matches; above, the planner's
    /// estimate from the table's statistics, which costs no scan.
    Estimated,
}

/// Above how many expected matches a list's total is the planner's estimate: a
/// count of that many index entries costs about a millisecond; of 100 000, tens.
pub const ESTIMATE_ABOVE: i64 = 1_000;

/// A list's total, and whether it is the planner's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub value: i64,
    pub estimated: bool,
}

impl Total {
    pub const NONE: Total = Total { value: -1, estimated: false };

    pub const fn exact(value: i64) -> Total {
        Total { value, estimated: false }
    }
}

/// The total of a list whose page has been read (`fetched` rows, one more than the
/// page when more follow), as [`TotalPlan`] says it is found: `exact` counts and
/// `planned` asks the planner.
pub fn total(
    conn: &mut diesel::pg::PgConnection,
    request: &ListRequest,
    fetched: usize,
    exact: impl FnOnce(&mut diesel::pg::PgConnection) -> Result<i64, DbError>,
    planned: impl FnOnce(&mut diesel::pg::PgConnection) -> Result<i64, DbError>,
) -> Result<Total, DbError> {
    match TotalPlan::new(request, fetched) {
        TotalPlan::Known(total) => Ok(total),
        TotalPlan::Counted => Ok(Total::exact(exact(conn)?)),
        TotalPlan::Estimated(bounds) => match bounds.settle(planned(conn)?) {
            Some(total) => Ok(total),
            None => Ok(Total::exact(exact(conn)?)),
        },
    }
}

/// How a list's total is found once its page has been read (`fetched` rows,
/// one more than the page when more follow), whichever driver reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalPlan {
    /// Known without a query: none asked for, or a page read from the list's
    /// start (or an offset) that holds the rest of the list.
    Known(Total),
    /// Counted.
    Counted,
    /// Asked of the planner first ([`EstimateBounds::settle`]).
    Estimated(EstimateBounds),
}

/// What a planner's estimate of a list's total is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimateBounds {
    at_least: i64,
    at_most: i64,
}

impl TotalPlan {
    pub fn new(request: &ListRequest, fetched: usize) -> TotalPlan {
        let fetched = i64::try_from(fetched).unwrap_or(i64::MAX);
        let more = fetched > request.limit;
        let start = match request.window {
            Window::Offset(offset) => Some(offset),
            Window::Keyset { from: None, backwards: false } => Some(0),
            Window::Keyset { .. } => None,
        };
        match (request.count, start) {
            (Count::None, _) => TotalPlan::Known(Total::NONE),
            // The page ends the list: what precedes it and what it holds is all.
            (_, Some(start)) if !more && (fetched > 0 || start == 0) => TotalPlan::Known(Total::exact(start + fetched)),
            (Count::Exact, _) => TotalPlan::Counted,
            // Never fewer than the page shows there are, nor more than an empty
            // page past the end shows there can be.
            (Count::Estimated, _) => TotalPlan::Estimated(EstimateBounds {
                at_least: start.filter(|_| fetched > 0).map_or(0, |start| start + fetched),
                at_most: start.filter(|_| fetched == 0).unwrap_or(i64::MAX),
            }),
        }
    }
}

impl EstimateBounds {
    /// The total from the planner's `expected` rows, or `None` when so few are
    /// expected that they are counted instead.
    pub fn settle(self, expected: i64) -> Option<Total> {
        (expected > ESTIMATE_ABOVE).then(|| Total { value: expected.max(self.at_least).min(self.at_most), estimated: true })
    }
}

impl ListRequest {
    /// The first `limit` records, by id.
    pub fn first(limit: i64) -> ListRequest {
        ListRequest { limit, window: Window::Keyset { from: None, backwards: false }, sort: SortKey::ID, count: Count::Exact }
    }

    /// Every record, by id.
    pub fn everything() -> ListRequest {
        ListRequest { limit: i64::MAX, window: Window::Keyset { from: None, backwards: false }, sort: SortKey::ID, count: Count::Exact }
    }
}

/// A page of records, each with its sort key (for cursors), the number of all that
/// match, and whether the scan found more records beyond the page.
pub struct Listed<D> {
    pub records: Vec<super::Record<D>>,
    pub keys: Vec<Option<String>>,
    pub total: Total,
    pub more: bool,
}

/// The SQL pieces of one list query, from its request.
pub struct Plan {
    /// `ORDER BY` terms.
    pub order: String,
    /// The sort key as text, selected with each record for its cursor.
    pub key: String,
    /// The keyset condition: SQL before the key's bind and between it and the id's
    /// bind; by id alone, only SQL before the id's bind.
    pub after: Option<(String, Option<String>)>,
    /// Rows to fetch: one more than the page, to learn whether more follow.
    pub fetch: i64,
}

impl Plan {
    pub fn new(request: &ListRequest) -> Plan {
        let sort = &request.sort;
        let backwards = matches!(request.window, Window::Keyset { backwards: true, .. });
        let (dir, cmp) = if sort.descending != backwards { ("DESC", "<") } else { ("ASC", ">") };
        let by_id = sort.expr == "id";
        let order = if by_id { format!("id {dir}") } else { format!("{} {dir}, id {dir}", sort.expr) };
        let after = match &request.window {
            Window::Keyset { from: Some(_), .. } if by_id => Some((format!("id {cmp} "), None)),
            Window::Keyset { from: Some(_), .. } => Some((format!("({}, id) {cmp} (CAST(", sort.expr), Some(format!(" AS {}), ", sort.cast)))),
            _ => None,
        };
        Plan { order, key: format!("({})::text AS list_sort_key", sort.expr), after, fetch: request.limit.saturating_add(1) }
    }
}

/// Narrows a boxed list query (`$query`, a variable) to the window of a request
/// planned as `$plan`: skips an offset, or starts after (or before) a keyset
/// position.
#[macro_export]
macro_rules! apply_window {
    ($query:ident, $request:expr, $plan:expr) => {{
        use diesel::dsl::sql;
        use diesel::prelude::*;
        use diesel::sql_types::{BigInt, Bool, Nullable, Text};
        use $crate::db::listing::Window;
        match (&$request.window, &$plan.after) {
            (Window::Offset(offset), _) => $query = $query.offset(*offset),
            (Window::Keyset { from: Some(from), .. }, Some((before_id, None))) => {
                $query = $query.filter(sql::<Bool>(before_id).bind::<BigInt, _>(from.id));
            }
            (Window::Keyset { from: Some(from), .. }, Some((before_key, Some(before_id)))) => {
                $query = $query.filter(sql::<Bool>(before_key).bind::<Nullable<Text>, _>(from.key.clone()).sql(before_id).bind::<BigInt, _>(from.id).sql(")"));
            }
            _ => {}
        }
    }};
}

/// A row of a list as loaded: id, stored data, created_at, updated_at, sort key.
pub type ListedRow<R> = (i64, R, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, Option<String>);

/// Turns the loaded rows of a plan into a page: drops the extra row, restores the
/// order of a backwards read and decodes each record.
pub fn finish<C: super::store::Codec>(rows: Vec<ListedRow<C::Row>>, total: Total, request: &ListRequest) -> Result<Listed<C::Data>, DbError> {
    let mut rows = rows;
    let more = rows.len() as i64 > request.limit;
    rows.truncate(request.limit.max(0) as usize);
    if matches!(request.window, Window::Keyset { backwards: true, .. }) {
        rows.reverse();
    }
    let mut keys = Vec::with_capacity(rows.len());
    let loaded = rows
        .into_iter()
        .map(|(id, row, created_at, updated_at, key)| {
            keys.push(key);
            (id, row, created_at, updated_at)
        })
        .collect();
    Ok(Listed { records: super::store::decode_all::<C>(loaded)?, keys, total, more })
}

/// What a visitor typed, reduced to its words (letters and digits, lower-cased,
/// space-separated), so nothing they type can break a query's syntax; the SQL
/// function `es_search_query` (migration 000014) makes the `tsquery` of them:
/// each word as a prefix or as any form of its lemma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery(String);

impl SearchQuery {
    /// `None` when the text holds no word to search for.
    pub fn parse(text: &str) -> Option<SearchQuery> {
        let words: Vec<String> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(16).map(str::to_lowercase).collect();
        (!words.is_empty()).then(|| SearchQuery(words.join(" ")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The words a `q` filter binds; empty (matching nothing) when the text holds no
/// word.
pub fn search_terms(text: &str) -> String {
    SearchQuery::parse(text).map(|q| q.0).unwrap_or_default()
}

/// The `LIKE` pattern of codes that begin with `code`: TERYT units within a unit,
/// CPV codes of a kind (codes are digits, so any wildcard a caller sends is
/// dropped, not escaped).
pub fn code_prefix(code: &str) -> String {
    format!("{}%", code.replace(['%', '_', '\\'], ""))
}

/// The condition of a `q` filter: `document` (a `tsvector` column) matches the
/// words, bound next, then [`MATCHES_END`]. The query is a sub-select so that it
/// is made once per statement, not once per row the index finds.
pub fn matches(document: &str) -> String {
    format!("{document} @@ (SELECT es_search_query(")
}
pub const MATCHES_END: &str = "))";

/// The condition that a dated grant (a status, a mark) holds on a day: SQL
/// before the day's bind and after it, over the grant's first-day, last-day and
/// revocation columns (`columns`, in that order). The rule itself is the SQL
/// function `es_standing` (migration 000017), which the verification of a mark
/// answers with too.
pub fn in_force(columns: &str) -> [String; 2] {
    ["es_standing(".to_owned(), format!(", {columns}) = 'valid'")]
}

/// The condition that the organisation `column` names is seated in a voivodeship:
/// SQL before the voivodeship's bind, closed by `)` after it.
pub fn seated_in(column: &str) -> String {
    format!("{column} IN (SELECT b.id FROM beneficiaries b WHERE b.voivodeship = ")
}

/// A filter's choice of order: an explicit sort, else best match for a search
/// of `document`, else by id.
pub fn choose_order(sort: Option<SortKey>, search: Option<&str>, document: &str) -> Result<SortKey, DbError> {
    let query = search.and_then(SearchQuery::parse);
    match (sort, query) {
        (Some(key), Some(query)) if key.name == "relevance" => Ok(SortKey::relevance(&query, document)),
        (Some(key), _) if key.name == "relevance" => Err(DbError::BadQuery { field: "sort", message: "sort=relevance needs a search (q)".into() }),
        (Some(key), _) => Ok(key),
        (None, Some(query)) => Ok(SortKey::relevance(&query, document)),
        (None, None) => Ok(SortKey::ID),
    }
}

/// What a list's filter tells the generic list: its order.
pub trait ListFilter {
    /// The orders its `sort` parameter offers (for the OpenAPI document, which
    /// must name the schema of every parameter).
    type Sort: utoipa::ToSchema;

    fn order(&self) -> Result<SortKey, DbError>;
}

/// Declares a resource's sort parameter: an enum of the orders it offers (`id`,
/// `created_at` and `updated_at` come with every one), each ascending or, with a
/// leading `-`, descending.
#[macro_export]
macro_rules! sort_options {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal => $expr:literal as $cast:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
        pub enum $name {
            #[serde(rename = "id")] Id,
            #[serde(rename = "-id")] IdDesc,
            #[serde(rename = "created_at")] CreatedAt,
            #[serde(rename = "-created_at")] CreatedAtDesc,
            #[serde(rename = "updated_at")] UpdatedAt,
            #[serde(rename = "-updated_at")] UpdatedAtDesc,
            $(#[serde(rename = $text)] $variant,)*
        }

        // Written out rather than derived: utoipa does not see a `rename` whose
        // text comes from a macro argument, and would name the variants instead.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some("The order of the list: a field, ascending, or descending with a leading `-`."))
                    .enum_values(Some(["id", "-id", "created_at", "-created_at", "updated_at", "-updated_at", $($text,)*]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub fn key(self) -> $crate::db::listing::SortKey {
                use $crate::db::listing::SortKey;
                match self {
                    Self::Id => SortKey::ID,
                    Self::IdDesc => SortKey::new("-id", "id", "bigint"),
                    Self::CreatedAt => SortKey::new("created_at", "created_at", "timestamptz"),
                    Self::CreatedAtDesc => SortKey::new("-created_at", "created_at", "timestamptz"),
                    Self::UpdatedAt => SortKey::new("updated_at", "updated_at", "timestamptz"),
                    Self::UpdatedAtDesc => SortKey::new("-updated_at", "updated_at", "timestamptz"),
                    $(Self::$variant => SortKey::new($text, $expr, $cast),)*
                }
            }
        }
    };
}

/// Implements [`ListFilter`] for a filter with a `sort` field (and, with `search`,
/// a `q` field whose matches come best first: ranked by the table's `search`
/// column, or by the document `search in` names).
#[macro_export]
macro_rules! list_filter {
    ($filter:ty: $sort:ty) => {
        impl $crate::db::listing::ListFilter for $filter {
            type Sort = $sort;

            fn order(&self) -> Result<$crate::db::listing::SortKey, $crate::db::DbError> {
                $crate::db::listing::choose_order(self.sort.map(|s| s.key()), None, "")
            }
        }
    };
    ($filter:ty: $sort:ty, search) => {
        $crate::list_filter!($filter: $sort, search in "search");
    };
    ($filter:ty: $sort:ty, search in $document:literal) => {
        impl $crate::db::listing::ListFilter for $filter {
            type Sort = $sort;

            fn order(&self) -> Result<$crate::db::listing::SortKey, $crate::db::DbError> {
                $crate::db::listing::choose_order(self.sort.map(|s| s.key()), self.q.as_deref(), $document)
            }
        }
    };
}

sort_options!(
    /// The order of a list: a field, ascending, or descending with a leading `-`.
    BasicSort {}
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_become_prefixes_and_nothing_else() {
        assert_eq!(SearchQuery::parse("Spółdzielnie  socjalne").unwrap().as_str(), "spółdzielnie socjalne");
        assert_eq!(SearchQuery::parse("a'b & c:* | !(d)").unwrap().as_str(), "a b c d");
        assert_eq!(SearchQuery::parse(" ?!' "), None);
    }

    #[test]
    fn relevance_needs_a_search() {
        let relevance = SortKey::new("relevance", "", "real");
        assert!(choose_order(Some(relevance.clone()), None, "search").is_err());
        assert_eq!(choose_order(Some(relevance), Some("torun"), "search").unwrap().name, "relevance");
        assert_eq!(choose_order(None, Some("torun"), "search").unwrap().expr, "ts_rank(search, (SELECT es_search_query('torun')))");
        assert_eq!(choose_order(None, Some("??"), "search").unwrap(), SortKey::ID);
        assert!(SortKey::new("-title", "title", "text").descending);
    }
}
