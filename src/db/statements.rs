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
//! statement whose text carries a value (a search's words) is never wrapped.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Json;
use diesel::{QueryResult, RunQueryDsl};

/// A statement whose text is one of a fixed set: kept prepared on each connection.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
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
    let plan: serde_json::Value = Explain(query).get_result(conn)?;
    let rows = plan.pointer("/0/Plan/Plan Rows").and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    Ok(rows.round() as i64)
}
