//! The official lists of what the registry's projects are: the list of
//! operations of Article 49(3) of Regulation (EU) 2021/1060 (the Common
//! Provisions Regulation), as managing authorities publish it and Kohesio
//! collects it, and the same operations as grants in the 360Giving Data Standard.
//!
//! Both are public and list every project: the registry has no draft or
//! withdrawn status (`ProjectStatus`: planned, ongoing, completed, terminated,
//! unknown), and a project is recorded once its funding agreement is signed, so
//! every project is an operation selected for support; its `status` is given.
//! Neither list holds personal data: no participant, no target group's head
//! count, and no achievement of an indicator that counts people
//! (`counts_persons`, its own or its definition's, migration 000042).

use super::ServiceError;
use crate::db::operations::{self, AchievementRow, OperationFilter, OperationRow};
use crate::db::programmes::Programmes;
use crate::db::{DbError, Store};
use crate::domain::codes::{DatePrecision, Fund, IndicatorKind, ProgrammingPeriod, ProjectStatus};
use crate::domain::collection::Collection;
use crate::domain::places::Voivodeship;
use crate::domain::Checks;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Which operations a list holds, as asked: every filter optional.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub programme_id: Option<i64>,
    pub voivodeship: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub year: Option<i32>,
}

impl ListFilter {
    /// The filter checked: a known programme and voivodeship, `from` ≤ `to`, a
    /// year from 1990 to 2100 and not together with `from` or `to`.
    fn checked(self, conn: &mut diesel::PgConnection) -> Result<OperationFilter, ServiceError> {
        let mut checks = Checks::new();
        let voivodeship = self.voivodeship.as_deref().and_then(|v| checks.check("voivodeship", Voivodeship::parse(v))).map(|v| v.to_string());
        if let (Some(from), Some(to)) = (self.from, self.to) {
            checks.ensure(from <= to, "to", "bad_range", "the period's end (to) cannot lie before its start (from)");
        }
        let (mut from, mut to) = (self.from, self.to);
        if let Some(year) = self.year {
            checks.ensure(self.from.is_none() && self.to.is_none(), "year", "conflicting_period", "give either year or from/to, not both");
            let days = NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31)).filter(|_| (1990..=2100).contains(&year));
            checks.ensure(days.is_some(), "year", "bad_range", "a year from 1990 to 2100");
            if let Some((first, last)) = days {
                (from, to) = (Some(first), Some(last));
            }
        }
        if let Some(id) = self.programme_id {
            match Programmes::find(conn, id) {
                Ok(_) => {}
                Err(DbError::NotFound) => checks.fail("programme_id", "unknown_reference", "programme_id names a programme that does not exist"),
                Err(e) => return Err(e.into()),
            }
        }
        checks.into_result()?;
        Ok(OperationFilter { programme_id: self.programme_id, voivodeship, from, to })
    }
}

/// Whether a date is the actual one or the planned (expected) one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DateBasis {
    Actual,
    Planned,
}

impl DateBasis {
    fn of(actual: Option<bool>) -> Option<Self> {
        actual.map(|a| if a { DateBasis::Actual } else { DateBasis::Planned })
    }

    fn as_str(self) -> &'static str {
        match self {
            DateBasis::Actual => "actual",
            DateBasis::Planned => "planned",
        }
    }
}

/// Where an operation's location indicator comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LocationSource {
    /// The places (TERYT units) where its activities were held.
    Activities,
    /// The seat of its lead beneficiary.
    Beneficiary,
    /// Its voivodeship.
    Voivodeship,
}

impl LocationSource {
    fn parse(text: Option<&str>) -> Option<Self> {
        match text? {
            "activities" => Some(LocationSource::Activities),
            "beneficiary" => Some(LocationSource::Beneficiary),
            "voivodeship" => Some(LocationSource::Voivodeship),
            _ => None,
        }
    }
}

/// A place of an operation: a TERYT unit (voivodeship, powiat or gmina).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OperationPlace {
    #[schema(example = "0463011")]
    pub teryt: String,
    #[schema(example = "Toruń")]
    pub name: String,
}

/// The organisation that carries out an operation (a legal person: the
/// registry's beneficiaries are organisations).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OperationBeneficiary {
    pub id: i64,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "PL")]
    pub country: String,
    pub nip: Option<String>,
    pub regon: Option<String>,
    pub krs: Option<String>,
}

