//! Projects: the heart of the registry.

use crate::db::listing::{code_prefix, matches, search_terms, MATCHES_END};
use crate::db::listing::{Count, ListRequest, Listed, Plan, Total, Window};
use crate::db::schema::{measures, partners, priority_axes, project_reporting, project_search, projects};
use crate::db::{DbError, Record, Store};
use crate::domain::codes::{DatePrecision, Fund, GroupCounts, PartnerRole, ProjectStatus, SelectionMode};
use chrono::NaiveDate;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::dsl::sql;
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Jsonb;
use diesel::sql_types::{Bool, Date, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A target group (grupa docelowa), with head counts where the fiche gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    #[schema(example = "podmioty ekonomii społecznej (PES)")]
    pub name: String,
    /// What the counts count: persons (the default: published to anyone but
    /// the project's owners protected) or organisations.
    #[serde(default = "persons")]
    pub counts: GroupCounts,
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

fn persons() -> GroupCounts {
    GroupCounts::Persons
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
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
    /// The category of intervention (intervention field) in the code list of the
    /// programme's period: 2021-2027 three digits 001-182 (Annex I to Regulation
    /// (EU) 2021/1060, e.g. `138` support for social economy and social
    /// enterprises); 2014-2020 three digits 001-123 (Implementing Regulation (EU)
    /// No 215/2014, e.g. `113` social entrepreneurship); 2007-2013 two digits
    /// 01-86 (the priority themes of Regulation (EC) No 1828/2006). Published in
    /// the list of operations.
    #[serde(default)]
    #[schema(example = "138", pattern = "^[0-9]{2,3}$")]
    pub intervention_field: Option<String>,
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
    /// Where the project is run (WGS 84), with `longitude`; maps otherwise use its voivodeship's centroid.
    #[schema(value_type = Option<String>, example = "53.010300")]
    pub latitude: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "18.604800")]
    pub longitude: Option<Decimal>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, IntoParams)]
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
    /// Projects of any measure of this priority axis.
    pub axis_id: Option<i64>,
    /// Projects in which the organisation with this NIP has any role.
    pub beneficiary_nip: Option<String>,
    /// Projects in which this organisation is a partner (role `partner`).
    pub partner_id: Option<i64>,
    /// Projects whose period (actual, else planned) reaches this day or later.
    pub period_from: Option<NaiveDate>,
    /// Projects whose period (actual, else planned) starts on this day or earlier.
    pub period_to: Option<NaiveDate>,
    /// Total value at least this many PLN.
    #[param(value_type = Option<String>, pattern = r"^([0-9]{1,13}(\.[0-9]{1,2})?)?$", example = "1000000")]
    #[serde(default, deserialize_with = "blank_as_none")]
    pub min_total_value: Option<Decimal>,
    /// Total value at most this many PLN.
    #[param(value_type = Option<String>, pattern = r"^([0-9]{1,13}(\.[0-9]{1,2})?)?$")]
    #[serde(default, deserialize_with = "blank_as_none")]
    pub max_total_value: Option<Decimal>,
    /// Projects with an organisation seated, or an activity held, in this TERYT unit (2, 4 or 7 digits).
    pub teryt: Option<String>,
    /// `true`: projects with a report overdue (a value for a reporting period of
    /// their programme not handed in by its due day; see
    /// `/reporting-periods/{id}/projects`); `false`: projects with none.
    pub overdue: Option<bool>,
    /// Full-text search: every word must occur in the project's title, objectives,
    /// description, target groups, support types, its organisations' names, aliases
    /// and towns, its activities' titles or its places (gmina, powiat, voivodeship),
    /// in any inflected form (Polish dictionary), as a word beginning, ignoring case
    /// and diacritics, or, for a name, despite a typo; best matches first unless
    /// `sort` says otherwise.
    pub q: Option<String>,
    pub sort: Option<ProjectSort>,
}

/// An amount filter: PLN as digits with at most two decimals, as the parameter's
/// pattern says; left blank (as a form sends it), no filter.
fn blank_as_none<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    let Some(amount) = text.filter(|t| !t.is_empty()) else { return Ok(None) };
    let (whole, cents) = amount.split_once('.').unwrap_or((&amount, "0"));
    let digits = |part: &str, most: usize| (1..=most).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole, 13) && digits(cents, 2)) {
        return Err(serde::de::Error::custom(format!("{amount:?} is not an amount in PLN (digits, at most two decimals)")));
    }
    amount.parse().map(Some).map_err(serde::de::Error::custom)
}

