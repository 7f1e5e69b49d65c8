//! What is counted from the coordination records: the records behind an
//! indicator bound to them, and the yearly report per voivodeship.

use super::register::YearlySpan;
use super::ServiceError;
use crate::db::coordination::{self, CoordinationRow};
use crate::db::indicator_progress::{self, ValueSource};
use crate::db::indicators::Indicators;
use crate::db::Store;
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

/// The records behind indicator `id`, which must be counted from records.
pub fn indicator_basis(conn: &mut PgConnection, id: i64) -> Result<IndicatorBasis, ServiceError> {
    let indicator = Indicators::find(conn, id).map_err(crate::service::records::not_found::<Indicators>(id))?;
    let Some(basis) = indicator.data.derived_from_records else {
        return Err(ServiceError::NotFound { resource: "indicator counted from records", id: id.to_string() });
    };
    let rows = coordination::basis(conn, indicator.data.project_id, basis, &indicator.data.derived_kinds)?;
    let figures = indicator_progress::of_indicator(conn, id)?;
    let items: Vec<BasisItem> = rows
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
    Ok(IndicatorBasis {
        indicator_id: id,
        project_id: indicator.data.project_id,
        derived_from_records: basis,
        derived_kinds: indicator.data.derived_kinds,
        counted: items.iter().map(|item| item.amount).sum(),
        achieved_value: figures.as_ref().and_then(|f| f.achieved_value),
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