/// What an operation achieved by one of its indicators: target and achieved
/// value as every report gives them. Indicators that count people are left out.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Achievement {
    pub indicator: String,
    pub kind: IndicatorKind,
    pub unit: Option<String>,
    #[schema(value_type = Option<String>, example = "86")]
    pub target_value: Option<Decimal>,
    pub target_text: Option<String>,
    #[schema(value_type = Option<String>, example = "86")]
    pub achieved_value: Option<Decimal>,
    pub achieved_text: Option<String>,
}

/// The programme an operation is part of.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OperationProgramme {
    pub id: i64,
    #[schema(example = "RPKP.2014-2020")]
    pub code: String,
    pub name: String,
    pub period: ProgrammingPeriod,
    pub managing_authority: Option<String>,
}

/// One operation of the list of operations (Article 49(3) and Annex of
/// Regulation (EU) 2021/1060): its name, purpose and achievements, beneficiary,
/// start and expected or actual end, total cost, EU co-financing rate, location
/// indicator and country, category of intervention, fund and specific objective.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Operation {
    /// The project's id in the registry.
    pub id: i64,
    #[schema(example = "/api/v1/projects/1")]
    pub href: String,
    pub operation_name: String,
    pub contract_number: Option<String>,
    /// The purpose of the operation: its objective, or nothing. Never its
    /// description, which is free text: fiches tell in it how many people took
    /// part (seed 001), and counts of people are not published here.
    pub purpose: Option<String>,
    /// Achieved values of its indicators, where known; never counts of people.
    pub achievements: Vec<Achievement>,
    /// The lead beneficiary (role `beneficiary` or `leader`, the latest holder).
    pub beneficiary: Option<OperationBeneficiary>,
    /// The actual start, else the planned one: the first day of the period
    /// `start_date_precision` names.
    pub start_date: Option<NaiveDate>,
    pub start_date_precision: Option<DatePrecision>,
    pub start_date_basis: Option<DateBasis>,
    /// The actual end, else the planned (expected) one: the last day of the
    /// period `end_date_precision` names.
    pub end_date: Option<NaiveDate>,
    pub end_date_precision: Option<DatePrecision>,
    pub end_date_basis: Option<DateBasis>,
    /// Total cost in PLN.
    #[schema(value_type = Option<String>, example = "3359267.15")]
    pub total_cost: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub eligible_cost: Option<Decimal>,
    /// EU co-financing in PLN: as stated, else the rate applied to the eligible (else total) cost.
    #[schema(value_type = Option<String>, example = "2855377.07")]
    pub eu_amount: Option<Decimal>,
    /// EU co-financing rate in percent: as stated, else EU amount / eligible (else total) cost, to 2 decimals.
    #[schema(value_type = Option<String>, example = "85")]
    pub eu_cofinancing_rate: Option<Decimal>,
    /// The location indicator: TERYT units (no postcodes are kept).
    pub location: Vec<OperationPlace>,
    pub location_source: Option<LocationSource>,
    /// ISO 3166-1 alpha-2: every operation of the registry is in Poland.
    #[schema(example = "PL")]
    pub country: String,
    /// The category of intervention: the intervention field code of the programme's period.
    #[schema(example = "138")]
    pub intervention_field: Option<String>,
    /// The project's fund, else its programme's funds.
    pub funds: Vec<Fund>,
    pub specific_objectives: Vec<String>,
    pub programme: OperationProgramme,
    #[schema(example = "04")]
    pub voivodeship: Option<String>,
    pub voivodeship_name: Option<String>,
    pub status: ProjectStatus,
    pub updated_at: DateTime<Utc>,
}

