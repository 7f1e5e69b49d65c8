//! The one pattern every resource table follows: list with filters and a total,
//! find, insert, update and delete by id. `table_store!` writes the diesel calls
//! for a table; each resource supplies only its data struct and its filters.

use super::DbError;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;

/// A stored row: its id and timestamps around the writable data.
#[derive(Debug, Clone)]
pub struct Record<D> {
    pub id: i64,
    pub data: D,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl<D> From<(i64, D, DateTime<Utc>, DateTime<Utc>)> for Record<D> {
    fn from((id, data, created_at, updated_at): (i64, D, DateTime<Utc>, DateTime<Utc>)) -> Self {
        Self { id, data, created_at, updated_at }
    }
}

/// One page of records and the number of all that match.
pub type Listed<D> = (Vec<Record<D>>, i64);

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    pub offset: i64,
}

pub trait Store: Sized + 'static {
    /// The writable columns.
    type Data: Send + 'static;
    /// The list filters.
    type Filter: Send + 'static;

    fn list(conn: &mut PgConnection, filter: &Self::Filter, page: PageRequest) -> Result<Listed<Self::Data>, DbError>;
    fn find(conn: &mut PgConnection, id: i64) -> Result<Record<Self::Data>, DbError>;
    /// Like `find`, but locks the row for the rest of the transaction.
    fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<Record<Self::Data>, DbError>;
    fn insert(conn: &mut PgConnection, data: &Self::Data) -> Result<Record<Self::Data>, DbError>;
    fn update(conn: &mut PgConnection, id: i64, data: &Self::Data) -> Result<Record<Self::Data>, DbError>;
    fn delete(conn: &mut PgConnection, id: i64) -> Result<(), DbError>;
}

/// Implements [`Store`] for `$store` over the diesel table `$table`, whose writable
/// columns are `$data`. `$filter` narrows a boxed query: `fn(BoxedQuery, &Filter) -> BoxedQuery`.
#[macro_export]
macro_rules! table_store {
    ($store:ident, $table:ident, $data:ty, $filter:ty, $apply_filter:path) => {
        pub struct $store;

        impl $crate::db::Store for $store {
            type Data = $data;
            type Filter = $filter;

            fn list(
                conn: &mut diesel::pg::PgConnection,
                filter: &Self::Filter,
                page: $crate::db::store::PageRequest,
            ) -> Result<$crate::db::store::Listed<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                let total: i64 = $apply_filter(t::$table.into_boxed(), filter).count().get_result(conn)?;
                let rows = $apply_filter(t::$table.into_boxed(), filter)
                    .select((t::id, <$data>::as_select(), t::created_at, t::updated_at))
                    .order(t::id)
                    .limit(page.limit)
                    .offset(page.offset)
                    .load::<(i64, $data, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>(conn)?;
                Ok((rows.into_iter().map(Into::into).collect(), total))
            }

            fn find(conn: &mut diesel::pg::PgConnection, id: i64) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                let row = t::$table
                    .find(id)
                    .select((t::id, <$data>::as_select(), t::created_at, t::updated_at))
                    .get_result::<(i64, $data, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>(conn)?;
                Ok(row.into())
            }

            fn find_for_update(conn: &mut diesel::pg::PgConnection, id: i64) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                let row = t::$table
                    .find(id)
                    .select((t::id, <$data>::as_select(), t::created_at, t::updated_at))
                    .for_update()
                    .get_result::<(i64, $data, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>(conn)?;
                Ok(row.into())
            }

            fn insert(conn: &mut diesel::pg::PgConnection, data: &$data) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                let row = diesel::insert_into(t::$table)
                    .values(data)
                    .returning((t::id, <$data>::as_returning(), t::created_at, t::updated_at))
                    .get_result::<(i64, $data, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>(conn)?;
                Ok(row.into())
            }

            fn update(conn: &mut diesel::pg::PgConnection, id: i64, data: &$data) -> Result<$crate::db::Record<$data>, $crate::db::DbError> {
                use diesel::prelude::*;
                use $crate::db::schema::$table::dsl as t;
                let row = diesel::update(t::$table.find(id))
                    .set(data)
                    .returning((t::id, <$data>::as_returning(), t::created_at, t::updated_at))
                    .get_result::<(i64, $data, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>(conn)?;
                Ok(row.into())
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
