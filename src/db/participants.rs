//! Participants: person-level records. Personal data: never served anonymously.

use crate::db::schema::participants;
use crate::domain::codes::Sex;
use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = participants, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Participant)]
pub struct ParticipantData {
    pub project_id: i64,
    pub first_name: String,
    pub last_name: String,
    /// PESEL on input; in responses masked to its last four digits.
    #[serde(serialize_with = "serialize_masked_pesel")]
    #[schema(example = "*******3624")]
    pub pesel: Option<String>,
    /// Derived from PESEL when that is given (and must agree with it).
    pub birth_date: Option<NaiveDate>,
    /// Derived from PESEL when that is given (and must agree with it).
    pub sex: Option<Sex>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
}

// Personal data stays out of Debug output and therefore out of any log line.
impl std::fmt::Debug for ParticipantData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantData").field("project_id", &self.project_id).finish_non_exhaustive()
    }
}

pub fn mask_pesel(pesel: &str) -> String {
    let visible = pesel.len().saturating_sub(4);
    format!("{}{}", "*".repeat(visible), &pesel[visible..])
}

fn serialize_masked_pesel<S: serde::Serializer>(pesel: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match pesel {
        Some(p) => s.serialize_str(&mask_pesel(p)),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParticipantFilter {
    pub project_id: Option<i64>,
}

fn apply_filter<'a>(mut q: participants::BoxedQuery<'a, Pg>, f: &ParticipantFilter) -> participants::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(participants::project_id.eq(id));
    }
    q
}

crate::table_store!(Participants, participants, ParticipantData, ParticipantFilter, apply_filter);
