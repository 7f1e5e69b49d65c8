//! Offset pagination with a capped page size and a total.

use crate::db::store::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1-200 (larger values are capped at 200). Default 50.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// Records to skip. Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

impl PageParams {
    pub fn request(&self) -> Result<PageRequest, super::ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        if limit < 1 {
            return Err(super::ApiError::BadRequest("limit must be at least 1".into()));
        }
        if offset < 0 {
            return Err(super::ApiError::BadRequest("offset cannot be negative".into()));
        }
        Ok(PageRequest { limit: limit.min(MAX_LIMIT), offset })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// All records matching the filters.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}
