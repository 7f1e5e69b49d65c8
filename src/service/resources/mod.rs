//! The rules of each resource: one `impl Resource` per collection of the registry.

pub mod activities;
pub mod attendance;
pub mod awards;
pub mod beneficiaries;
pub mod indicator_definitions;
pub mod indicators;
pub mod marks;
pub mod measurements;
pub mod measures;
pub mod needs;
pub mod offers;
pub mod organisation_statuses;
pub mod participants;
pub mod partners;
pub mod priority_axes;
pub mod programmes;
pub mod projects;
pub mod register;
