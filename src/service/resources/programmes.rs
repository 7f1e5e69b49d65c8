use crate::db::programmes::{ProgrammeData, Programmes};
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::places::Voivodeship;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Programmes {
    const COLLECTION: Collection = Collection::Programmes;

    fn check(_: &mut PgConnection, mut data: ProgrammeData) -> Result<ProgrammeData, ServiceError> {
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

    fn scope(_: &mut PgConnection, _: Option<i64>, data: &ProgrammeData) -> Result<Scope, ServiceError> {
        Ok(Scope::Programme { voivodeship: data.voivodeship.clone() })
    }

    fn related(id: i64, _: &ProgrammeData) -> Vec<(&'static str, String)> {
        vec![("priority_axes", format!("priority-axes?programme_id={id}")), ("projects", format!("projects?programme_id={id}"))]
    }
}
