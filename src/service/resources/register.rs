//! What the entries about an organisation share (its statuses and marks, which
//! its ROPS keeps; its offers and needs, which it keeps itself): they belong to
//! the organisation, and lie on a map where it lies.

use crate::db::{places, scopes, Record};
use crate::domain::access::Scope;
use crate::domain::codes::OrganisationKind;
use crate::domain::places::{Place, TerytCode};
use crate::domain::Checks;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// The scope of a region's own entries (its awards, committees, resolutions):
/// the ROPS of `voivodeship` keeps them.
pub fn regional_scope(voivodeship: Option<String>) -> Scope {
    Scope::Organisation { id: None, voivodeship }
}

/// The scope of an entry about organisation `id`, named by `field`; an entry
/// about no organisation is refused as such.
pub fn holder_scope(conn: &mut PgConnection, field: &str, id: i64) -> Result<Scope, ServiceError> {
    match scopes::organisation(conn, id)? {
        Some((_, voivodeship)) => Ok(Scope::Organisation { id: Some(id), voivodeship }),
        None => Err(ServiceError::field(field, "not_found", "there is no organisation with this id")),
    }
}

/// An entry that only organisations of `kinds` may have (offers are social-economy
/// entities', needs local governments'): refused for any other, as a field error.
pub fn require_kind(conn: &mut PgConnection, field: &str, id: i64, kinds: &[OrganisationKind], what: &str) -> Result<(), ServiceError> {
    match scopes::organisation(conn, id)? {
        Some((kind, _)) if !kinds.contains(&kind) => Err(ServiceError::field(field, "kind_mismatch", format!("{what}, not an organisation of kind {kind}"))),
        _ => Ok(()),
    }
}

/// Checks a list of TERYT units in place (normalised, deduplicated).
pub fn check_areas(checks: &mut Checks, areas: &mut Vec<String>) {
    for (i, area) in areas.iter_mut().enumerate() {
        if let Some(code) = checks.check(&format!("areas[{i}]"), TerytCode::parse(area)) {
            *area = code.to_string();
        }
    }
    areas.sort();
    areas.dedup();
}

/// Places entries at their organisations: its coordinates, else the centroid of
/// the entry's first area, else of the organisation's TERYT unit or voivodeship.
pub fn locate_at_organisations<D>(
    conn: &mut PgConnection,
    records: &[Record<D>],
    organisation: impl Fn(&D) -> i64,
    areas: impl Fn(&D) -> &[String],
) -> Result<Vec<Option<Place>>, ServiceError> {
    let ids: Vec<i64> = records.iter().map(|r| organisation(&r.data)).collect();
    let seats = places::organisation_places(conn, &ids)?;
    let whereabouts: Vec<_> = records
        .iter()
        .map(|r| {
            let (own, codes) = seats.get(&organisation(&r.data)).cloned().unwrap_or_default();
            (own, areas(&r.data).iter().take(1).cloned().chain(codes).collect())
        })
        .collect();
    Ok(places::locate(conn, &whereabouts)?)
}
