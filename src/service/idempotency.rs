//! Idempotency keys (RFC draft `Idempotency-Key`): the HTTP edge claims a key
//! for a caller's request, keeps the answer it gave, or releases the claim;
//! the keys and answers are kept in storage (`db::idempotency`), reached only
//! through these use cases.

use super::{Database, ServiceError};
use crate::db::idempotency as store;
pub use crate::db::idempotency::Claimed;

/// Claims `key` in the caller's `scope` for `method` `path`: `None` when the
/// claim is new (the request runs), else what an earlier request with the key
/// claimed or answered.
pub async fn claim(db: &Database, scope: String, key: String, method: String, path: String) -> Result<Option<Claimed>, ServiceError> {
    db.run(move |conn| Ok(store::claim(conn, &scope, &key, &method, &path)?)).await
}

/// Keeps the answer of the request that claimed `key`.
pub async fn keep(db: &Database, scope: String, key: String, answer: Claimed) -> Result<(), ServiceError> {
    db.run(move |conn| Ok(store::keep(conn, &scope, &key, &answer)?)).await
}

/// Releases a claim whose request kept no answer (it failed, or its answer is too large to keep).
pub async fn release(db: &Database, scope: String, key: String) -> Result<(), ServiceError> {
    db.run(move |conn| Ok(store::release(conn, &scope, &key)?)).await
}
