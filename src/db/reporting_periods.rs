//! The reporting calendar: each programme's reporting periods, and who owes a
//! report for which. Which period a value falls in is the SQL function
//! `es_reporting_period_of` (migration 000032); the lock rule that reads it and
//! the overdue view `project_reporting` share it.

use super::DbError;
use crate::db::schema::{project_reporting, projects, reporting_periods};
use crate::domain::codes::ReportingPeriodState;
use chrono::NaiveDate;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn open() -> ReportingPeriodState {
    ReportingPeriodState::Open
}

/// A reporting period of a programme: the values of its projects' indicators
/// whose `period_end` falls in it are due by `due_on`. Locked, its values are
/// frozen: none is added, changed, submitted, decided or deleted, by any path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reporting_periods, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = ReportingPeriod)]
pub struct ReportingPeriodData {
    pub programme_id: i64,
    #[schema(example = "2024 H1")]
    pub name: String,
    /// The first day of the period; with `programme_id`, the key of imports.
    pub period_from: NaiveDate,
    /// The last day of the period. A programme's periods do not overlap.
    pub period_to: NaiveDate,
    /// The day its values are due (on or after `period_to`).
    pub due_on: NaiveDate,
    /// `open` (the default) or `locked`.
    #[serde(default = "open")]
    pub state: ReportingPeriodState,
    pub notes: Option<String>,
    /// Locked or unlocked by one account of the ROPS alone: in force, until
    /// another account of the ROPS (or an admin) confirms it
    /// (`POST /api/v1/reporting-periods/{id}/confirm`). Kept by the server.
    #[serde(default)]
    pub self_decided: bool,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportingPeriodFilter {
    pub programme_id: Option<i64>,
    pub state: Option<ReportingPeriodState>,
    /// The periods this day falls in.
    pub on: Option<NaiveDate>,
    pub sort: Option<ReportingPeriodSort>,
}

crate::sort_options!(
    /// The order of reporting periods; `-` before a field reverses it.
    ReportingPeriodSort {
        PeriodFrom = "period_from" => "period_from" as "date",
        PeriodFromDesc = "-period_from" => "period_from" as "date",
        DueOn = "due_on" => "due_on" as "date",
        DueOnDesc = "-due_on" => "due_on" as "date",
    }
);
crate::list_filter!(ReportingPeriodFilter: ReportingPeriodSort);

fn apply_filter<'a>(mut q: reporting_periods::BoxedQuery<'a, Pg>, f: &ReportingPeriodFilter) -> reporting_periods::BoxedQuery<'a, Pg> {
    if let Some(id) = f.programme_id {
        q = q.filter(reporting_periods::programme_id.eq(id));
    }
    if let Some(state) = f.state {
        q = q.filter(reporting_periods::state.eq(state));
    }
    if let Some(day) = f.on {
        q = q.filter(reporting_periods::period_from.le(day).and(reporting_periods::period_to.ge(day)));
    }
    q
}

crate::table_store!(ReportingPeriods, reporting_periods, ReportingPeriodData, ReportingPeriodFilter, apply_filter);

/// A reporting period as a value's rules need it.
#[derive(Debug, Clone, QueryableByName, Queryable)]
pub struct PeriodOfValue {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
    #[diesel(sql_type = Date)]
    pub period_from: NaiveDate,
    #[diesel(sql_type = Date)]
    pub period_to: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub state: ReportingPeriodState,
}

/// The reporting period a value of indicator `indicator_id` at `day` falls in:
/// a period of the programme of the indicator's project.
pub fn period_of_value(conn: &mut PgConnection, indicator_id: i64, day: NaiveDate) -> Result<Option<PeriodOfValue>, DbError> {
    Ok(diesel::sql_query(
        "SELECT r.id, r.name, r.period_from, r.period_to, r.state \
         FROM indicators i JOIN projects p ON p.id = i.project_id JOIN measures me ON me.id = p.measure_id \
         JOIN priority_axes ax ON ax.id = me.priority_axis_id \
         JOIN reporting_periods r ON r.id = es_reporting_period_of(ax.programme_id, $2) \
         WHERE i.id = $1 FOR SHARE OF r",
    )
    .bind::<BigInt, _>(indicator_id)
    .bind::<Date, _>(day)
    .get_result(conn)
    .optional()?)
}

/// Another period of `programme_id` (not `id`) that shares a day with
/// `[from, to]`, if any: its name.
pub fn overlapping(conn: &mut PgConnection, id: Option<i64>, programme_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Option<String>, DbError> {
    let mut q = reporting_periods::table
        .filter(reporting_periods::programme_id.eq(programme_id))
        .filter(reporting_periods::period_from.le(to).and(reporting_periods::period_to.ge(from)))
        .select(reporting_periods::name)
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(reporting_periods::id.ne(id));
    }
    Ok(q.first(conn).optional()?)
}

/// How many values in period `id` await a decision (submitted).
pub fn awaiting_decision(conn: &mut PgConnection, id: i64) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM reporting_periods r \
         JOIN priority_axes ax ON ax.programme_id = r.programme_id JOIN measures me ON me.priority_axis_id = ax.id \
         JOIN projects p ON p.measure_id = me.id JOIN indicators i ON i.project_id = p.id \
         JOIN indicator_measurements m ON m.indicator_id = i.id \
         WHERE r.id = $1 AND m.status = 'submitted' AND es_reporting_period_of(r.programme_id, m.period_end) = r.id",
    )
    .bind::<BigInt, _>(id)
    .get_result(conn)?;
    Ok(count.n)
}

