use crate::db::committees::{self, CommitteeData, Committees};
use crate::db::Record;
use crate::domain::access::{Caller, Scope};
use crate::domain::collection::Collection;
use crate::domain::places::Voivodeship;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::regional_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

/// Refuses a committee (named by `field`) that does not exist or is not of
/// `voivodeship`: nothing of one region is filed under another's committee.
pub fn committee_in(conn: &mut PgConnection, field: &str, committee: i64, voivodeship: &str) -> Result<(), ServiceError> {
    match committees::voivodeship(conn, committee)? {
        None => Err(ServiceError::field(field, "not_found", "there is no committee with this id")),
        Some(v) if v != voivodeship => Err(ServiceError::field(field, "other_voivodeship", "the committee is of another voivodeship")),
        Some(_) => Ok(()),
    }
}

/// The scope of an entry of committee `id` (named by `field`).
pub fn committee_scope(conn: &mut PgConnection, field: &str, id: i64) -> Result<Scope, ServiceError> {
    match committees::voivodeship(conn, id)? {
        Some(voivodeship) => Ok(regional_scope(Some(voivodeship))),
        None => Err(ServiceError::field(field, "not_found", "there is no committee with this id")),
    }
}

impl Resource for Committees {
    const COLLECTION: Collection = Collection::Committees;

    fn check(conn: &mut PgConnection, mut data: CommitteeData) -> Result<CommitteeData, ServiceError> {
        let mut checks = Checks::new();
        if let Some(voivodeship) = checks.check("voivodeship", Voivodeship::parse(data.voivodeship.trim())) {
            data.voivodeship = voivodeship.to_string();
        }
        data.name = data.name.trim().to_owned();
        checks.not_blank("name", &data.name);
        for field in [&mut data.acronym, &mut data.established_by, &mut data.url, &mut data.notes] {
            blank_to_none(field);
        }
        checks.period(data.established_on, data.dissolved_on, "established_on", "dissolved_on");
        checks.web_address("url", data.url.as_deref());
        checks.into_result()?;
        // A working group is of a committee of the same voivodeship.
        if let Some(parent) = data.parent_id {
            committee_in(conn, "parent_id", parent, &data.voivodeship)?;
        }
        Ok(data)
    }

    fn scope(_: &mut PgConnection, _: Option<i64>, data: &CommitteeData) -> Result<Scope, ServiceError> {
        Ok(regional_scope(Some(data.voivodeship.clone())))
    }

    /// A working group cannot be put below itself or one of its own groups.
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<CommitteeData>, after: &CommitteeData) -> Result<(), ServiceError> {
        if after.parent_id.is_some() && after.parent_id != before.data.parent_id {
            // Two regroupings at once could each pass alone and close a cycle together.
            committees::hold_tree(conn)?;
        }
        match after.parent_id {
            Some(parent) if committees::descends_from(conn, parent, before.id)? => {
                Err(ServiceError::field("parent_id", "cycle", "a committee cannot be a working group of itself or of its own working group"))
            }
            _ => Ok(()),
        }
    }

    fn related(id: i64, data: &CommitteeData) -> Vec<(&'static str, String)> {
        let mut links = vec![
            ("members", format!("committee-members?committee_id={id}")),
            ("meetings", format!("committee-meetings?committee_id={id}")),
            ("resolutions", format!("resolutions?committee_id={id}")),
            ("working_groups", format!("committees?parent_id={id}")),
        ];
        links.extend(data.parent_id.map(|p| ("committee", format!("committees/{p}"))));
        links
    }
}
