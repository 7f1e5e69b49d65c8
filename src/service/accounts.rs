//! User accounts: admins manage all, a ROPS the OWES and JST accounts of its
//! voivodeship; everyone sets their own password (with the current one). The
//! command line makes the same changes through the same functions, as the
//! system (`Caller::System`), and they are audited alike.

use super::auth::passwords;
use super::auth::sessions::{confirm_password, off_thread};
use super::auth::throttle::ThrottleSettings;
use super::{audit, Database, ServiceError};
use crate::db::store::PageRequest;
use crate::db::users::{self, NewUserRow, UserChanges, UserRow};
use crate::db::{scopes, DbError};
use crate::domain::access::{authorize, manageable_accounts, role_suits, Action, Caller, Scope, Subject};
use crate::domain::codes::Role;
use crate::domain::Checks;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The name accounts have in the audit trail.
const ACCOUNTS: &str = "users";

/// A new account. The password is write-only.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(example = "owes@example.org")]
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    pub role: Role,
    /// The organisation the user acts for; required for every role but admin.
    pub organisation_id: Option<i64>,
}

/// Changes to an account. Nobody changes their own role or organisation.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub enabled: Option<bool>,
    /// A new password (at least 12 characters). Setting one's own ends one's other
    /// sessions; setting another's ends all of theirs.
    pub password: Option<String>,
    /// One's current password: required to set one's own.
    pub current_password: Option<String>,
    pub role: Option<Role>,
    pub organisation_id: Option<i64>,
}

