use crate::db::payment_claims::{PaymentClaimData, PaymentClaims};
use crate::domain::access::Scope;
use crate::domain::codes::PaymentClaimStatus;
use crate::domain::collection::Collection;
use crate::domain::money::check_amount;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::coordination::project_scope;
use crate::service::ServiceError;
use diesel::pg::PgConnection;

impl Resource for PaymentClaims {
    const COLLECTION: Collection = Collection::PaymentClaims;

    fn check(_: &mut PgConnection, mut data: PaymentClaimData) -> Result<PaymentClaimData, ServiceError> {
        let mut checks = Checks::new();
        data.number = data.number.trim().to_owned();
        checks.not_blank("number", &data.number);
        blank_to_none(&mut data.notes);
        checks.period(Some(data.period_from), Some(data.period_to), "period_from", "period_to");
        if let Some(claimed) = checks.check("claimed_amount", check_amount(data.claimed_amount)) {
            data.claimed_amount = claimed;
        }
        for (field, value) in [("approved_amount", &mut data.approved_amount), ("eu_approved_amount", &mut data.eu_approved_amount)] {
            if let Some(v) = *value {
                *value = checks.check(field, check_amount(v));
            }
        }
        let approved = data.status == PaymentClaimStatus::Approved;
        match data.approved_amount {
            Some(amount) => {
                checks.ensure(approved, "approved_amount", "not_approved", "only an approved claim has an approved amount");
                checks.ensure(amount <= data.claimed_amount, "approved_amount", "approved_above_claimed", "more cannot be approved than was claimed");
            }
            None => checks.ensure(!approved, "approved_amount", "required", "an approved claim states the amount approved"),
        }
        if let Some(eu) = data.eu_approved_amount {
            checks.ensure(
                data.approved_amount.is_some_and(|amount| eu <= amount),
                "eu_approved_amount",
                "eu_above_approved",
                "the EU share of the approved amount cannot exceed it (nor be given without it)",
            );
        }
        checks.plausible_date("submitted_on", data.submitted_on);
        checks.plausible_date("approved_on", data.approved_on);
        checks.ensure(data.approved_on.is_none() || approved, "approved_on", "not_approved", "only an approved claim has a day of approval");
        checks.ordered(data.submitted_on, data.approved_on, "approved_on", "submitted_on");
        checks.into_result()?;
        Ok(data)
    }

    /// A payment claim is one of the project's records.
    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &PaymentClaimData) -> Result<Scope, ServiceError> {
        project_scope(conn, "project_id", data.project_id)
    }

    fn permission_key(data: &PaymentClaimData) -> Option<i64> {
        Some(data.project_id)
    }

    fn related(_: i64, data: &PaymentClaimData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id)), ("spending", format!("projects/{}/spending", data.project_id))]
    }
}
