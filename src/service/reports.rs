//! Indicator progress and the public reports: roll-ups of indicators and of the
//! project portfolio. All of it is public; counts of people in it (participants,
//! and indicators bound to attendance) are published protected
//! (`domain::disclosure`) to anyone who does not own them. Person-level
//! aggregates are `service::people`.

use super::ServiceError;
use crate::db::beneficiaries::{Beneficiaries, BeneficiaryData, BeneficiaryFilter};
use crate::db::indicator_definitions::{IndicatorDefinitionData, IndicatorDefinitions};
use crate::db::indicator_progress::{self, GroupBy, IndicatorFigures, IndicatorTotals, PortfolioTotals, ReportFilter};
use crate::db::listing::ListRequest;
use crate::db::{disclosure, scopes, Record, Store};
use crate::domain::access::{aggregate_detail, Caller, Detail, Scope};
use crate::domain::codes::{BreakdownDimension, IndicatorStatus, MeasurementType};
use crate::domain::disclosure::Rounding;
use diesel::PgConnection;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far an indicator has come.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorProgress {
    pub indicator_id: i64,
    pub project_id: i64,
    pub definition_id: Option<i64>,
    #[schema(value_type = Option<String>)]
    pub target_value: Option<Decimal>,
    pub target_text: Option<String>,
    /// The latest approved measurement, else the number of persons who completed
    /// the activities the indicator is bound to (`source` attendance) or the
    /// records it is bound to (`source` records), else the value reported with
    /// the indicator.
    #[schema(value_type = Option<String>)]
    pub achieved_value: Option<Decimal>,
    pub achieved_text: Option<String>,
    pub source: Option<crate::db::indicator_progress::ValueSource>,
    /// achieved / target in percent, one decimal.
    #[schema(value_type = Option<String>, example = "114.3")]
    pub percent: Option<Decimal>,
    /// The elapsed share of the project's period, in percent.
    #[schema(value_type = Option<String>)]
    pub expected_percent: Option<Decimal>,
    pub status: IndicatorStatus,
    /// Whether `achieved_value` is a protected count of people (the persons who
    /// completed the activities the indicator is bound to, or a reported or
    /// measured value of an indicator that counts persons): a reader who does
    /// not own the project gets it as a multiple of `rounding_base` within
    /// `rounding_base - 1` of the true count, the same every time, and
    /// `percent` and `status` follow from that figure.
    pub protected: bool,
    /// The base protected counts are rounded to; absent when the value is exact.
    #[schema(example = 5)]
    pub rounding_base: Option<i64>,
}

fn publish_progress(figures: IndicatorFigures, detail: Detail, rounding: Rounding) -> IndicatorProgress {
    let protected = figures.protected && detail == Detail::Protected;
    let (achieved_value, percent, status) = if protected {
        (figures.published_value, figures.published_percent, figures.published_status)
    } else {
        (figures.achieved_value, figures.percent, figures.status)
    };
    IndicatorProgress {
        indicator_id: figures.indicator_id,
        project_id: figures.project_id,
        definition_id: figures.definition_id,
        target_value: figures.target_value,
        target_text: figures.target_text,
        achieved_value,
        achieved_text: figures.achieved_text,
        source: figures.source,
        percent,
        expected_percent: figures.expected_percent,
        status,
        protected,
        rounding_base: protected.then(|| rounding.base()),
    }
}

