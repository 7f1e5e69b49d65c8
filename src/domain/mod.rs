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

pub mod codes;
pub mod identifiers;
pub mod measure_code;
pub mod money;
pub mod pesel;
pub mod places;
pub mod validation;

pub use validation::{Checks, DomainError, FieldError};
