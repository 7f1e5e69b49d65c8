//! What the social-economy register answers beyond its lists: a buyer's check
//! of a mark (is the label with this code valid today?), the offers that cover
//! a local government's need, and the count of social enterprises per
//! voivodeship and year. The register is public, so anyone may
//! ask; these are counts of organisations, not of people.

use super::ServiceError;
use crate::db::marks;
use crate::db::needs::Needs;
use crate::db::offers::{self, OfferData, Offers};
use crate::db::organisation_statuses::{self, SocialEnterpriseRow};
use crate::db::Store;
use crate::domain::identifiers::MarkCode;
use crate::domain::places::Voivodeship;
use crate::domain::Checks;
use crate::service::view::{view, View};
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use serde::Serialize;
use utoipa::ToSchema;

/// Where a mark stands on the day it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Valid,
    /// Granted from a later day.
    NotYetValid,
    /// Its last day has passed.
    Expired,
    Revoked,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkHolder {
    pub id: i64,
    pub name: String,
}

/// The answer to a check of a mark's code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkVerification {
    /// The code as the register keeps it.
    #[schema(example = "ZP-04-2023-017")]
    pub code: String,
    /// Whether the mark holds on `checked_on`.
    pub valid: bool,
    pub standing: Standing,
    /// The day the answer is for: today in Poland.
    pub checked_on: NaiveDate,
    #[schema(example = "Zakup Prospołeczny")]
    pub name: String,
    pub holder: MarkHolder,
    pub edition: Option<String>,
    pub granted_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
    pub revocation_reason: Option<String>,
    /// The products or services it covers.
    pub covers: Vec<String>,
    /// The mark's record: `/api/v1/marks/{id}`.
    pub record: String,
}

/// The mark printed with `code`, as it stands today; a code no mark has (or
/// that no mark could have) is not found.
pub fn verify(conn: &mut PgConnection, code: &str) -> Result<MarkVerification, ServiceError> {
    let not_found = || ServiceError::NotFound { resource: "mark", id: code.to_owned() };
    let code = MarkCode::parse(code).map_err(|_| not_found())?;
    let found = marks::verify(conn, code.as_str())?.ok_or_else(not_found)?;
    let standing = match found.standing.as_str() {
        "valid" => Standing::Valid,
        "not_yet_valid" => Standing::NotYetValid,
        "expired" => Standing::Expired,
        "revoked" => Standing::Revoked,
        other => return Err(ServiceError::Internal(format!("es_standing answered {other:?}"))),
    };
    let mark = found.data;
    Ok(MarkVerification {
        code: mark.code,
        valid: standing == Standing::Valid,
        standing,
        checked_on: found.checked_on,
        name: mark.name,
        holder: MarkHolder { id: mark.holder_id, name: found.holder_name },
        edition: mark.edition,
        granted_on: mark.granted_on,
        valid_until: mark.valid_until,
        revoked_on: mark.revoked_on,
        revocation_reason: mark.revocation_reason,
        covers: mark.covers,
        record: crate::domain::collection::Collection::Marks.record_path(found.id),
    })
}

/// The years a report may span, at most.
pub const MAX_REPORT_YEARS: i32 = 50;

/// What a yearly report per voivodeship covers: the years `from..=to` and one
/// voivodeship or all.
pub struct YearlySpan {
    pub from: i32,
    pub to: i32,
    pub voivodeship: Option<String>,
}

impl YearlySpan {
    /// The span asked for, checked: `from` by default `first`, `to` by default
    /// this year; refused with field errors when out of range or unknown.
    pub fn checked(conn: &mut PgConnection, from: Option<i32>, to: Option<i32>, first: i32, voivodeship: Option<&str>) -> Result<Self, ServiceError> {
        use chrono::Datelike;
        let (from, to) = (from.unwrap_or(first), to.unwrap_or(crate::db::calendar::today(conn)?.year()));
        let mut checks = Checks::new();
        checks.ensure(
            (1990..=2100).contains(&from) && (1990..=2100).contains(&to) && from <= to && to - from < MAX_REPORT_YEARS,
            "to_year",
            "bad_range",
            format!("years from 1990 to 2100, from_year ≤ to_year, at most {MAX_REPORT_YEARS} of them"),
        );
        let voivodeship = voivodeship.and_then(|v| checks.check("voivodeship", Voivodeship::parse(v))).map(|v| v.to_string());
        checks.into_result()?;
        Ok(Self { from, to, voivodeship })
    }
}

/// Social enterprises per voivodeship and year, for `from..=to` (by default the
/// years since the 2022 act, to this one).
pub fn social_enterprises(
    conn: &mut PgConnection,
    from: Option<i32>,
    to: Option<i32>,
    voivodeship: Option<&str>,
) -> Result<Vec<SocialEnterpriseRow>, ServiceError> {
    let span = YearlySpan::checked(conn, from, to, 2022, voivodeship)?;
    Ok(organisation_statuses::social_enterprises_by_year(conn, span.from, span.to, span.voivodeship.as_deref())?)
}

/// The active offers that cover need `id`: of one kind (related CPV codes, or the
/// same category) and serving its area (`es_offer_covers`, migration 000018).
pub fn offers_for_need(conn: &mut PgConnection, id: i64) -> Result<OfferMatches, ServiceError> {
    Needs::find(conn, id).map_err(crate::service::records::not_found::<Needs>(id))?;
    Ok(OfferMatches { need_id: id, items: offers::covering(conn, id)?.into_iter().map(view::<Offers>).collect() })
}

/// The offers that cover a need.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferMatches {
    pub need_id: i64,
    /// Newest first.
    pub items: Vec<View<OfferData>>,
}
