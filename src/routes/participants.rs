use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::Scope;
use crate::db::scopes;
use crate::db::participants::{ParticipantData, ParticipantFilter, Participants};
use crate::domain::pesel::Pesel;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;
use serde_json::Value;

impl Resource for Participants {
    const COLLECTION: &'static str = "participants";
    const NOUN: &'static str = "participant";

    fn check(_: &mut PgConnection, mut data: ParticipantData, _: Option<i64>) -> Result<ParticipantData, ApiError> {
        let mut checks = Checks::new();
        data.first_name = data.first_name.trim().to_owned();
        data.last_name = data.last_name.trim().to_owned();
        checks.not_blank("first_name", &data.first_name);
        checks.not_blank("last_name", &data.last_name);
        blank_to_none(&mut data.pesel);
        if let Some(pesel) = data.pesel.as_deref().and_then(|p| checks.check("pesel", Pesel::parse(p))) {
            let (born, sex) = (pesel.birth_date(), pesel.sex());
            checks.ensure(data.birth_date.is_none() || data.birth_date == born, "birth_date", "pesel_mismatch", "birth_date disagrees with PESEL");
            checks.ensure(data.sex.is_none() || data.sex == Some(sex), "sex", "pesel_mismatch", "sex disagrees with PESEL");
            data.birth_date = born;
            data.sex = Some(sex);
            data.pesel = Some(pesel.as_str().to_owned());
        }
        checks.ordered(data.joined_on, data.left_on, "left_on", "joined_on");
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &ParticipantData) -> Result<Scope, ApiError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    /// A list of one project's participants is that project's; without a project
    /// it covers everyone, which only an admin may read.
    fn list_scope(conn: &mut PgConnection, filter: &ParticipantFilter) -> Result<Scope, ApiError> {
        match filter.project_id {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Everything),
        }
    }

    fn related(_: i64, data: &ParticipantData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id))]
    }

    /// The audit trail keeps no digit of a PESEL: with the birth date, even the
    /// last four would give the whole number back.
    fn audit_value(data: &ParticipantData) -> Result<Value, ApiError> {
        let mut value = serde_json::to_value(data).map_err(|e| ApiError::Internal(e.to_string()))?;
        if data.pesel.is_some() {
            value["pesel"] = Value::String("[redacted]".into());
        }
        Ok(value)
    }

    /// Responses mask PESEL, so a patch starts from the stored value instead.
    fn patch_base(data: &ParticipantData) -> Result<Value, ApiError> {
        let mut value = serde_json::to_value(data).map_err(|e| ApiError::Internal(e.to_string()))?;
        value["pesel"] = data.pesel.clone().map_or(Value::Null, Value::String);
        Ok(value)
    }
}

crate::resource_routes!(Participants, ParticipantData, ParticipantFilter, "participants", "/api/v1/participants", "/api/v1/participants/{id}");
