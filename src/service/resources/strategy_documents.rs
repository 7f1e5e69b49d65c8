use crate::db::strategy_documents::{StrategyDocumentData, StrategyDocuments};
use crate::domain::access::Scope;
use crate::domain::codes::OrganisationKind;
use crate::domain::collection::Collection;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::{holder_scope, require_kind};
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for StrategyDocuments {
    const COLLECTION: Collection = Collection::StrategyDocuments;

    fn check(conn: &mut PgConnection, mut data: StrategyDocumentData) -> Result<StrategyDocumentData, ServiceError> {
        let mut checks = Checks::new();
        data.title = data.title.trim().to_owned();
        checks.not_blank("title", &data.title);
        for field in [&mut data.resolution_number, &mut data.social_economy_reference, &mut data.url, &mut data.external_id, &mut data.notes] {
            blank_to_none(field);
        }
        checks.plausible_date("adopted_on", data.adopted_on);
        checks.period(data.valid_from, data.valid_to, "valid_from", "valid_to");
        checks.ensure(
            data.names_social_economy || data.social_economy_reference.is_none(),
            "social_economy_reference",
            "without_naming",
            "a reference to where the document names the social economy needs names_social_economy",
        );
        checks.web_address("url", data.url.as_deref());
        checks.into_result()?;
        require_kind(conn, "jst_id", data.jst_id, &[OrganisationKind::Jst], "strategy documents are local governments' (jst)")?;
        Ok(data)
    }

    /// A strategy document is its local government's own entry.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &StrategyDocumentData) -> Result<Scope, ServiceError> {
        holder_scope(conn, "jst_id", data.jst_id)
    }

    fn permission_key(data: &StrategyDocumentData) -> Option<i64> {
        Some(data.jst_id)
    }

    fn related(_: i64, data: &StrategyDocumentData) -> Vec<(&'static str, String)> {
        vec![("local_government", format!("beneficiaries/{}", data.jst_id))]
    }
}