crate::sort_options!(
    /// The order of projects; `-` before a field reverses it. Unknown dates and amounts come last.
    ProjectSort {
        Title = "title" => "title" as "text",
        TitleDesc = "-title" => "title" as "text",
        PlannedStart = "planned_start" => "coalesce(planned_start, 'infinity'::date)" as "date",
        PlannedStartDesc = "-planned_start" => "coalesce(planned_start, '-infinity'::date)" as "date",
        PlannedEnd = "planned_end" => "coalesce(planned_end, 'infinity'::date)" as "date",
        PlannedEndDesc = "-planned_end" => "coalesce(planned_end, '-infinity'::date)" as "date",
        TotalValue = "total_value" => "coalesce(total_value, 'Infinity'::numeric)" as "numeric",
        TotalValueDesc = "-total_value" => "coalesce(total_value, '-Infinity'::numeric)" as "numeric",
        EuAmount = "eu_amount" => "coalesce(eu_amount, 'Infinity'::numeric)" as "numeric",
        EuAmountDesc = "-eu_amount" => "coalesce(eu_amount, '-Infinity'::numeric)" as "numeric",
        Relevance = "relevance" => "" as "real",
    }
);
// Ranked by the project's search document: only `ranked_search` below, which
// reads `project_search`, lists projects by relevance.
crate::list_filter!(ProjectFilter: ProjectSort, search in "document");

/// The start of a condition "the project has an organisation (`b`) with a role in
/// it such that `condition`", left open for `condition`'s bind and a closing `)`.
fn with_organisation(condition: &str) -> String {
    format!("id IN (SELECT pa.project_id FROM partners pa JOIN beneficiaries b ON b.id = pa.beneficiary_id WHERE {condition}")
}

fn apply_filter<'a>(mut q: projects::BoxedQuery<'a, Pg>, f: &ProjectFilter) -> projects::BoxedQuery<'a, Pg> {
    if let Some(id) = f.measure_id {
        q = q.filter(projects::measure_id.eq(id));
    }
    if let Some(id) = f.programme_id {
        let measures_of_programme = measures::table.inner_join(priority_axes::table).filter(priority_axes::programme_id.eq(id)).select(measures::id);
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
    if let Some(id) = f.axis_id {
        q = q.filter(projects::measure_id.eq_any(measures::table.filter(measures::priority_axis_id.eq(id)).select(measures::id)));
    }
    if let Some(nip) = &f.beneficiary_nip {
        let nip = crate::domain::identifiers::Nip::parse(nip).map(|n| n.to_string()).unwrap_or_default();
        q = q.filter(sql::<Bool>(&with_organisation("b.nip = ")).bind::<Text, _>(nip).sql(")"));
    }
    if let Some(id) = f.partner_id {
        let as_partner = partners::table.filter(partners::beneficiary_id.eq(id)).filter(partners::role.eq(PartnerRole::Partner)).select(partners::project_id);
        q = q.filter(projects::id.eq_any(as_partner));
    }
    if let Some(from) = f.period_from {
        q = q.filter(sql::<Bool>("coalesce(actual_end, planned_end, 'infinity'::date) >= ").bind::<Date, _>(from));
    }
    if let Some(to) = f.period_to {
        q = q.filter(sql::<Bool>("coalesce(actual_start, planned_start, '-infinity'::date) <= ").bind::<Date, _>(to));
    }
    if let Some(min) = f.min_total_value {
        q = q.filter(projects::total_value.ge(min));
    }
    if let Some(max) = f.max_total_value {
        q = q.filter(projects::total_value.le(max));
    }
    if let Some(overdue) = f.overdue {
        let late = project_reporting::table.filter(project_reporting::overdue).select(project_reporting::project_id);
        q = if overdue { q.filter(projects::id.eq_any(late)) } else { q.filter(diesel::dsl::not(projects::id.eq_any(late))) };
    }
    if let Some(teryt) = &f.teryt {
        let prefix = code_prefix(teryt);
        q = q.filter(
            sql::<Bool>(&format!("({}", with_organisation("b.teryt LIKE ")))
                .bind::<Text, _>(prefix.clone())
                .sql(") OR id IN (SELECT a.project_id FROM activities a WHERE a.teryt LIKE ")
                .bind::<Text, _>(prefix)
                .sql("))"),
        );
    }
    if let Some(text) = &f.q {
        // One document per project (migration 000016) holds its own text, its
        // organisations', its activities' titles and its places: one GIN index.
        q = q.filter(
            sql::<Bool>(&format!("id IN (SELECT s.id FROM project_search s WHERE {}", matches("s.document")))
                .bind::<Text, _>(search_terms(text))
                .sql(&format!("{MATCHES_END})")),
        );
    }
    q
}

