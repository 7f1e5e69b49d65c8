//! Relations that name another organisation (a network's member, an
//! agreement's parties): each named organisation has its say. A relation is
//! accepted at once for the organisations its writer speaks for
//! (`domain::access::speaks_for`: the organisation's own accounts, the ROPS
//! of its voivodeship, an admin, the system), and proposed to the others
//! until one who speaks for them accepts or declines it. A proposal is not
//! public (`Spec::public_once_decided`), not counted (the reports count
//! accepted rows only), blocks nothing (deleting the named organisation
//! removes it, audited) and can be declined; a member may leave.
//!
//! A resource that names organisations implements [`Naming`] and calls
//! [`settle`] from its `Resource::settle`; accepting, declining and the inbox
//! are then the same for all of them.

use super::audit;
use super::records::{hold, may_try, not_found};
use super::resource::Resource;
use super::view::{view, View};
use super::ServiceError;
use crate::db::agreements::{self, AgreementData, Agreements};
use crate::db::network_members::{self, NetworkMemberData, NetworkMembers};
use crate::db::{calendar, scopes, Record, Store};
use crate::domain::access::{answers_for, authorize_answer, authorize_leave, proposal_status, speaks_for, Action, Answers, Caller, Scope};
use crate::domain::codes::ProposalStatus;
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde::Serialize;
use utoipa::ToSchema;

/// A record that names organisations, each of which accepts or declines being named.
pub trait Naming: Resource {
    /// Where `organisation`'s word on the record stands; `None` when it is not named.
    fn answer(data: &Self::Data, organisation: i64) -> Option<ProposalStatus>;

    /// The record with `organisation`'s word set to `status` (by account `by`,
    /// `None` when given at once), its own status following from it.
    fn answered(data: Self::Data, organisation: i64, status: ProposalStatus, by: Option<i64>) -> Self::Data;

    /// Where the record as a whole stands.
    fn status(data: &Self::Data) -> ProposalStatus;
}

/// The scope of organisation `id`, which a record names.
fn named_scope(conn: &mut PgConnection, id: i64) -> Result<Scope, ServiceError> {
    match scopes::organisation(conn, id)? {
        Some((_, voivodeship)) => Ok(Scope::Organisation { id: Some(id), voivodeship }),
        None => Err(ServiceError::field("organisation_id", "not_found", format!("there is no organisation with id {id}"))),
    }
}

/// The word of each organisation newly named by `data` (all of them for a new
/// record, `before` none): accepted at once where `caller` speaks for it, else
/// proposed. Organisations named before keep their word.
pub fn settle<R: Naming>(conn: &mut PgConnection, caller: &Caller, before: Option<&R::Data>, mut data: R::Data) -> Result<R::Data, ServiceError> {
    for organisation in R::named(&data) {
        if before.is_some_and(|before| R::named(before).contains(&organisation)) {
            continue;
        }
        let status = proposal_status(caller, &named_scope(conn, organisation)?);
        data = R::answered(data, organisation, status, None);
    }
    Ok(data)
}

/// Accepts (`accept`) or declines record `id` for `organisation`, or, when not
/// given, for the one named organisation the caller speaks for (its own
/// first). Audited as a change of the record.
pub fn answer<R: Naming>(conn: &mut PgConnection, caller: &Caller, id: i64, organisation: Option<i64>, accept: bool) -> Result<Record<R::Data>, ServiceError> {
    let user = caller.signed_in()?.clone();
    may_try::<R>(caller, Action::Update)?;
    conn.transaction(|conn| {
        let stored = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
        let named = R::named(&stored.data);
        let organisation = match organisation {
            Some(organisation) if named.contains(&organisation) => organisation,
            Some(organisation) => {
                return Err(ServiceError::field(
                    "organisation_id",
                    "not_named",
                    format!("this {} does not name organisation {organisation}", R::COLLECTION.spec().noun),
                ))
            }
            None => match user.organisation_id.filter(|own| named.contains(own)) {
                Some(own) => own,
                None => {
                    let mut spoken_for = Vec::new();
                    for organisation in named {
                        if speaks_for(caller, &named_scope(conn, organisation)?) {
                            spoken_for.push(organisation);
                        }
                    }
                    let pending: Vec<i64> = spoken_for.iter().copied().filter(|o| R::answer(&stored.data, *o) == Some(ProposalStatus::Proposed)).collect();
                    match (spoken_for.as_slice(), pending.as_slice()) {
                        ([], _) => spoken_for_none()?,
                        (_, [one]) => *one,
                        // Nothing awaits its word: the answer below says so.
                        ([first, ..], []) => *first,
                        _ => {
                            return Err(ServiceError::field(
                                "organisation_id",
                                "ambiguous",
                                "you speak for several of the organisations named: give the one you answer for as organisation_id",
                            ))
                        }
                    }
                }
            },
        };
        authorize_answer(caller, &named_scope(conn, organisation)?)?;
        if R::status(&stored.data) != ProposalStatus::Proposed || R::answer(&stored.data, organisation) != Some(ProposalStatus::Proposed) {
            return Err(ServiceError::Conflict {
                code: "not_proposed",
                detail: format!(
                    "this {} is {} and organisation {organisation} has {} it: only a proposal is accepted or declined",
                    R::COLLECTION.spec().noun,
                    R::status(&stored.data),
                    R::answer(&stored.data, organisation).map_or("no say in".to_owned(), |s| format!("the word {s} on"))
                ),
            });
        }
        let status = if accept { ProposalStatus::Accepted } else { ProposalStatus::Declined };
        let data = R::answered(stored.data.clone(), organisation, status, Some(user.id));
        let scope = R::scope(conn, Some(id), &data)?;
        let scope = hold::<R>(conn, caller, Action::Update, scope)?;
        let record = R::update(conn, id, &data)?;
        audit::write::<R>(conn, caller, Action::Update, id, &scope, Some(&stored.data), Some(&record.data))?;
        Ok(record)
    })
}

