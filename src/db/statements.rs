//! How a statement is sent: kept prepared on the connection, or explained.
//!
//! diesel prepares and keeps a statement whose SQL it knows when it compiles, but
//! sends any statement holding hand-written SQL (`sql_query`, `sql()`) unprepared,
//! to be parsed and planned again on every call, because it cannot tell whether
//! the text varies from call to call. A report or a list page whose SQL is one of
//! a fixed set of texts, with every value bound and none written into the text,
//! is sent through [`Prepared`]: diesel keeps it per connection, keyed by its text
//! (on the national data set a report ran at 6 900-8 200 statements a second
//! unprepared, 17 500-18 800 prepared). diesel's cache has no bound, so a
//! statement whose text carries a value (a search's words) is never wrapped, and
//! the texts kept are bounded too: a list's text depends on which of its filters
//! a caller gives, and anyone could ask for a million combinations, each one more
//! statement kept on every connection (and in PostgreSQL). The first
//! [`KEPT_TEXTS`] different texts the process sees are kept; any other is sent
//! unprepared, as before.

use diesel::pg::{Pg, PgQueryBuilder};
use diesel::query_builder::{AstPass, Query, QueryBuilder, QueryFragment, QueryId};
use diesel::sql_types::Json;
use diesel::{QueryResult, RunQueryDsl};
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::{Mutex, OnceLock, PoisonError};

/// How many different statement texts are kept prepared, per process (and so at
/// most that many per connection). The service's own fixed texts number a few
/// hundred; a list's filters combine into more.
pub const KEPT_TEXTS: usize = 2_000;

/// The texts kept prepared, by a keyed hash (keyed so that no text can be made to
/// pass for another).
struct KeptTexts {
    hashes: Mutex<HashSet<u64>>,
    keys: RandomState,
}

fn kept_texts() -> &'static KeptTexts {
    static KEPT: OnceLock<KeptTexts> = OnceLock::new();
    KEPT.get_or_init(|| KeptTexts { hashes: Mutex::new(HashSet::new()), keys: RandomState::new() })
}

/// Whether the text `hash` names is kept: one kept already, or a new one while
/// fewer than `limit` are.
fn admits(kept: &mut HashSet<u64>, hash: u64, limit: usize) -> bool {
    kept.contains(&hash) || (kept.len() < limit && kept.insert(hash))
}

fn may_keep(sql: &str) -> bool {
    let texts = kept_texts();
    let hash = texts.keys.hash_one(sql);
    admits(&mut texts.hashes.lock().unwrap_or_else(PoisonError::into_inner), hash, KEPT_TEXTS)
}

/// A statement whose text is one of a fixed set: kept prepared on each connection.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, backend: &Pg) -> QueryResult<bool> {
        let mut text = PgQueryBuilder::default();
        self.0.to_sql(&mut text, backend)?;
        Ok(may_keep(&text.finish()))
    }
}

// No static id: diesel keys the cached statement by its SQL text and bind types.
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, C> RunQueryDsl<C> for Prepared<Q> {}

/// `EXPLAIN (FORMAT JSON)` of a query, with its binds: the planner's view of it,
/// without running it. Never kept prepared (it is planned with the values bound).
#[derive(Debug, Clone)]
pub struct Explain<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        pass.unsafe_to_cache_prepared();
        pass.push_sql("EXPLAIN (FORMAT JSON) ");
        self.0.walk_ast(pass.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Json;
}

impl<Q, C> RunQueryDsl<C> for Explain<Q> {}

/// The rows the planner expects `query` to return, from its statistics.
pub fn planned_rows<Q>(conn: &mut diesel::pg::PgConnection, query: Q) -> Result<i64, super::DbError>
where
    Q: QueryFragment<Pg>,
{
    Ok(rows_in_plan(&Explain(query).get_result(conn)?))
}

/// [`planned_rows`] on the async data path (issue 32's spike).
pub async fn planned_rows_async<Q>(mut conn: &diesel_async::AsyncPgConnection, query: Q) -> Result<i64, super::DbError>
where
    Q: QueryFragment<Pg> + Send,
{
    Ok(rows_in_plan(&diesel_async::RunQueryDsl::get_result(Explain(query), &mut conn).await?))
}

fn rows_in_plan(plan: &serde_json::Value) -> i64 {
    plan.pointer("/0/Plan/Plan Rows").and_then(serde_json::Value::as_f64).unwrap_or(0.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::admits;
    use std::collections::HashSet;

    #[test]
    fn only_so_many_texts_are_kept_and_a_kept_one_stays_kept() {
        let mut kept = HashSet::new();
        assert!(admits(&mut kept, 1, 2));
        assert!(admits(&mut kept, 2, 2));
        assert!(!admits(&mut kept, 3, 2), "a third text is sent unprepared");
        assert!(admits(&mut kept, 1, 2) && admits(&mut kept, 2, 2));
        assert_eq!(kept.len(), 2);
    }
}
