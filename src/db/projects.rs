//! Projects: the heart of the registry.

use crate::db::schema::{measures, partners, priority_axes, projects};
use crate::domain::codes::{DatePrecision, Fund, ProjectStatus, SelectionMode};
use chrono::NaiveDate;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Jsonb;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A target group (grupa docelowa), with head counts where the fiche gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    #[schema(example = "podmioty ekonomii społecznej (PES)")]
    pub name: String,
    #[schema(minimum = 0)]
    pub planned_count: Option<i32>,
    #[schema(minimum = 0)]
    pub actual_count: Option<i32>,
}

/// The target groups of a project, stored as a JSONB array.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = Jsonb)]
#[serde(transparent)]
pub struct TargetGroups(pub Vec<TargetGroup>);

impl ToSql<Jsonb, Pg> for TargetGroups {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let value = serde_json::to_value(self)?;
        <serde_json::Value as ToSql<Jsonb, Pg>>::to_sql(&value, &mut out.reborrow())
    }
}

impl FromSql<Jsonb, Pg> for TargetGroups {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let value = <serde_json::Value as FromSql<Jsonb, Pg>>::from_sql(bytes)?;
        Ok(serde_json::from_value(value)?)
    }
}

fn unknown_mode() -> SelectionMode {
    SelectionMode::Unknown
}

fn unknown_status() -> ProjectStatus {
    ProjectStatus::Unknown
}

/// A project. Money is a decimal string in PLN ("3359267.15"); dates carry a
/// precision, and a date known only to the month or year is stored as the first
/// day of that period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = projects, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Project)]
pub struct ProjectData {
    /// The funding agreement number, unique when given.
    #[schema(example = "RPKP.09.04.02-04-0001/18")]
    pub contract_number: Option<String>,
    #[schema(example = "Koordynacja rozwoju ekonomii społecznej w województwie kujawsko-pomorskim")]
    pub title: String,
    pub objective: Option<String>,
    #[serde(default)]
    pub specific_objectives: Vec<String>,
    pub description: Option<String>,
    pub measure_id: i64,
    #[schema(value_type = Option<String>, example = "3359267.15")]
    pub total_value: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub eligible_value: Option<Decimal>,
    /// EU co-financing amount; never above the total value.
    #[schema(value_type = Option<String>, example = "2855377.07")]
    pub eu_amount: Option<Decimal>,
    /// Co-financing rate in percent; must agree with the amounts within 0.01 percentage point.
    #[schema(value_type = Option<String>, example = "85")]
    pub cofinancing_rate: Option<Decimal>,
    pub fund: Option<Fund>,
    #[serde(default = "unknown_mode")]
    #[schema(default = "unknown")]
    pub selection_mode: SelectionMode,
    pub planned_start: Option<NaiveDate>,
    /// Required with `planned_start`; defaults to `day`.
    pub planned_start_precision: Option<DatePrecision>,
    pub planned_end: Option<NaiveDate>,
    pub planned_end_precision: Option<DatePrecision>,
    pub actual_start: Option<NaiveDate>,
    pub actual_start_precision: Option<DatePrecision>,
    pub actual_end: Option<NaiveDate>,
    pub actual_end_precision: Option<DatePrecision>,
    #[serde(default = "unknown_status")]
    #[schema(default = "unknown")]
    pub status: ProjectStatus,
    /// Voivodeship TERYT code; for a regional programme it defaults to, and must equal, the programme's.
    pub voivodeship: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<TargetGroup>)]
    pub target_groups: TargetGroups,
    /// Types of support (rodzaje wsparcia) as the fiche lists them.
    #[serde(default)]
    pub support_types: Vec<String>,
    /// Where the facts come from (the portal page of the fiche).
    pub source_url: Option<String>,
    pub notes: Option<String>,
    /// After this day `es-registry retention run` anonymises the project's participants.
    pub retention_until: Option<NaiveDate>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    pub measure_id: Option<i64>,
    /// Projects of any measure of this programme.
    pub programme_id: Option<i64>,
    /// Projects in which this organisation has any role.
    pub beneficiary_id: Option<i64>,
    pub voivodeship: Option<String>,
    pub status: Option<ProjectStatus>,
    pub selection_mode: Option<SelectionMode>,
    pub fund: Option<Fund>,
    pub contract_number: Option<String>,
}

fn apply_filter<'a>(mut q: projects::BoxedQuery<'a, Pg>, f: &ProjectFilter) -> projects::BoxedQuery<'a, Pg> {
    if let Some(id) = f.measure_id {
        q = q.filter(projects::measure_id.eq(id));
    }
    if let Some(id) = f.programme_id {
        let measures_of_programme = measures::table
            .inner_join(priority_axes::table)
            .filter(priority_axes::programme_id.eq(id))
            .select(measures::id);
        q = q.filter(projects::measure_id.eq_any(measures_of_programme));
    }
    if let Some(id) = f.beneficiary_id {
        q = q.filter(projects::id.eq_any(partners::table.filter(partners::beneficiary_id.eq(id)).select(partners::project_id)));
    }
    if let Some(v) = &f.voivodeship {
        q = q.filter(projects::voivodeship.eq(v.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(projects::status.eq(s));
    }
    if let Some(m) = f.selection_mode {
        q = q.filter(projects::selection_mode.eq(m));
    }
    if let Some(fund) = f.fund {
        q = q.filter(projects::fund.eq(fund));
    }
    if let Some(c) = &f.contract_number {
        q = q.filter(projects::contract_number.eq(c.clone()));
    }
    q
}

crate::table_store!(Projects, projects, ProjectData, ProjectFilter, apply_filter);
