//! What the register's entries about an organisation (its statuses, its marks)
//! share: they belong to the organisation they are about, whose voivodeship's
//! ROPS keeps them (`Owner::Register`).

use crate::db::scopes;
use crate::domain::access::Scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// The scope of an entry about organisation `id`, named by `field`; an entry
/// about no organisation is refused as such.
pub fn holder_scope(conn: &mut PgConnection, field: &str, id: i64) -> Result<Scope, ServiceError> {
    match scopes::organisation(conn, id)? {
        Some((_, voivodeship)) => Ok(Scope::Organisation { id: Some(id), voivodeship }),
        None => Err(ServiceError::field(field, "not_found", "there is no organisation with this id")),
    }
}
