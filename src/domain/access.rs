//! Who may do what: the permission table, in one place, as pure functions of
//! the caller (the account as it is now), the act and what the record belongs
//! to. Every path that reads or writes asks it: single writes, imports,
//! workflow transitions and the command line (through the service layer).
//!
//! | who       | reads                                   | writes |
//! |-----------|-----------------------------------------|--------|
//! | anonymous | public collections; never personal data | nothing |
//! | jst       | as anonymous                            | its own organisation's record (not who it is: kind, names, identifiers); its own needs and strategy documents; networks it coordinates, their members and agreements |
//! | pes       | as anonymous                            | its own organisation's record (not who it is: kind, names, identifiers); its own offers; networks it coordinates, their members and agreements |
//! | owes      | + personal data of its projects         | its organisation's offers; projects in its voivodeship where its organisation is a current beneficiary, leader or partner, and what hangs off them (supported institutions, the project's agreements), but not who runs them (their beneficiary and leader rows) nor any decision (a payment claim only while undecided, never its verdict or approved amounts); new projects in its voivodeship, with itself as beneficiary; networks it coordinates, their members and agreements |
//! | rops      | + personal data in its voivodeship      | everything in its voivodeship: regional programmes, axes, measures, organisations, projects and their records (who runs them included), the register's entries (statuses, marks), offers, needs and strategy documents of its organisations, its competitions' awards, its committees (members, meetings, resolutions), networks coordinated there; owes/jst/pes users there; decisions on its projects' reported values and payment claims, but never on a claim its account made or last changed, and a decided claim is frozen; its locks and statuses, self-decided until another of its accounts confirms them (the moves of each workflow: `domain::workflow`) |
//! | admin     | everything                              | everything (decided claims included, audited as every write) |
//!
//! A relation that names another organisation (a network's member, an
//! agreement's party) is proposed until one who speaks for that organisation
//! (its own account, the ROPS of its voivodeship, an admin: [`speaks_for`])
//! accepts or declines it, and accepted at once when one of them writes it;
//! a member leaves by its own word too ([`authorize_leave`]).
//!
//! Which collection falls under which line follows from the registry
//! ([`Collection::spec`]): its [`Owner`] and whether it is personal.

use super::codes::{OrganisationKind, PartnerRole, ProposalStatus, Role};
use super::collection::{Collection, Owner};
use super::workflow::Decider;
use serde::Serialize;
use utoipa::ToSchema;

/// A signed-in user, as their account is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// The organisation the user acts for (absent for admins).
    pub organisation_id: Option<i64>,
    /// The voivodeship of that organisation: a `rops` user's scope.
    pub voivodeship: Option<String>,
    /// The sign-in this request's access token belongs to (its refresh tokens' family).
    #[serde(skip)]
    pub session: Option<i64>,
}

/// Who is acting: someone signed in, nobody, or the system itself (the command
/// line and scheduled runs, which act for the operator of the machine).
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    User(User),
    System { name: &'static str },
}

/// Why an act is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nobody is signed in (or the token is no good).
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
}

impl Caller {
    pub fn user(&self) -> Option<&User> {
        match self {
            Caller::User(user) => Some(user),
            Caller::Anonymous | Caller::System { .. } => None,
        }
    }

    /// The signed-in user, or why not.
    pub fn signed_in(&self) -> Result<&User, Refusal> {
        self.user().ok_or_else(|| Refusal::Unauthorized("sign in first: send Authorization: Bearer <access token>".into()))
    }

    /// How the audit trail names the caller: `(user id, email or name)`.
    pub fn audit_name(&self) -> (Option<i64>, Option<String>) {
        match self {
            Caller::User(user) => (Some(user.id), Some(user.email.clone())),
            Caller::System { name } => (None, Some((*name).to_owned())),
            Caller::Anonymous => (None, None),
        }
    }
}

/// What was done to a record, as the audit trail names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
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

/// What an act is about: records of a collection, user accounts, or the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Records(Collection),
    Accounts,
    AuditTrail,
}

impl From<Collection> for Subject {
    fn from(collection: Collection) -> Self {
        Subject::Records(collection)
    }
}

impl Subject {
    /// Personal data: every read of it is scoped and audited.
    fn personal(self) -> bool {
        match self {
            Subject::Records(collection) => collection.spec().personal,
            Subject::Accounts | Subject::AuditTrail => true,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Subject::Records(collection) => collection.path(),
            Subject::Accounts => "users",
            Subject::AuditTrail => "audit-events",
        }
    }
}

/// How much of an aggregate a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every count.
    Full,
    /// Counts of people protected (`domain::disclosure`), so no person can be singled out.
    Protected,
}

