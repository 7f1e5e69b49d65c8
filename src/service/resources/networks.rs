use crate::db::networks::{NetworkData, Networks};
use crate::db::Record;
use crate::domain::access::Scope;
use crate::domain::collection::Collection;
use crate::domain::places::Place;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::coordination::{network_scope, project_scope};
use crate::service::resources::register::{check_areas, locate_at_organisations};
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for Networks {
    const COLLECTION: Collection = Collection::Networks;

    fn check(conn: &mut PgConnection, mut data: NetworkData) -> Result<NetworkData, ServiceError> {
        let mut checks = Checks::new();
        data.name = data.name.trim().to_owned();
        checks.not_blank("name", &data.name);
        for field in [&mut data.description, &mut data.url, &mut data.external_id] {
            blank_to_none(field);
        }
        check_areas(&mut checks, &mut data.areas);
        checks.period(data.established_on, data.dissolved_on, "established_on", "dissolved_on");
        checks.web_address("url", data.url.as_deref());
        checks.into_result()?;
        // A project's network is coordinated by one of the project's organisations.
        if let Some(project) = data.project_id {
            match project_scope(conn, "project_id", project)? {
                Scope::Project { organisations, .. } if !organisations.contains(&data.coordinator_id) => {
                    return Err(ServiceError::field(
                        "coordinator_id",
                        "outside_project",
                        "a project's network is coordinated by one of the project's organisations",
                    ));
                }
                _ => {}
            }
        }
        Ok(data)
    }

    /// A network a project set up is the project's; any other its coordinator's.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &NetworkData) -> Result<Scope, ServiceError> {
        network_scope(conn, data.coordinator_id, data.project_id)
    }

    fn related(id: i64, data: &NetworkData) -> Vec<(&'static str, String)> {
        let mut links = vec![
            ("coordinator", format!("beneficiaries/{}", data.coordinator_id)),
            ("members", format!("network-members?network_id={id}")),
            ("meetings", format!("activities?network_id={id}")),
            ("agreements", format!("agreements?network_id={id}")),
        ];
        links.extend(data.project_id.map(|p| ("project", format!("projects/{p}"))));
        links
    }

    const ON_MAP: bool = true;

    fn locate(conn: &mut PgConnection, records: &[Record<NetworkData>]) -> Result<Vec<Option<Place>>, ServiceError> {
        locate_at_organisations(conn, records, |d| d.coordinator_id, |d| &d.areas)
    }
}
