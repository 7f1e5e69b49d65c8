//! A project's payment claims (wnioski o płatność): the spending it claims for
//! a period, and what the managing authority approved.

use crate::db::schema::payment_claims;
use crate::domain::codes::{PaymentClaimKind, PaymentClaimStatus};
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payment_claims, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = PaymentClaim)]
pub struct PaymentClaimData {
    pub project_id: i64,
    /// The claim's own number, unique within its project: with `project_id`, the key of imports.
    #[schema(example = "RPKP.09.04.00-04-0001/17-005")]
    pub number: String,
    /// The first day of the period the claim settles.
    pub period_from: NaiveDate,
    /// The last day of the period the claim settles (the spending report files
    /// the claim under this day's year).
    pub period_to: NaiveDate,
    pub kind: PaymentClaimKind,
    pub status: PaymentClaimStatus,
    /// The amount claimed, in PLN.
    #[schema(value_type = String, example = "512340.18")]
    pub claimed_amount: Decimal,
    /// The amount approved: given with an `approved` status (and required then),
    /// never with another; not above `claimed_amount`. Like the verdict, the
    /// decision of the ROPS of the project's voivodeship (or an admin).
    #[schema(value_type = Option<String>, example = "509870.00")]
    pub approved_amount: Option<Decimal>,
    /// The EU co-financing of the approved amount; not above it.
    #[schema(value_type = Option<String>, example = "433389.50")]
    pub eu_approved_amount: Option<Decimal>,
    /// The day the claim was handed in.
    pub submitted_on: Option<NaiveDate>,
    /// The day it was approved: only for an `approved` claim, not before `submitted_on`.
    pub approved_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentClaimFilter {
    pub project_id: Option<i64>,
    pub kind: Option<PaymentClaimKind>,
    pub status: Option<PaymentClaimStatus>,
    /// Claims whose period ends in this year.
    pub year: Option<i32>,
    pub sort: Option<PaymentClaimSort>,
}

crate::sort_options!(
    /// The order of payment claims; `-` before a field reverses it.
    PaymentClaimSort {
        PeriodTo = "period_to" => "period_to" as "date",
        PeriodToDesc = "-period_to" => "period_to" as "date",
        Number = "number" => "number" as "text",
        NumberDesc = "-number" => "number" as "text",
    }
);
crate::list_filter!(PaymentClaimFilter: PaymentClaimSort);

fn apply_filter<'a>(mut q: payment_claims::BoxedQuery<'a, Pg>, f: &PaymentClaimFilter) -> payment_claims::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(payment_claims::project_id.eq(id));
    }
    if let Some(kind) = f.kind {
        q = q.filter(payment_claims::kind.eq(kind));
    }
    if let Some(status) = f.status {
        q = q.filter(payment_claims::status.eq(status));
    }
    if let Some(year) = f.year {
        q = q.filter(sql::<Bool>("extract(year FROM period_to) = ").bind::<Integer, _>(year));
    }
    q
}

crate::table_store!(PaymentClaims, payment_claims, PaymentClaimData, PaymentClaimFilter, apply_filter);