/// What a record belongs to, as far as permissions care.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Programmes, their axes and measures: the programme's voivodeship (none for national ones).
    Programme { voivodeship: Option<String> },
    /// An organisation.
    Organisation { id: Option<i64>, voivodeship: Option<String> },
    /// A project and what hangs off it: the project (none for one not yet
    /// created), its voivodeship and the organisations that are its
    /// beneficiary, leader or partner today.
    Project { id: Option<i64>, voivodeship: Option<String>, organisations: Vec<i64> },
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

/// Whether `action` on `subject` depends on the record (and so needs a [`Scope`]).
pub fn needs_scope(subject: impl Into<Subject>, action: Action) -> bool {
    action.base() != Action::Read || subject.into().personal()
}

fn forbidden(message: impl Into<String>) -> Refusal {
    Refusal::Forbidden(message.into())
}

fn in_voivodeship(user: &User, scope: &Scope) -> bool {
    user.voivodeship.is_some() && scope.voivodeship() == user.voivodeship.as_deref()
}

fn own_organisation(user: &User, scope: &Scope) -> bool {
    matches!(scope, Scope::Organisation { id: Some(id), .. } if user.organisation_id == Some(*id))
}

fn owes_project(user: &User, scope: &Scope) -> bool {
    matches!(scope, Scope::Project { organisations, .. } if user.organisation_id.is_some_and(|org| organisations.contains(&org)))
}

/// An OWES writes a project's records where its organisation is one of the
/// project's today, within the voivodeship it is accredited in.
fn owes_writes_project(user: &User, scope: &Scope) -> bool {
    owes_project(user, scope) && in_voivodeship(user, scope)
}

/// Decides whether `caller` may do `action` on `subject`. `scope` describes the
/// record; without it only the coarse question is asked (may this kind of caller
/// try at all?), which is all a public read needs.
pub fn authorize(caller: &Caller, subject: impl Into<Subject>, action: Action, scope: Option<&Scope>) -> Result<(), Refusal> {
    let subject = subject.into();
    let action = action.base();
    if !needs_scope(subject, action) {
        return Ok(());
    }
    if let Caller::System { .. } = caller {
        return Ok(());
    }
    let user = caller.signed_in()?;
    let Some(scope) = scope else {
        return match (user.role, action) {
            (Role::Jst, Action::Read) if subject.personal() => Err(forbidden("local governments see aggregates, not person-level data")),
            (Role::Pes, Action::Read) if subject.personal() => Err(forbidden("a social-economy entity's account sees no person-level data")),
            _ => Ok(()),
        };
    };
    let allowed = match (user.role, subject) {
        (Role::Admin, _) => true,
        (Role::Rops, Subject::Accounts) => matches!(scope, Scope::Account { role: Role::Owes | Role::Jst | Role::Pes, .. }) && in_voivodeship(user, scope),
        (Role::Rops, Subject::AuditTrail) => action == Action::Read && in_voivodeship(user, scope),
        (Role::Rops, Subject::Records(_)) => !matches!(scope, Scope::Everything) && in_voivodeship(user, scope),
        // Coordination work is its network's coordinator's (an organisation scope)
        // or its project's (a project scope, as the project's other records).
        (Role::Owes | Role::Jst | Role::Pes, Subject::Records(collection)) if collection.spec().owner == Owner::Coordination => match scope {
            Scope::Organisation { .. } => own_organisation(user, scope),
            Scope::Project { .. } => user.role == Role::Owes && owes_writes_project(user, scope),
            _ => false,
        },
        // An organisation's own entries (offers, needs) are its own accounts' to keep.
        (Role::Owes | Role::Jst | Role::Pes, Subject::Records(collection)) if collection.spec().owner == Owner::OwnEntries => own_organisation(user, scope),
        (Role::Owes, Subject::Records(collection)) => match (collection, action, scope) {
            (Collection::Projects, Action::Create, Scope::Project { .. }) => in_voivodeship(user, scope),
            // An OWES is accredited in one voivodeship and works there.
            (collection, _, Scope::Project { .. }) if collection.spec().owner == Owner::Project => owes_writes_project(user, scope),
            _ => false,
        },
        (Role::Jst | Role::Pes, Subject::Records(collection)) => {
            collection.spec().owner == Owner::Organisation && action == Action::Update && own_organisation(user, scope)
        }
        (Role::Owes | Role::Jst | Role::Pes, Subject::Accounts | Subject::AuditTrail) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(forbidden(format!("a {} user may not {} this {} record", user.role, action.as_str(), subject.name())))
    }
}

