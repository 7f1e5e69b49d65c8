use crate::db::offers::{OfferData, Offers};
use crate::db::Record;
use crate::domain::access::Scope;
use crate::domain::codes::OrganisationKind;
use crate::domain::collection::Collection;
use crate::domain::identifiers::CpvCode;
use crate::domain::places::Place;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::register::{check_areas, holder_scope, locate_at_organisations, require_kind};
use crate::service::ServiceError;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;

impl Resource for Offers {
    const COLLECTION: Collection = Collection::Offers;

    fn check(conn: &mut PgConnection, mut data: OfferData) -> Result<OfferData, ServiceError> {
        let mut checks = Checks::new();
        data.title = data.title.trim().to_owned();
        checks.not_blank("title", &data.title);
        data.category = data.category.trim().to_owned();
        checks.not_blank("category", &data.category);
        for field in [&mut data.description, &mut data.cpv_code, &mut data.contact_email, &mut data.contact_phone, &mut data.external_id] {
            blank_to_none(field);
        }
        checks.normalise("cpv_code", &mut data.cpv_code, CpvCode::parse);
        check_areas(&mut checks, &mut data.areas);
        for (field, price) in [("price_from", data.price_from), ("price_to", data.price_to)] {
            checks.ensure(
                price.is_none_or(|p| p >= Decimal::ZERO && p.scale() <= 2),
                field,
                "bad_amount",
                "an amount in PLN, not negative, at most two decimals",
            );
        }
        checks.ordered(data.price_from, data.price_to, "price_to", "price_from");
        checks.ensure(
            !(data.price_on_request && (data.price_from.is_some() || data.price_to.is_some())),
            "price_on_request",
            "price_and_on_request",
            "a price on request has no price range",
        );
        checks.ensure(
            data.contact_email.as_deref().is_none_or(|e| e.contains('@') && !e.contains(char::is_whitespace)),
            "contact_email",
            "email",
            "an e-mail address",
        );
        checks.texts("photo_urls", &mut data.photo_urls);
        for (i, url) in data.photo_urls.iter().enumerate() {
            checks.ensure(url.starts_with("https://") && url.len() > 8, &format!("photo_urls[{i}]"), "https_url", "an https:// address");
        }
        checks.into_result()?;
        require_kind(
            conn,
            "organisation_id",
            data.organisation_id,
            &[OrganisationKind::Pes, OrganisationKind::Ngo, OrganisationKind::Owes],
            "offers are social-economy entities' (pes, ngo, owes)",
        )?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &OfferData) -> Result<Scope, ServiceError> {
        holder_scope(conn, "organisation_id", data.organisation_id)
    }

    fn permission_key(data: &OfferData) -> Option<i64> {
        Some(data.organisation_id)
    }

    fn related(_: i64, data: &OfferData) -> Vec<(&'static str, String)> {
        vec![("organisation", format!("beneficiaries/{}", data.organisation_id))]
    }

    const ON_MAP: bool = true;

    fn locate(conn: &mut PgConnection, records: &[Record<OfferData>]) -> Result<Vec<Option<Place>>, ServiceError> {
        locate_at_organisations(conn, records, |d| d.organisation_id, |d| &d.areas)
    }
}
