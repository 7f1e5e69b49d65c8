//! The route table: one module per resource, each written by `resource_routes!`.

pub mod activities;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod beneficiaries;
pub mod changes;
pub mod health;
pub mod imports;
pub mod indicator_definitions;
pub mod indicators;
pub mod lookups;
pub mod measurements;
pub mod measures;
pub mod participants;
pub mod partners;
pub mod personal_data;
pub mod priority_axes;
pub mod programmes;
pub mod projects;
pub mod reports;
pub mod users;

use actix_web::web::ServiceConfig;
use utoipa::OpenApi;

type Registration = (fn(&mut ServiceConfig), fn() -> utoipa::openapi::OpenApi);

/// Every route family once: its routes and its part of the OpenAPI document come together.
const RESOURCES: [Registration; 22] = [
    (health::configure, health::Api::openapi),
    (auth::configure, auth::Api::openapi),
    (programmes::configure, programmes::Api::openapi),
    (priority_axes::configure, priority_axes::Api::openapi),
    (measures::configure, measures::Api::openapi),
    // Before the organisations' `{id}` route, which would take `lookup` for an id.
    (lookups::configure, lookups::Api::openapi),
    (beneficiaries::configure, beneficiaries::Api::openapi),
    (projects::configure, projects::Api::openapi),
    (partners::configure, partners::Api::openapi),
    (activities::configure, activities::Api::openapi),
    (participants::configure, participants::Api::openapi),
    (attendance::configure, attendance::Api::openapi),
    (personal_data::configure, personal_data::Api::openapi),
    (indicators::configure, indicators::Api::openapi),
    (indicator_definitions::configure, indicator_definitions::Api::openapi),
    (measurements::configure, measurements::Api::openapi),
    (measurements::workflow::configure, measurements::workflow::Api::openapi),
    (reports::configure, reports::Api::openapi),
    (users::configure, users::Api::openapi),
    (audit::configure, audit::Api::openapi),
    (changes::configure, changes::Api::openapi),
    (imports::configure, imports::Api::openapi),
];

pub fn configure(cfg: &mut ServiceConfig) {
    for (register, _) in RESOURCES {
        register(cfg);
    }
}

pub fn documents() -> Vec<utoipa::openapi::OpenApi> {
    RESOURCES.iter().map(|(_, document)| document()).collect()
}
