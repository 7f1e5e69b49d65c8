//! The route table: the registry's collections (`records`), then the other
//! route families, each module's routes and its part of the OpenAPI document
//! registered together.

pub mod audit;
pub mod auth;
pub mod changes;
pub mod confirmations;
pub mod coordination;
pub mod evidence;
pub mod health;
pub mod imports;
pub mod lookups;
pub mod measurements;
pub mod open_data;
pub mod personal_data;
pub mod proposals;
pub mod records;
pub mod register;
pub mod reporting;
pub mod reports;
pub mod search;
pub mod spending;
pub mod users;

use crate::domain::collection::Collection;
use actix_web::web::ServiceConfig;
use records::Registration;
use utoipa::OpenApi;

/// Every route family once, in the order routes are matched.
fn registrations() -> Vec<Registration> {
    let mut all: Vec<Registration> = vec![
        (health::configure, health::Api::openapi),
        (auth::configure, auth::Api::openapi),
        // Before the organisations' `{id}` route, which would take `lookup` for an id.
        (lookups::configure, lookups::Api::openapi),
        // Before the projects' `{id}` route, likewise.
        (search::configure, search::Api::openapi),
    ];
    all.extend(Collection::ALL.into_iter().map(records::of));
    all.extend([
        (personal_data::configure, personal_data::Api::openapi),
        (measurements::configure, measurements::Api::openapi),
        (confirmations::configure, confirmations::Api::openapi),
        (proposals::configure, proposals::Api::openapi),
        (register::configure, register::Api::openapi),
        (coordination::configure, coordination::Api::openapi),
        (reports::configure, reports::Api::openapi),
        (spending::configure, spending::Api::openapi),
        (reporting::configure, reporting::Api::openapi),
        (evidence::configure, evidence::Api::openapi),
        (users::configure, users::Api::openapi),
        (audit::configure, audit::Api::openapi),
        (changes::configure, changes::Api::openapi),
        // Before the bulk exports' `{resource}` route, which would take `operations` for a collection.
        (open_data::configure, open_data::Api::openapi),
        (imports::configure, imports::Api::openapi),
    ] as [Registration; 15]);
    all
}

pub fn configure(cfg: &mut ServiceConfig) {
    for (register, _) in registrations() {
        register(cfg);
    }
}

pub fn documents() -> Vec<utoipa::openapi::OpenApi> {
    registrations().iter().map(|(_, document)| document()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_is_routed_and_documented_at_its_registry_path() {
        for collection in Collection::ALL {
            let (_, document) = records::of(collection);
            let paths: Vec<String> = document().paths.paths.keys().cloned().collect();
            assert_eq!(paths, [collection.list_path(), format!("{}/{{id}}", collection.list_path())], "{collection}");
        }
    }
}
