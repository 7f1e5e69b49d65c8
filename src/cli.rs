//! Operations from the command line: user accounts, retention and report
//! refreshes. They go through the service layer as the system
//! (`Caller::System`), checked and audited like every other write. Passwords
//! come from standard input, never from arguments (which other users of the
//! machine can see).

use crate::config::Settings;
use crate::db::pool;
use crate::domain::access::Caller;
use crate::domain::codes::Role;
use crate::service::accounts::{self, AccountChange};
use crate::service::auth::passwords;
use crate::service::{people, reports, ServiceError};
use diesel::{Connection, PgConnection};
use std::io::BufRead;

/// How the command line appears in the audit trail.
const OPERATOR: Caller = Caller::System { name: "command line" };

fn connect() -> Result<PgConnection, String> {
    let settings = Settings::from_env()?;
    // Without keys (development), nothing sealed can be opened; erasure needs none.
    if let Some(keys) = settings.vault_keys.clone() {
        crate::crypto::install(keys)?;
    }
    pool::create_database_if_missing(&settings.database_url)?;
    let mut conn = PgConnection::establish(&settings.database_url).map_err(|e| format!("cannot connect to the database: {e}"))?;
    pool::run_migrations(&mut conn)?;
    Ok(conn)
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    passwords::check_strength(&password)?;
    Ok(password)
}

fn describe(error: ServiceError) -> String {
    match error {
        ServiceError::Validation(fields) => fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

pub fn create_user(email: &str, role: Role, organisation_id: Option<i64>) -> Result<String, String> {
    let mut conn = connect()?;
    accounts::normalise_email(email).map_err(describe)?;
    let hash = passwords::hash(&read_password()?)?;
    let user = accounts::create_hashed(&mut conn, &OPERATOR, email, hash, role, organisation_id).map_err(describe)?;
    Ok(format!("created user {} ({}) with id {}", user.email, user.role, user.id))
}

pub fn disable_user(email: &str) -> Result<String, String> {
    let mut conn = connect()?;
    let user = accounts::find_by_email(&mut conn, email).map_err(describe)?;
    accounts::change(&mut conn, &OPERATOR, user.id, AccountChange { enabled: Some(false), ..Default::default() }, None).map_err(describe)?;
    Ok(format!("disabled {} and revoked its refresh tokens", user.email))
}

pub fn reset_password(email: &str) -> Result<String, String> {
    let mut conn = connect()?;
    let user = accounts::find_by_email(&mut conn, email).map_err(describe)?;
    let hash = passwords::hash(&read_password()?)?;
    let change = AccountChange { password_hash: Some(hash), enabled: Some(true), ..Default::default() };
    accounts::change(&mut conn, &OPERATOR, user.id, change, None).map_err(describe)?;
    Ok(format!("set a new password for {} and revoked its refresh tokens", user.email))
}

/// Erases the participants of every project whose retention date has passed,
/// each in the audit trail as an erasure by the retention run.
pub fn run_retention() -> Result<String, String> {
    let mut conn = connect()?;
    let erased = people::run_retention(&mut conn, chrono::Utc::now().date_naive()).map_err(describe)?;
    Ok(format!("anonymised {erased} participant(s) of projects past their retention date"))
}

/// Re-evaluates which indicators are behind (the calendar moves without writes).
pub fn refresh_reports() -> Result<String, String> {
    let mut conn = connect()?;
    let changed = reports::refresh(&mut conn).map_err(describe)?;
    Ok(format!("re-evaluated indicator statuses: {changed} changed"))
}
