//! Connection pool, database creation and embedded migrations.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

pub type DbPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooledConnection = PooledConnection<ConnectionManager<PgConnection>>;
/// The pool of the async data path (issue 32's spike): diesel-async's
/// connections, driven on the HTTP workers' own event loops.
pub type AsyncDbPool = diesel_async::pooled_connection::deadpool::Pool<diesel_async::AsyncPgConnection>;
pub type AsyncPooledConnection = diesel_async::pooled_connection::deadpool::Object<diesel_async::AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Every pooled connection gets a statement timeout, so no query holds a
/// connection (and a request) longer than that.
#[derive(Debug)]
struct StatementTimeout(Duration);

impl StatementTimeout {
    /// What every new connection runs first, whichever driver holds it.
    fn setup(&self) -> String {
        // A transaction left idle (a client that stopped sending) gives up what it
        // holds after a while rather than keep other writers waiting. PostgreSQL
        // loads the Polish dictionary into each connection on its first use (about
        // a third of a second): here, when the pool opens the connection, rather
        // than in the first search or project write it serves. Nothing to load
        // before the migration that makes the dictionary.
        format!(
            "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = '120s'; \
             SELECT ts_lexize(oid::regdictionary, 'a') FROM pg_ts_dict WHERE dictname = 'es_polish_hunspell'",
            self.0.as_millis()
        )
    }
}

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error> for StatementTimeout {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&self.setup()).map_err(diesel::r2d2::Error::QueryError)
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

/// The async data path's pool: the same size, wait and per-connection setup as
/// [`build_pool`]. Connections are opened when first asked for, on the event
/// loop of the worker that asks.
pub fn build_async_pool(database_url: &str, size: u32, wait: Duration, statement_timeout: Duration) -> Result<AsyncDbPool, String> {
    use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
    use futures_util::FutureExt;
    let setup = std::sync::Arc::new(StatementTimeout(statement_timeout).setup());
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // As `test_on_check_out(false)` above: no test query before each use.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let setup = setup.clone();
        let url = url.to_owned();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            conn.batch_execute(&setup).await.map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    AsyncDbPool::builder(manager)
        .max_size(size as usize)
        .wait_timeout(Some(wait))
        .create_timeout(Some(wait))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| format!("cannot build the async pool: {e}"))
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
