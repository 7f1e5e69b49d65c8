//! A project's budget per year and cost category (budżet projektu): what it
//! plans to spend, against which its payment claims are read.

use crate::db::schema::budgets;
use crate::domain::codes::CostCategory;
use diesel::pg::Pg;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = budgets, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Budget)]
pub struct BudgetData {
    pub project_id: i64,
    /// The calendar year the amount is planned for; within the project's period
    /// when the project has one. With `project_id` and `category`, the key of imports.
    #[schema(minimum = 1990, maximum = 2100, example = 2020)]
    pub year: i32,
    pub category: CostCategory,
    /// The amount planned, in PLN (not negative, grosze at most).
    #[schema(value_type = String, example = "412500.00")]
    pub amount: Decimal,
    /// The EU co-financing of it; never above `amount`.
    #[schema(value_type = Option<String>, example = "350625.00")]
    pub eu_amount: Option<Decimal>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BudgetFilter {
    pub project_id: Option<i64>,
    pub year: Option<i32>,
    pub category: Option<CostCategory>,
    pub sort: Option<BudgetSort>,
}

crate::sort_options!(
    /// The order of budget lines; `-` before a field reverses it.
    BudgetSort {
        Year = "year" => "year" as "integer",
        YearDesc = "-year" => "year" as "integer",
        Amount = "amount" => "amount" as "numeric",
        AmountDesc = "-amount" => "amount" as "numeric",
    }
);
crate::list_filter!(BudgetFilter: BudgetSort);

fn apply_filter<'a>(mut q: budgets::BoxedQuery<'a, Pg>, f: &BudgetFilter) -> budgets::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(budgets::project_id.eq(id));
    }
    if let Some(year) = f.year {
        q = q.filter(budgets::year.eq(year));
    }
    if let Some(category) = f.category {
        q = q.filter(budgets::category.eq(category));
    }
    q
}

crate::table_store!(Budgets, budgets, BudgetData, BudgetFilter, apply_filter);
