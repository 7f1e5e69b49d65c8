//! Operations from the command line: user accounts. Passwords come from
//! standard input, never from arguments (which other users of the machine can see).

use crate::auth::{accounts, passwords};
use crate::config::Settings;
use crate::db::pool;
use crate::db::users::UserChanges;
use crate::domain::codes::Role;
use diesel::{Connection, PgConnection};
use std::io::BufRead;

fn connect() -> Result<PgConnection, String> {
    let settings = Settings::from_env()?;
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

pub fn create_user(email: &str, role: Role, organisation_id: Option<i64>) -> Result<String, String> {
    let mut conn = connect()?;
    let email = accounts::normalise_email(email).map_err(|e| e.to_string())?;
    let password = read_password()?;
    let hash = passwords::hash(&password)?;
    let row = conn
        .transaction(|conn| {
            accounts::account_scope(conn, None, role, organisation_id)?;
            accounts::insert(conn, email, hash, role, organisation_id)
        })
        .map_err(|e| describe(&e))?;
    Ok(format!("created user {} ({}) with id {}", row.email, row.role, row.id))
}

pub fn disable_user(email: &str) -> Result<String, String> {
    let mut conn = connect()?;
    let row = accounts::find_by_email(&mut conn, email).map_err(|e| e.to_string())?;
    accounts::update(&mut conn, row.id, &UserChanges { enabled: Some(false), ..Default::default() }, None).map_err(|e| e.to_string())?;
    Ok(format!("disabled {} and revoked its refresh tokens", row.email))
}

pub fn reset_password(email: &str) -> Result<String, String> {
    let mut conn = connect()?;
    let row = accounts::find_by_email(&mut conn, email).map_err(|e| e.to_string())?;
    let hash = passwords::hash(&read_password()?)?;
    accounts::update(&mut conn, row.id, &UserChanges { password_hash: Some(hash), enabled: Some(true), ..Default::default() }, None)
        .map_err(|e| e.to_string())?;
    Ok(format!("set a new password for {} and revoked its refresh tokens", row.email))
}

/// Anonymises the participants of every project whose retention date has passed,
/// each in the audit trail as an erasure by the retention run.
pub fn run_retention() -> Result<String, String> {
    use crate::db::audit::{self, NewAuditEvent};
    use crate::db::{participants, scopes};
    let mut conn = connect()?;
    let today = chrono::Utc::now().date_naive();
    let due = participants::past_retention(&mut conn, today).map_err(|e| e.to_string())?;
    for (id, project) in &due {
        conn.transaction(|conn| {
            participants::erase(conn, *id, &crate::api::crud::item_path::<participants::Participants>(*id))?;
            let voivodeship = scopes::project(conn, *project)?.voivodeship().map(str::to_owned);
            let event = NewAuditEvent {
                user_id: None,
                user_email: Some("retention run".into()),
                action: "erase".into(),
                resource: "participants".into(),
                record_id: Some(*id),
                voivodeship,
                before: None,
                after: Some(serde_json::json!({"reason": "retention period of the project ended"})),
            };
            audit::record(conn, &[event])
        })
        .map_err(|e: crate::db::DbError| e.to_string())?;
    }
    Ok(format!("anonymised {} participant(s) of projects past their retention date", due.len()))
}

/// Re-evaluates which indicators are behind (the calendar moves without writes).
pub fn refresh_reports() -> Result<String, String> {
    let mut conn = connect()?;
    let changed = crate::db::indicator_progress::refresh_behind(&mut conn).map_err(|e| e.to_string())?;
    Ok(format!("re-evaluated indicator statuses: {changed} changed"))
}

fn describe(error: &crate::api::ApiError) -> String {
    match error {
        crate::api::ApiError::Validation(fields) => fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}
