//! How far programmes and measures have come against their targets: the
//! approved values of the projects below added up per definition (a ratio's
//! numerators and denominators apart), and the share of the target achieved.

use super::ServiceError;
use crate::db::programme_targets::{self, ProgrammeTargetFilter, TargetFigures};
use crate::db::scopes;
use crate::domain::access::{aggregate_detail, Caller, Detail};
use crate::domain::codes::MeasurementType;
use crate::domain::disclosure::Rounding;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// A target and how far it has come.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetProgress {
    pub target_id: i64,
    pub programme_id: i64,
    /// Absent for a programme-wide target.
    pub measure_id: Option<i64>,
    pub definition_id: i64,
    #[schema(example = "EECO01")]
    pub definition_code: String,
    pub definition_name: String,
    pub unit: Option<String>,
    pub measurement: MeasurementType,
    /// A milestone's year; absent for the final target.
    pub year: Option<i32>,
    #[schema(value_type = String)]
    pub target_value: Decimal,
    /// Projects below the target with an indicator of its definition.
    pub projects: i64,
    /// Their indicators of the definition.
    pub indicators: i64,
    /// Of those, the ones with an approved value (by the milestone's year end).
    pub indicators_reporting: i64,
    /// The sum of each indicator's latest approved value; for a ratio, the
    /// percentage of the summed numerators over the summed denominators.
    #[schema(value_type = Option<String>, example = "412")]
    pub achieved_value: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub sum_numerator: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub sum_denominator: Option<Decimal>,
    /// achieved / target in percent, one decimal (for a ratio, of the target percentage).
    #[schema(value_type = Option<String>, example = "34.3")]
    pub achieved_percent: Option<Decimal>,
    /// Whether the sums are protected counts of persons (the definition's
    /// indicators count persons): each a multiple of `rounding_base` near the
    /// true sum, the same on every asking. Exact for an admin and the ROPS of
    /// the programme's voivodeship.
    pub protected: bool,
    /// The base protected counts are rounded to; absent when the sums are exact.
    #[schema(example = 5)]
    pub rounding_base: Option<i64>,
}

fn one_decimal(value: Decimal) -> Decimal {
    let mut value = value.round_dp(1);
    value.rescale(1);
    value
}

fn publish(mut f: TargetFigures, detail: Detail, rounding: Rounding) -> TargetProgress {
    let protected = f.counts_persons && detail == Detail::Protected;
    if protected {
        (f.approved_value, f.sum_numerator, f.sum_denominator) = (f.published_value, f.published_numerator, f.published_denominator);
    }
    let ratio = f.measurement == MeasurementType::Ratio;
    let achieved_value = if ratio {
        match (f.sum_numerator, f.sum_denominator) {
            (Some(n), Some(d)) if d > Decimal::ZERO => Some(one_decimal(Decimal::ONE_HUNDRED * n / d)),
            _ => None,
        }
    } else {
        f.approved_value.map(|v| v.normalize())
    };
    let achieved_percent =
        achieved_value.filter(|_| f.target_value > Decimal::ZERO).map(|achieved| one_decimal(Decimal::ONE_HUNDRED * achieved / f.target_value));
    TargetProgress {
        target_id: f.id,
        programme_id: f.programme_id,
        measure_id: f.measure_id,
        definition_id: f.definition_id,
        definition_code: f.definition_code,
        definition_name: f.definition_name,
        unit: f.unit,
        measurement: f.measurement,
        year: f.year,
        target_value: f.target_value.normalize(),
        projects: f.projects,
        indicators: f.indicators,
        indicators_reporting: f.indicators_reporting,
        achieved_value,
        sum_numerator: f.sum_numerator.filter(|_| ratio).map(|v| v.normalize()),
        sum_denominator: f.sum_denominator.filter(|_| ratio).map(|v| v.normalize()),
        achieved_percent,
        protected,
        rounding_base: protected.then(|| rounding.base()),
    }
}

/// The targets `filter` selects, each with how far it has come.
/// Sums of counts of persons are exact for an admin and the ROPS of the
/// programme's voivodeship, protected for anyone else.
pub fn progress(conn: &mut PgConnection, caller: &Caller, rounding: Rounding, filter: &ProgrammeTargetFilter) -> Result<Vec<TargetProgress>, ServiceError> {
    let mut details = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for figures in programme_targets::figures(conn, filter)? {
        let detail = match details.get(&figures.programme_id) {
            Some(detail) => *detail,
            None => {
                let detail = aggregate_detail(caller, &scopes::programme(conn, figures.programme_id)?);
                details.insert(figures.programme_id, detail);
                detail
            }
        };
        rows.push(publish(figures, detail, rounding));
    }
    Ok(rows)
}
