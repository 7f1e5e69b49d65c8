//! The permission table, in one place. Every route asks [`authorize`]; routes over
//! records that belong to someone describe the record with a [`Scope`].
//!
//! | who       | reads                                   | writes |
//! |-----------|-----------------------------------------|--------|
//! | anonymous | public collections; never participants  | nothing |
//! | jst       | as anonymous                            | its own organisation's record |
//! | owes      | + participants of its projects          | projects in its voivodeship where its organisation is a current beneficiary, leader or partner (and their partners, activities, participants, indicators); new projects in its voivodeship, with itself as beneficiary |
//! | rops      | + participants in its voivodeship       | everything in its voivodeship: regional programmes, axes, measures, organisations, projects and their records; owes/jst users there |
//! | admin     | everything                              | everything |

use super::{Caller, User};
use crate::api::ApiError;
use crate::domain::codes::{PartnerRole, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    /// A data subject's copy of everything held about them: a read.
    Export,
    /// Anonymising a person: an update.
    Erase,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Erase => "erase",
        }
    }

    /// The plain action the permission table speaks of.
    fn base(self) -> Action {
        match self {
            Action::Export => Action::Read,
            Action::Erase => Action::Update,
            other => other,
        }
    }
}

/// How much of an aggregate a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every count.
    Full,
    /// Counts of 1 or 2 hidden, so no person can be singled out.
    Suppressed,
}

/// Participant aggregates: the data's owners (admin, the ROPS of the voivodeship,
/// the OWES of the project) see every count; other signed-in users see them
/// suppressed, local governments only for their own voivodeship.
pub fn aggregate_detail(caller: &Caller, scope: &Scope) -> Result<Detail, ApiError> {
    let user = caller.signed_in()?;
    Ok(match user.role {
        Role::Admin => Detail::Full,
        Role::Rops if in_voivodeship(user, scope) => Detail::Full,
        Role::Owes if owes_project(user, scope) && in_voivodeship(user, scope) => Detail::Full,
        Role::Jst if !in_voivodeship(user, scope) => return Err(forbidden("a local government sees participant aggregates of its own voivodeship")),
        _ => Detail::Suppressed,
    })
}

/// What a record belongs to, as far as permissions care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Programmes, their axes and measures: the programme's voivodeship (none for national ones).
    Programme { voivodeship: Option<String> },
    /// An organisation.
    Organisation { id: Option<i64>, voivodeship: Option<String> },
    /// A project and what hangs off it: its voivodeship and the organisations that
    /// are its beneficiary, leader or partner today.
    Project { voivodeship: Option<String>, organisations: Vec<i64> },
    /// A user account: its role and its organisation's voivodeship.
    Account { id: Option<i64>, role: Role, voivodeship: Option<String> },
    /// No narrower scope: a list over everything.
    Everything,
}

impl Scope {
    pub fn voivodeship(&self) -> Option<&str> {
        match self {
            Scope::Programme { voivodeship }
            | Scope::Organisation { voivodeship, .. }
            | Scope::Project { voivodeship, .. }
            | Scope::Account { voivodeship, .. } => voivodeship.as_deref(),
            Scope::Everything => None,
        }
    }
}

/// Collections of personal data: reading them is a scoped, audited act.
const PERSONAL: &[&str] = &["participants", "attendance", "users", "audit-events"];

/// Whether `action` on `collection` depends on the record (and so needs a [`Scope`]).
pub fn needs_scope(collection: &str, action: Action) -> bool {
    action != Action::Read || PERSONAL.contains(&collection)
}

fn forbidden(message: &str) -> ApiError {
    ApiError::Forbidden(message.to_owned())
}

fn in_voivodeship(user: &User, scope: &Scope) -> bool {
    user.voivodeship.is_some() && scope.voivodeship() == user.voivodeship.as_deref()
}

fn owes_project(user: &User, scope: &Scope) -> bool {
    matches!(scope, Scope::Project { organisations, .. } if user.organisation_id.is_some_and(|org| organisations.contains(&org)))
}

