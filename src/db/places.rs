//! Where records lie: centroids of TERYT units, for records placed only by a code.

use super::schema::{beneficiaries, teryt_centroids};
use super::DbError;
use crate::domain::places::{enclosing_units, Place};
use diesel::prelude::*;
use diesel::PgConnection;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// What is known of where a record lies: its own coordinates, and TERYT codes.
pub type Whereabouts = (Option<(Decimal, Decimal)>, Vec<String>);

/// Each record's place: its own coordinates, else the centroid of the most precise
/// known TERYT unit among its codes (tried in order), else none.
pub fn locate(conn: &mut PgConnection, records: &[Whereabouts]) -> Result<Vec<Option<Place>>, DbError> {
    let candidates: Vec<Vec<String>> = records.iter().map(|(_, codes)| codes.iter().flat_map(|c| enclosing_units(c)).collect()).collect();
    let mut wanted: Vec<&String> = candidates.iter().flatten().collect();
    wanted.sort();
    wanted.dedup();
    let centroids: HashMap<String, (Decimal, Decimal)> = if wanted.is_empty() {
        HashMap::new()
    } else {
        teryt_centroids::table
            .filter(teryt_centroids::teryt.eq_any(wanted))
            .select((teryt_centroids::teryt, teryt_centroids::latitude, teryt_centroids::longitude))
            .load::<(String, Decimal, Decimal)>(conn)?
            .into_iter()
            .map(|(code, lat, lon)| (code, (lat, lon)))
            .collect()
    };
    Ok(records
        .iter()
        .zip(candidates)
        .map(|((own, _), units)| match own {
            Some((latitude, longitude)) => Some(Place { latitude: *latitude, longitude: *longitude, source: "coordinates".into() }),
            None => units.into_iter().find_map(|unit| {
                centroids.get(&unit).map(|(latitude, longitude)| Place { latitude: *latitude, longitude: *longitude, source: format!("teryt:{unit}") })
            }),
        })
        .collect())
}

/// Where each organisation is, for placing its offers and needs on a map: its
/// coordinates, and its TERYT code and voivodeship.
pub fn organisation_places(conn: &mut PgConnection, ids: &[i64]) -> Result<HashMap<i64, Whereabouts>, DbError> {
    type Row = (i64, Option<Decimal>, Option<Decimal>, Option<String>, Option<String>);
    let rows: Vec<Row> = beneficiaries::table
        .filter(beneficiaries::id.eq_any(ids))
        .select((beneficiaries::id, beneficiaries::latitude, beneficiaries::longitude, beneficiaries::teryt, beneficiaries::voivodeship))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, lat, lon, teryt, voivodeship)| (id, (lat.zip(lon), teryt.into_iter().chain(voivodeship).collect()))).collect())
}
