//! es-registry: the system of record for EU-co-financed social-economy projects
//! in Polish regions. The layers: `domain` (value types and code lists), `db`
//! (diesel storage), `auth` (who may do what), `api` (HTTP edge), `routes`
//! (the resources), `startup` (the server).

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod routes;
pub mod startup;
