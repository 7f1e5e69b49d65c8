//! The workflows: for each collection whose records move through states, its
//! states, the states that freeze a record, and for each move between states
//! the party that decides it, declared once, as the permission table declares
//! who writes. Every path that writes such a record (single writes, imports,
//! the workflow's own routes, the command line) asks [`Workflow::transition`]
//! and `access::authorize_transition` through `service::workflow`; a test walks
//! every declared transition as every role.

use super::collection::Collection;
use serde_json::Value;

/// Who moves a record from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// Whoever may write the record (the permission table's writers): a
    /// project hands in its own values and claims.
    Writers,
    /// A second pair of eyes: the ROPS of the record's voivodeship, never an
    /// account that made or last changed the record, nor in a write that also
    /// changes what is decided; or an admin.
    SecondPair,
    /// The ROPS of the record's voivodeship, on its own entry (a status, a
    /// lock): it takes effect at once, but a ROPS account acting alone leaves
    /// it self-decided, and shown so, until another account of the ROPS (or an
    /// admin) confirms it; an admin's entry is decided.
    RopsConfirmed,
    /// An admin alone: a correction, audited as every write is.
    Admin,
}

impl Decider {
    pub fn describe(self) -> &'static str {
        match self {
            Decider::Writers => "the record's writers",
            Decider::SecondPair => "the ROPS of the record's voivodeship (never the account that made or last changed it) or an admin",
            Decider::RopsConfirmed => "the ROPS of the record's voivodeship (self-decided until another of its accounts confirms) or an admin",
            Decider::Admin => "an admin",
        }
    }
}

/// One move: from a state (`None`: the record is made in `to`) to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Option<&'static str>,
    pub to: &'static str,
    pub by: Decider,
}

const fn step(from: &'static str, to: &'static str, by: Decider) -> Transition {
    Transition { from: Some(from), to, by }
}

const fn made(to: &'static str, by: Decider) -> Transition {
    Transition { from: None, to, by }
}

/// How a record's state is read off its stored form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateField {
    /// A field that holds the state.
    Named(&'static str),
    /// `revoked` when the field (a day of revocation) is set, else `granted`.
    RevokedOn(&'static str),
}

/// A collection's workflow.
#[derive(Debug, Clone, Copy)]
pub struct Workflow {
    pub collection: Collection,
    pub state: StateField,
    pub states: &'static [&'static str],
    /// Decided for good: the record is changed and deleted by an admin alone.
    pub frozen: &'static [&'static str],
    /// What a decision gives besides the state (an approved amount, a day, a
    /// note): a write that changes anything else as well is also a change of
    /// the record, and so its maker's.
    pub decision_fields: &'static [&'static str],
    /// Whether a move is recorded as self-decided until confirmed (`Decider::RopsConfirmed`).
    pub confirmable: bool,
    pub transitions: &'static [Transition],
}

use Decider::{Admin, RopsConfirmed, SecondPair, Writers};

/// Reported indicator values: handed in by the project, decided by the ROPS
/// (`/submit`, `/approve`, `/return`); a changed returned value is a draft again.
const MEASUREMENTS: Workflow = Workflow {
    collection: Collection::IndicatorMeasurements,
    state: StateField::Named("status"),
    states: &["draft", "submitted", "approved", "returned"],
    frozen: &["approved"],
    decision_fields: &["status", "return_reason", "submitted_at", "decided_at"],
    confirmable: false,
    transitions: &[
        made("draft", Writers),
        step("draft", "submitted", Writers),
        step("returned", "submitted", Writers),
        step("returned", "draft", Writers),
        step("submitted", "approved", SecondPair),
        step("submitted", "returned", SecondPair),
    ],
};

