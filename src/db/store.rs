//! The one pattern every resource table follows: list with filters and a total,
//! find, insert, update and delete by id. `table_store!` writes the diesel calls
//! for a table; each resource supplies only its data struct and its filters.

pub use super::listing::{ListFilter, ListRequest, Listed};
use super::DbError;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use std::borrow::Cow;
use std::marker::PhantomData;

/// A stored row: its id and timestamps around the writable data.
#[derive(Debug, Clone)]
pub struct Record<D> {
    pub id: i64,
    pub data: D,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    pub offset: i64,
}

/// How a resource's data is stored: most store their data as it is (`Plain`);
/// participants seal their personal fields first.
pub trait Codec {
    type Data;
    type Row: Clone;
    fn encode(data: &Self::Data) -> Result<Cow<'_, Self::Row>, DbError>;
    fn decode(row: Self::Row) -> Result<Self::Data, DbError>;
}

pub struct Plain<D>(PhantomData<D>);

impl<D: Clone> Codec for Plain<D> {
    type Data = D;
    type Row = D;

    fn encode(data: &D) -> Result<Cow<'_, D>, DbError> {
        Ok(Cow::Borrowed(data))
    }

    fn decode(row: D) -> Result<D, DbError> {
        Ok(row)
    }
}

/// The default of a flag that is on unless a record says otherwise (serde's
/// `default = "crate::db::store::yes"`).
pub fn yes() -> bool {
    true
}

/// A row as loaded: id, stored data, created_at, updated_at.
pub type Loaded<R> = (i64, R, DateTime<Utc>, DateTime<Utc>);

/// Turns loaded rows into records.
pub fn decode_all<C: Codec>(rows: Vec<Loaded<C::Row>>) -> Result<Vec<Record<C::Data>>, DbError> {
    rows.into_iter().map(|(id, row, created_at, updated_at)| Ok(Record { id, data: C::decode(row)?, created_at, updated_at })).collect()
}

