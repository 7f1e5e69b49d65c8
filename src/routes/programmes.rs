use crate::api::crud::Resource;
use crate::api::ApiError;
use crate::auth::Scope;
use crate::db::programmes::{ProgrammeData, ProgrammeFilter, Programmes};
use crate::domain::places::Voivodeship;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use diesel::pg::PgConnection;

impl Resource for Programmes {
    const COLLECTION: &'static str = "programmes";
    const NOUN: &'static str = "programme";

    fn check(_: &mut PgConnection, mut data: ProgrammeData, _: Option<i64>) -> Result<ProgrammeData, ApiError> {
        let mut checks = Checks::new();
        data.code = data.code.trim().to_owned();
        checks.not_blank("code", &data.code);
        checks.not_blank("name", &data.name);
        blank_to_none(&mut data.managing_authority);
        checks.normalise("voivodeship", &mut data.voivodeship, Voivodeship::parse);
        data.funds.sort_by_key(|f| f.as_str());
        data.funds.dedup();
        checks.into_result()?;
        Ok(data)
    }

    fn scope(_: &mut PgConnection, _: Option<i64>, data: &ProgrammeData) -> Result<Scope, ApiError> {
        Ok(Scope::Programme { voivodeship: data.voivodeship.clone() })
    }

    fn related(id: i64, _: &ProgrammeData) -> Vec<(&'static str, String)> {
        vec![("priority_axes", format!("priority-axes?programme_id={id}")), ("projects", format!("projects?programme_id={id}"))]
    }
}

crate::resource_routes!(Programmes, ProgrammeData, ProgrammeFilter, "programmes", "/api/v1/programmes", "/api/v1/programmes/{id}");
