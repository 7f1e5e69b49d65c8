//! Moves along a workflow (`domain::workflow`), judged the same way on every
//! path that writes: single writes and imports (`records::Judge`), deletions,
//! the workflow's own routes (a value's `/approve`), and the confirmation of a
//! ROPS's self-decided entry.

use super::resource::Resource;
use super::{audit, ServiceError};
use crate::db::{workflow as store, Record};
use crate::domain::access::{authorize_confirmation, authorize_frozen_write, authorize_transition, authorize_undeclared_move, Action, Caller, Scope, Verdict};
use crate::domain::workflow::{self, Decider, Move};
use diesel::pg::PgConnection;
use diesel::Connection;

/// Judges the write of `after` over `before` (`None`: a new record; a deletion)
/// of a record of `R` in `scope`, once the caller may write it: a frozen
/// record is an admin's alone; a change of state must be a declared
/// transition, made by its decider. The verdict of the move, if it is one.
pub fn judge<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    scope: &Scope,
    before: Option<&Record<R::Data>>,
    after: Option<&R::Data>,
) -> Result<Option<Verdict>, ServiceError> {
    let Some(workflow) = workflow::of(R::COLLECTION) else { return Ok(None) };
    let before_value = before.map(|b| R::audit_value(&b.data)).transpose()?;
    if workflow.frozen(before_value.as_ref().and_then(|b| workflow.state_of(b)).as_deref()) {
        authorize_frozen_write(caller)?;
    }
    let Some(after) = after else { return Ok(None) };
    let after_value = R::audit_value(after)?;
    match workflow.transition(before_value.as_ref(), &after_value) {
        Ok(Move::Stays) => Ok(None),
        Ok(Move::Declared(transition)) => {
            let makers = match before {
                Some(before) if transition.by == Decider::SecondPair => crate::db::audit::makers(conn, R::COLLECTION.path(), before.id)?,
                _ => Vec::new(),
            };
            let makes = workflow.changes_more_than_decision(before_value.as_ref(), &after_value);
            Ok(Some(authorize_transition(caller, R::COLLECTION, scope, transition.by, makes, &makers)?))
        }
        Err((from, to)) => {
            authorize_undeclared_move(caller).map_err(|_| ServiceError::Conflict {
                code: "invalid_transition",
                detail: format!(
                    "a {} does not go from {} to {}: its workflow leads {}",
                    R::COLLECTION.spec().noun,
                    from.as_deref().unwrap_or("nothing"),
                    to.as_deref().unwrap_or("nothing"),
                    workflow.transitions.iter().map(|t| format!("{} → {} ({})", t.from.unwrap_or("new"), t.to, t.by.describe())).collect::<Vec<_>>().join("; ")
                ),
            })?;
            Ok(Some(Verdict::Decided))
        }
    }
}

/// Leaves the verdicts of `caller`'s moves on the written records `(id,
/// verdict)` of `R`: a ROPS's entry made alone is self-decided until confirmed.
pub fn record<R: Resource>(conn: &mut PgConnection, caller: &Caller, written: &[(i64, Option<Verdict>)]) -> Result<(), ServiceError> {
    if !workflow::of(R::COLLECTION).is_some_and(|w| w.confirmable) {
        return Ok(());
    }
    for verdict in [Verdict::Decided, Verdict::SelfDecided] {
        let ids: Vec<i64> = written.iter().filter(|(_, v)| *v == Some(verdict)).map(|(id, _)| *id).collect();
        let by = match verdict {
            Verdict::Decided => None,
            Verdict::SelfDecided => Some(caller.user().map(|u| u.id).ok_or_else(|| ServiceError::Internal("only an account decides alone".into()))?),
        };
        store::set_self_decided(conn, R::COLLECTION.spec().table, &ids, by)?;
    }
    Ok(())
}

/// Confirms record `id`, a ROPS's self-decided entry: by another account of
/// the ROPS of its voivodeship (never one that made or last changed it), or an
/// admin; audited as an update.
pub fn confirm<R: Resource>(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<Record<R::Data>, ServiceError> {
    super::records::may_try::<R>(caller, Action::Update)?;
    if !workflow::of(R::COLLECTION).is_some_and(|w| w.confirmable) {
        return Err(ServiceError::Internal(format!("{} have no confirmable workflow", R::COLLECTION)));
    }
    conn.transaction(|conn| {
        let stored = R::find_for_update(conn, id).map_err(super::records::not_found::<R>(id))?;
        let scope = R::scope(conn, Some(id), &stored.data)?;
        let table = R::COLLECTION.spec().table;
        let decided_by = store::self_decided_by(conn, table, id)?;
        authorize_confirmation(caller, &scope, decided_by)?;
        if decided_by.is_none() {
            return Err(ServiceError::Conflict {
                code: "not_self_decided",
                detail: format!("this {} is decided already: nothing to confirm", R::COLLECTION.spec().noun),
            });
        }
        store::set_self_decided(conn, table, &[id], None)?;
        let after = R::find(conn, id)?;
        audit::write::<R>(conn, caller, Action::Update, id, &scope, Some(&stored.data), Some(&after.data))?;
        Ok(after)
    })
}
