//! Black-box tests over HTTP against the real application and PostgreSQL,
//! compiled as one binary (one link, one template database).

mod auth;
mod contract;
mod errors;
mod faults;
mod operations;
mod permissions;
mod personal_data;
mod portal;
mod helpers;
mod hostile;
mod imports;
mod indicators;
mod resources;
mod seeds;
mod validation;