/// How much of project `id`'s counts of people `caller` sees.
fn project_detail(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<Detail, ServiceError> {
    match scopes::project(conn, id)? {
        scope @ Scope::Project { id: Some(_), .. } => Ok(aggregate_detail(caller, &scope)),
        _ => Err(ServiceError::NotFound { resource: "project", id: id.to_string() }),
    }
}

/// The progress of one indicator.
pub fn indicator(conn: &mut PgConnection, caller: &Caller, rounding: Rounding, id: i64) -> Result<IndicatorProgress, ServiceError> {
    let figures = indicator_progress::of_indicator(conn, id)?.ok_or_else(|| ServiceError::NotFound { resource: "indicator", id: id.to_string() })?;
    let detail = project_detail(conn, caller, figures.project_id)?;
    Ok(publish_progress(figures, detail, rounding))
}

/// The progress of every indicator of a project.
pub fn project(conn: &mut PgConnection, caller: &Caller, rounding: Rounding, id: i64) -> Result<Vec<IndicatorProgress>, ServiceError> {
    let detail = project_detail(conn, caller, id)?;
    Ok(indicator_progress::of_project(conn, id)?.into_iter().map(|figures| publish_progress(figures, detail, rounding)).collect())
}

/// Whether the counts of people a report covers are `caller`'s: an admin's, or
/// a ROPS's when the report is filtered to its voivodeship.
fn report_detail(caller: &Caller, filter: &ReportFilter) -> Detail {
    aggregate_detail(caller, &Scope::Project { id: None, voivodeship: filter.voivodeship.clone(), organisations: Vec::new() })
}

/// How the indicators of a report's group are split into rows: only like is
/// added to like.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// One row per group and definition, or per group and unit for indicators
    /// with no definition.
    #[default]
    Definition,
    /// One row per group, only where every indicator of the group shares its
    /// definition (or, without one, its unit): a group that mixes them is
    /// refused (422), as a sum across units means nothing.
    None,
}

/// One group of an indicator roll-up: indicators of one definition (or, with
/// none, of one unit) within the group.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct IndicatorRollup {
    /// The group: a definition, programme, axis or measure id, a voivodeship code or a year.
    pub key: Option<String>,
    /// The group's code: the definition's, programme's or measure's code, the
    /// axis's programme code and number, the voivodeship's TERYT code, the year.
    #[schema(example = "RPKP.2014-2020")]
    pub code: Option<String>,
    /// The group's name (a voivodeship's: `kujawsko-pomorskie`); none for a year.
    pub name: Option<String>,
    /// The definition the row's indicators report on; none for indicators
    /// without a definition, added up by their `unit`.
    pub definition_id: Option<i64>,
    #[schema(example = "EECO01")]
    pub definition_code: Option<String>,
    pub definition_name: Option<String>,
    /// The unit of every indicator in the row.
    #[schema(example = "osoby")]
    pub unit: Option<String>,
    /// `ratio` rows add up numerators and denominators, not percentages.
    pub measurement: MeasurementType,
    pub indicators: i64,
    pub projects: i64,
    /// The sum of targets; none for a ratio, whose targets are percentages.
    #[schema(value_type = Option<String>)]
    pub sum_target: Option<Decimal>,
    /// The sum of achieved values; protected ones (counts of people) are added
    /// as published when `protected` is true. None for a ratio (see `ratio_percent`).
    #[schema(value_type = Option<String>)]
    pub sum_achieved: Option<Decimal>,
    /// For a ratio: the sums of the latest approved numerators and denominators.
    #[schema(value_type = Option<String>)]
    pub sum_numerator: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub sum_denominator: Option<Decimal>,
    /// For a ratio: `100 * sum_numerator / sum_denominator`, one decimal: the
    /// share over every person counted, not the mean of the projects' shares.
    #[schema(value_type = Option<String>, example = "17.3")]
    pub ratio_percent: Option<Decimal>,
    /// Projects with at least one indicator behind (judged, when `protected`,
    /// on published values).
    pub projects_behind: i64,
    /// Whether the indicators that count people enter as their protected,
    /// published values (see `IndicatorProgress.protected`). Exact only for
    /// admins, and for the ROPS of the voivodeship the report is filtered to.
    pub protected: bool,
    /// The base protected counts are rounded to; absent when figures are exact.
    #[schema(example = 5)]
    pub rounding_base: Option<i64>,
}

