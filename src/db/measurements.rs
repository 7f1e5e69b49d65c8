//! Reported indicator values over time, with their approval.

use crate::db::schema::{indicator_definitions, indicator_measurements, indicators};
use crate::db::DbError;
use crate::domain::breakdown::Breakdown;
use crate::domain::codes::{BreakdownDimension, MeasurementStatus, MeasurementType};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn draft() -> MeasurementStatus {
    MeasurementStatus::Draft
}

/// A reported value: the cumulative value at the end of a period. Only drafts and
/// returned values can be changed; approved ones are history, corrected by an
/// admin alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicator_measurements, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = IndicatorMeasurement)]
pub struct MeasurementData {
    pub indicator_id: i64,
    /// The last day of the reporting period.
    pub period_end: NaiveDate,
    /// Cumulative value at `period_end`.
    #[schema(value_type = Option<String>, example = "40")]
    pub value: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub value_women: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub value_men: Option<Decimal>,
    /// For qualitative indicators.
    pub value_text: Option<String>,
    /// For a ratio indicator (its definition's `measurement` is `ratio`): the
    /// count of the share, e.g. participants who found work. `value` is then
    /// the percentage, `100 * numerator / denominator`, derived when left out.
    #[schema(value_type = Option<String>, example = "9")]
    pub numerator: Option<Decimal>,
    /// For a ratio indicator: what the share is of, e.g. participants who left.
    #[schema(value_type = Option<String>, example = "12")]
    pub denominator: Option<Decimal>,
    /// The value per category of the breakdowns the indicator's definition
    /// declares; each dimension's categories add up to `value`.
    #[schema(value_type = Option<Object>, example = json!({"sex": {"women": "22", "men": "17", "non_binary": "1"}}))]
    pub breakdown: Option<Breakdown>,
    pub comment: Option<String>,
    #[serde(default = "draft", deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub status: MeasurementStatus,
    /// Why the value was returned.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub return_reason: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasurementFilter {
    pub indicator_id: Option<i64>,
    pub status: Option<MeasurementStatus>,
    pub sort: Option<MeasurementSort>,
    /// Approved values only: what a reader outside the values' owners lists.
    /// Set by the service, never by a query.
    #[serde(skip)]
    #[param(ignore)]
    pub approved_only: bool,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    MeasurementSort {
        PeriodEnd = "period_end" => "period_end" as "date",
        PeriodEndDesc = "-period_end" => "period_end" as "date",
    }
);
crate::list_filter!(MeasurementFilter: MeasurementSort);

fn apply_filter<'a>(mut q: indicator_measurements::BoxedQuery<'a, Pg>, f: &MeasurementFilter) -> indicator_measurements::BoxedQuery<'a, Pg> {
    if let Some(id) = f.indicator_id {
        q = q.filter(indicator_measurements::indicator_id.eq(id));
    }
    if let Some(status) = f.status {
        q = q.filter(indicator_measurements::status.eq(status));
    }
    if f.approved_only {
        q = q.filter(indicator_measurements::status.eq(MeasurementStatus::Approved));
    }
    q
}

crate::table_store!(Measurements, indicator_measurements, MeasurementData, MeasurementFilter, apply_filter);

/// The project of an indicator: `None` when there is no such indicator.
pub fn indicator_project(conn: &mut PgConnection, indicator_id: i64) -> Result<Option<i64>, DbError> {
    Ok(indicators::table.find(indicator_id).select(indicators::project_id).first(conn).optional()?)
}

/// What a value of an indicator must be: the indicator's project, and its
/// definition's measurement and breakdowns (none without a definition).
#[derive(Debug, Clone, Queryable)]
pub struct IndicatorTerms {
    pub project_id: i64,
    pub measurement: Option<MeasurementType>,
    pub breakdowns: Option<Vec<BreakdownDimension>>,
}

/// The terms of indicator `indicator_id`; `None` when there is no such indicator.
pub fn indicator_terms(conn: &mut PgConnection, indicator_id: i64) -> Result<Option<IndicatorTerms>, DbError> {
    Ok(indicators::table
        .left_join(indicator_definitions::table)
        .filter(indicators::id.eq(indicator_id))
        .select((indicators::project_id, indicator_definitions::measurement.nullable(), indicator_definitions::breakdowns.nullable()))
        .first(conn)
        .optional()?)
}

/// Moves a measurement to `status`, recording who did it and when.
pub fn set_status(conn: &mut PgConnection, id: i64, status: MeasurementStatus, reason: Option<String>, user_id: Option<i64>) -> Result<(), DbError> {
    use indicator_measurements::dsl as m;
    let now = diesel::dsl::now;
    if status == MeasurementStatus::Submitted {
        diesel::update(m::indicator_measurements.find(id)).set((m::status.eq(status), m::submitted_at.eq(now), m::submitted_by.eq(user_id))).execute(conn)?;
    } else {
        diesel::update(m::indicator_measurements.find(id))
            .set((m::status.eq(status), m::return_reason.eq(reason), m::decided_at.eq(now), m::decided_by.eq(user_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether a value of an indicator of project `project_id` in one of `states`
/// covers a period ending on or after `day` (a value is cumulative, so such a
/// value counts what happened that day); without a day, whether any is.
pub fn in_states_since(conn: &mut PgConnection, project_id: i64, day: Option<NaiveDate>, states: &[MeasurementStatus]) -> Result<bool, DbError> {
    let mut found = indicator_measurements::table
        .inner_join(indicators::table)
        .filter(indicators::project_id.eq(project_id))
        .filter(indicator_measurements::status.eq_any(states.to_vec()))
        .select(indicator_measurements::id)
        .into_boxed();
    if let Some(day) = day {
        found = found.filter(indicator_measurements::period_end.ge(day));
    }
    Ok(found.first::<i64>(conn).optional()?.is_some())
}