pub trait Store: Sized + 'static {
    /// The table the records live in.
    const TABLE: &'static str;
    /// The writable columns.
    type Data: Send + 'static;
    /// The list filters, which also choose the order.
    type Filter: ListFilter + Clone + serde::de::DeserializeOwned + Send + 'static;

    fn list(conn: &mut PgConnection, filter: &Self::Filter, request: &ListRequest) -> Result<Listed<Self::Data>, DbError>;
    /// [`Self::list`] on the async data path (issue 32's spike); `None` for a
    /// list it does not serve yet (a search), which the blocking path does.
    fn list_async(
        conn: &diesel_async::AsyncPgConnection,
        filter: &Self::Filter,
        request: &ListRequest,
    ) -> impl std::future::Future<Output = Result<Option<Listed<Self::Data>>, DbError>> + Send;
    fn find(conn: &mut PgConnection, id: i64) -> Result<Record<Self::Data>, DbError>;
    /// [`Self::find`] on the async data path (issue 32's spike): the same
    /// statement, sent by diesel-async on the caller's event loop.
    /// It borrows the connection shared, so that other statements of the same
    /// request may be pipelined with it.
    fn find_async(conn: &diesel_async::AsyncPgConnection, id: i64) -> impl std::future::Future<Output = Result<Record<Self::Data>, DbError>> + Send;
    /// The records among `ids` that exist, in id order.
    fn find_many(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<Record<Self::Data>>, DbError>;
    /// Like `find`, but locks the row for the rest of the transaction.
    fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Record<Self::Data>, DbError>;
    /// Like `find_many`, but locks the rows (in id order, as every caller does).
    fn find_many_for_update(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<Record<Self::Data>>, DbError>;
    fn insert(conn: &mut PgConnection, data: &Self::Data) -> Result<Record<Self::Data>, DbError>;
    fn update(conn: &mut PgConnection, id: i64, data: &Self::Data) -> Result<Record<Self::Data>, DbError>;
    fn delete(conn: &mut PgConnection, id: i64) -> Result<(), DbError>;
    /// The stored form of `data` as a JSON object keyed by column, for bulk writes
    /// that stage rows as JSON (`jsonb_populate_record`).
    fn stored_row(data: &Self::Data) -> Result<serde_json::Value, DbError>;
}

/// Implements [`Store`] for `$store` over the diesel table `$table`, whose writable
/// columns are `$data`. `$filter` narrows a boxed query: `fn(BoxedQuery, &Filter) -> BoxedQuery`.
/// A table searched through a document table of its own names `ranked`:
/// `fn(conn, &Filter, &ListRequest) -> Result<Option<Listed>, DbError>`, which lists
/// the page of a search by relevance (and declines any other list).
#[macro_export]
macro_rules! table_store {
    ($store:ident, $table:ident, $data:ty, $filter:ty, $apply_filter:path $(, ranked = $ranked:path)?) => {
        $crate::table_store!($store, $table, $crate::db::store::Plain<$data>, $data, $filter, $apply_filter $(, ranked = $ranked)?);
    };
    ($store:ident, $table:ident, $codec:ty, $data:ty, $filter:ty, $apply_filter:path $(, ranked = $ranked:path)?) => {
        pub struct $store;

        impl $store {
            fn select_one(conn: &mut diesel::pg::PgConnection, id: i64, lock: bool) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                type Row = <$codec as $crate::db::store::Codec>::Row;
                let query = t::$table.find(id).select((t::id, Row::as_select(), t::created_at, t::updated_at));
                let row = if lock { query.for_update().get_result(conn)? } else { query.get_result(conn)? };
                Ok($crate::db::store::decode_all::<$codec>(vec![row])?.remove(0))
            }
        }

        impl $crate::db::Store for $store {
            const TABLE: &'static str = stringify!($table);
            type Data = $data;
            type Filter = $filter;

            fn list(
                conn: &mut diesel::pg::PgConnection,
                filter: &Self::Filter,
                request: &$crate::db::listing::ListRequest,
            ) -> Result<$crate::db::listing::Listed<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::listing::Plan;
                use $crate::db::schema::$table::dsl as t;
                $(
                    if let Some(listed) = $ranked(conn, filter, request)? {
                        return Ok(listed);
                    }
                )?
                use $crate::db::statements::{planned_rows, Prepared};
                let plan = Plan::new(request);
                let query = $crate::list_page_query!($table, $codec, $apply_filter, filter, request, plan);
                // A search's order carries its words in the text: never kept prepared.
                let rows = if request.sort.name == "relevance" { query.load(conn)? } else { Prepared(query).load(conn)? };
                let total = $crate::db::listing::total(
                    conn,
                    request,
                    rows.len(),
                    |conn| Ok(Prepared($apply_filter(t::$table.into_boxed(), filter).count()).get_result(conn)?),
                    |conn| planned_rows(conn, $apply_filter(t::$table.into_boxed(), filter).select(t::id)),
                )?;
                $crate::db::listing::finish::<$codec>(rows, total, request)
            }

            async fn list_async(
                mut conn: &diesel_async::AsyncPgConnection,
                filter: &Self::Filter,
                request: &$crate::db::listing::ListRequest,
            ) -> Result<Option<$crate::db::listing::Listed<$data>>, $crate::db::DbError> {
                use diesel::QueryDsl;
                use diesel_async::RunQueryDsl;
                use $crate::db::listing::{Plan, Total, TotalPlan};
                use $crate::db::schema::$table::dsl as t;
                use $crate::db::statements::{planned_rows_async, Prepared};
                // A search is ranked, and its text carries its words: the blocking path's.
                if request.sort.name == "relevance" {
                    return Ok(None);
                }
                let plan = Plan::new(request);
                let rows = RunQueryDsl::load(Prepared($crate::list_page_query!($table, $codec, $apply_filter, filter, request, plan)), &mut conn).await?;
                let counted = || Prepared($apply_filter(t::$table.into_boxed(), filter).count());
                let total = match TotalPlan::new(request, rows.len()) {
                    TotalPlan::Known(total) => total,
                    TotalPlan::Counted => Total::exact(RunQueryDsl::get_result(counted(), &mut conn).await?),
                    TotalPlan::Estimated(bounds) => {
                        match bounds.settle(planned_rows_async(conn, $apply_filter(t::$table.into_boxed(), filter).select(t::id)).await?) {
                            Some(total) => total,
                            None => Total::exact(RunQueryDsl::get_result(counted(), &mut conn).await?),
                        }
                    }
                };
                $crate::db::listing::finish::<$codec>(rows, total, request).map(Some)
            }

            fn find(conn: &mut diesel::pg::PgConnection, id: i64) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                Self::select_one(conn, id, false)
            }

            async fn find_async(mut conn: &diesel_async::AsyncPgConnection, id: i64) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::{QueryDsl, SelectableHelper};
                use diesel_async::RunQueryDsl;
                use $crate::db::schema::$table::dsl as t;
                type Row = <$codec as $crate::db::store::Codec>::Row;
                let row = RunQueryDsl::get_result(t::$table.find(id).select((t::id, Row::as_select(), t::created_at, t::updated_at)), &mut conn).await?;
                Ok($crate::db::store::decode_all::<$codec>(vec![row])?.remove(0))
            }

            fn find_many(conn: &mut diesel::pg::PgConnection, ids: &[i64]) -> Result<Vec<$crate::db::Record<$data>>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                type Row = <$codec as $crate::db::store::Codec>::Row;
                let rows = t::$table.filter(t::id.eq_any(ids)).select((t::id, Row::as_select(), t::created_at, t::updated_at)).order(t::id).load(conn)?;
                $crate::db::store::decode_all::<$codec>(rows)
            }

            fn find_for_update(conn: &mut diesel::pg::PgConnection, id: i64) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                Self::select_one(conn, id, true)
            }

            fn find_many_for_update(conn: &mut diesel::pg::PgConnection, ids: &[i64]) -> Result<Vec<$crate::db::Record<$data>>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                type Row = <$codec as $crate::db::store::Codec>::Row;
                let rows =
                    t::$table.filter(t::id.eq_any(ids)).select((t::id, Row::as_select(), t::created_at, t::updated_at)).order(t::id).for_update().load(conn)?;
                $crate::db::store::decode_all::<$codec>(rows)
            }

            fn insert(conn: &mut diesel::pg::PgConnection, data: &$data) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                type Row = <$codec as $crate::db::store::Codec>::Row;
                let encoded = <$codec as $crate::db::store::Codec>::encode(data)?;
                let row =
                    diesel::insert_into(t::$table).values(&*encoded).returning((t::id, Row::as_returning(), t::created_at, t::updated_at)).get_result(conn)?;
                Ok($crate::db::store::decode_all::<$codec>(vec![row])?.remove(0))
            }

            fn update(conn: &mut diesel::pg::PgConnection, id: i64, data: &$data) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                type Row = <$codec as $crate::db::store::Codec>::Row;
                let encoded = <$codec as $crate::db::store::Codec>::encode(data)?;
                let row =
                    diesel::update(t::$table.find(id)).set(&*encoded).returning((t::id, Row::as_returning(), t::created_at, t::updated_at)).get_result(conn)?;
                Ok($crate::db::store::decode_all::<$codec>(vec![row])?.remove(0))
            }

            fn stored_row(data: &$data) -> Result<serde_json::Value, $crate::db::DbError> {
                let encoded = <$codec as $crate::db::store::Codec>::encode(data)?;
                serde_json::to_value(&*encoded).map_err(|e| $crate::db::DbError::Other(format!("a row could not be staged: {e}")))
            }

            fn delete(conn: &mut diesel::pg::PgConnection, id: i64) -> Result<(), $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                match diesel::delete(t::$table.find(id)).execute(conn).map_err($crate::db::DbError::from) {
                    Ok(0) => Err($crate::db::DbError::NotFound),
                    Ok(_) => Ok(()),
                    Err($crate::db::DbError::MissingReference { constraint }) => Err($crate::db::DbError::StillReferenced { constraint }),
                    Err(e) => Err(e),
                }
            }
        }
    };
}

/// The page of a list of `$table` (of [`table_store!`]): its filters, order,
/// window and limit, whichever driver sends it.
#[doc(hidden)]
#[macro_export]
macro_rules! list_page_query {
    ($table:ident, $codec:ty, $apply_filter:path, $filter:expr, $request:expr, $plan:expr) => {{
        use diesel::dsl::sql;
        use diesel::sql_types::{Nullable, Text};
        use diesel::{QueryDsl, SelectableHelper};
        use $crate::db::schema::$table::dsl as t;
        type Row = <$codec as $crate::db::store::Codec>::Row;
        let mut query = $apply_filter(t::$table.into_boxed(), $filter)
            .select((t::id, Row::as_select(), t::created_at, t::updated_at, sql::<Nullable<Text>>(&$plan.key)))
            .order(sql::<Text>(&$plan.order))
            .limit($plan.fetch);
        $crate::apply_window!(query, $request, $plan);
        query
    }};
}
