//! Programmes (Program Operacyjny / RPO / FE).

use crate::db::schema::programmes;
use crate::domain::codes::{Fund, ProgrammingPeriod};
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A programme: national (PO Kapitał Ludzki, no voivodeship) or regional (an RPO).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programmes, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Programme)]
pub struct ProgrammeData {
    /// Short unique code, e.g. `RPKP.2014-2020`.
    #[schema(example = "RPKP.2014-2020")]
    pub code: String,
    #[schema(example = "Regionalny Program Operacyjny Województwa Kujawsko-Pomorskiego na lata 2014-2020")]
    pub name: String,
    pub period: ProgrammingPeriod,
    /// The funds that co-finance it.
    #[serde(default)]
    pub funds: Vec<Fund>,
    pub managing_authority: Option<String>,
    /// TERYT code of the voivodeship of a regional programme; absent for national ones.
    #[schema(example = "04")]
    pub voivodeship: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeFilter {
    pub code: Option<String>,
    pub period: Option<ProgrammingPeriod>,
    /// Voivodeship TERYT code; `national` for programmes without one.
    pub voivodeship: Option<String>,
    pub fund: Option<Fund>,
    pub sort: Option<ProgrammeSort>,
}

crate::sort_options!(
    /// The order of the list; `-` before a field reverses it.
    ProgrammeSort {
        Code = "code" => "code" as "text",
        CodeDesc = "-code" => "code" as "text",
        Name = "name" => "name" as "text",
        NameDesc = "-name" => "name" as "text",
    }
);
crate::list_filter!(ProgrammeFilter: ProgrammeSort);

fn apply_filter<'a>(mut q: programmes::BoxedQuery<'a, Pg>, f: &ProgrammeFilter) -> programmes::BoxedQuery<'a, Pg> {
    if let Some(code) = &f.code {
        q = q.filter(programmes::code.eq(code.clone()));
    }
    if let Some(period) = f.period {
        q = q.filter(programmes::period.eq(period));
    }
    match f.voivodeship.as_deref() {
        Some("national") => q = q.filter(programmes::voivodeship.is_null()),
        Some(v) => q = q.filter(programmes::voivodeship.eq(v.to_owned())),
        None => {}
    }
    if let Some(fund) = f.fund {
        q = q.filter(programmes::funds.contains(vec![fund]));
    }
    q
}

crate::table_store!(Programmes, programmes, ProgrammeData, ProgrammeFilter, apply_filter);
