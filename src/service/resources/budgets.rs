use crate::db::budgets::{BudgetData, Budgets};
use crate::db::spending;
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::money::check_amount;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::coordination::project_scope;
use crate::service::ServiceError;
use chrono::Datelike;
use diesel::pg::PgConnection;

/// The years a budget line may be planned for (the table's CHECK agrees).
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

impl Resource for Budgets {
    const COLLECTION: Collection = Collection::Budgets;

    fn check(conn: &mut PgConnection, mut data: BudgetData) -> Result<BudgetData, ServiceError> {
        let mut checks = Checks::new();
        blank_to_none(&mut data.notes);
        if let Some(amount) = checks.check("amount", check_amount(data.amount)) {
            data.amount = amount;
        }
        if let Some(eu) = data.eu_amount {
            data.eu_amount = checks.check("eu_amount", check_amount(eu));
        }
        if let Some(eu) = data.eu_amount {
            checks.ensure(eu <= data.amount, "eu_amount", "eu_above_amount", "the EU amount cannot exceed the amount");
        }
        checks.ensure(YEARS.contains(&data.year), "year", "implausible_year", "a year between 1990 and 2100");
        // A project's budget lies within its period, when the project has one.
        if let Some(spending::ProjectPeriod { starts, ends }) = spending::project_period(conn, data.project_id)? {
            let after_end = ends.is_some_and(|end| data.year > end.year());
            let before_start = starts.is_some_and(|start| data.year < start.year());
            let period = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "…".to_owned(), |d| d.to_string());
            checks.ensure(
                !(after_end || before_start),
                "year",
                "outside_project_period",
                format!("the year lies outside the project's period ({} to {})", period(starts), period(ends)),
            );
        }
        checks.into_result()?;
        Ok(data)
    }

    /// A budget line is one of the project's records.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &BudgetData) -> Result<Scope, ServiceError> {
        project_scope(conn, "project_id", data.project_id)
    }

    fn permission_key(data: &BudgetData) -> Option<i64> {
        Some(data.project_id)
    }

    fn related(_: i64, data: &BudgetData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id)), ("spending", format!("projects/{}/spending", data.project_id))]
    }
}
