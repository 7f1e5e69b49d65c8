//! Money over time: the spending roll-up and a project's spending by year. Both
//! judge "behind in spending" by the one SQL rule (`es_spending_behind`,
//! migration 000031: approved share of the value more than
//! `es_spending_behind_threshold()` points below the elapsed share of the
//! period). Money is not personal data: all of it is public.

use super::reports::{label, labels_of};
use super::ServiceError;
use crate::db::indicator_progress::{GroupBy, ReportFilter};
use crate::db::spending::{self, SpendingTotals};
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the spending report is grouped by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SpendingGroup {
    #[default]
    Programme,
    Axis,
    Measure,
    Voivodeship,
    /// The year of the money: a budget line's year, a claim's `period_to`.
    Year,
}

impl From<SpendingGroup> for GroupBy {
    fn from(group: SpendingGroup) -> Self {
        match group {
            SpendingGroup::Programme => GroupBy::Programme,
            SpendingGroup::Axis => GroupBy::Axis,
            SpendingGroup::Measure => GroupBy::Measure,
            SpendingGroup::Voivodeship => GroupBy::Voivodeship,
            SpendingGroup::Year => GroupBy::Year,
        }
    }
}

/// One group of the spending report.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct SpendingRollup {
    /// The group: a programme, axis or measure id, a voivodeship code or a year.
    pub key: Option<String>,
    /// The group's code: the programme's or measure's code, the axis's programme
    /// code and number, the voivodeship's TERYT code, the year.
    #[schema(example = "RPKP.2014-2020")]
    pub code: Option<String>,
    /// The group's name; none for a year.
    pub name: Option<String>,
    /// Projects in the group (by year: projects with money in that year).
    pub projects: i64,
    /// The sum of the projects' total values.
    #[schema(value_type = Option<String>, example = "3359267.15")]
    pub total_value: Option<Decimal>,
    /// The sum of the projects' EU co-financing.
    #[schema(value_type = Option<String>)]
    pub eu_amount: Option<Decimal>,
    /// The sum of their budget lines (by year: of that year).
    #[schema(value_type = String)]
    pub budgeted: Decimal,
    /// The amounts claimed in payment claims handed in (submitted, returned,
    /// approved; advances are money paid ahead, not spending, and are left out).
    #[schema(value_type = String)]
    pub claimed: Decimal,
    /// The approved amounts of approved claims (advances left out).
    #[schema(value_type = String)]
    pub approved: Decimal,
    /// The EU share of the approved amounts, as the claims state it.
    #[schema(value_type = String)]
    pub eu_approved: Decimal,
    /// approved / total value in percent, one decimal, over projects with a value.
    #[schema(value_type = Option<String>, example = "42.5")]
    pub spent_percent: Option<Decimal>,
    /// The elapsed share of the projects' periods in percent (by year: the
    /// share of them that fell in that year, up to today), weighted by value.
    #[schema(value_type = Option<String>, example = "61.3")]
    pub expected_percent: Option<Decimal>,
    /// Projects of the group behind in spending today (see `ProjectSpending.behind_spending`).
    pub projects_behind_spending: i64,
}

/// The spending roll-up by `group` over the projects `filter` selects.
pub fn report(conn: &mut PgConnection, group: SpendingGroup, filter: &ReportFilter) -> Result<Vec<SpendingRollup>, ServiceError> {
    let group = GroupBy::from(group);
    let totals = spending::report(conn, group, filter)?;
    let labels = labels_of(conn, group, totals.iter().map(|t| &t.key))?;
    let publish = |t: SpendingTotals| SpendingRollup {
        code: label(&labels, &t.key, |l| &l.code),
        name: label(&labels, &t.key, |l| &l.name),
        key: t.key,
        projects: t.projects,
        total_value: t.total_value,
        eu_amount: t.eu_amount,
        budgeted: t.budgeted,
        claimed: t.claimed,
        approved: t.approved,
        eu_approved: t.eu_approved,
        spent_percent: t.spent_percent,
        expected_percent: t.expected_percent,
        projects_behind_spending: t.projects_behind_spending,
    };
    Ok(totals.into_iter().map(publish).collect())
}

/// A project's spending: today, and year by year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectSpending {
    pub project_id: i64,
    #[schema(value_type = Option<String>)]
    pub total_value: Option<Decimal>,
    /// The project's period as far as known (actual dates before planned ones).
    pub starts: Option<NaiveDate>,
    pub ends: Option<NaiveDate>,
    #[schema(value_type = String)]
    pub budgeted: Decimal,
    #[schema(value_type = String)]
    pub claimed: Decimal,
    #[schema(value_type = String)]
    pub approved: Decimal,
    #[schema(value_type = String)]
    pub eu_approved: Decimal,
    /// approved / total value in percent, one decimal.
    #[schema(value_type = Option<String>, example = "42.5")]
    pub spent_percent: Option<Decimal>,
    /// The elapsed share of the project's period today, in percent.
    #[schema(value_type = Option<String>, example = "61.3")]
    pub expected_percent: Option<Decimal>,
    /// Whether `spent_percent` is more than `behind_threshold` points below
    /// `expected_percent`; never without a value and a period.
    pub behind_spending: bool,
    /// The threshold, in percentage points (the same for the spending report).
    #[schema(value_type = String, example = "25")]
    pub behind_threshold: Decimal,
    pub years: Vec<YearSpending>,
}

/// One year of a project's spending.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearSpending {
    pub year: i32,
    /// The budget lines of the year.
    #[schema(value_type = String)]
    pub budgeted: Decimal,
    /// Claims whose period ends in the year, handed in (advances left out).
    #[schema(value_type = String)]
    pub claimed: Decimal,
    /// Their approved amounts.
    #[schema(value_type = String)]
    pub approved: Decimal,
    #[schema(value_type = String)]
    pub eu_approved: Decimal,
    /// Approved up to the end of the year.
    #[schema(value_type = String)]
    pub approved_to_date: Decimal,
    /// approved_to_date / total value in percent.
    #[schema(value_type = Option<String>)]
    pub spent_percent: Option<Decimal>,
    /// The share of the period elapsed at the year's end (or today, in the
    /// current year); none for a year still to come.
    #[schema(value_type = Option<String>)]
    pub expected_percent: Option<Decimal>,
    /// The same rule as the project's, at the end of the year.
    pub behind_spending: bool,
}

/// Project `id`'s spending.
pub fn project(conn: &mut PgConnection, id: i64) -> Result<ProjectSpending, ServiceError> {
    let today = spending::of_project(conn, id)?.ok_or_else(|| ServiceError::NotFound { resource: "project", id: id.to_string() })?;
    let years = spending::years_of_project(conn, id)?
        .into_iter()
        .map(|y| YearSpending {
            year: y.year,
            budgeted: y.budgeted,
            claimed: y.claimed,
            approved: y.approved,
            eu_approved: y.eu_approved,
            approved_to_date: y.approved_to_date,
            spent_percent: y.spent_percent,
            expected_percent: y.expected_percent,
            behind_spending: y.behind_spending,
        })
        .collect();
    Ok(ProjectSpending {
        project_id: id,
        total_value: today.total_value,
        starts: today.starts,
        ends: today.ends,
        budgeted: today.budgeted,
        claimed: today.claimed,
        approved: today.approved,
        eu_approved: today.eu_approved,
        spent_percent: today.spent_percent,
        expected_percent: today.expected_percent,
        behind_spending: today.behind_spending,
        behind_threshold: spending::behind_threshold(conn)?,
        years,
    })
}