fn spoken_for_none() -> Result<i64, ServiceError> {
    Err(ServiceError::Forbidden("only an account of a named organisation, the ROPS of its voivodeship or an admin accepts or declines its being named".into()))
}

/// Membership `id` ends on `on` (today when not given), by the word of the
/// member organisation (its account, its ROPS), or of the network's keepers.
pub fn leave(conn: &mut PgConnection, caller: &Caller, id: i64, on: Option<NaiveDate>) -> Result<Record<NetworkMemberData>, ServiceError> {
    caller.signed_in()?;
    conn.transaction(|conn| {
        let stored = NetworkMembers::find_for_update(conn, id).map_err(not_found::<NetworkMembers>(id))?;
        let scope = NetworkMembers::scope(conn, Some(id), &stored.data)?;
        authorize_leave(caller, &named_scope(conn, stored.data.organisation_id)?, &scope)?;
        if stored.data.status != ProposalStatus::Accepted {
            return Err(ServiceError::Conflict {
                code: "not_a_member",
                detail: format!("this membership is {}: a proposal is declined, not left", stored.data.status),
            });
        }
        if let Some(left_on) = stored.data.left_on {
            return Err(ServiceError::Conflict { code: "already_left", detail: format!("the organisation left this network on {left_on}") });
        }
        let on = match on {
            Some(on) => on,
            None => calendar::today(conn)?,
        };
        let data = NetworkMembers::check(conn, NetworkMemberData { left_on: Some(on), ..stored.data.clone() })?;
        let scope = hold::<NetworkMembers>(conn, caller, Action::Update, scope)?;
        let record = NetworkMembers::update(conn, id, &data)?;
        audit::write::<NetworkMembers>(conn, caller, Action::Update, id, &scope, Some(&stored.data), Some(&record.data))?;
        Ok(record)
    })
}

/// The most proposals of each kind an inbox shows.
const INBOX_LIMIT: i64 = 500;

/// What awaits the caller's word: proposals naming its organisation (for a
/// ROPS, any organisation of its voivodeship; for an admin, every proposal)
/// that it has not answered, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    pub network_members: Vec<View<NetworkMemberData>>,
    pub agreements: Vec<View<AgreementData>>,
}

pub fn inbox(conn: &mut PgConnection, caller: &Caller) -> Result<Inbox, ServiceError> {
    let user = caller.signed_in()?;
    let (everyone, organisation, voivodeship) = match answers_for(user) {
        Answers::Everyone => (true, None, None),
        Answers::For { organisation, voivodeship } => (false, organisation, voivodeship),
    };
    let members = network_members::awaiting(conn, everyone, organisation, voivodeship.as_deref(), INBOX_LIMIT)?;
    let parties = agreements::awaiting(conn, everyone, organisation, voivodeship.as_deref(), INBOX_LIMIT)?;
    Ok(Inbox {
        network_members: NetworkMembers::find_many(conn, &members)?.into_iter().map(view::<NetworkMembers>).collect(),
        agreements: Agreements::find_many(conn, &parties)?.into_iter().map(view::<Agreements>).collect(),
    })
}

/// Removes the proposals naming organisation `id` (proposed or declined
/// memberships and agreements), each removal audited as `caller`'s, before the
/// organisation itself goes: a proposal blocks nothing. Accepted ones stay and
/// keep it from being deleted.
pub fn withdraw_naming(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<(), ServiceError> {
    fn withdraw<R: Resource>(conn: &mut PgConnection, caller: &Caller, ids: &[i64]) -> Result<(), ServiceError> {
        for record in R::find_many_for_update(conn, ids)? {
            let scope = R::scope(conn, Some(record.id), &record.data)?;
            super::evidence::remove_with(conn, caller, R::COLLECTION, record.id)?;
            R::delete(conn, record.id)?;
            audit::write::<R>(conn, caller, Action::Delete, record.id, &scope, Some(&record.data), None)?;
        }
        Ok(())
    }
    let members = network_members::unaccepted_naming(conn, id)?;
    withdraw::<NetworkMembers>(conn, caller, &members)?;
    let parties = agreements::unaccepted_naming(conn, id)?;
    withdraw::<Agreements>(conn, caller, &parties)
}
