//! The lookups permissions need: what a record belongs to.

use super::schema::{beneficiaries, measures, partners, priority_axes, programmes, projects};
use super::DbError;
use crate::domain::access::Scope;
use crate::domain::codes::OrganisationKind;
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;

pub fn programme(conn: &mut PgConnection, programme_id: i64) -> Result<Scope, DbError> {
    let voivodeship = programmes::table.find(programme_id).select(programmes::voivodeship).first::<Option<String>>(conn).optional()?.flatten();
    Ok(Scope::Programme { voivodeship })
}

pub fn priority_axis(conn: &mut PgConnection, axis_id: i64) -> Result<Scope, DbError> {
    let voivodeship = priority_axes::table
        .inner_join(programmes::table)
        .filter(priority_axes::id.eq(axis_id))
        .select(programmes::voivodeship)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    Ok(Scope::Programme { voivodeship })
}

/// The organisation's kind and voivodeship: `None` when there is no such organisation.
pub fn organisation(conn: &mut PgConnection, organisation_id: i64) -> Result<Option<(OrganisationKind, Option<String>)>, DbError> {
    Ok(beneficiaries::table
        .find(organisation_id)
        .select((beneficiaries::kind, beneficiaries::voivodeship))
        .first::<(OrganisationKind, Option<String>)>(conn)
        .optional()?)
}

/// The organisations that are a project's beneficiary, leader or partner today.
fn organisations(conn: &mut PgConnection, project_id: i64) -> Result<Vec<i64>, DbError> {
    in_roles(conn, project_id, &["beneficiary", "leader", "partner"])
}

/// The organisations that lead a project today: its beneficiary or leader (roles
/// only the ROPS or an admin gives, unlike a partner's).
pub fn leaders(conn: &mut PgConnection, project_id: i64) -> Result<Vec<i64>, DbError> {
    in_roles(conn, project_id, &["beneficiary", "leader"])
}

/// The organisations in one of `roles` of a project today.
fn in_roles(conn: &mut PgConnection, project_id: i64, roles: &[&str]) -> Result<Vec<i64>, DbError> {
    Ok(partners::table
        .filter(partners::project_id.eq(project_id))
        .filter(partners::role.eq_any(roles))
        .filter(partners::valid_from.is_null().or(partners::valid_from.le(sql::<diesel::sql_types::Date>("es_today()").nullable())))
        .filter(partners::valid_to.is_null().or(partners::valid_to.ge(sql::<diesel::sql_types::Date>("es_today()").nullable())))
        .select(partners::beneficiary_id)
        .order(partners::beneficiary_id)
        .load::<i64>(conn)?)
}

/// A project's voivodeship and the organisations that are its beneficiary,
/// leader or partner today. Nothing is locked: a caller judges first and holds
/// the project ([`hold_project`]) only once allowed, so refused requests lock
/// nothing of anyone's.
pub fn project(conn: &mut PgConnection, project_id: i64) -> Result<Scope, DbError> {
    let found = projects::table.find(project_id).select((projects::id, projects::voivodeship)).first::<(i64, Option<String>)>(conn).optional()?;
    let (id, voivodeship) = found.map_or((None, None), |(id, voivodeship)| (Some(id), voivodeship));
    Ok(Scope::Project { id, voivodeship, organisations: organisations(conn, project_id)? })
}

/// Holds project `id` until the transaction ends and returns its organisations
/// as they are then. Writes of what hangs off a project share the hold; a change
/// of who the project's organisations are (`exclusive`) waits for them and they
/// for it, so nothing is written on a role that is being taken away.
pub fn hold_project(conn: &mut PgConnection, project_id: i64, exclusive: bool) -> Result<Vec<i64>, DbError> {
    let lock = if exclusive { "FOR UPDATE" } else { "FOR SHARE" };
    diesel::sql_query(format!("SELECT id FROM projects WHERE id = $1 {lock}")).bind::<diesel::sql_types::BigInt, _>(project_id).execute(conn)?;
    organisations(conn, project_id)
}

pub fn measure(conn: &mut PgConnection, measure_id: i64) -> Result<Scope, DbError> {
    let voivodeship = measures::table
        .inner_join(priority_axes::table.inner_join(programmes::table))
        .filter(measures::id.eq(measure_id))
        .select(programmes::voivodeship)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    Ok(Scope::Programme { voivodeship })
}