fn operation(row: OperationRow, achievements: Vec<Achievement>) -> Operation {
    let beneficiary = row.beneficiary_id.zip(row.beneficiary_name).map(|(id, name)| OperationBeneficiary {
        id,
        name,
        country: row.beneficiary_country.unwrap_or_else(|| "PL".to_owned()),
        nip: row.beneficiary_nip,
        regon: row.beneficiary_regon,
        krs: row.beneficiary_krs,
    });
    Operation {
        id: row.id,
        href: Collection::Projects.record_path(row.id),
        operation_name: row.title,
        contract_number: row.contract_number,
        purpose: row.objective,
        achievements,
        beneficiary,
        start_date: row.start_date,
        start_date_precision: row.start_precision,
        start_date_basis: DateBasis::of(row.start_actual),
        end_date: row.end_date,
        end_date_precision: row.end_precision,
        end_date_basis: DateBasis::of(row.end_actual),
        total_cost: row.total_value,
        eligible_cost: row.eligible_value,
        eu_amount: row.eu_amount,
        eu_cofinancing_rate: row.cofinancing_rate.map(|r| r.normalize()),
        location: row.location_codes.into_iter().zip(row.location_names).map(|(teryt, name)| OperationPlace { teryt, name }).collect(),
        location_source: LocationSource::parse(row.location_source.as_deref()),
        country: "PL".to_owned(),
        intervention_field: row.intervention_field,
        funds: row.funds,
        specific_objectives: row.specific_objectives,
        programme: OperationProgramme {
            id: row.programme_id,
            code: row.programme_code,
            name: row.programme_name,
            period: row.programme_period,
            managing_authority: row.managing_authority,
        },
        voivodeship: row.voivodeship,
        voivodeship_name: row.voivodeship_name,
        status: row.status,
        updated_at: row.updated_at,
    }
}

/// The operations `filter` finds, each with its achievements.
pub fn operations(conn: &mut diesel::PgConnection, filter: ListFilter) -> Result<Vec<Operation>, ServiceError> {
    let filter = filter.checked(conn)?;
    let rows = operations::operations(conn, &filter)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut achieved: HashMap<i64, Vec<Achievement>> = HashMap::new();
    for a in operations::achievements(conn, &ids)? {
        let AchievementRow { project_id, name, kind, unit, target_value, target_text, achieved_value, achieved_text } = a;
        achieved.entry(project_id).or_default().push(Achievement {
            indicator: name,
            kind,
            unit,
            target_value: target_value.map(|v| v.normalize()),
            target_text,
            achieved_value: achieved_value.map(|v| v.normalize()),
            achieved_text,
        });
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let a = achieved.remove(&row.id).unwrap_or_default();
            operation(row, a)
        })
        .collect())
}

/// The CSV form's columns; lists are joined with "; ".
pub const OPERATION_COLUMNS: [&str; 29] = [
    "id",
    "operation_name",
    "contract_number",
    "purpose",
    "achievements",
    "beneficiary_name",
    "beneficiary_country",
    "beneficiary_nip",
    "beneficiary_regon",
    "beneficiary_krs",
    "start_date",
    "start_date_precision",
    "end_date",
    "end_date_precision",
    "end_date_basis",
    "total_cost",
    "eligible_cost",
    "eu_amount",
    "eu_cofinancing_rate",
    "location_teryt",
    "location_names",
    "country",
    "intervention_field",
    "funds",
    "specific_objectives",
    "programme_code",
    "programme_name",
    "voivodeship",
    "status",
];

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// An achievement in a cell: "name: achieved of target unit", with what is known.
fn achievement_text(a: &Achievement) -> String {
    let unit = a.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
    let achieved = a.achieved_value.map(|v| v.to_string()).or_else(|| a.achieved_text.clone());
    // A target told only in words that repeat the indicator's name says nothing more.
    let target = a.target_value.map(|v| v.to_string()).or_else(|| a.target_text.clone().filter(|t| *t != a.indicator));
    match (achieved, target) {
        (Some(achieved), Some(target)) => format!("{}: {achieved} of {target}{unit}", a.indicator),
        (Some(achieved), None) => format!("{}: {achieved}{unit}", a.indicator),
        (None, Some(target)) => format!("{}: target {target}{unit}", a.indicator),
        (None, None) => a.indicator.clone(),
    }
}

