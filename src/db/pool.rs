//! Connection pool, database creation and embedded migrations.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

pub type DbPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooledConnection = PooledConnection<ConnectionManager<PgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Every pooled connection gets a statement timeout, so no query holds a
/// connection (and a request) longer than that.
#[derive(Debug)]
struct StatementTimeout(Duration);

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error> for StatementTimeout {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        // A transaction left idle (a client that stopped sending) gives up what it
        // holds after a while rather than keep other writers waiting.
        diesel::sql_query(format!("SET statement_timeout = {}", self.0.as_millis())).execute(conn).map_err(diesel::r2d2::Error::QueryError)?;
        diesel::sql_query("SET idle_in_transaction_session_timeout = '120s'").execute(conn).map_err(diesel::r2d2::Error::QueryError)?;
        // PostgreSQL loads the Polish dictionary into each connection on its first
        // use (about a third of a second): here, when the pool opens the connection,
        // rather than in the first search or project write it serves. Nothing to
        // load before the migration that makes the dictionary.
        diesel::sql_query("SELECT ts_lexize(oid::regdictionary, 'a') FROM pg_ts_dict WHERE dictname = 'es_polish_hunspell'")
            .execute(conn)
            .map(|_| ())
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

pub fn build_pool(database_url: &str, size: u32, wait: Duration, statement_timeout: Duration) -> Result<DbPool, diesel::r2d2::PoolError> {
    Pool::builder()
        // A connection the server dropped fails its next query, which is answered
        // 503 and the connection discarded as broken; testing every connection
        // with a query before handing it out doubled the round trips of a read.
        .test_on_check_out(false)
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(wait)
        .connection_customizer(Box::new(StatementTimeout(statement_timeout)))
        .build(ConnectionManager::new(database_url))
}

/// Splits `postgres://host/db?x` into the server URL (pointing at the `postgres`
/// maintenance database) and the database name.
fn split_database_url(url: &str) -> Option<(String, String)> {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let slash = base.rfind('/')?;
    if slash < base.find("://")? + 3 {
        return None;
    }
    let name = &base[slash + 1..];
    if name.is_empty() {
        return None;
    }
    let server = format!("{}/postgres{}", &base[..slash], query.map(|q| format!("?{q}")).unwrap_or_default());
    Some((server, name.to_owned()))
}

/// Creates the database named in `url` when it does not exist yet.
pub fn create_database_if_missing(url: &str) -> Result<(), String> {
    if PgConnection::establish(url).is_ok() {
        return Ok(());
    }
    let (server, name) = split_database_url(url).ok_or_else(|| "cannot find a database name in DATABASE_URL".to_owned())?;
    let mut conn = PgConnection::establish(&server).map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
    let found = diesel::sql_query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(&name)
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    if found == 0 {
        let quoted = name.replace('"', "\"\"");
        diesel::sql_query(format!("CREATE DATABASE \"{quoted}\"")).execute(&mut conn).map_err(|e| e.to_string())?;
        tracing::info!(database = %name, "created database");
    }
    Ok(())
}

pub fn run_migrations(conn: &mut PgConnection) -> Result<usize, String> {
    conn.run_pending_migrations(MIGRATIONS).map(|applied| applied.len()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::split_database_url;

    #[test]
    fn splits_database_url() {
        assert_eq!(
            split_database_url("postgres://postgres@127.0.0.1:5432/es_registry"),
            Some(("postgres://postgres@127.0.0.1:5432/postgres".into(), "es_registry".into()))
        );
        assert_eq!(split_database_url("postgres://u@h/db?sslmode=disable"), Some(("postgres://u@h/postgres?sslmode=disable".into(), "db".into())));
        assert_eq!(split_database_url("postgres://h"), None);
    }
}
