//! The service's way to its storage: the primary's pool, an optional read
//! replica's, and running diesel (which blocks) off the async workers.
//!
//! A replica replays the primary's write-ahead log a moment behind it. A reader
//! who has just written (or a response cache about to keep an answer) names the
//! position it must see ([`reading_after`]); a read the replica has not yet
//! replayed that far is served by the primary instead of waiting for it.

use super::ServiceError;
use crate::db::pool::{AsyncDbPool, AsyncPooledConnection};
pub use crate::db::replication::WalPosition;
use crate::db::{DbError, DbPool};
use diesel::pg::PgConnection;
use std::future::Future;

tokio::task_local! {
    static READ_AFTER: WalPosition;
}

/// Runs `work` with its reads bound to see at least `position` of the primary's
/// log (the later of it and any bound already in force).
pub async fn reading_after<F: Future>(position: Option<WalPosition>, work: F) -> F::Output {
    match position.max(read_floor()) {
        Some(position) => READ_AFTER.scope(position, work).await,
        None => work.await,
    }
}

/// The position the current request's reads must see, if any.
pub fn read_floor() -> Option<WalPosition> {
    READ_AFTER.try_with(|position| *position).ok()
}

/// How a pool stands: the connections it holds, those free for a request, and its size.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub max: u32,
}

#[derive(Clone)]
pub struct Database {
    pub pool: DbPool,
    /// A read replica's pool (`DATABASE_READ_URL`), for reads of public records;
    /// without one they use `pool`.
    pub read_pool: Option<DbPool>,
    /// The async data path's pool (`DATA_PATH=async`, issue 32's spike), on
    /// the replica when there is one, for the reads of public records moved to
    /// it so far.
    pub async_pool: Option<AsyncDbPool>,
}

impl Database {
    pub fn new(pool: DbPool, read_pool: Option<DbPool>, async_pool: Option<AsyncDbPool>) -> Self {
        Self { pool, read_pool, async_pool }
    }

    /// A connection of the async data path for a read of public records, or
    /// `None` for the blocking path to serve it: the async path is off, or the
    /// read must see a write a replica may not have replayed yet ([`Self::read`]
    /// tells, and falls back to the primary).
    pub async fn async_connection(&self) -> Option<Result<AsyncPooledConnection, ServiceError>> {
        if self.read_pool.is_some() && read_floor().is_some() {
            return None;
        }
        let pool = self.async_pool.as_ref()?;
        Some(pool.get().await.map_err(|e| DbError::from(e).into()))
    }

    /// Runs `work` on a pooled connection of the primary, in the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        Self::on(self.pool.clone(), work).await
    }

    /// Runs `work` on the read replica when there is one: for reads of public
    /// records that write nothing (reads of personal data are audited, so they
    /// run on the primary). A replica may lag the primary by a moment.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        let Some(replica) = self.read_pool.clone() else { return Self::on(self.pool.clone(), work).await };
        let Some(floor) = read_floor() else { return Self::on(replica, work).await };
        let primary = self.pool.clone();
        Self::blocking(move || {
            let mut conn = replica.get().map_err(DbError::from)?;
            if crate::db::replication::replayed(&mut conn, floor)? {
                work(&mut conn)
            } else {
                let mut conn = primary.get().map_err(DbError::from)?;
                work(&mut conn)
            }
        })
        .await
    }

    /// How the primary's pool stands, for the metrics.
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState { connections: state.connections, idle: state.idle_connections, max: self.pool.max_size() }
    }

    /// Whether reads may go to a replica.
    pub fn has_replica(&self) -> bool {
        self.read_pool.is_some()
    }

    /// How far the primary has written: a reader who saw a write answered names
    /// it to read that write back from a replica.
    pub async fn write_position(&self) -> Result<WalPosition, ServiceError> {
        self.run(|conn| Ok(crate::db::replication::written(conn)?)).await
    }

    /// [`Self::read`] when `public`, else [`Self::run`].
    pub async fn read_if<T, F>(&self, public: bool, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        if public {
            self.read(work).await
        } else {
            self.run(work).await
        }
    }

    async fn on<T, F>(pool: DbPool, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ServiceError> + Send + 'static,
    {
        Self::blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
    }

    /// Runs `work` (which blocks) in the blocking thread pool.
    async fn blocking<T, F>(work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ServiceError> + Send + 'static,
    {
        tokio::task::spawn_blocking(work).await.map_err(|e| ServiceError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), ServiceError> {
        use diesel::RunQueryDsl;
        self.run(|conn| Ok(diesel::sql_query("SELECT 1").execute(conn).map(|_| ())?)).await
    }
}

/// The channel the database announces committed writes on (migration 000011:
/// a NOTIFY on every write, delivered at commit).
const WRITES_CHANNEL: &str = "es_registry_changes";

/// What a watcher of committed writes hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Listening again after a start or a drop: writes may have been missed.
    Listening,
    /// Writes were committed (by any instance); with positions asked for, the
    /// primary's log position read after them, which covers them.
    Writes(Option<WalPosition>),
    /// The connection dropped; it is made again.
    Lost,
}

/// Watches committed writes of every instance on a thread of its own, telling
/// `heard` of each batch, and reconnects when the connection drops (telling
/// it so, since notifications may have been missed meanwhile). With
/// `positions` (a read replica), each batch is followed by a read of the
/// primary's log position.
pub fn watch_committed_writes(database_url: String, positions: bool, heard: impl Fn(Committed) + Send + 'static) {
    use diesel::{Connection, RunQueryDsl};
    use std::time::Duration;
    std::thread::Builder::new()
        .name("committed-writes".into())
        .spawn(move || loop {
            let listening = PgConnection::establish(&database_url)
                .ok()
                .and_then(|mut conn| diesel::sql_query(format!("LISTEN {WRITES_CHANNEL}")).execute(&mut conn).ok().map(|_| conn));
            let Some(mut conn) = listening else {
                std::thread::sleep(Duration::from_secs(1));
                continue;
            };
            heard(Committed::Listening);
            'listening: loop {
                std::thread::sleep(Duration::from_millis(20));
                let mut changed = false;
                for notification in conn.notifications_iter() {
                    match notification {
                        Ok(_) => changed = true,
                        Err(_) => break 'listening,
                    }
                }
                if !changed {
                    continue;
                }
                if positions {
                    // Read after the notification, so past the commit it announced.
                    match crate::db::replication::written(&mut conn) {
                        Ok(position) => heard(Committed::Writes(Some(position))),
                        Err(_) => break 'listening,
                    }
                } else {
                    heard(Committed::Writes(None));
                }
            }
            heard(Committed::Lost);
        })
        .expect("the thread watching committed writes starts");
}
