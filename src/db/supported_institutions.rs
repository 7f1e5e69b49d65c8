//! The institutions a project supported (podmioty objęte wsparciem): organisations
//! and local governments, by form of support, with the number of their staff supported.

use crate::db::schema::supported_institutions;
use crate::domain::codes::{OrganisationKind, SupportForm};
use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = supported_institutions, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = SupportedInstitution)]
pub struct SupportedInstitutionData {
    pub project_id: i64,
    /// The organisation or local government (an organisation of kind `jst`) supported.
    pub organisation_id: i64,
    pub form: SupportForm,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// How many of its staff the support reached: an institution's figure, not a
    /// list of persons (no person is kept here).
    #[schema(minimum = 0)]
    pub staff_supported: Option<i32>,
    /// The loader's own id, unique within the project: the key of imports.
    pub external_id: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupportedInstitutionFilter {
    pub project_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub form: Option<SupportForm>,
    /// Institutions that are organisations of this kind.
    pub kind: Option<OrganisationKind>,
    pub sort: Option<SupportedInstitutionSort>,
}

crate::sort_options!(
    /// The order of supported institutions; `-` before a field reverses it.
    SupportedInstitutionSort {
        StartedOn = "started_on" => "coalesce(started_on, 'infinity'::date)" as "date",
        StartedOnDesc = "-started_on" => "coalesce(started_on, '-infinity'::date)" as "date",
    }
);
crate::list_filter!(SupportedInstitutionFilter: SupportedInstitutionSort);

fn apply_filter<'a>(mut q: supported_institutions::BoxedQuery<'a, Pg>, f: &SupportedInstitutionFilter) -> supported_institutions::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(supported_institutions::project_id.eq(id));
    }
    if let Some(id) = f.organisation_id {
        q = q.filter(supported_institutions::organisation_id.eq(id));
    }
    if let Some(form) = f.form {
        q = q.filter(supported_institutions::form.eq(form));
    }
    if let Some(kind) = f.kind {
        q = q.filter(sql::<Bool>("organisation_id IN (SELECT b.id FROM beneficiaries b WHERE b.kind = ").bind::<Text, _>(kind.as_str()).sql(")"));
    }
    q
}

crate::table_store!(SupportedInstitutions, supported_institutions, SupportedInstitutionData, SupportedInstitutionFilter, apply_filter);
