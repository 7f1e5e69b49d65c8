//! User accounts: the rules for creating and changing them, shared by the API and
//! the command line.

use super::{passwords, Scope};
use crate::api::ApiError;
use crate::db::users::{self, NewUserRow, UserChanges, UserRow};
use crate::db::{scopes, DbError};
use crate::domain::codes::{OrganisationKind, Role};
use crate::domain::Checks;
use diesel::pg::PgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

pub fn normalise_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let valid =
        email.len() <= 254 && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'));
    if valid {
        Ok(email)
    } else {
        Err(ApiError::field("email", "invalid_email", "not an email address"))
    }
}

/// The scope of an account with `role` acting for `organisation_id`, after
/// checking that the pair makes sense.
pub fn account_scope(conn: &mut PgConnection, id: Option<i64>, role: Role, organisation_id: Option<i64>) -> Result<Scope, ApiError> {
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

/// A ROPS account acts for a ROPS, a JST account for a local government, an OWES
/// account for an OWES or the NGO that runs it.
pub fn role_suits(role: Role, kind: OrganisationKind) -> bool {
    match role {
        Role::Admin => true,
        Role::Rops => kind == OrganisationKind::Rops,
        Role::Jst => kind == OrganisationKind::Jst,
        Role::Owes => matches!(kind, OrganisationKind::Owes | OrganisationKind::Ngo),
    }
}

pub fn check_password(password: &str) -> Result<(), ApiError> {
    passwords::check_strength(password).map_err(|m| ApiError::field("password", "weak_password", m))
}

pub fn insert(conn: &mut PgConnection, email: String, password_hash: String, role: Role, organisation_id: Option<i64>) -> Result<UserRow, ApiError> {
    let row = NewUserRow { email, password_hash, role, organisation_id, enabled: true };
    users::insert(conn, &row).map_err(|e| match e {
        DbError::Unique { .. } => ApiError::Conflict { code: "already_exists", detail: "an account with this email exists".into() },
        other => other.into(),
    })
}

/// Applies `changes`. Disabling an account or setting its password revokes its
/// refresh tokens, all but those of the sign-in `keep` (the one that changed its
/// own password goes on).
pub fn update(conn: &mut PgConnection, id: i64, changes: &UserChanges, keep: Option<i64>) -> Result<UserRow, ApiError> {
    let nothing = changes.password_hash.is_none() && changes.role.is_none() && changes.organisation_id.is_none() && changes.enabled.is_none();
    if nothing {
        return Ok(users::find(conn, id)?);
    }
    let row = users::update(conn, id, changes)?;
    if changes.enabled == Some(false) || changes.password_hash.is_some() {
        users::revoke_all_of_user(conn, id, keep)?;
    }
    Ok(row)
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> Result<UserRow, ApiError> {
    users::find_by_email(conn, &normalise_email(email)?)?.ok_or_else(|| ApiError::NotFound { resource: "user", id: email.to_owned() })
}
