//! Indicator progress and the public reports: roll-ups of indicators and of the
//! project portfolio. All of it is public (counts of people here are totals of a
//! portfolio group; person-level aggregates are `service::people`).

use super::ServiceError;
use crate::db::beneficiaries::{Beneficiaries, BeneficiaryData, BeneficiaryFilter};
use crate::db::indicator_progress::{self, GroupBy, IndicatorProgress, IndicatorRollup, PortfolioRollup, ReportFilter};
use crate::db::listing::ListRequest;
use crate::db::{Record, Store};
use diesel::PgConnection;

/// The progress of one indicator.
pub fn indicator(conn: &mut PgConnection, id: i64) -> Result<IndicatorProgress, ServiceError> {
    indicator_progress::of_indicator(conn, id)?.ok_or_else(|| ServiceError::NotFound { resource: "indicator", id: id.to_string() })
}

/// The progress of every indicator of a project.
pub fn project(conn: &mut PgConnection, id: i64) -> Result<Vec<IndicatorProgress>, ServiceError> {
    Ok(indicator_progress::of_project(conn, id)?)
}

/// Indicators rolled up by `group`.
pub fn indicators(conn: &mut PgConnection, group: GroupBy, filter: &ReportFilter) -> Result<Vec<IndicatorRollup>, ServiceError> {
    Ok(indicator_progress::indicator_report(conn, group, filter)?)
}

/// The project portfolio rolled up by `group`.
pub fn portfolio(conn: &mut PgConnection, group: GroupBy, filter: &ReportFilter) -> Result<Vec<PortfolioRollup>, ServiceError> {
    Ok(indicator_progress::portfolio_report(conn, group, filter)?)
}

/// Re-evaluates which indicators are behind (the calendar moves without writes).
/// Returns how many changed.
pub fn refresh(conn: &mut PgConnection) -> Result<usize, ServiceError> {
    Ok(indicator_progress::refresh_behind(conn)?)
}

/// The organisation with a registry number (NIP, REGON or KRS, normalised), if any.
pub fn organisation_by_number(conn: &mut PgConnection, filter: &BeneficiaryFilter) -> Result<Option<Record<BeneficiaryData>>, ServiceError> {
    Ok(Beneficiaries::list(conn, filter, &ListRequest::first(1))?.records.pop())
}