/// Decides whether `caller` may do `action` on a record of `collection`. `scope`
/// describes the record; it may be `None` only where [`needs_scope`] is false.
pub fn authorize(caller: &Caller, collection: &str, action: Action, scope: Option<&Scope>) -> Result<(), ApiError> {
    let action = action.base();
    if !needs_scope(collection, action) {
        return Ok(());
    }
    let user = caller.signed_in()?;
    let Some(scope) = scope else {
        // Only the coarse question is asked: may this kind of user try at all?
        return match (user.role, action) {
            (Role::Jst, Action::Read) if PERSONAL.contains(&collection) => Err(forbidden("local governments see aggregates, not person-level data")),
            _ => Ok(()),
        };
    };
    let allowed = match user.role {
        Role::Admin => true,
        Role::Rops => match (collection, scope) {
            ("users", Scope::Account { role, .. }) => matches!(role, Role::Owes | Role::Jst) && in_voivodeship(user, scope),
            ("audit-events", _) => action == Action::Read && in_voivodeship(user, scope),
            (_, Scope::Everything) => false,
            _ => in_voivodeship(user, scope),
        },
        Role::Owes => match (collection, action, scope) {
            ("projects", Action::Create, Scope::Project { .. }) => in_voivodeship(user, scope),
            // An OWES is accredited in one voivodeship and works there.
            ("projects" | "partners" | "activities" | "participants" | "attendance" | "indicators" | "indicator-measurements", _, Scope::Project { .. }) => {
                owes_project(user, scope) && in_voivodeship(user, scope)
            }
            _ => false,
        },
        Role::Jst => {
            matches!((collection, action, scope), ("beneficiaries", Action::Update, Scope::Organisation { id: Some(id), .. }) if user.organisation_id == Some(*id))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(forbidden(&format!("a {} user may not {} this {} record", user.role, action.as_str(), collection)))
    }
}

/// Who owns a project is the ROPS's business: an OWES may add and change the roles
/// of others (partners, implementers), but not another organisation's role as
/// beneficiary or leader.
pub fn authorize_role_row(caller: &Caller, role: PartnerRole, organisation_id: i64) -> Result<(), ApiError> {
    let user = caller.signed_in()?;
    let ownership = matches!(role, PartnerRole::Beneficiary | PartnerRole::Leader);
    if user.role == Role::Owes && ownership && user.organisation_id != Some(organisation_id) {
        return Err(forbidden("an OWES does not change another organisation's role as beneficiary or leader"));
    }
    Ok(())
}

/// Approving or returning a reported indicator value is the ROPS's (or an admin's).
pub fn authorize_decision(caller: &Caller, scope: &Scope) -> Result<(), ApiError> {
    let user = caller.signed_in()?;
    match user.role {
        Role::Admin => Ok(()),
        Role::Rops if in_voivodeship(user, scope) => Ok(()),
        _ => Err(forbidden("only the ROPS of the project's voivodeship approves or returns reported values")),
    }
}

/// What an organisation is (its `kind`) decides which accounts may act for it and
/// what they may do: only the ROPS of its voivodeship or an admin changes it.
pub fn authorize_kind_change(caller: &Caller, organisation: &Scope) -> Result<(), ApiError> {
    let user = caller.signed_in()?;
    match user.role {
        Role::Admin => Ok(()),
        Role::Rops if in_voivodeship(user, organisation) => Ok(()),
        _ => Err(forbidden("only the ROPS of the organisation's voivodeship or an admin changes what kind of organisation it is")),
    }
}

/// An update may not carry a record from one voivodeship to another, except by
/// an admin: otherwise an organisation could move itself, and its users' scope, away.
pub fn authorize_move(caller: &Caller, before: &Scope, after: &Scope) -> Result<(), ApiError> {
    let user = caller.signed_in()?;
    if user.role == Role::Admin || before.voivodeship() == after.voivodeship() {
        Ok(())
    } else {
        Err(forbidden("only an admin moves a record to another voivodeship"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, org: Option<i64>, voivodeship: Option<&str>) -> Caller {
        Caller::User(User { id: 1, email: "u@example.org".into(), role, organisation_id: org, voivodeship: voivodeship.map(Into::into), session: None })
    }

    fn project(voivodeship: &str, organisations: Vec<i64>) -> Scope {
        Scope::Project { voivodeship: Some(voivodeship.into()), organisations }
    }

    #[test]
    fn public_reads_need_no_sign_in_but_writes_do() {
        assert!(authorize(&Caller::Anonymous, "projects", Action::Read, None).is_ok());
        assert!(matches!(authorize(&Caller::Anonymous, "projects", Action::Create, None), Err(ApiError::Unauthorized(_))));
        assert!(matches!(authorize(&Caller::Anonymous, "participants", Action::Read, None), Err(ApiError::Unauthorized(_))));
    }

    #[test]
    fn owes_writes_only_its_projects() {
        let owes = user(Role::Owes, Some(7), Some("04"));
        assert!(authorize(&owes, "activities", Action::Create, Some(&project("04", vec![7, 8]))).is_ok());
        assert!(authorize(&owes, "activities", Action::Create, Some(&project("04", vec![8]))).is_err());
        assert!(authorize(&owes, "projects", Action::Create, Some(&project("04", vec![]))).is_ok());
        assert!(authorize(&owes, "projects", Action::Create, Some(&project("22", vec![]))).is_err());
        assert!(authorize(&owes, "programmes", Action::Create, Some(&Scope::Programme { voivodeship: Some("04".into()) })).is_err());
    }

    #[test]
    fn rops_writes_its_voivodeship_only_and_never_national_programmes() {
        let rops = user(Role::Rops, Some(1), Some("04"));
        assert!(authorize(&rops, "projects", Action::Update, Some(&project("04", vec![]))).is_ok());
        assert!(authorize(&rops, "projects", Action::Update, Some(&project("22", vec![]))).is_err());
        assert!(authorize(&rops, "programmes", Action::Create, Some(&Scope::Programme { voivodeship: None })).is_err());
        let account = |role| Scope::Account { id: None, role, voivodeship: Some("04".into()) };
        assert!(authorize(&rops, "users", Action::Create, Some(&account(Role::Owes))).is_ok());
        assert!(authorize(&rops, "users", Action::Create, Some(&account(Role::Admin))).is_err());
        assert!(authorize(&rops, "users", Action::Create, Some(&account(Role::Rops))).is_err());
    }

    #[test]
    fn jst_updates_only_its_own_organisation() {
        let jst = user(Role::Jst, Some(5), Some("04"));
        assert!(authorize(&jst, "beneficiaries", Action::Update, Some(&Scope::Organisation { id: Some(5), voivodeship: Some("04".into()) })).is_ok());
        assert!(authorize(&jst, "beneficiaries", Action::Update, Some(&Scope::Organisation { id: Some(6), voivodeship: Some("04".into()) })).is_err());
        assert!(authorize(&jst, "beneficiaries", Action::Delete, Some(&Scope::Organisation { id: Some(5), voivodeship: Some("04".into()) })).is_err());
        assert!(authorize(&jst, "participants", Action::Read, None).is_err());
    }
}
