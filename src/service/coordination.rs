//! What is counted from the coordination records: the records behind an
//! indicator bound to them, and the yearly report per voivodeship.

use super::register::YearlySpan;
use super::ServiceError;
use crate::db::coordination::{self, CoordinationRow};
use crate::db::indicator_progress::{self, ValueSource};
use crate::db::indicators::Indicators;
use crate::db::Store;
use crate::db::{disclosure, scopes};
use crate::domain::access::{aggregate_detail, Caller, Detail};
use crate::domain::codes::{OrganisationKind, RecordBasis};
use crate::domain::collection::Collection;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// The records an indicator is counted from, and what they add up to.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorBasis {
    pub indicator_id: i64,
    pub project_id: i64,
    pub derived_from_records: RecordBasis,
    pub derived_kinds: Vec<OrganisationKind>,
    /// What the records add up to (`amount` summed).
    #[schema(value_type = String, example = "148")]
    pub counted: Decimal,
    /// The indicator's achieved value as reported everywhere else: the count,
    /// unless an approved measurement has replaced it.
    #[schema(value_type = Option<String>)]
    pub achieved_value: Option<Decimal>,
    /// Where the achieved value comes from: `records`, or `measurement`.
    pub source: Option<ValueSource>,
    pub items: Vec<BasisItem>,
}

/// One thing counted: a record of the registry, or a gmina.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasisItem {
    /// The record's collection, for a record.
    pub collection: Option<Collection>,
    /// The record's id, for a record.
    pub id: Option<i64>,
    /// The record's address, for a record.
    #[schema(example = "/api/v1/beneficiaries/7")]
    pub href: Option<String>,
    /// A gmina's TERYT code, for a gmina.
    #[schema(example = "0415042")]
    pub teryt: Option<String>,
    /// What it is: an organisation's or gmina's name, an agreement's title.
    pub label: String,
    /// What it adds to the count: 1, or a supported institution's staff.
    #[schema(value_type = String, example = "1")]
    pub amount: Decimal,
}

/// The records behind indicator `id`, which must be counted from records. The
/// staff of supported institutions are counts of persons: for anyone but the
/// project's owners, each institution's staff, the sum and the achieved value
/// of an indicator that counts persons are published protected.
pub fn indicator_basis(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<IndicatorBasis, ServiceError> {
    let indicator = Indicators::find(conn, id).map_err(crate::service::records::not_found::<Indicators>(id))?;
    let Some(basis) = indicator.data.derived_from_records else {
        return Err(ServiceError::NotFound { resource: "indicator counted from records", id: id.to_string() });
    };
    let rows = coordination::basis(conn, indicator.data.project_id, basis, &indicator.data.derived_kinds)?;
    let figures = indicator_progress::of_indicator(conn, id)?;
    let protected =
        figures.as_ref().is_some_and(|f| f.protected) && aggregate_detail(caller, &scopes::project(conn, indicator.data.project_id)?) == Detail::Protected;
    let mut items: Vec<BasisItem> = rows
        .into_iter()
        .map(|row| {
            let collection = Collection::from_path(&row.collection);
            BasisItem {
                href: collection.zip(row.record_id).map(|(c, id)| c.record_path(id)),
                collection,
                id: row.record_id,
                teryt: row.code,
                label: row.label,
                amount: row.amount,
            }
        })
        .collect();
    let mut counted: Decimal = items.iter().map(|item| item.amount).sum();
    let mut achieved_value = figures.as_ref().and_then(|f| f.achieved_value);
    if protected {
        achieved_value = figures.as_ref().and_then(|f| f.published_value);
        let exact = i64::try_from(counted.round()).map_err(ServiceError::internal)?;
        counted = disclosure::published_of_indicator(conn, id, exact)?.map(Decimal::from).unwrap_or_default();
        let staff: Vec<i64> = items.iter().filter(|item| item.collection == Some(Collection::SupportedInstitutions)).filter_map(|item| item.id).collect();
        let spec = Collection::SupportedInstitutions.spec();
        let published = disclosure::published_figures(conn, spec.table, &spec.counts_of_persons, &staff)?;
        for item in items.iter_mut().filter(|item| item.collection == Some(Collection::SupportedInstitutions)) {
            let figure = item.id.and_then(|id| published.get(&id)).and_then(|figures| figures.get("staff_supported")).and_then(serde_json::Value::as_i64);
            item.amount = figure.map(Decimal::from).unwrap_or_default();
        }
    }
    Ok(IndicatorBasis {
        indicator_id: id,
        project_id: indicator.data.project_id,
        derived_from_records: basis,
        derived_kinds: indicator.data.derived_kinds,
        counted,
        achieved_value,
        source: figures.and_then(|f| f.source),
        items,
    })
}

/// Networks, agreements, supported institutions, strategy documents and the
/// committees' work per voivodeship and year, for `from..=to` (by default 2014,
/// the start of the 2014-2020 programmes, to this year).
pub fn report(conn: &mut PgConnection, from: Option<i32>, to: Option<i32>, voivodeship: Option<&str>) -> Result<Vec<CoordinationRow>, ServiceError> {
    let span = YearlySpan::checked(conn, from, to, 2014, voivodeship)?;
    Ok(coordination::by_year(conn, span.from, span.to, span.voivodeship.as_deref())?)
}