/// One CSV row of an operation, in the order of [`OPERATION_COLUMNS`].
pub fn operation_cells(o: &Operation) -> Vec<String> {
    let b = o.beneficiary.as_ref();
    vec![
        o.id.to_string(),
        o.operation_name.clone(),
        text(o.contract_number.as_deref()),
        text(o.purpose.as_deref()),
        o.achievements.iter().map(achievement_text).collect::<Vec<_>>().join("; "),
        text(b.map(|b| &b.name)),
        text(b.map(|b| &b.country)),
        text(b.and_then(|b| b.nip.as_deref())),
        text(b.and_then(|b| b.regon.as_deref())),
        text(b.and_then(|b| b.krs.as_deref())),
        text(o.start_date),
        text(o.start_date_precision.map(DatePrecision::as_str)),
        text(o.end_date),
        text(o.end_date_precision.map(DatePrecision::as_str)),
        text(o.end_date_basis.map(DateBasis::as_str)),
        text(o.total_cost),
        text(o.eligible_cost),
        text(o.eu_amount),
        text(o.eu_cofinancing_rate),
        o.location.iter().map(|p| p.teryt.as_str()).collect::<Vec<_>>().join("; "),
        o.location.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("; "),
        o.country.clone(),
        text(o.intervention_field.as_deref()),
        o.funds.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("; "),
        o.specific_objectives.join("; "),
        o.programme.code.clone(),
        o.programme.name.clone(),
        text(o.voivodeship.as_deref()),
        o.status.as_str().to_owned(),
    ]
}

// ---------------------------------------------------------------------------
// 360Giving

/// The registry's 360Giving prefix: the standard asks publishers to register
/// one starting `360G-`; until the registry's managing authority registers its
/// own, identifiers the registry makes carry this one.
pub const PREFIX_360G: &str = "360G-esregistry";

/// An identifier made of free text: what the 360Giving guidance allows
/// (letters, digits, hyphens), everything else as `_`.
fn identifier_part(raw: &str) -> String {
    raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// An organisation's identifier in org-id.guide's lists where the registry
/// knows one (the National Court Register `PL-KRS`, else the business register
/// `PL-REGON`, else the tax register `PL-NIP`), else one the registry makes.
pub fn organisation_identifier(id: i64, krs: Option<&str>, regon: Option<&str>, nip: Option<&str>) -> String {
    match (krs, regon, nip) {
        (Some(krs), _, _) => format!("PL-KRS-{krs}"),
        (None, Some(regon), _) => format!("PL-REGON-{regon}"),
        (None, None, Some(nip)) => format!("PL-NIP-{nip}"),
        (None, None, None) => format!("{PREFIX_360G}-org-{id}"),
    }
}

/// A 360Giving data package.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantPackage {
    pub grants: Vec<Grant>,
}

/// An organisation in a grant: recipient or funder.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantOrganization {
    #[schema(example = "PL-KRS-0000123456")]
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_country: Option<String>,
}

/// A period of a grant: a date, or a month (`YYYY-MM`) or year (`YYYY`) when
/// only that much is known.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantDates {
    #[schema(example = "2019-01-01")]
    pub start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2023-10-31")]
    pub end_date: Option<String>,
}

/// Where a grant's beneficiaries are: a TERYT unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantLocation {
    pub name: String,
    #[schema(example = "PL")]
    pub country_code: String,
    #[schema(example = "0463011")]
    pub geo_code: String,
    #[schema(example = "TERYT")]
    pub geo_code_type: String,
}

/// A code of a vocabulary: the intervention field, the fund.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantClassification {
    pub vocabulary: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The programme a grant was awarded under.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantProgramme {
    pub code: String,
    pub title: String,
}

/// One grant of the 360Giving Data Standard (version 1.4): an operation's EU
/// co-financing, awarded under a programme by its managing authority.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// `360G-esregistry-<project id>`.
    #[schema(example = "360G-esregistry-1")]
    pub id: String,
    pub title: String,
    /// The operation's purpose (its objective, else its title; never its description).
    pub description: String,
    #[schema(example = "PLN")]
    pub currency: String,
    /// The EU co-financing in PLN.
    #[schema(example = 2855377.07)]
    pub amount_awarded: f64,
    /// The registry keeps no day of the award (the funding agreement's signing):
    /// the operation's start (actual, else planned) stands for it.
    #[schema(example = "2019-01-01")]
    pub award_date: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planned_dates: Vec<GrantDates>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actual_dates: Vec<GrantDates>,
    pub recipient_organization: Vec<GrantOrganization>,
    pub funding_organization: Vec<GrantOrganization>,
    pub grant_programme: Vec<GrantProgramme>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub beneficiary_location: Vec<GrantLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classifications: Vec<GrantClassification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_source: Option<String>,
    pub date_modified: DateTime<Utc>,
}

