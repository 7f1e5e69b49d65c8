//! Value types that can only be built through `parse`, so an invalid value never
//! reaches the database, and the code lists the registry uses.

/// `Display` for a newtype around a `String` that holds the normalised value.
macro_rules! display_as_inner {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

/// Where the API lives; records are addressed below it (`/api/v1/projects/7`).
pub const API_PREFIX: &str = "/api/v1";

pub mod access;
pub mod breakdown;
pub mod codes;
pub mod collection;
pub mod disclosure;
pub mod evidence;
pub mod identifiers;
pub mod intervention;
pub mod measure_code;
pub mod merge_patch;
pub mod money;
pub mod pesel;
pub mod places;
pub mod publication;
pub mod validation;
pub mod workflow;

pub use validation::{Checks, DomainError, FieldError};
