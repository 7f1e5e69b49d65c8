use crate::db::payment_claims::{PaymentClaimData, PaymentClaims};
use crate::db::Record;
use crate::domain::access::{authorize_decided_write, Caller, DecidedWrite, Scope};
use crate::domain::codes::PaymentClaimStatus;
use crate::domain::collection::Collection;
use crate::domain::money::check_amount;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::resources::coordination::project_scope;
use crate::service::ServiceError;
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;

/// What the ROPS decides of a claim: its verdict (a status the project does not
/// give itself), the amounts approved and the day; all empty while undecided.
type Decision = (Option<PaymentClaimStatus>, Option<Decimal>, Option<Decimal>, Option<NaiveDate>);

fn decision(data: &PaymentClaimData) -> Decision {
    (data.status.is_verdict().then_some(data.status), data.approved_amount, data.eu_approved_amount, data.approved_on)
}

/// What the project claims: the claim without its decision (nor its notes,
/// which either side may add).
fn claimed(data: &PaymentClaimData) -> PaymentClaimData {
    PaymentClaimData { status: PaymentClaimStatus::Draft, approved_amount: None, eu_approved_amount: None, approved_on: None, notes: None, ..data.clone() }
}

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

    /// A claim is its project's to make and the ROPS's to decide, never by its
    /// maker, and frozen once decided (`access::authorize_decided_write`). A
    /// write decides when it gives a decision other than the stored one: taking
    /// a claim back from `returned` to `draft` or `submitted` is the project's.
    fn authorize_write(
        conn: &mut PgConnection,
        caller: &Caller,
        scope: &Scope,
        before: Option<&Record<PaymentClaimData>>,
        after: Option<&PaymentClaimData>,
    ) -> Result<(), ServiceError> {
        let decides = after.is_some_and(|after| {
            let given = decision(after);
            given != Decision::default() && before.is_none_or(|before| decision(&before.data) != given)
        });
        let makes = match (before, after) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(before), Some(after)) => claimed(&before.data) != claimed(after),
        };
        let makers = match before {
            Some(before) if decides && !makes => crate::db::audit::makers(conn, Self::COLLECTION.path(), before.id)?,
            _ => Vec::new(),
        };
        let frozen = before.is_some_and(|before| before.data.status.is_final());
        Ok(authorize_decided_write(caller, scope, &DecidedWrite { frozen, decides, makes, makers })?)
    }

    fn related(_: i64, data: &PaymentClaimData) -> Vec<(&'static str, String)> {
        vec![("project", format!("projects/{}", data.project_id)), ("spending", format!("projects/{}/spending", data.project_id))]
    }
}
