//! The registry's calendar day: today in Poland (`es_today`, migration 000021),
//! where its dates are legal dates. Timestamps stay UTC.

use super::DbError;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Date;

pub fn today(conn: &mut PgConnection) -> Result<NaiveDate, DbError> {
    Ok(diesel::select(sql::<Date>("es_today()")).get_result(conn)?)
}