/// Indicators rolled up by `group`, like added to like (see [`Split`]).
pub fn indicators(
    conn: &mut PgConnection,
    caller: &Caller,
    rounding: Rounding,
    group: GroupBy,
    split: Split,
    filter: &ReportFilter,
) -> Result<Vec<IndicatorRollup>, ServiceError> {
    let protected = report_detail(caller, filter) == Detail::Protected;
    let totals = indicator_progress::indicator_report(conn, group, filter, protected)?;
    let definitions = definitions_of(conn, &totals)?;
    if split == Split::None {
        refuse_unlike_sums(&totals, &definitions)?;
    }
    let labels = labels_of(conn, group, totals.iter().map(|t| &t.key))?;
    let publish = |totals: IndicatorTotals| {
        let definition = totals.definition_id().and_then(|id| definitions.get(&id));
        let measurement = definition.map_or(MeasurementType::Quantitative, |d| d.measurement);
        let ratio = measurement == MeasurementType::Ratio;
        let ratio_percent = match (totals.sum_numerator, totals.sum_denominator) {
            (Some(n), Some(d)) if ratio && d > Decimal::ZERO => Some((Decimal::ONE_HUNDRED * n / d).round_dp(1)),
            _ => None,
        };
        IndicatorRollup {
            code: label(&labels, &totals.key, |l| &l.code),
            name: label(&labels, &totals.key, |l| &l.name),
            definition_id: totals.definition_id(),
            definition_code: definition.map(|d| d.code.clone()),
            definition_name: definition.map(|d| d.name.clone()),
            unit: definition.map_or_else(|| totals.unit().map(str::to_owned), |d| d.unit.clone()),
            measurement,
            indicators: totals.indicators,
            projects: totals.projects,
            sum_target: totals.sum_target.filter(|_| !ratio),
            sum_achieved: totals.sum_achieved.filter(|_| !ratio),
            sum_numerator: totals.sum_numerator.filter(|_| ratio),
            sum_denominator: totals.sum_denominator.filter(|_| ratio),
            ratio_percent,
            key: totals.key,
            projects_behind: totals.projects_behind,
            protected,
            rounding_base: protected.then(|| rounding.base()),
        }
    };
    Ok(totals.into_iter().map(publish).collect())
}

type Definitions = std::collections::HashMap<i64, IndicatorDefinitionData>;

/// The definitions a report's rows report on, in one query.
fn definitions_of(conn: &mut PgConnection, totals: &[IndicatorTotals]) -> Result<Definitions, ServiceError> {
    let mut ids: Vec<i64> = totals.iter().filter_map(IndicatorTotals::definition_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(IndicatorDefinitions::find_many(conn, &ids)?.into_iter().map(|record| (record.id, record.data)).collect())
}

/// Refuses a report of one row per group when a group holds indicators of more
/// than one definition or unit: their sum would mean nothing.
fn refuse_unlike_sums(totals: &[IndicatorTotals], definitions: &Definitions) -> Result<(), ServiceError> {
    let describe = |t: &IndicatorTotals| match t.definition_id() {
        Some(id) => definitions.get(&id).map_or_else(|| format!("definition {id}"), |d| format!("{} ({})", d.code, d.unit.as_deref().unwrap_or("no unit"))),
        None => format!("no definition ({})", t.unit().unwrap_or("no unit")),
    };
    let mut mixed = Vec::new();
    for group in totals.chunk_by(|a, b| a.key == b.key).filter(|group| group.len() > 1) {
        let key = group.first().and_then(|t| t.key.as_deref()).unwrap_or("none");
        mixed.push(format!("{key}: {}", group.iter().map(describe).collect::<Vec<_>>().join(", ")));
    }
    if mixed.is_empty() {
        return Ok(());
    }
    Err(ServiceError::Validation(vec![crate::domain::validation::FieldError {
        field: "split".to_owned(),
        code: "unlike_sum".to_owned(),
        message: format!(
            "these groups hold indicators of different definitions or units, whose sum would mean nothing: {}; \
             split by definition (split=definition) or narrow the report to one definition (definition_id)",
            mixed.join("; ")
        ),
        line: None,
    }]))
}

/// One category of a breakdown within a group of the breakdown report.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct BreakdownRollup {
    /// The group, as in the indicator report.
    pub key: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub definition_id: i64,
    #[schema(example = "EECO01")]
    pub definition_code: String,
    pub dimension: BreakdownDimension,
    /// The category: `women`, `18_29`, `with_disability`, a powiat's TERYT code.
    #[schema(example = "women")]
    pub category: String,
    /// Indicators with a target or an approved value in the category.
    pub indicators: i64,
    /// The sum of the indicators' targets for the category.
    #[schema(value_type = Option<String>)]
    pub sum_target: Option<Decimal>,
    /// The sum of the category's values in the indicators' latest approved
    /// measurements: reported aggregates, as `value_women` and `value_men` are.
    /// A count of persons is published protected (see `protected`).
    #[schema(value_type = Option<String>)]
    pub sum_achieved: Option<Decimal>,
    /// Whether `sum_achieved` is a protected count of persons: a multiple of
    /// `rounding_base` near the true sum, the same on every asking. Exact for an
    /// admin, and for a ROPS in a report filtered to its voivodeship.
    pub protected: bool,
    /// The base protected counts are rounded to; absent when the sum is exact.
    #[schema(example = 5)]
    pub rounding_base: Option<i64>,
}

