//! Black-box tests over HTTP against the real application and PostgreSQL,
//! compiled as one binary (one link, one template database).

// A test that cannot go on should stop at once and loudly: unwrapping and
// indexing are how these tests say so.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod architecture;
mod auth;
mod calendar;
mod contract;
mod conventions;
mod coordination;
mod data_path;
mod disclosure;
mod errors;
mod evidence;
mod exports;
mod faults;
mod helpers;
mod hostile;
mod imports;
mod indicators;
mod money;
mod one_write_path;
mod operations;
mod permissions;
mod personal_data;
mod portal;
mod proposals;
mod publication;
mod register;
mod resources;
mod results;
mod search;
mod seeds;
mod validation;
mod workflows;
