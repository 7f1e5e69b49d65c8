//! Facets of a project search: how the projects a search and its filters find
//! fall into voivodeships, programmes, funds, statuses and years, as Kohesio
//! shows them beside its results. Projects are public, and so are these counts.

use super::ServiceError;
use crate::db::indicator_progress::{group_labels, GroupBy};
use crate::db::projects::{self, ProjectFilter};
use diesel::pg::PgConnection;
use serde::Serialize;
use utoipa::ToSchema;

/// One value of a facet and how many projects have it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FacetValue {
    /// The value: a TERYT code, a programme id, a fund, a status or a year; absent
    /// for projects without one.
    pub key: Option<String>,
    /// Its code: a programme's (`RPKP.2014-2020`), else the key.
    pub code: Option<String>,
    /// Its name: a voivodeship's or a programme's.
    pub name: Option<String>,
    pub count: i64,
}

/// The facets of a search, counted in one scan with its total.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ProjectFacets {
    /// All projects the search and filters find.
    pub total: i64,
    pub voivodeship: Vec<FacetValue>,
    pub programme: Vec<FacetValue>,
    pub fund: Vec<FacetValue>,
    pub status: Vec<FacetValue>,
    pub year: Vec<FacetValue>,
}

pub fn project_facets(conn: &mut PgConnection, filter: &ProjectFilter) -> Result<ProjectFacets, ServiceError> {
    let counts = projects::facets(conn, filter)?;
    let mut facets = ProjectFacets { total: 0, voivodeship: Vec::new(), programme: Vec::new(), fund: Vec::new(), status: Vec::new(), year: Vec::new() };
    for (dimension, group) in
        [("voivodeship", Some(GroupBy::Voivodeship)), ("programme", Some(GroupBy::Programme)), ("fund", None), ("status", None), ("year", Some(GroupBy::Year))]
    {
        let of_dimension: Vec<_> = counts.iter().filter(|c| c.dimension == dimension).collect();
        let keys: Vec<String> = of_dimension.iter().filter_map(|c| c.key.clone()).collect();
        let labels = match group {
            Some(group) => group_labels(conn, group, &keys)?,
            None => Default::default(),
        };
        let mut values: Vec<FacetValue> = of_dimension
            .into_iter()
            .map(|c| {
                let label = c.key.as_ref().and_then(|k| labels.get(k));
                FacetValue {
                    key: c.key.clone(),
                    code: label.and_then(|l| l.code.clone()).or_else(|| c.key.clone()),
                    name: label.and_then(|l| l.name.clone()),
                    count: c.count,
                }
            })
            .collect();
        // Most projects first; ties by key, so the order is stable.
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        match dimension {
            "voivodeship" => facets.voivodeship = values,
            "programme" => facets.programme = values,
            "fund" => facets.fund = values,
            "status" => facets.status = values,
            _ => facets.year = values,
        }
    }
    facets.total = counts.iter().find(|c| c.dimension == "total").map_or(0, |c| c.count);
    Ok(facets)
}