/// An update may not carry a record from one voivodeship to another, except by
/// an admin: otherwise an organisation could move itself, and its users' scope, away.
pub fn authorize_move(caller: &Caller, before: &Scope, after: &Scope) -> Result<(), Refusal> {
    if before.voivodeship() == after.voivodeship() || matches!(caller, Caller::System { .. }) {
        return Ok(());
    }
    match caller.signed_in()?.role {
        Role::Admin => Ok(()),
        _ => Err(forbidden("only an admin moves a record to another voivodeship")),
    }
}

/// Who runs a project is the ROPS's business: its beneficiary and leader rows
/// are added, changed and ended by the ROPS of the project's voivodeship or an
/// admin (who must also be allowed to write the project), never by an OWES, not
/// even for itself: a partner promotes neither itself nor another. An OWES keeps
/// the other roles of its projects (partners, implementers, on whose behalf). A
/// project an OWES registers makes it its beneficiary by the registration itself
/// (projects' `Resource::after_create`), not by a role row it writes.
pub fn authorize_role_row(caller: &Caller, role: PartnerRole) -> Result<(), Refusal> {
    let Some(user) = caller.user() else { return Ok(()) };
    let runs_project = matches!(role, PartnerRole::Beneficiary | PartnerRole::Leader);
    if runs_project && !matches!(user.role, Role::Rops | Role::Admin) {
        return Err(forbidden(
            "who runs a project (its beneficiary and leader rows) is set by the ROPS of the project's voivodeship or an admin: an OWES adds, changes and ends only the other roles",
        ));
    }
    Ok(())
}

/// Who an organisation is (its kind, names, identifiers, PES type, parent) decides
/// which accounts may act for it, what they may do, and what its marks and
/// statuses name: only the ROPS of its voivodeship or an admin changes it, never
/// the organisation's own accounts (a holder of a mark renamed after a famous
/// firm, or taking another's NIP, would take over what is granted to them).
pub fn authorize_identity_change(caller: &Caller, organisation: &Scope) -> Result<(), Refusal> {
    if let Caller::System { .. } = caller {
        return Ok(());
    }
    let user = caller.signed_in()?;
    match user.role {
        Role::Admin => Ok(()),
        Role::Rops if in_voivodeship(user, organisation) => Ok(()),
        _ => Err(forbidden(
            "only the ROPS of the organisation's voivodeship or an admin changes who an organisation is: its kind, names, identifiers, PES type, parent, or a local government's TERYT code",
        )),
    }
}

/// Deciding on a project's record (approving or returning a reported indicator
/// value; approving, rejecting or returning a payment claim) is the ROPS's of the
/// project's voivodeship (or an admin's).
pub fn authorize_decision(caller: &Caller, scope: &Scope) -> Result<(), Refusal> {
    let user = caller.signed_in()?;
    match user.role {
        Role::Admin => Ok(()),
        Role::Rops if in_voivodeship(user, scope) => Ok(()),
        _ => Err(forbidden("only the ROPS of the record's voivodeship (or an admin) decides this: a project's reported values and payment claims, a region's locks and statuses")),
    }
}

/// What an allowed move of a workflow comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Decided: by the party the workflow names, or a second pair of eyes.
    Decided,
    /// A ROPS account's own entry, made alone: in force, shown as self-decided
    /// until another account of the ROPS (or an admin) confirms it.
    SelfDecided,
}

fn maker_refusal() -> Refusal {
    forbidden(
        "the maker never decides alone: an account that made or last changed this record does not decide it, nor decides in the write that changes it; another account of the ROPS (or an admin) does",
    )
}

/// Who may move a record along its workflow (`domain::workflow`): the move's
/// declared [`Decider`]. `makes` says the write also changes the record beyond
/// the decision; `makers` are the accounts that made the stored record and that
/// last changed it. A second pair of eyes is never one of them, nor decides in
/// a write that changes the record. An admin may make every declared move, and
/// so may the system (the operator of the machine). Asked by every write of a
/// record with a workflow, on top of [`authorize`].
pub fn authorize_transition(caller: &Caller, collection: Collection, scope: &Scope, by: Decider, makes: bool, makers: &[i64]) -> Result<Verdict, Refusal> {
    if let Caller::System { .. } = caller {
        return Ok(Verdict::Decided);
    }
    let user = caller.signed_in()?;
    let admin = user.role == Role::Admin;
    match by {
        Decider::Writers => authorize(caller, collection, Action::Update, Some(scope)).map(|()| Verdict::Decided),
        Decider::Admin if admin => Ok(Verdict::Decided),
        Decider::Admin => Err(forbidden("only an admin makes this move (a correction of a decided record, or a record made already decided)")),
        Decider::SecondPair => {
            authorize_decision(caller, scope)?;
            if !admin && (makes || makers.contains(&user.id)) {
                return Err(maker_refusal());
            }
            Ok(Verdict::Decided)
        }
        Decider::RopsConfirmed => authorize_decision(caller, scope).map(|()| if admin { Verdict::Decided } else { Verdict::SelfDecided }),
    }
}

