//! Where records lie: centroids of TERYT units, for records placed only by a code.

use super::schema::teryt_centroids;
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
