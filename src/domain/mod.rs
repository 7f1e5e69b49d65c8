//! Value types that can only be built through `parse`, so an invalid value never
//! reaches the database, and the code lists the registry uses.

pub mod codes;
pub mod identifiers;
pub mod measure_code;
pub mod money;
pub mod pesel;
pub mod places;
pub mod validation;

pub use validation::{Checks, DomainError, FieldError};