/// A move no workflow declares (a draft claim approved, a rejected one taken
/// back) is an admin's correction alone, or the system's.
pub fn authorize_undeclared_move(caller: &Caller) -> Result<(), Refusal> {
    match caller {
        Caller::System { .. } => Ok(()),
        _ if caller.signed_in()?.role == Role::Admin => Ok(()),
        _ => Err(forbidden("no one but an admin makes this move: the workflow does not lead from the record's state to the one asked")),
    }
}

/// A record decided for good (an approved or rejected claim) is frozen: only
/// an admin (or the system) changes or deletes it.
pub fn authorize_frozen_write(caller: &Caller) -> Result<(), Refusal> {
    match caller {
        Caller::System { .. } => Ok(()),
        _ if caller.signed_in()?.role == Role::Admin => Ok(()),
        _ => Err(forbidden("this record is decided (approved or rejected) and so frozen: only an admin changes or deletes it")),
    }
}

/// Confirming a ROPS's self-decided entry (a lock, a status) is a second pair
/// of eyes: another account of the ROPS of its voivodeship than the one that
/// decided alone (`decided_by`), or an admin.
pub fn authorize_confirmation(caller: &Caller, scope: &Scope, decided_by: Option<i64>) -> Result<(), Refusal> {
    authorize_decision(caller, scope)?;
    let user = caller.signed_in()?;
    if user.role != Role::Admin && decided_by == Some(user.id) {
        return Err(maker_refusal());
    }
    Ok(())
}

/// Who speaks for an organisation that a relation names (a network's member,
/// an agreement's party): an account of that organisation, the ROPS of its
/// voivodeship, an admin, or the system (the command line, imports run as
/// it). `named` is the organisation's scope. The one rule of proposals: a
/// relation made by one who speaks for every organisation it names is
/// accepted at once, any other is proposed until one who speaks for the named
/// organisation accepts it (or declines it).
pub fn speaks_for(caller: &Caller, named: &Scope) -> bool {
    match caller {
        Caller::System { .. } => true,
        Caller::Anonymous => false,
        Caller::User(user) => match user.role {
            Role::Admin => true,
            Role::Rops => own_organisation(user, named) || in_voivodeship(user, named),
            Role::Owes | Role::Jst | Role::Pes => own_organisation(user, named),
        },
    }
}

/// How a relation naming `named` starts when `caller` writes it: accepted at
/// once when the caller [`speaks_for`] it, else proposed.
pub fn proposal_status(caller: &Caller, named: &Scope) -> ProposalStatus {
    if speaks_for(caller, named) {
        ProposalStatus::Accepted
    } else {
        ProposalStatus::Proposed
    }
}

/// Accepting or declining a proposal that names an organisation (`named`) is
/// for those who [`speaks_for`] it, never for the one that proposed it.
pub fn authorize_answer(caller: &Caller, named: &Scope) -> Result<(), Refusal> {
    if !matches!(caller, Caller::System { .. }) {
        caller.signed_in()?;
    }
    if speaks_for(caller, named) {
        Ok(())
    } else {
        Err(forbidden("only an account of the named organisation, the ROPS of its voivodeship or an admin accepts or declines its being named"))
    }
}

/// A member leaves a network by the word of one who [`speaks_for`] it (the
/// member organisation `member`), or of those who keep the network's members
/// (`network`, the membership's scope).
pub fn authorize_leave(caller: &Caller, member: &Scope, network: &Scope) -> Result<(), Refusal> {
    if speaks_for(caller, member) {
        return Ok(());
    }
    authorize(caller, Collection::NetworkMembers, Action::Update, Some(network)).map_err(|refusal| match refusal {
        Refusal::Forbidden(_) => {
            forbidden("a member leaves a network by the word of its own account, of the ROPS of its voivodeship, or of the network's keepers")
        }
        other => other,
    })
}

/// Whose proposals a user answers, for the inbox of proposals: every one for
/// an admin; else those naming the user's organisation and, for a ROPS, any
/// organisation of its voivodeship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answers {
    Everyone,
    For { organisation: Option<i64>, voivodeship: Option<String> },
}