/// Whether a project has handed in its report for a period, and whether it is
/// overdue (the view `project_reporting`).
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct ProjectReport {
    pub project_id: i64,
    pub project_title: String,
    pub contract_number: Option<String>,
    /// Absent for a project of a national programme with no voivodeship.
    #[schema(example = "04")]
    pub voivodeship: Option<String>,
    pub period_id: i64,
    pub due_on: NaiveDate,
    /// The project's values in the period that are submitted or approved.
    pub values_handed_in: i64,
    /// Of them, approved.
    pub values_approved: i64,
    /// Its values in the period still with the project (drafts, returned ones).
    pub values_in_progress: i64,
    /// At least one value in the period is submitted or approved.
    pub handed_in: bool,
    /// Not handed in, and the due day has passed.
    pub overdue: bool,
}

/// Which projects owe a report for period `period_id`, in the order of their ids.
pub fn reports_of_period(conn: &mut PgConnection, period_id: i64, overdue: Option<bool>) -> Result<Vec<ProjectReport>, DbError> {
    let mut q = project_reporting::table
        .inner_join(projects::table.on(projects::id.eq(project_reporting::project_id)))
        .filter(project_reporting::period_id.eq(period_id))
        .select((
            project_reporting::project_id,
            projects::title,
            projects::contract_number,
            project_reporting::voivodeship,
            project_reporting::period_id,
            project_reporting::due_on,
            project_reporting::values_handed_in,
            project_reporting::values_approved,
            project_reporting::values_in_progress,
            project_reporting::handed_in,
            project_reporting::overdue,
        ))
        .order(project_reporting::project_id)
        .into_boxed();
    if let Some(overdue) = overdue {
        q = q.filter(project_reporting::overdue.eq(overdue));
    }
    Ok(q.load(conn)?)
}

/// Overdue reports rolled up by a group (SQL expression over `project_reporting` as `pr`).
#[derive(Debug, Clone, QueryableByName)]
pub struct OverdueTotals {
    #[diesel(sql_type = Nullable<diesel::sql_types::Text>)]
    pub key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub reports_due: i64,
    #[diesel(sql_type = BigInt)]
    pub reports_handed_in: i64,
    #[diesel(sql_type = BigInt)]
    pub reports_overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub projects_overdue: i64,
}

/// Reports whose due day has passed, by `key` (`voivodeship`, `programme_id`,
/// `measure_id` or `period_id` of `project_reporting`), over one programme or
/// voivodeship when given.
pub fn overdue_totals(
    conn: &mut PgConnection,
    key: &'static str,
    programme_id: Option<i64>,
    voivodeship: Option<String>,
) -> Result<Vec<OverdueTotals>, DbError> {
    let sql = format!(
        "SELECT {key}::text AS key, count(*) AS reports_due, count(*) FILTER (WHERE handed_in) AS reports_handed_in, \
                count(*) FILTER (WHERE overdue) AS reports_overdue, count(DISTINCT project_id) FILTER (WHERE overdue) AS projects_overdue \
         FROM project_reporting \
         WHERE due_on < es_today() AND ($1::bigint IS NULL OR programme_id = $1) AND ($2::text IS NULL OR voivodeship = $2) \
         GROUP BY 1 ORDER BY 1"
    );
    Ok(diesel::sql_query(sql).bind::<Nullable<BigInt>, _>(programme_id).bind::<Nullable<diesel::sql_types::Text>, _>(voivodeship).load(conn)?)
}

/// A record above reported values, whose move to another programme would move
/// its values between reporting periods.
#[derive(Debug, Clone, Copy)]
pub enum AboveValues {
    Indicator(i64),
    Project(i64),
    Measure(i64),
    PriorityAxis(i64),
}

/// How many values below `record` fall in a locked period (held `FOR SHARE`
/// like a value's own period, so no period is locked in between).
pub fn frozen_values_below(conn: &mut PgConnection, record: AboveValues) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let column = match record {
        AboveValues::Indicator(_) => "i.id",
        AboveValues::Project(_) => "p.id",
        AboveValues::Measure(_) => "me.id",
        AboveValues::PriorityAxis(_) => "ax.id",
    };
    let (AboveValues::Indicator(id) | AboveValues::Project(id) | AboveValues::Measure(id) | AboveValues::PriorityAxis(id)) = record;
    let count: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM (SELECT 1 FROM indicator_measurements m JOIN indicators i ON i.id = m.indicator_id \
         JOIN projects p ON p.id = i.project_id JOIN measures me ON me.id = p.measure_id \
         JOIN priority_axes ax ON ax.id = me.priority_axis_id \
         JOIN reporting_periods r ON r.id = es_reporting_period_of(ax.programme_id, m.period_end) \
         WHERE {column} = $1 AND r.state = 'locked' FOR SHARE OF r) x"
    ))
    .bind::<BigInt, _>(id)
    .get_result(conn)?;
    Ok(count.n)
}