/// Payment claims: made and handed in by the project, decided by the ROPS; a
/// returned claim is the project's to correct and hand in again.
const PAYMENT_CLAIMS: Workflow = Workflow {
    collection: Collection::PaymentClaims,
    state: StateField::Named("status"),
    states: &["draft", "submitted", "returned", "approved", "rejected"],
    frozen: &["approved", "rejected"],
    decision_fields: &["status", "approved_amount", "eu_approved_amount", "approved_on", "notes"],
    confirmable: false,
    transitions: &[
        made("draft", Writers),
        made("submitted", Writers),
        // A claim decided before the registry kept it is recorded by an admin (or an import the operator runs).
        made("returned", Admin),
        made("approved", Admin),
        made("rejected", Admin),
        step("draft", "submitted", Writers),
        step("submitted", "draft", Writers),
        step("returned", "draft", Writers),
        step("returned", "submitted", Writers),
        step("submitted", "returned", SecondPair),
        step("submitted", "approved", SecondPair),
        step("submitted", "rejected", SecondPair),
    ],
};

/// Reporting periods: opened by whoever keeps the programme's calendar; locking
/// and unlocking are the ROPS's decisions, confirmed by a second account.
const REPORTING_PERIODS: Workflow = Workflow {
    collection: Collection::ReportingPeriods,
    state: StateField::Named("state"),
    states: &["open", "locked"],
    frozen: &[],
    decision_fields: &["state", "notes"],
    confirmable: true,
    transitions: &[made("open", Writers), made("locked", RopsConfirmed), step("open", "locked", RopsConfirmed), step("locked", "open", RopsConfirmed)],
};

/// An organisation's statuses: granted and revoked by the ROPS of its
/// voivodeship, confirmed by a second account.
const ORGANISATION_STATUSES: Workflow = Workflow {
    collection: Collection::OrganisationStatuses,
    state: StateField::RevokedOn("revoked_on"),
    states: &["granted", "revoked"],
    frozen: &[],
    decision_fields: &["revoked_on", "revocation_reason", "notes"],
    confirmable: true,
    transitions: &[
        made("granted", RopsConfirmed),
        made("revoked", RopsConfirmed),
        step("granted", "revoked", RopsConfirmed),
        step("revoked", "granted", RopsConfirmed),
    ],
};

/// Every declared workflow.
pub const ALL: [Workflow; 4] = [MEASUREMENTS, PAYMENT_CLAIMS, REPORTING_PERIODS, ORGANISATION_STATUSES];

/// The workflow of `collection`, if its records have one.
pub fn of(collection: Collection) -> Option<&'static Workflow> {
    ALL.iter().find(|w| w.collection == collection)
}

/// What a record's evidence (the files attached to it: an attendance list, a
/// scan) follows. Evidence has no states of its own: it changes while what it
/// supports is undecided and freezes with its decision, changed from then on
/// by an admin alone (`access::authorize_frozen_write`); every removal is
/// audited, a cascade's too (`service::evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreezesWith {
    /// The record's own workflow: frozen in its frozen states.
    Record,
    /// The values the record supports (its project's values of a period that
    /// covers the record's first day): frozen once one of them is frozen.
    SupportedValues,
}

/// The records that hold evidence, and what freezes it.
#[derive(Debug, Clone, Copy)]
pub struct Evidence {
    pub of: Collection,
    pub freezes_with: FreezesWith,
}

/// Every collection whose records hold evidence.
pub const EVIDENCE: [Evidence; 2] = [
    Evidence { of: Collection::IndicatorMeasurements, freezes_with: FreezesWith::Record },
    Evidence { of: Collection::Activities, freezes_with: FreezesWith::SupportedValues },
];

/// What freezes the evidence of `collection`'s records, if they hold any.
pub fn evidence_of(collection: Collection) -> Option<&'static Evidence> {
    EVIDENCE.iter().find(|e| e.of == collection)
}

/// The states of supported values that freeze the evidence behind them.
pub fn supported_values_frozen_in() -> &'static [&'static str] {
    MEASUREMENTS.frozen
}

/// What a write does to a record with a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The state stays (or the record is deleted): no decision is made.
    Stays,
    /// A declared transition.
    Declared(Transition),
}

impl Workflow {
    /// The state of a record, from its stored form.
    pub fn state_of(&self, record: &Value) -> Option<String> {
        match self.state {
            StateField::Named(field) => record.get(field).and_then(Value::as_str).map(str::to_owned),
            StateField::RevokedOn(field) => Some(if record.get(field).is_some_and(|v| !v.is_null()) { "revoked" } else { "granted" }.to_owned()),
        }
    }