/// A date as precise as it is known: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
fn dated(date: NaiveDate, precision: Option<DatePrecision>) -> String {
    match precision {
        Some(DatePrecision::Year) => date.format("%Y").to_string(),
        Some(DatePrecision::Month) => date.format("%Y-%m").to_string(),
        _ => date.format("%Y-%m-%d").to_string(),
    }
}

fn grant(o: Operation) -> Option<Grant> {
    let amount = o.eu_amount?.to_f64()?;
    let start = o.start_date?;
    let recipient = o.beneficiary?;
    let dates = GrantDates { start_date: dated(start, o.start_date_precision), end_date: o.end_date.map(|end| dated(end, o.end_date_precision)) };
    let (planned_dates, actual_dates) = match (o.start_date_basis, o.end_date_basis) {
        (Some(DateBasis::Actual), Some(DateBasis::Actual) | None) => (Vec::new(), vec![dates]),
        _ => (vec![dates], Vec::new()),
    };
    let mut classifications: Vec<GrantClassification> = o
        .intervention_field
        .map(|code| GrantClassification { vocabulary: format!("EU cohesion policy intervention field {}", o.programme.period), code, title: None })
        .into_iter()
        .collect();
    classifications.extend(o.funds.iter().map(|f| GrantClassification { vocabulary: "EU fund".into(), code: f.as_str().into(), title: None }));
    Some(Grant {
        id: format!("{PREFIX_360G}-{}", o.id),
        description: o.purpose.unwrap_or_else(|| o.operation_name.clone()),
        title: o.operation_name,
        currency: "PLN".into(),
        amount_awarded: amount,
        award_date: start.format("%Y-%m-%d").to_string(),
        planned_dates,
        actual_dates,
        recipient_organization: vec![GrantOrganization {
            id: organisation_identifier(recipient.id, recipient.krs.as_deref(), recipient.regon.as_deref(), recipient.nip.as_deref()),
            name: recipient.name,
            department: None,
            address_locality: None,
            address_country: Some(recipient.country),
        }],
        funding_organization: vec![GrantOrganization {
            id: format!("{PREFIX_360G}-programme-{}", identifier_part(&o.programme.code)),
            department: o.programme.managing_authority.is_some().then(|| o.programme.name.clone()),
            name: o.programme.managing_authority.unwrap_or_else(|| o.programme.name.clone()),
            address_locality: None,
            address_country: Some("PL".into()),
        }],
        grant_programme: vec![GrantProgramme { code: o.programme.code, title: o.programme.name }],
        beneficiary_location: o
            .location
            .into_iter()
            .map(|p| GrantLocation { name: p.name, country_code: "PL".into(), geo_code: p.teryt, geo_code_type: "TERYT".into() })
            .collect(),
        classifications,
        data_source: None,
        date_modified: o.updated_at,
    })
}

/// The operations `filter` finds as a 360Giving data package. An operation the
/// standard cannot describe as a grant (no EU amount, no start, or no
/// beneficiary known) is left out; the list of operations has it.
pub fn grants(conn: &mut diesel::PgConnection, filter: ListFilter) -> Result<GrantPackage, ServiceError> {
    Ok(GrantPackage { grants: operations(conn, filter)?.into_iter().filter_map(grant).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_are_identified_by_the_best_register_known() {
        assert_eq!(organisation_identifier(7, Some("0000123456"), Some("123456785"), Some("1234563218")), "PL-KRS-0000123456");
        assert_eq!(organisation_identifier(7, None, Some("123456785"), Some("1234563218")), "PL-REGON-123456785");
        assert_eq!(organisation_identifier(7, None, None, Some("1234563218")), "PL-NIP-1234563218");
        assert_eq!(organisation_identifier(7, None, None, None), "360G-esregistry-org-7");
        assert_eq!(identifier_part("RPKP.2014-2020 x/y"), "RPKP_2014-2020_x_y");
    }

    #[test]
    fn dates_are_as_precise_as_known() {
        let d = NaiveDate::from_ymd_opt(2012, 2, 1).unwrap_or_default();
        assert_eq!(dated(d, Some(DatePrecision::Month)), "2012-02");
        assert_eq!(dated(d, Some(DatePrecision::Year)), "2012");
        assert_eq!(dated(d, None), "2012-02-01");
    }
}
