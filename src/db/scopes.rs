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

/// The organisation's voivodeship: `None` when there is no such organisation.
pub fn organisation_voivodeship(conn: &mut PgConnection, organisation_id: i64) -> Result<Option<Option<String>>, DbError> {
    Ok(beneficiaries::table.find(organisation_id).select(beneficiaries::voivodeship).first::<Option<String>>(conn).optional()?)
}

/// A project's voivodeship and the organisations that are its beneficiary,
/// leader or partner today.
pub fn project(conn: &mut PgConnection, project_id: i64) -> Result<Scope, DbError> {
    // The lock keeps the project's roles as they are until the caller's transaction ends.
    let voivodeship = projects::table.find(project_id).select(projects::voivodeship).for_update().first::<Option<String>>(conn).optional()?.flatten();
    let organisations = partners::table
        .filter(partners::project_id.eq(project_id))
        .filter(partners::role.eq_any(["beneficiary", "leader", "partner"]))
        .filter(partners::valid_from.is_null().or(partners::valid_from.le(sql::<diesel::sql_types::Date>("CURRENT_DATE").nullable())))
        .filter(partners::valid_to.is_null().or(partners::valid_to.ge(sql::<diesel::sql_types::Date>("CURRENT_DATE").nullable())))
        .select(partners::beneficiary_id)
        .load::<i64>(conn)?;
    Ok(Scope::Project { voivodeship, organisations })
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