pub fn answers_for(user: &User) -> Answers {
    match user.role {
        Role::Admin => Answers::Everyone,
        Role::Rops => Answers::For { organisation: user.organisation_id, voivodeship: user.voivodeship.clone() },
        Role::Owes | Role::Jst | Role::Pes => Answers::For { organisation: user.organisation_id, voivodeship: None },
    }
}

/// Evidence files are part of the record they are attached to (a reported
/// value, an activity, of `collection`, in `scope`): whoever may change that
/// record adds, describes and removes them; a file not marked public is read
/// by them and by the ROPS that decides the values (or an admin), never by
/// anyone else.
pub fn authorize_evidence(caller: &Caller, collection: Collection, scope: &Scope, action: Action) -> Result<(), Refusal> {
    match action.base() {
        Action::Read => authorize_oversight(caller, collection, scope),
        _ => authorize(caller, collection, Action::Update, Some(scope)),
    }
}

/// What lies behind a project's record and its decisions (a value's history
/// with the reasons it was returned, evidence not marked public) is for those
/// who may change the record (`collection` in `scope`) and for the ROPS that
/// decides on it (or an admin).
pub fn authorize_oversight(caller: &Caller, collection: Collection, scope: &Scope) -> Result<(), Refusal> {
    authorize(caller, collection, Action::Update, Some(scope)).or_else(|_| authorize_decision(caller, scope)).map_err(|refusal| match refusal {
        Refusal::Forbidden(_) => forbidden("this is for the project's writers and the ROPS of its voivodeship"),
        other => other,
    })
}

/// Counts of people: the data's owners (an admin, the ROPS of the voivodeship,
/// the OWES of the project) see them exact; anyone else, anonymous readers
/// included, sees them protected.
pub fn aggregate_detail(caller: &Caller, scope: &Scope) -> Detail {
    let Some(user) = caller.user() else {
        return if matches!(caller, Caller::System { .. }) { Detail::Full } else { Detail::Protected };
    };
    match user.role {
        Role::Admin => Detail::Full,
        Role::Rops if in_voivodeship(user, scope) => Detail::Full,
        Role::Owes if owes_writes_project(user, scope) => Detail::Full,
        _ => Detail::Protected,
    }
}

/// Participant summaries are for signed-in users, and a local government reads
/// those of its own voivodeship only.
pub fn authorize_summary(caller: &Caller, scope: &Scope) -> Result<Detail, Refusal> {
    let user = caller.signed_in()?;
    if user.role == Role::Jst && !in_voivodeship(user, scope) {
        return Err(forbidden("a local government sees participant aggregates of its own voivodeship"));
    }
    if user.role == Role::Pes {
        return Err(forbidden("a social-economy entity's account sees no participant aggregates"));
    }
    Ok(aggregate_detail(caller, scope))
}

/// A ROPS account acts for a ROPS, a JST account for a local government, an OWES
/// account for an OWES or the NGO that runs it, a PES account for a
/// social-economy entity (a PES, or an NGO that is one).
pub fn role_suits(role: Role, kind: OrganisationKind) -> bool {
    match role {
        Role::Admin => true,
        Role::Rops => kind == OrganisationKind::Rops,
        Role::Jst => kind == OrganisationKind::Jst,
        Role::Owes => matches!(kind, OrganisationKind::Owes | OrganisationKind::Ngo),
        Role::Pes => matches!(kind, OrganisationKind::Pes | OrganisationKind::Ngo),
    }
}

/// Which accounts a manager sees in lists: all for an admin, the OWES and JST
/// accounts of its voivodeship for a ROPS; `None` for anyone else.
pub fn manageable_accounts(user: &User) -> Option<(Option<String>, Option<&'static [Role]>)> {
    match user.role {
        Role::Admin => Some((None, None)),
        Role::Rops => Some((Some(user.voivodeship.clone().unwrap_or_default()), Some(&[Role::Owes, Role::Jst, Role::Pes][..]))),
        Role::Owes | Role::Jst | Role::Pes => None,
    }
}

