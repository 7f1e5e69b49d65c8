//! What social-economy entities offer (products and services), by category, CPV
//! code and the TERYT units they serve: the offer layer of the portals' map.

use crate::db::schema::offers;
use crate::db::DbError;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = offers, check_for_backend(Pg), treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[schema(as = Offer)]
pub struct OfferData {
    /// The organisation that offers it (a PES, NGO or OWES).
    pub organisation_id: i64,
    #[schema(example = "Catering na spotkania i konferencje")]
    pub title: String,
    pub description: Option<String>,
    /// The kind of product or service in words.
    #[schema(example = "catering")]
    pub category: String,
    /// Its CPV code (Common Procurement Vocabulary): eight digits, a dash and a check digit.
    #[schema(example = "55520000-1")]
    pub cpv_code: Option<String>,
    /// The TERYT units it serves (2, 4 or 7 digits); none: anywhere.
    #[serde(default)]
    #[schema(example = json!(["0463011", "0415"]))]
    pub areas: Vec<String>,
    /// Prices in PLN, as a range; absent with `price_on_request`.
    #[schema(value_type = Option<String>, example = "25.00")]
    pub price_from: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "60.00")]
    pub price_to: Option<Decimal>,
    #[serde(default)]
    pub price_on_request: bool,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// Photos, as https URLs.
    #[serde(default)]
    pub photo_urls: Vec<String>,
    /// Whether it is offered now; inactive offers stay listed but are never matched.
    #[serde(default = "crate::db::store::yes")]
    #[schema(default = true)]
    pub active: bool,
    /// The organisation's own id of the offer, unique within it: the key of imports.
    pub external_id: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferFilter {
    pub organisation_id: Option<i64>,
    /// Offers of this category (ignoring case).
    pub category: Option<String>,
    /// Offers whose CPV code begins with these digits ("555" for catering).
    pub cpv: Option<String>,
    /// Offers that serve this TERYT unit (or a unit within or around it); offers
    /// without areas serve anywhere.
    pub teryt: Option<String>,
    pub active: Option<bool>,
    /// Full-text search of titles, categories and descriptions, as for projects.
    pub q: Option<String>,
    pub sort: Option<OfferSort>,
}

crate::sort_options!(
    /// The order of offers; `-` before a field reverses it.
    OfferSort {
        Title = "title" => "title" as "text",
        Relevance = "relevance" => "" as "real",
    }
);
crate::list_filter!(OfferFilter: OfferSort, search);

/// The filters offers and needs share: category, CPV prefix, area, activity and words.
#[macro_export]
macro_rules! offer_like_filter {
    ($q:ident, $table:ident, $f:ident) => {{
        use diesel::dsl::sql;
        use diesel::sql_types::{Bool, Text};
        if let Some(id) = $f.organisation_id {
            $q = $q.filter($crate::db::schema::$table::organisation_id.eq(id));
        }
        if let Some(category) = &$f.category {
            $q = $q.filter(sql::<Bool>("lower(category) = lower(").bind::<Text, _>(category.clone()).sql(")"));
        }
        if let Some(cpv) = &$f.cpv {
            $q = $q.filter($crate::db::schema::$table::cpv_code.like($crate::db::listing::code_prefix(cpv)));
        }
        if let Some(teryt) = &$f.teryt {
            // A TERYT code is digits: anything else a caller sends is dropped, so it cannot act as a LIKE wildcard.
            let code: String = teryt.chars().filter(char::is_ascii_digit).collect();
            $q = $q.filter(sql::<Bool>("(cardinality(areas) = 0 OR es_areas_overlap(areas, ").bind::<Text, _>(code).sql("))"));
        }
        if let Some(active) = $f.active {
            $q = $q.filter($crate::db::schema::$table::active.eq(active));
        }
        if let Some(text) = &$f.q {
            $q = $q.filter(
                sql::<Bool>(&$crate::db::listing::matches("search"))
                    .bind::<Text, _>($crate::db::listing::search_terms(text))
                    .sql($crate::db::listing::MATCHES_END),
            );
        }
    }};
}

fn apply_filter<'a>(mut q: offers::BoxedQuery<'a, Pg>, f: &OfferFilter) -> offers::BoxedQuery<'a, Pg> {
    crate::offer_like_filter!(q, offers, f);
    q
}

crate::table_store!(Offers, offers, OfferData, OfferFilter, apply_filter);

/// The most offers a need is matched with.
pub const MOST_MATCHES: i64 = 200;

/// The active offers that cover need `need_id` (`es_offer_covers`, migration
/// 000018), newest first, at most [`MOST_MATCHES`].
pub fn covering(conn: &mut PgConnection, need_id: i64) -> Result<Vec<crate::db::Record<OfferData>>, DbError> {
    let ids: Vec<i64> = offers::table
        .filter(offers::active.eq(true))
        .filter(
            sql::<Bool>("EXISTS (SELECT 1 FROM needs n WHERE n.id = ")
                .bind::<diesel::sql_types::BigInt, _>(need_id)
                .sql(" AND es_offer_covers(offers.cpv_code, offers.category, offers.areas, n.cpv_code, n.category, n.areas))"),
        )
        .order(offers::id.desc())
        .limit(MOST_MATCHES)
        .select(offers::id)
        .load(conn)?;
    let mut found = <Offers as crate::db::Store>::find_many(conn, &ids)?;
    found.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(found)
}