/// The breakdowns of definition `definition_id`'s indicators, rolled up by `group`.
pub fn breakdowns(
    conn: &mut PgConnection,
    caller: &Caller,
    rounding: Rounding,
    group: GroupBy,
    definition_id: i64,
    filter: &ReportFilter,
) -> Result<Vec<BreakdownRollup>, ServiceError> {
    let definition = IndicatorDefinitions::find(conn, definition_id)
        .map_err(|_| ServiceError::NotFound { resource: "indicator definition", id: definition_id.to_string() })?
        .data;
    let protected = report_detail(caller, filter) == Detail::Protected;
    let totals = indicator_progress::breakdown_report(conn, group, definition_id, filter, protected)?;
    let labels = labels_of(conn, group, totals.iter().map(|t| &t.key))?;
    totals
        .into_iter()
        .map(|t| {
            Ok(BreakdownRollup {
                code: label(&labels, &t.key, |l| &l.code),
                name: label(&labels, &t.key, |l| &l.name),
                key: t.key,
                definition_id,
                definition_code: definition.code.clone(),
                dimension: t.dimension.parse().map_err(ServiceError::Internal)?,
                category: t.category,
                indicators: t.indicators,
                sum_target: t.sum_target,
                sum_achieved: t.sum_achieved,
                protected: protected && t.persons,
                rounding_base: (protected && t.persons).then(|| rounding.base()),
            })
        })
        .collect()
}

/// One group of the portfolio report.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct PortfolioRollup {
    /// The group: a programme, axis or measure id, a voivodeship code or a year.
    pub key: Option<String>,
    /// The group's code: the programme's or measure's code, the axis's programme
    /// code and number, the voivodeship's TERYT code, the year.
    #[schema(example = "RPKP.2014-2020")]
    pub code: Option<String>,
    /// The group's name (a voivodeship's: `kujawsko-pomorskie`); none for a year.
    pub name: Option<String>,
    pub projects: i64,
    #[schema(value_type = Option<String>)]
    pub total_value: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub eu_amount: Option<Decimal>,
    /// Participants of the group's projects; exact only when `protected` is false.
    pub participants: i64,
    /// Whether `participants` is protected: a multiple of `rounding_base` within
    /// `rounding_base - 1` of the true count (0 for fewer than `rounding_base`),
    /// rounded up or down as the participants' record keys decide, so the same
    /// group always gets the same figure. Exact only for admins, and for the
    /// ROPS of the voivodeship the report is filtered to.
    pub protected: bool,
    /// The base protected counts are rounded to; absent when counts are exact.
    #[schema(example = 5)]
    pub rounding_base: Option<i64>,
}