/// An account as the API shows it: never its password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&UserRow> for UserView {
    fn from(row: &UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email.clone(),
            role: row.role,
            organisation_id: row.organisation_id,
            enabled: row.enabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn not_found(id: impl ToString) -> impl FnOnce(DbError) -> ServiceError {
    move |e| match e {
        DbError::NotFound => ServiceError::NotFound { resource: "user", id: id.to_string() },
        other => other.into(),
    }
}

pub fn normalise_email(email: &str) -> Result<String, ServiceError> {
    let email = email.trim().to_lowercase();
    let valid =
        email.len() <= 254 && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'));
    if valid {
        Ok(email)
    } else {
        Err(ServiceError::field("email", "invalid_email", "not an email address"))
    }
}

pub fn check_password(password: &str) -> Result<(), ServiceError> {
    passwords::check_strength(password).map_err(|m| ServiceError::field("password", "weak_password", m))
}

/// The scope of an account with `role` acting for `organisation_id`, after
/// checking that the pair makes sense.
fn account_scope(conn: &mut PgConnection, id: Option<i64>, role: Role, organisation_id: Option<i64>) -> Result<Scope, ServiceError> {
    let mut checks = Checks::new();
    let voivodeship = match organisation_id {
        None => {
            checks.ensure(role == Role::Admin, "organisation_id", "organisation_required", "every role but admin acts for an organisation");
            None
        }
        Some(org) => match scopes::organisation(conn, org)? {
            None => {
                checks.fail("organisation_id", "unknown_reference", "organisation_id names an organisation that does not exist");
                None
            }
            Some((kind, voivodeship)) => {
                checks.ensure(
                    role != Role::Rops || voivodeship.is_some(),
                    "organisation_id",
                    "no_voivodeship",
                    "a rops user's organisation must have a voivodeship",
                );
                checks.ensure(
                    role_suits(role, kind),
                    "organisation_id",
                    "role_kind_mismatch",
                    format!("a {role} account cannot act for an organisation of kind {kind}"),
                );
                voivodeship
            }
        },
    };
    checks.into_result()?;
    Ok(Scope::Account { id, role, voivodeship })
}

fn audited(
    conn: &mut PgConnection,
    caller: &Caller,
    action: Action,
    id: i64,
    scope: &Scope,
    before: Option<&UserRow>,
    after: Option<&UserRow>,
) -> Result<(), ServiceError> {
    let value = |row: Option<&UserRow>| row.map(|r| serde_json::to_value(UserView::from(r))).transpose().map_err(ServiceError::internal);
    audit::record(conn, &[audit::of(caller, action, ACCOUNTS, id, scope, value(before)?, value(after)?)])
}

/// Only admins and ROPS users manage accounts: asked before any costly work.
fn manager(caller: &Caller) -> Result<(), ServiceError> {
    match caller {
        Caller::System { .. } => Ok(()),
        _ => match caller.signed_in()?.role {
            Role::Admin | Role::Rops => Ok(()),
            Role::Owes | Role::Jst | Role::Pes => Err(ServiceError::Forbidden("only admins and ROPS users manage accounts".into())),
        },
    }
}

/// Accounts the caller manages, a page of them.
pub fn list(conn: &mut PgConnection, caller: &Caller, page: PageRequest) -> Result<(Vec<UserView>, i64), ServiceError> {
    let user = caller.signed_in()?;
    let (voivodeship, roles) = manageable_accounts(user).ok_or_else(|| ServiceError::Forbidden("only admins and ROPS users manage accounts".into()))?;
    let (rows, total) = users::list(conn, voivodeship.as_deref(), roles, page)?;
    Ok((rows.iter().map(UserView::from).collect(), total))
}

/// One account the caller manages.
pub fn read(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<UserView, ServiceError> {
    manager(caller)?;
    let row = users::find(conn, id).map_err(not_found(id))?;
    let scope = account_scope(conn, Some(id), row.role, row.organisation_id)?;
    authorize(caller, Subject::Accounts, Action::Read, Some(&scope))?;
    Ok(UserView::from(&row))
}

/// Creates an account whose password is already hashed.
pub fn create_hashed(
    conn: &mut PgConnection,
    caller: &Caller,
    email: &str,
    password_hash: String,
    role: Role,
    organisation_id: Option<i64>,
) -> Result<UserView, ServiceError> {
    manager(caller)?;
    let email = normalise_email(email)?;
    conn.transaction(|conn| {
        let scope = account_scope(conn, None, role, organisation_id)?;
        authorize(caller, Subject::Accounts, Action::Create, Some(&scope))?;
        let row = users::insert(conn, &NewUserRow { email, password_hash, role, organisation_id, enabled: true }).map_err(|e| match e {
            DbError::Unique { .. } => ServiceError::Conflict { code: "already_exists", detail: "an account with this email exists".into() },
            other => other.into(),
        })?;
        audited(conn, caller, Action::Create, row.id, &scope, None, Some(&row))?;
        Ok(UserView::from(&row))
    })
}

/// Creates an account.
pub async fn create(db: &Database, caller: Caller, new: NewUser) -> Result<UserView, ServiceError> {
    manager(&caller)?;
    let NewUser { email, password, role, organisation_id } = new;
    normalise_email(&email)?;
    check_password(&password)?;
    let hash = off_thread(move || passwords::hash(&password)).await?.map_err(ServiceError::Internal)?;
    db.run(move |conn| create_hashed(conn, &caller, &email, hash, role, organisation_id)).await
}

/// What may change of an account, once a new password is hashed.
#[derive(Debug, Default)]
pub struct AccountChange {
    pub enabled: Option<bool>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub organisation_id: Option<i64>,
}

/// Changes account `id`. Nobody changes their own role, organisation or enabled
/// state; a manager may change those of the accounts it manages, before and
/// after. Disabling an account or setting its password revokes its refresh
/// tokens, all but those of the sign-in `keep` (whoever sets their own password
/// stays signed in where they did it).
pub fn change(conn: &mut PgConnection, caller: &Caller, id: i64, change: AccountChange, keep: Option<i64>) -> Result<UserView, ServiceError> {
    let own = caller.user().is_some_and(|me| me.id == id);
    if own && (change.role.is_some() || change.organisation_id.is_some() || change.enabled.is_some()) {
        return Err(ServiceError::Forbidden("nobody changes their own role, organisation or enabled state".into()));
    }
    if !own {
        manager(caller)?;
    }
    conn.transaction(|conn| {
        let current = users::find_for_update(conn, id).map_err(not_found(id))?;
        let before = account_scope(conn, Some(id), current.role, current.organisation_id)?;
        let scope = account_scope(conn, Some(id), change.role.unwrap_or(current.role), change.organisation_id.or(current.organisation_id))?;
        // Anyone may set their own password; everything else is the managers'.
        if !own {
            authorize(caller, Subject::Accounts, Action::Update, Some(&before))?;
            authorize(caller, Subject::Accounts, Action::Update, Some(&scope))?;
        }
        let revokes = change.enabled == Some(false) || change.password_hash.is_some();
        let changes =
            UserChanges { password_hash: change.password_hash, role: change.role, organisation_id: change.organisation_id.map(Some), enabled: change.enabled };
        if changes.password_hash.is_none() && changes.role.is_none() && changes.organisation_id.is_none() && changes.enabled.is_none() {
            return Ok(UserView::from(&current));
        }
        let row = users::update(conn, id, &changes)?;
        if revokes {
            users::revoke_all_of_user(conn, id, keep)?;
        }
        audited(conn, caller, Action::Update, id, &scope, Some(&current), Some(&row))?;
        Ok(UserView::from(&row))
    })
}

/// Changes an account as asked over the API: a new password is checked, one's
/// own needs the current one (a stolen access token must not become a permanent
/// account), and is hashed off the async workers.
pub async fn patch(db: &Database, throttle: &ThrottleSettings, caller: Caller, id: i64, patch: UserPatch) -> Result<UserView, ServiceError> {
    let me = caller.signed_in()?.clone();
    let own = me.id == id;
    if !own {
        manager(&caller)?;
    }
    let UserPatch { enabled, password, current_password, role, organisation_id } = patch;
    let password_hash = match password {
        Some(password) => {
            check_password(&password)?;
            if own {
                let current =
                    current_password.ok_or_else(|| ServiceError::field("current_password", "required", "setting your own password needs your current one"))?;
                confirm_password(db, throttle, &me, current).await?;
            }
            Some(off_thread(move || passwords::hash(&password)).await?.map_err(ServiceError::Internal)?)
        }
        None => None,
    };
    let keep = if own { me.session } else { None };
    let change = AccountChange { enabled, password_hash, role, organisation_id };
    db.run(move |conn| self::change(conn, &caller, id, change, keep)).await
}

/// The account with this email, for the command line.
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> Result<UserView, ServiceError> {
    let row = users::find_by_email(conn, &normalise_email(email)?)?.ok_or_else(|| ServiceError::NotFound { resource: "user", id: email.to_owned() })?;
    Ok(UserView::from(&row))
}
