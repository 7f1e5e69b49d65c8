//! An organisation's role in a project over time, so that a change of beneficiary
//! (seed 001) is data rather than prose.

use crate::db::schema::partners;
use crate::domain::codes::PartnerRole;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = partners, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Partner)]
pub struct PartnerData {
    pub project_id: i64,
    pub beneficiary_id: i64,
    pub role: PartnerRole,
    /// First day of the role; absent when it held from the project's start.
    pub valid_from: Option<NaiveDate>,
    /// Last day of the role; absent when it held to the project's end.
    pub valid_to: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerFilter {
    pub project_id: Option<i64>,
    pub beneficiary_id: Option<i64>,
    pub role: Option<PartnerRole>,
    /// Roles that held on this day.
    pub on: Option<NaiveDate>,
    pub sort: Option<crate::db::listing::BasicSort>,
}

crate::list_filter!(PartnerFilter: crate::db::listing::BasicSort);

fn apply_filter<'a>(mut q: partners::BoxedQuery<'a, Pg>, f: &PartnerFilter) -> partners::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(partners::project_id.eq(id));
    }
    if let Some(id) = f.beneficiary_id {
        q = q.filter(partners::beneficiary_id.eq(id));
    }
    if let Some(role) = f.role {
        q = q.filter(partners::role.eq(role));
    }
    if let Some(day) = f.on {
        q = q.filter(partners::valid_from.is_null().or(partners::valid_from.le(day))).filter(partners::valid_to.is_null().or(partners::valid_to.ge(day)));
    }
    q
}

crate::table_store!(Partners, partners, PartnerData, PartnerFilter, apply_filter);
