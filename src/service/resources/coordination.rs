//! What the coordination records share: a network is its project's when a
//! project set it up, else its coordinator's, and its members and agreements
//! are whoever's the network is.

use crate::db::{networks, scopes};
use crate::domain::access::Scope;
use crate::service::resources::register::holder_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// The scope of a network coordinated by `coordinator` and set up by `project`.
pub fn network_scope(conn: &mut PgConnection, coordinator: i64, project: Option<i64>) -> Result<Scope, ServiceError> {
    match project {
        Some(project) => project_scope(conn, "project_id", project),
        None => holder_scope(conn, "coordinator_id", coordinator),
    }
}

/// The scope of an entry of network `id` (named by `field`); an entry of no
/// network is refused as such.
pub fn scope_of_network(conn: &mut PgConnection, field: &str, id: i64) -> Result<Scope, ServiceError> {
    match networks::owners(conn, id)? {
        Some((coordinator, project)) => network_scope(conn, coordinator, project),
        None => Err(ServiceError::field(field, "not_found", "there is no network with this id")),
    }
}

/// The scope of project `id` (named by `field`); no project is refused as such.
pub fn project_scope(conn: &mut PgConnection, field: &str, id: i64) -> Result<Scope, ServiceError> {
    match scopes::project(conn, id)? {
        scope @ Scope::Project { id: Some(_), .. } => Ok(scope),
        _ => Err(ServiceError::field(field, "not_found", "there is no project with this id")),
    }
}