/// The project portfolio rolled up by `group`.
pub fn portfolio(
    conn: &mut PgConnection,
    caller: &Caller,
    rounding: Rounding,
    group: GroupBy,
    filter: &ReportFilter,
) -> Result<Vec<PortfolioRollup>, ServiceError> {
    let protected = report_detail(caller, filter) == Detail::Protected;
    let totals = indicator_progress::portfolio_report(conn, group, filter, protected)?;
    let labels = labels_of(conn, group, totals.iter().map(|t| &t.key))?;
    Ok(portfolio_rows(totals, &labels, protected, rounding))
}

/// [`portfolio`] for an anonymous caller on the async data path (issue 32's
/// spike); `None` when the async path is off, for [`portfolio`] to serve.
pub async fn portfolio_anonymously(
    db: &super::Database,
    rounding: Rounding,
    group: GroupBy,
    filter: &ReportFilter,
) -> Option<Result<Vec<PortfolioRollup>, ServiceError>> {
    let conn = match db.async_connection().await? {
        Ok(conn) => conn,
        Err(e) => return Some(Err(e)),
    };
    Some(
        async {
            let protected = report_detail(&Caller::Anonymous, filter) == Detail::Protected;
            let totals = indicator_progress::portfolio_report_async(&conn, group, filter, protected).await?;
            let labels = indicator_progress::group_labels_async(&conn, group, &group_keys(totals.iter().map(|t| &t.key))).await?;
            Ok(portfolio_rows(totals, &labels, protected, rounding))
        }
        .await,
    )
}

/// The portfolio's rows as published, from its totals and their groups' labels.
fn portfolio_rows(totals: Vec<PortfolioTotals>, labels: &Labels, protected: bool, rounding: Rounding) -> Vec<PortfolioRollup> {
    let publish = |totals: PortfolioTotals| PortfolioRollup {
        code: label(labels, &totals.key, |l| &l.code),
        name: label(labels, &totals.key, |l| &l.name),
        key: totals.key,
        projects: totals.projects,
        total_value: totals.total_value,
        eu_amount: totals.eu_amount,
        participants: totals.participants,
        protected,
        rounding_base: protected.then(|| rounding.base()),
    };
    totals.into_iter().map(publish).collect()
}

pub(crate) type Labels = std::collections::HashMap<String, indicator_progress::GroupLabel>;

/// The codes and names of a report's groups, in one query.
pub(crate) fn labels_of<'a>(conn: &mut PgConnection, group: GroupBy, keys: impl Iterator<Item = &'a Option<String>>) -> Result<Labels, ServiceError> {
    Ok(indicator_progress::group_labels(conn, group, &group_keys(keys))?)
}

/// The keys of a report's groups that have one.
fn group_keys<'a>(keys: impl Iterator<Item = &'a Option<String>>) -> Vec<String> {
    keys.flatten().cloned().collect()
}

pub(crate) fn label(labels: &Labels, key: &Option<String>, part: impl Fn(&indicator_progress::GroupLabel) -> &Option<String>) -> Option<String> {
    key.as_ref().and_then(|k| labels.get(k)).and_then(|l| part(l).clone())
}

/// Re-evaluates which indicators are behind (the calendar moves without writes)
/// and the published values. Returns how many changed.
pub fn refresh(conn: &mut PgConnection) -> Result<usize, ServiceError> {
    Ok(indicator_progress::refresh_facts(conn)?)
}

/// Puts `rounding` into effect where the database publishes counts itself, and
/// refreshes what it published with another base. Runs at start.
pub fn apply_rounding(conn: &mut PgConnection, rounding: Rounding) -> Result<(), ServiceError> {
    let base = i32::try_from(rounding.base()).map_err(|_| ServiceError::Internal("rounding base out of range".into()))?;
    if disclosure::set_rounding_base(conn, base)? {
        let changed = refresh(conn)?;
        tracing::info!(base, changed, "published figures refreshed for a new rounding base");
    }
    Ok(())
}

/// The organisation with a registry number (NIP, REGON or KRS, normalised), if any.
pub fn organisation_by_number(conn: &mut PgConnection, filter: &BeneficiaryFilter) -> Result<Option<Record<BeneficiaryData>>, ServiceError> {
    Ok(Beneficiaries::list(conn, filter, &ListRequest::first(1))?.records.pop())
}