    /// Whether a record in `state` is decided for good.
    pub fn frozen(&self, state: Option<&str>) -> bool {
        state.is_some_and(|s| self.frozen.contains(&s))
    }

    /// The move from `before` to `after` (stored forms; `None`: none stored),
    /// or `Err` naming the states when it is no declared transition.
    pub fn transition(&self, before: Option<&Value>, after: &Value) -> Result<Move, (Option<String>, Option<String>)> {
        let from = before.and_then(|b| self.state_of(b));
        let to = self.state_of(after);
        if before.is_some() && from == to {
            return Ok(Move::Stays);
        }
        self.transitions.iter().find(|t| t.from == from.as_deref() && Some(t.to) == to.as_deref()).map(|t| Move::Declared(*t)).ok_or((from, to))
    }

    /// Whether the write of `after` over `before` changes more than what a
    /// decision gives: then its caller is one of the record's makers.
    pub fn changes_more_than_decision(&self, before: Option<&Value>, after: &Value) -> bool {
        let Some(before) = before else { return true };
        let strip = |v: &Value| match v {
            Value::Object(fields) => {
                Value::Object(fields.iter().filter(|(k, _)| !self.decision_fields.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
            }
            other => other.clone(),
        };
        strip(before) != strip(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_transition_names_declared_states_and_every_state_is_reached() {
        for workflow in ALL {
            assert_eq!(of(workflow.collection).map(|w| w.collection), Some(workflow.collection), "one workflow per collection");
            for t in workflow.transitions {
                assert!(t.from.is_none_or(|s| workflow.states.contains(&s)), "{}: {t:?}", workflow.collection);
                assert!(workflow.states.contains(&t.to), "{}: {t:?}", workflow.collection);
                assert!(
                    t.from.is_none_or(|s| !workflow.frozen.contains(&s)) || t.by == Admin,
                    "{}: a frozen state is left by an admin only",
                    workflow.collection
                );
            }
            for state in workflow.states {
                assert!(workflow.transitions.iter().any(|t| t.to == *state), "{}: {state} is reached", workflow.collection);
            }
            assert_eq!(workflow.confirmable, workflow.transitions.iter().any(|t| t.by == RopsConfirmed), "{}", workflow.collection);
        }
    }

    #[test]
    fn evidence_freezes_with_a_declared_workflow() {
        for evidence in EVIDENCE {
            match evidence.freezes_with {
                FreezesWith::Record => assert!(of(evidence.of).is_some_and(|w| !w.frozen.is_empty()), "{}: its own workflow freezes", evidence.of),
                FreezesWith::SupportedValues => assert!(!supported_values_frozen_in().is_empty()),
            }
        }
    }

    #[test]
    fn moves_are_read_off_the_stored_forms() {
        let claims = of(Collection::PaymentClaims).unwrap();
        let draft = json!({"status": "draft", "claimed_amount": "1.00"});
        let approved = json!({"status": "approved", "claimed_amount": "1.00", "approved_amount": "1.00"});
        assert_eq!(claims.transition(Some(&draft), &draft), Ok(Move::Stays));
        assert_eq!(claims.transition(Some(&draft), &approved), Err((Some("draft".into()), Some("approved".into()))), "a draft is not decided");
        assert!(matches!(claims.transition(None, &approved), Ok(Move::Declared(Transition { by: Admin, .. }))));
        assert!(!claims.changes_more_than_decision(Some(&draft), &approved));
        assert!(claims.changes_more_than_decision(Some(&draft), &json!({"status": "approved", "claimed_amount": "2.00"})));
        let statuses = of(Collection::OrganisationStatuses).unwrap();
        assert_eq!(statuses.state_of(&json!({"revoked_on": null})).as_deref(), Some("granted"));
        assert_eq!(statuses.state_of(&json!({"revoked_on": "2024-01-01"})).as_deref(), Some("revoked"));
    }
}
