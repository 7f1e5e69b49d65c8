//! Breakdowns (disaggregations) of an indicator's values and targets: per
//! dimension a definition declares (`BreakdownDimension`), a value per category.
//! Each dimension's categories are exhaustive, so they add up to the total they
//! break down: a breakdown is a partition of the value, never a second value.

use super::codes::BreakdownDimension;
use super::Checks;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Jsonb;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Values per category of each dimension, e.g.
/// `{"sex": {"women": "12", "men": "10", "non_binary": "1"}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, AsExpression, FromSqlRow)]
#[diesel(sql_type = Jsonb)]
#[serde(transparent)]
pub struct Breakdown(pub BTreeMap<BreakdownDimension, BTreeMap<String, Decimal>>);

impl ToSql<Jsonb, Pg> for Breakdown {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let value = serde_json::to_value(self)?;
        <serde_json::Value as ToSql<Jsonb, Pg>>::to_sql(&value, &mut out.reborrow())
    }
}

impl FromSql<Jsonb, Pg> for Breakdown {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let value = <serde_json::Value as FromSql<Jsonb, Pg>>::from_sql(bytes)?;
        Ok(serde_json::from_value(value)?)
    }
}

impl BreakdownDimension {
    /// The categories of a dimension with a fixed list; `None` for territory,
    /// whose categories are powiat TERYT codes.
    pub fn categories(self) -> Option<&'static [&'static str]> {
        match self {
            BreakdownDimension::Sex => Some(&["women", "men", "non_binary"]),
            BreakdownDimension::Age => Some(&["under_18", "18_29", "30_54", "55_plus"]),
            BreakdownDimension::Disability => Some(&["with_disability", "without_disability", "not_declared"]),
            BreakdownDimension::Territory => None,
        }
    }

    pub fn accepts(self, category: &str) -> bool {
        match self.categories() {
            Some(list) => list.contains(&category),
            None => category.len() == 4 && category.bytes().all(|b| b.is_ascii_digit()),
        }
    }
}

impl Breakdown {
    /// Checks a breakdown of `total` (in `field`) against the dimensions its
    /// definition declares: known dimensions and categories, plain non-negative
    /// numbers, and categories that add up to the total.
    pub fn check(&self, checks: &mut Checks, field: &str, declared: &[BreakdownDimension], total: Option<Decimal>) {
        for (dimension, cells) in &self.0 {
            let at = format!("{field}.{dimension}");
            if !declared.contains(dimension) {
                let known = declared.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ");
                checks.fail(&at, "undeclared_breakdown", format!("the definition declares no {dimension} breakdown (it declares: {known})"));
                continue;
            }
            for (category, value) in cells {
                if !dimension.accepts(category) {
                    let expected = match dimension.categories() {
                        Some(list) => list.join(", "),
                        None => "a powiat's 4-digit TERYT code".to_owned(),
                    };
                    checks.fail(format!("{at}.{category}"), "unknown_category", format!("{category:?} is not a {dimension} category: expected {expected}"));
                }
                checks.ensure(
                    *value >= Decimal::ZERO && value.normalize().scale() <= 4,
                    &format!("{at}.{category}"),
                    "invalid_value",
                    "a value is non-negative with at most four decimals",
                );
            }
            match total {
                Some(total) => {
                    let sum: Decimal = cells.values().copied().sum();
                    checks.ensure(
                        sum == total,
                        &at,
                        "breakdown_mismatch",
                        format!("the {dimension} categories add up to {} but the value they break down is {}", sum.normalize(), total.normalize()),
                    );
                }
                None => checks.fail(&at, "breakdown_without_value", "a breakdown needs the value it breaks down"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breakdown(json: serde_json::Value) -> Breakdown {
        serde_json::from_value(json).unwrap()
    }

    fn errors(b: &Breakdown, declared: &[BreakdownDimension], total: Option<i64>) -> Vec<String> {
        let mut checks = Checks::new();
        b.check(&mut checks, "breakdown", declared, total.map(Decimal::from));
        checks.into_result().err().unwrap_or_default().into_iter().map(|e| format!("{} {}", e.field, e.code)).collect()
    }

    #[test]
    fn categories_add_up_to_the_value_they_break_down() {
        let sex = breakdown(serde_json::json!({"sex": {"women": "12", "men": "10", "non_binary": "1"}}));
        assert!(errors(&sex, &[BreakdownDimension::Sex], Some(23)).is_empty());
        assert_eq!(errors(&sex, &[BreakdownDimension::Sex], Some(24)), ["breakdown.sex breakdown_mismatch"]);
        assert_eq!(errors(&sex, &[BreakdownDimension::Sex], None), ["breakdown.sex breakdown_without_value"]);
    }

    #[test]
    fn dimensions_must_be_declared_and_categories_known() {
        let age = breakdown(serde_json::json!({"age": {"under_18": "2", "elderly": "1"}}));
        assert_eq!(errors(&age, &[BreakdownDimension::Sex], Some(3)), ["breakdown.age undeclared_breakdown"]);
        assert_eq!(errors(&age, &[BreakdownDimension::Age], Some(3)), ["breakdown.age.elderly unknown_category"]);
        let territory = breakdown(serde_json::json!({"territory": {"0461": "3", "04": "1"}}));
        assert_eq!(errors(&territory, &[BreakdownDimension::Territory], Some(4)), ["breakdown.territory.04 unknown_category"]);
        assert!(serde_json::from_value::<Breakdown>(serde_json::json!({"colour": {"red": "1"}})).is_err(), "an unknown dimension is not read");
        // Like every decimal in the API, a cell is a string: a JSON number
        // would pass through a float in many clients.
        assert!(serde_json::from_value::<Breakdown>(serde_json::json!({"sex": {"women": 1}})).is_err());
    }
}
