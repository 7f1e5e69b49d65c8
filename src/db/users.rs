//! User accounts, refresh tokens and sign-in failures.

use super::schema::{beneficiaries, refresh_tokens, sign_in_failures, users};
use super::store::PageRequest;
use super::DbError;
use crate::domain::codes::Role;
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Pg))]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// The hash stays out of Debug output.
impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow {
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub enabled: bool,
}

#[derive(Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub organisation_id: Option<Option<i64>>,
    pub enabled: Option<bool>,
}

/// What a request needs to know of the account it acts for: who, as what, for
/// which organisation (and its voivodeship), and whether it is enabled. One
/// statement, asked on every signed-in request.
#[derive(Debug, Clone, Queryable)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub enabled: bool,
    pub voivodeship: Option<String>,
}

pub fn account(conn: &mut PgConnection, id: i64) -> Result<Option<Account>, DbError> {
    Ok(users::table
        .left_join(beneficiaries::table.on(beneficiaries::id.nullable().eq(users::organisation_id)))
        .filter(users::id.eq(id))
        .select((users::id, users::email, users::role, users::organisation_id, users::enabled, beneficiaries::voivodeship.nullable()))
        .first::<Account>(conn)
        .optional()?)
}

pub fn find(conn: &mut PgConnection, id: i64) -> Result<UserRow, DbError> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn)?)
}

pub fn find_for_update(conn: &mut PgConnection, id: i64) -> Result<UserRow, DbError> {
    Ok(users::table.find(id).select(UserRow::as_select()).for_update().first(conn)?)
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> Result<Option<UserRow>, DbError> {
    Ok(users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn insert(conn: &mut PgConnection, user: &NewUserRow) -> Result<UserRow, DbError> {
    Ok(diesel::insert_into(users::table).values(user).returning(UserRow::as_returning()).get_result(conn)?)
}

pub fn update(conn: &mut PgConnection, id: i64, changes: &UserChanges) -> Result<UserRow, DbError> {
    Ok(diesel::update(users::table.find(id)).set(changes).returning(UserRow::as_returning()).get_result(conn)?)
}

/// The roles of the accounts that act for an organisation.
pub fn roles_of_organisation(conn: &mut PgConnection, organisation_id: i64) -> Result<Vec<Role>, DbError> {
    Ok(users::table.filter(users::organisation_id.eq(organisation_id)).select(users::role).distinct().load(conn)?)
}

/// Users, optionally only those with `roles` of organisations in `voivodeship`.
pub fn list(conn: &mut PgConnection, voivodeship: Option<&str>, roles: Option<&[Role]>, page: PageRequest) -> Result<(Vec<UserRow>, i64), DbError> {
    let scoped = || {
        let mut q = users::table.into_boxed();
        if let Some(v) = voivodeship {
            q = q.filter(
                users::organisation_id.eq_any(beneficiaries::table.filter(beneficiaries::voivodeship.eq(v.to_owned())).select(beneficiaries::id.nullable())),
            );
        }
        if let Some(roles) = roles {
            q = q.filter(users::role.eq_any(roles.to_vec()));
        }
        q
    };
    let total = scoped().count().get_result(conn)?;
    let rows = scoped().select(UserRow::as_select()).order(users::id).limit(page.limit).offset(page.offset).load(conn)?;
    Ok((rows, total))
}

// Refresh tokens.

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(Pg))]
pub struct RefreshTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub family: i64,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a new refresh token; a first token starts its own family. Returns the family.
pub fn insert_refresh_token(conn: &mut PgConnection, user_id: i64, family: Option<i64>, hash: &[u8], expires_at: DateTime<Utc>) -> Result<i64, DbError> {
    let id: i64 = diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family.eq(family.unwrap_or(0)),
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .returning(refresh_tokens::id)
        .get_result(conn)?;
    match family {
        Some(family) => Ok(family),
        None => {
            diesel::update(refresh_tokens::table.find(id)).set(refresh_tokens::family.eq(id)).execute(conn)?;
            Ok(id)
        }
    }
}

pub fn find_refresh_token_for_update(conn: &mut PgConnection, hash: &[u8]) -> Result<Option<RefreshTokenRow>, DbError> {
    Ok(refresh_tokens::table.filter(refresh_tokens::token_hash.eq(hash)).select(RefreshTokenRow::as_select()).for_update().first(conn).optional()?)
}

pub fn revoke_refresh_token(conn: &mut PgConnection, id: i64) -> Result<(), DbError> {
    diesel::update(refresh_tokens::table.find(id)).set(refresh_tokens::revoked_at.eq(diesel::dsl::now)).execute(conn)?;
    Ok(())
}

pub fn revoke_family(conn: &mut PgConnection, family: i64) -> Result<(), DbError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family.eq(family)).filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)?;
    Ok(())
}

/// Revokes every refresh token of a user but those of the sign-in `keep`.
pub fn revoke_all_of_user(conn: &mut PgConnection, user_id: i64, keep: Option<i64>) -> Result<(), DbError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::family.nullable().ne(keep).or(keep.is_none().into_sql::<diesel::sql_types::Bool>())),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)?;
    Ok(())
}

// Sign-in failures.

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sign_in_failures, check_for_backend(Pg))]
pub struct FailureRow {
    pub key: String,
    pub failures: i32,
    pub window_started_at: DateTime<Utc>,
    pub blocked_until: Option<DateTime<Utc>>,
}

/// Makes sure `key` has a row to lock.
pub fn ensure_failure_row(conn: &mut PgConnection, key: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    diesel::insert_into(sign_in_failures::table)
        .values((sign_in_failures::key.eq(key), sign_in_failures::failures.eq(0), sign_in_failures::window_started_at.eq(now)))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

pub fn failure_for_update(conn: &mut PgConnection, key: &str) -> Result<Option<FailureRow>, DbError> {
    Ok(sign_in_failures::table.find(key).select(FailureRow::as_select()).for_update().first(conn).optional()?)
}

pub fn store_failure(
    conn: &mut PgConnection,
    key: &str,
    failures: i32,
    window_started_at: DateTime<Utc>,
    blocked_until: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::key.eq(key),
            sign_in_failures::failures.eq(failures),
            sign_in_failures::window_started_at.eq(window_started_at),
            sign_in_failures::blocked_until.eq(blocked_until),
        ))
        .on_conflict(sign_in_failures::key)
        .do_update()
        .set((
            sign_in_failures::failures.eq(failures),
            sign_in_failures::window_started_at.eq(window_started_at),
            sign_in_failures::blocked_until.eq(blocked_until),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn clear_failures(conn: &mut PgConnection, key: &str) -> Result<(), DbError> {
    diesel::delete(sign_in_failures::table.find(key)).execute(conn)?;
    Ok(())
}