/// Whose audit events a caller reads: all for an admin, its voivodeship's for a ROPS.
pub fn audit_trail_region(caller: &Caller) -> Result<Option<String>, Refusal> {
    let user = caller.signed_in()?;
    match user.role {
        Role::Admin => Ok(None),
        Role::Rops => Ok(Some(user.voivodeship.clone().unwrap_or_default())),
        Role::Owes | Role::Jst | Role::Pes => Err(forbidden("only admins and ROPS users read the audit trail")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_trail_and_the_document_name_actions_alike() {
        for action in [Action::Read, Action::Create, Action::Update, Action::Delete, Action::Export, Action::Erase] {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
    }

    fn user(role: Role, org: Option<i64>, voivodeship: Option<&str>) -> Caller {
        Caller::User(User { id: 1, email: "u@example.org".into(), role, organisation_id: org, voivodeship: voivodeship.map(Into::into), session: None })
    }

    fn project(voivodeship: &str, organisations: Vec<i64>) -> Scope {
        Scope::Project { id: Some(1), voivodeship: Some(voivodeship.into()), organisations }
    }

    #[test]
    fn public_reads_need_no_sign_in_but_writes_and_personal_reads_do() {
        assert!(authorize(&Caller::Anonymous, Collection::Projects, Action::Read, None).is_ok());
        assert!(matches!(authorize(&Caller::Anonymous, Collection::Projects, Action::Create, None), Err(Refusal::Unauthorized(_))));
        assert!(matches!(authorize(&Caller::Anonymous, Collection::Participants, Action::Read, None), Err(Refusal::Unauthorized(_))));
        assert!(matches!(authorize(&Caller::Anonymous, Collection::Attendance, Action::Export, None), Err(Refusal::Unauthorized(_))));
    }

    #[test]
    fn owes_writes_only_its_projects_and_what_hangs_off_them() {
        let owes = user(Role::Owes, Some(7), Some("04"));
        for collection in Collection::ALL.into_iter().filter(|c| c.spec().owner == Owner::Project) {
            assert!(authorize(&owes, collection, Action::Update, Some(&project("04", vec![7, 8]))).is_ok(), "{collection}");
            assert!(authorize(&owes, collection, Action::Update, Some(&project("04", vec![8]))).is_err(), "{collection}");
            assert!(authorize(&owes, collection, Action::Update, Some(&project("22", vec![7]))).is_err(), "{collection}: another voivodeship");
        }
        assert!(authorize(&owes, Collection::Projects, Action::Create, Some(&project("04", vec![]))).is_ok());
        assert!(authorize(&owes, Collection::Projects, Action::Create, Some(&project("22", vec![]))).is_err());
        assert!(authorize(&owes, Collection::Programmes, Action::Create, Some(&Scope::Programme { voivodeship: Some("04".into()) })).is_err());
        assert!(
            authorize(&owes, Collection::Beneficiaries, Action::Update, Some(&Scope::Organisation { id: Some(7), voivodeship: Some("04".into()) })).is_err()
        );
    }

    #[test]
    fn rops_writes_its_voivodeship_only_and_never_national_programmes() {
        let rops = user(Role::Rops, Some(1), Some("04"));
        assert!(authorize(&rops, Collection::Projects, Action::Update, Some(&project("04", vec![]))).is_ok());
        assert!(authorize(&rops, Collection::Projects, Action::Update, Some(&project("22", vec![]))).is_err());
        assert!(authorize(&rops, Collection::Programmes, Action::Create, Some(&Scope::Programme { voivodeship: None })).is_err());
        assert!(authorize(&rops, Collection::Participants, Action::Read, Some(&Scope::Everything)).is_err());
        let account = |role| Scope::Account { id: None, role, voivodeship: Some("04".into()) };
        assert!(authorize(&rops, Subject::Accounts, Action::Create, Some(&account(Role::Owes))).is_ok());
        assert!(authorize(&rops, Subject::Accounts, Action::Create, Some(&account(Role::Admin))).is_err());
        assert!(authorize(&rops, Subject::Accounts, Action::Create, Some(&account(Role::Rops))).is_err());
        assert!(authorize_move(&rops, &project("04", vec![]), &project("22", vec![])).is_err());
    }

    #[test]
    fn pes_keeps_its_own_record_and_entries_only() {
        let pes = user(Role::Pes, Some(5), Some("04"));
        let own = Scope::Organisation { id: Some(5), voivodeship: Some("04".into()) };
        let other = Scope::Organisation { id: Some(6), voivodeship: Some("04".into()) };
        assert!(authorize(&pes, Collection::Offers, Action::Create, Some(&own)).is_ok());
        assert!(authorize(&pes, Collection::Offers, Action::Delete, Some(&own)).is_ok());
        assert!(authorize(&pes, Collection::Offers, Action::Create, Some(&other)).is_err());
        assert!(authorize(&pes, Collection::Beneficiaries, Action::Update, Some(&own)).is_ok());
        assert!(authorize(&pes, Collection::Beneficiaries, Action::Delete, Some(&own)).is_err());
        assert!(authorize(&pes, Collection::Marks, Action::Create, Some(&own)).is_err(), "the register is the ROPS's");
        assert!(authorize(&pes, Collection::Participants, Action::Read, None).is_err());
        assert!(authorize(&pes, Subject::Accounts, Action::Read, Some(&Scope::Everything)).is_err());
        assert!(authorize_identity_change(&pes, &own).is_err());
        assert!(role_suits(Role::Pes, OrganisationKind::Pes) && !role_suits(Role::Pes, OrganisationKind::Jst));
    }

    #[test]
    fn jst_updates_only_its_own_organisation_and_not_its_kind() {
        let jst = user(Role::Jst, Some(5), Some("04"));
        let own = Scope::Organisation { id: Some(5), voivodeship: Some("04".into()) };
        assert!(authorize(&jst, Collection::Beneficiaries, Action::Update, Some(&own)).is_ok());
        assert!(authorize(&jst, Collection::Beneficiaries, Action::Update, Some(&Scope::Organisation { id: Some(6), voivodeship: Some("04".into()) })).is_err());
        assert!(authorize(&jst, Collection::Beneficiaries, Action::Delete, Some(&own)).is_err());
        assert!(authorize(&jst, Collection::Participants, Action::Read, None).is_err());
        assert!(authorize_identity_change(&jst, &own).is_err());
        assert!(authorize_identity_change(&user(Role::Rops, Some(1), Some("04")), &own).is_ok());
        assert!(authorize_identity_change(&user(Role::Rops, Some(1), Some("22")), &own).is_err());
    }

    #[test]
    fn who_runs_a_project_is_set_by_the_rops_and_a_partner_promotes_nobody() {
        let owes = user(Role::Owes, Some(7), Some("04"));
        for role in [PartnerRole::Beneficiary, PartnerRole::Leader] {
            assert!(authorize_role_row(&owes, role).is_err(), "{role}: not even for itself");
            assert!(authorize_role_row(&user(Role::Rops, Some(1), Some("04")), role).is_ok(), "{role}");
            assert!(authorize_role_row(&user(Role::Admin, None, None), role).is_ok(), "{role}");
        }
        for role in [PartnerRole::Partner, PartnerRole::Implementer, PartnerRole::OnBehalfOf] {
            assert!(authorize_role_row(&owes, role).is_ok(), "{role}");
        }
    }

    #[test]
    fn the_maker_never_decides_alone_and_a_decision_is_final() {
        let as_account = |caller: Caller, id: i64| match caller {
            Caller::User(user) => Caller::User(User { id, ..user }),
            other => other,
        };
        let scope = project("04", vec![7]);
        let owes = as_account(user(Role::Owes, Some(7), Some("04")), 10);
        let rops = as_account(user(Role::Rops, Some(1), Some("04")), 20);
        let other_region = as_account(user(Role::Rops, Some(2), Some("22")), 30);
        let admin = as_account(user(Role::Admin, None, None), 40);
        let claims = Collection::PaymentClaims;
        let decide = |caller: &Caller, makes: bool, makers: &[i64]| authorize_transition(caller, claims, &scope, Decider::SecondPair, makes, makers);
        // Undecided records are the project's writers' to make and change.
        assert_eq!(authorize_transition(&owes, claims, &scope, Decider::Writers, true, &[]), Ok(Verdict::Decided));
        // A decision is the region's ROPS's, made by someone else.
        assert!(decide(&owes, false, &[]).is_err());
        assert!(decide(&other_region, false, &[10]).is_err());
        assert_eq!(decide(&rops, false, &[10]), Ok(Verdict::Decided));
        assert!(decide(&rops, false, &[10, 20]).is_err(), "it made or last changed it");
        assert!(decide(&rops, true, &[10]).is_err(), "changed and decided at once");
        assert!(decide(&admin, true, &[40]).is_ok());
        // A ROPS's own entry is self-decided until a second account confirms it.
        let lock = |caller: &Caller| authorize_transition(caller, Collection::ReportingPeriods, &scope, Decider::RopsConfirmed, true, &[]);
        assert_eq!(lock(&rops), Ok(Verdict::SelfDecided));
        assert_eq!(lock(&admin), Ok(Verdict::Decided));
        assert!(lock(&owes).is_err() && lock(&other_region).is_err());
        assert!(authorize_confirmation(&rops, &scope, Some(20)).is_err(), "not by the account that locked");
        assert!(authorize_confirmation(&as_account(user(Role::Rops, Some(1), Some("04")), 21), &scope, Some(20)).is_ok());
        assert!(authorize_confirmation(&other_region, &scope, Some(20)).is_err());
        // Decided for good: frozen, but for an admin.
        assert!(authorize_frozen_write(&owes).is_err());
        assert!(authorize_frozen_write(&rops).is_err());
        assert!(authorize_frozen_write(&admin).is_ok());
        assert!(authorize_frozen_write(&Caller::System { name: "import" }).is_ok());
        assert!(authorize_undeclared_move(&rops).is_err() && authorize_undeclared_move(&admin).is_ok());
        assert!(matches!(decide(&Caller::Anonymous, false, &[]), Err(Refusal::Unauthorized(_))));
    }

    #[test]
    fn a_named_organisation_is_spoken_for_by_itself_its_rops_and_an_admin() {
        let named = Scope::Organisation { id: Some(5), voivodeship: Some("04".into()) };
        assert!(speaks_for(&user(Role::Pes, Some(5), Some("04")), &named));
        assert!(speaks_for(&user(Role::Rops, Some(1), Some("04")), &named));
        assert!(speaks_for(&user(Role::Admin, None, None), &named));
        assert!(speaks_for(&Caller::System { name: "import" }, &named));
        assert!(!speaks_for(&user(Role::Pes, Some(6), Some("04")), &named), "another organisation of the region");
        assert!(!speaks_for(&user(Role::Rops, Some(2), Some("22")), &named), "another region's ROPS");
        assert!(!speaks_for(&user(Role::Owes, Some(7), Some("04")), &named));
        assert!(!speaks_for(&Caller::Anonymous, &named));
        assert_eq!(proposal_status(&user(Role::Pes, Some(6), Some("22")), &named), ProposalStatus::Proposed);
        assert_eq!(proposal_status(&user(Role::Rops, Some(1), Some("04")), &named), ProposalStatus::Accepted);
        assert!(matches!(authorize_answer(&Caller::Anonymous, &named), Err(Refusal::Unauthorized(_))));
        assert!(matches!(authorize_answer(&user(Role::Pes, Some(6), Some("04")), &named), Err(Refusal::Forbidden(_))));
        assert!(authorize_answer(&user(Role::Pes, Some(5), Some("04")), &named).is_ok());
        let network = Scope::Organisation { id: Some(6), voivodeship: Some("22".into()) };
        assert!(authorize_leave(&user(Role::Pes, Some(5), Some("04")), &named, &network).is_ok(), "the member itself");
        assert!(authorize_leave(&user(Role::Pes, Some(6), Some("22")), &named, &network).is_ok(), "the network's coordinator");
        assert!(authorize_leave(&user(Role::Pes, Some(8), Some("04")), &named, &network).is_err());
    }

    #[test]
    fn accounts_suit_their_organisations() {
        assert!(role_suits(Role::Owes, OrganisationKind::Ngo));
        assert!(!role_suits(Role::Owes, OrganisationKind::Jst));
        assert!(!role_suits(Role::Jst, OrganisationKind::Rops));
        assert!(role_suits(Role::Admin, OrganisationKind::Pes));
    }

    #[test]
    fn the_system_may_do_what_the_operator_asks() {
        let system = Caller::System { name: "retention run" };
        assert!(authorize(&system, Collection::Participants, Action::Erase, Some(&project("04", vec![]))).is_ok());
        assert!(authorize(&system, Subject::Accounts, Action::Create, None).is_ok());
        assert!(authorize_summary(&system, &Scope::Everything).is_err(), "summaries are for people");
    }

    #[test]
    fn counts_of_people_are_exact_for_their_owners_only() {
        let owned = project("04", vec![7]);
        assert_eq!(aggregate_detail(&Caller::Anonymous, &owned), Detail::Protected);
        assert_eq!(aggregate_detail(&user(Role::Admin, None, None), &Scope::Everything), Detail::Full);
        assert_eq!(aggregate_detail(&user(Role::Rops, Some(1), Some("04")), &owned), Detail::Full);
        assert_eq!(aggregate_detail(&user(Role::Rops, Some(1), Some("22")), &owned), Detail::Protected);
        assert_eq!(aggregate_detail(&user(Role::Owes, Some(7), Some("04")), &owned), Detail::Full);
        assert_eq!(aggregate_detail(&user(Role::Owes, Some(8), Some("04")), &owned), Detail::Protected);
        assert_eq!(aggregate_detail(&user(Role::Jst, Some(9), Some("04")), &owned), Detail::Protected);
        assert!(authorize_summary(&user(Role::Jst, Some(9), Some("22")), &owned).is_err());
        assert!(authorize_summary(&Caller::Anonymous, &owned).is_err());
    }
}
