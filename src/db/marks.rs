//! Marks a region grants to organisations for their products and services
//! (Zakup Prospołeczny and others), each with a code printed on its label that
//! anyone may verify.

use crate::db::listing::{in_force, seated_in};
use crate::db::schema::{beneficiaries, marks};
use crate::db::DbError;
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = marks, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Mark)]
pub struct MarkData {
    /// The code on the label, unique; kept in capitals (any case is accepted).
    #[schema(example = "ZP-04-2023-017")]
    pub code: String,
    /// The mark's name.
    #[schema(example = "Zakup Prospołeczny")]
    pub name: String,
    /// The organisation that holds it.
    pub holder_id: i64,
    /// The edition of the competition or certification that granted it.
    #[schema(example = "2023")]
    pub edition: Option<String>,
    pub granted_on: NaiveDate,
    /// The last day it holds; absent when it holds without end.
    pub valid_until: Option<NaiveDate>,
    /// From this day on it no longer holds.
    pub revoked_on: Option<NaiveDate>,
    /// Why it was revoked; required with `revoked_on`.
    pub revocation_reason: Option<String>,
    /// The products or services it covers.
    #[serde(default)]
    #[schema(example = json!(["catering", "usługi porządkowe"]))]
    pub covers: Vec<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarkFilter {
    pub holder_id: Option<i64>,
    /// Marks of this name (exactly, ignoring case).
    pub name: Option<String>,
    /// Marks that held on this day: granted by then, not expired, not revoked.
    pub valid_on: Option<NaiveDate>,
    /// Marks of organisations of this voivodeship (TERYT code).
    pub voivodeship: Option<String>,
    pub sort: Option<MarkSort>,
}

crate::sort_options!(
    /// The order of marks; `-` before a field reverses it.
    MarkSort {
        GrantedOn = "granted_on" => "granted_on" as "date",
        GrantedOnDesc = "-granted_on" => "granted_on" as "date",
        Code = "code" => "code" as "text",
    }
);
crate::list_filter!(MarkFilter: MarkSort);

fn apply_filter<'a>(mut q: marks::BoxedQuery<'a, Pg>, f: &MarkFilter) -> marks::BoxedQuery<'a, Pg> {
    if let Some(id) = f.holder_id {
        q = q.filter(marks::holder_id.eq(id));
    }
    if let Some(name) = &f.name {
        q = q.filter(sql::<Bool>("lower(name) = lower(").bind::<Text, _>(name.clone()).sql(")"));
    }
    if let Some(day) = f.valid_on {
        let [before, after] = in_force("granted_on, valid_until, revoked_on");
        q = q.filter(sql::<Bool>(&before).bind::<Date, _>(day).sql(&after));
    }
    if let Some(voivodeship) = &f.voivodeship {
        q = q.filter(sql::<Bool>(&seated_in("holder_id")).bind::<Text, _>(voivodeship.clone()).sql(")"));
    }
    q
}

crate::table_store!(Marks, marks, MarkData, MarkFilter, apply_filter);

/// A mark as a buyer checks it: found by its code, with its holder's name and
/// where it stands today (`es_standing` on `es_today`: valid, not_yet_valid,
/// expired, revoked).
#[derive(Debug, Clone, Queryable)]
pub struct Verified {
    pub id: i64,
    pub data: MarkData,
    pub holder_name: String,
    pub standing: String,
    pub checked_on: NaiveDate,
}

pub fn verify(conn: &mut PgConnection, code: &str) -> Result<Option<Verified>, DbError> {
    Ok(marks::table
        .inner_join(beneficiaries::table)
        .filter(marks::code.eq(code))
        .select((
            marks::id,
            MarkData::as_select(),
            beneficiaries::name,
            sql::<Text>("es_standing(es_today(), marks.granted_on, marks.valid_until, marks.revoked_on)"),
            sql::<Date>("es_today()"),
        ))
        .first(conn)
        .optional()?)
}
