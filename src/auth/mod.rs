//! Who is calling, and what they may do. Every route goes through [`authorize`].

mod policy;

pub use policy::{authorize, Action};

use crate::api::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use std::future::{ready, Ready};

/// The caller of a request.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get(header::AUTHORIZATION) {
            None => Ok(Caller::Anonymous),
            Some(_) => Err(ApiError::Unauthorized("invalid or expired token".into())),
        })
    }
}