crate::table_store!(Projects, projects, ProjectData, ProjectFilter, apply_filter, ranked = ranked_search);

/// A page of a project search by relevance, from the search documents alone: the
/// ids of the page ranked, and on a first page the total in the same statement
/// (the ranking reads every match anyway); then the page's projects by id. The
/// other filters, if any, narrow the documents to the projects they find.
fn ranked_search(conn: &mut PgConnection, f: &ProjectFilter, request: &ListRequest) -> Result<Option<Listed<ProjectData>>, DbError> {
    use diesel::sql_types::{BigInt, Nullable};
    let Some(text) = f.q.as_deref().filter(|_| request.sort.name == "relevance") else { return Ok(None) };
    let plan = Plan::new(request);
    let first_page = matches!(request.window, Window::Keyset { from: None, .. } | Window::Offset(_));
    let counted_inline = request.count != Count::None && first_page;
    let found = || {
        let mut query = project_search::table.into_boxed().filter(sql::<Bool>(&matches("document")).bind::<Text, _>(search_terms(text)).sql(MATCHES_END));
        let others = ProjectFilter { q: None, sort: None, ..f.clone() };
        if others != ProjectFilter::default() {
            query = query.filter(project_search::id.eq_any(apply_filter(projects::table.into_boxed(), &others).select(projects::id)));
        }
        query
    };
    let mut query = found()
        .select((project_search::id, sql::<Nullable<Text>>(&plan.key), sql::<BigInt>(if counted_inline { "count(*) OVER ()" } else { "0::bigint" })))
        .order(sql::<Text>(&plan.order))
        .limit(plan.fetch);
    crate::apply_window!(query, request, plan);
    let mut rows: Vec<(i64, Option<String>, i64)> = query.load(conn)?;
    // Ranking reads every match, so the count beside it is exact and nearly free.
    let total = match rows.first() {
        _ if request.count == Count::None => Total::NONE,
        Some((_, _, total)) if counted_inline => Total::exact(*total),
        None if counted_inline && matches!(request.window, Window::Keyset { .. }) => Total::exact(0),
        _ => Total::exact(found().count().get_result(conn)?),
    };
    let more = rows.len() as i64 > request.limit;
    rows.truncate(request.limit.max(0) as usize);
    if matches!(request.window, Window::Keyset { backwards: true, .. }) {
        rows.reverse();
    }
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let mut loaded: std::collections::HashMap<i64, Record<ProjectData>> = Projects::find_many(conn, &ids)?.into_iter().map(|r| (r.id, r)).collect();
    let (records, keys) = rows.into_iter().filter_map(|(id, key, _)| loaded.remove(&id).map(|record| (record, key))).unzip();
    Ok(Some(Listed { records, keys, total, more }))
}

/// One facet count of a project search: the dimension, the group's key, and how
/// many of the projects found fall in it (dimension `total`: all of them).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct FacetCount {
    pub dimension: String,
    pub key: Option<String>,
    pub count: i64,
}

/// How the projects a filter finds fall into voivodeships, programmes, funds,
/// statuses and years, and how many there are: one scan, grouped by every
/// dimension at once (GROUPING SETS), not a count per dimension.
pub fn facets(conn: &mut PgConnection, f: &ProjectFilter) -> Result<Vec<FacetCount>, crate::db::DbError> {
    use diesel::sql_types::{BigInt, Nullable};
    let found = apply_filter(projects::table.into_boxed(), f).select(projects::id);
    let year = "extract(year FROM coalesce(projects.actual_start, projects.planned_start))::int::text";
    let rows = projects::table
        .inner_join(measures::table.inner_join(priority_axes::table))
        .filter(projects::id.eq_any(found))
        .select((
            sql::<Text>(
                "CASE WHEN GROUPING(projects.voivodeship) = 0 THEN 'voivodeship' WHEN GROUPING(priority_axes.programme_id) = 0 THEN 'programme' \
                 WHEN GROUPING(projects.fund) = 0 THEN 'fund' WHEN GROUPING(projects.status) = 0 THEN 'status' ",
            )
            .sql(&format!("WHEN GROUPING({year}) = 0 THEN 'year' ELSE 'total' END")),
            sql::<Nullable<Text>>(&format!(
                "coalesce(projects.voivodeship::text, priority_axes.programme_id::text, projects.fund::text, projects.status::text, {year})"
            )),
            sql::<BigInt>("count(*)"),
        ))
        .group_by(sql::<Text>(&format!(
            "GROUPING SETS ((), (projects.voivodeship), (priority_axes.programme_id), (projects.fund), (projects.status), ({year}))"
        )))
        .load::<FacetCount>(conn)?;
    Ok(rows)
}
