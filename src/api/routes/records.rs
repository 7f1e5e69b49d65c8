//! The handlers of every collection of the registry: for each entry of
//! [`for_each_collection!`](crate::for_each_collection), a module written by
//! [`crud_routes!`](crate::crud_routes) from its registry entry, and its arm in
//! [`of`].

use crate::domain::collection::Collection;

/// A route family: its routes and its part of the OpenAPI document.
pub type Registration = (fn(&mut actix_web::web::ServiceConfig), fn() -> utoipa::openapi::OpenApi);

/// One module of handlers per collection, and the exhaustive match over them.
#[doc(hidden)]
#[macro_export]
macro_rules! crud_modules {
    ([] $($variant:ident: $module:ident::{$store:ident, $data:ident, $filter:ident};)*) => {
        $(
            #[allow(non_snake_case)]
            pub mod $variant {
                use $crate::service::vocabulary::{$data, $filter};
                $crate::crud_routes!($variant, $crate::service::vocabulary::$store, $data, $filter);
            }
        )*

        /// The handlers of `collection`.
        pub fn of(collection: Collection) -> Registration {
            match collection {
                $(Collection::$variant => ($variant::configure, $variant::document),)*
            }
        }
    };
}

crate::for_each_collection!(crud_modules,);
