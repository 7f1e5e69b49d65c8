//! Authentication: passwords, tokens, sessions and the throttling of failed
//! sign-ins. Who may do what once signed in is `domain::access`.

pub mod passwords;
pub mod sessions;
pub mod throttle;
pub mod tokens;

pub use tokens::TokenService;
