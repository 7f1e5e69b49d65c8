//! The use cases every resource has: list, read, create, replace, patch and
//! delete, and the one judgement of a write ([`Judge`]) that imports make too.
//!
//! A write is judged in this order, by single writes and imports alike:
//! 1. may the caller write the record as it is stored (its current owner), and
//!    is the record open to change (`Resource::check_open`)?
//! 2. the input is checked (`Resource::check`);
//! 3. fields the server keeps are carried over, and those that depend on the
//!    caller settled (`Resource::settle`: who accepted a relation naming another
//!    organisation); a write that changes nothing is no write at all;
//! 4. the change must be allowed by the record's state (`Resource::check_change`);
//! 5. may the caller write the record as it will be (its new owner, no move
//!    between voivodeships but by an admin, its content, and who may make this
//!    write of it: `Resource::authorize_write`, as a deletion asks too)?
//!
//! and is written with one audit event (`service::audit`).

use super::audit;
use super::resource::Resource;
use super::ServiceError;
use crate::db::listing::{Count, ListFilter, ListRequest, Listed};
use crate::db::{DbError, Record};
use crate::domain::access::{authorize, authorize_move, authorize_oversight, needs_scope, speaks_for, Action, Caller, Scope, Verdict};
use crate::domain::collection::Collection;
use crate::domain::merge_patch;
use crate::domain::places::Place;
use diesel::pg::PgConnection;
use diesel::Connection;
use serde_json::Value;
use std::collections::HashMap;

/// Turns "no such row" into "no such record of this resource".
pub fn not_found<R: Resource>(id: i64) -> impl FnOnce(DbError) -> ServiceError {
    move |e| match e {
        DbError::NotFound => ServiceError::NotFound { resource: R::COLLECTION.spec().noun, id: id.to_string() },
        other => other.into(),
    }
}

/// Refuses any text the registry does not keep (too long, or with a NUL), before other checks.
pub fn refuse_unkept<D: serde::Serialize>(data: &D) -> Result<(), ServiceError> {
    let value = serde_json::to_value(data).map_err(ServiceError::internal)?;
    let errors = crate::domain::validation::unkept_texts(&value);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// An input checked by the resource's rules, as both paths check it.
pub fn checked<R: Resource>(conn: &mut PgConnection, data: R::Data) -> Result<R::Data, ServiceError> {
    refuse_unkept(&data)?;
    R::check(conn, data)
}

/// Personal data says nothing to those who may not write it: a record of a
/// personal collection is judged as the new record it would be (its project)
/// before it is checked or matched, so that whether it names a person, or a
/// missing one, or breaks a rule, is told only to those who may see that
/// project's people. Other collections are public: they are judged after the
/// checks (which may derive what they belong to, as a project's voivodeship).
pub fn first_judged<R: Resource>(conn: &mut PgConnection, judge: &mut Judge<R>, data: R::Data) -> Result<R::Data, ServiceError> {
    if R::COLLECTION.spec().personal {
        judge.create(conn, &data)?;
    }
    Ok(data)
}

/// What a judged write comes to.
pub enum Plan<D> {
    /// The write would change nothing: nothing is written or audited.
    Unchanged,
    /// Write `data`; the record then belongs to `scope`; the verdict of the
    /// workflow's move it makes, if it makes one (`service::workflow`).
    Write { data: D, scope: Scope, verdict: Option<Verdict> },
}

/// Judges writes of one caller to records of `R`. Verdicts that depend only on
/// a record's owner (`Resource::permission_key`) are kept, so a batch of rows of
/// one project is judged once; a single write makes a judge of its own.
pub struct Judge<'c, R: Resource> {
    caller: &'c Caller,
    stored: HashMap<i64, Result<Scope, ServiceError>>,
    written: HashMap<(Option<i64>, i64), Result<Scope, ServiceError>>,
    _resource: std::marker::PhantomData<R>,
}

impl<'c, R: Resource> Judge<'c, R> {
    pub fn new(caller: &'c Caller) -> Self {
        Self { caller, stored: HashMap::new(), written: HashMap::new(), _resource: std::marker::PhantomData }
    }

    pub fn caller(&self) -> &Caller {
        self.caller
    }

    /// Step 1: may the caller write the record as it is stored, and may it be
    /// changed at all (`Resource::check_open`)? Its scope if so.
    pub fn stored(&mut self, conn: &mut PgConnection, stored: &Record<R::Data>) -> Result<Scope, ServiceError> {
        let caller = self.caller;
        let judge = |conn: &mut PgConnection| {
            let scope = R::scope(conn, Some(stored.id), &stored.data)?;
            authorize(caller, R::COLLECTION, Action::Update, Some(&scope))?;
            hold::<R>(conn, caller, Action::Update, scope)
        };
        let scope = match R::permission_key(&stored.data) {
            Some(key) => self.stored.entry(key).or_insert_with(|| judge(conn)).clone(),
            None => judge(conn),
        }?;
        // Content rules hold for what is there as for what is written: an OWES
        // neither writes nor rewrites another organisation's beneficiary role.
        R::authorize_content(caller, &stored.data)?;
        R::check_open(stored)?;
        Ok(scope)
    }

    /// Step 5: may the caller write the record as it will be (having been
    /// `before`, for an update)? Its new scope if so, and the verdict of the
    /// workflow's move the write makes.
    fn written(
        &mut self,
        conn: &mut PgConnection,
        before: Option<(&Record<R::Data>, &Scope)>,
        data: &R::Data,
    ) -> Result<(Scope, Option<Verdict>), ServiceError> {
        let caller = self.caller;
        let judge = |conn: &mut PgConnection| {
            let action = if before.is_some() { Action::Update } else { Action::Create };
            let scope = R::scope(conn, before.map(|(record, _)| record.id), data)?;
            authorize(caller, R::COLLECTION, action, Some(&scope))?;
            if let Some((_, stored)) = before {
                authorize_move(caller, stored, &scope)?;
            }
            hold::<R>(conn, caller, action, scope)
        };
        let key = match before {
            None => R::permission_key(data).map(|key| (None, key)),
            Some((record, _)) => R::permission_key(&record.data).zip(R::permission_key(data)).map(|(from, to)| (Some(from), to)),
        };
        let scope = match key {
            Some(key) => self.written.entry(key).or_insert_with(|| judge(conn)).clone(),
            None => judge(conn),
        }?;
        R::authorize_content(caller, data)?;
        R::authorize_write(conn, caller, &scope, before.map(|(record, _)| record), Some(data))?;
        let verdict = super::workflow::judge::<R>(conn, caller, &scope, before.map(|(record, _)| record), Some(data))?;
        Ok((scope, verdict))
    }

    /// Steps 3 to 5 for a new record (checked, step 2).
    pub fn create(&mut self, conn: &mut PgConnection, data: &R::Data) -> Result<(Scope, Option<Verdict>), ServiceError> {
        self.written(conn, None, data)
    }

    /// Step 3 for a new record (judged, step 5): the fields the server keeps
    /// that depend on the caller (`Resource::settle`).
    pub fn settle_new(&self, conn: &mut PgConnection, data: R::Data) -> Result<R::Data, ServiceError> {
        R::settle(conn, self.caller, None, data)
    }

    /// Steps 3 to 5 for a change of `stored` (whose scope step 1 gave as `before`)
    /// into `data` (checked, step 2).
    pub fn update(&mut self, conn: &mut PgConnection, stored: &Record<R::Data>, before: &Scope, data: R::Data) -> Result<Plan<R::Data>, ServiceError> {
        let data = R::carry_over(&stored.data, data);
        let data = R::settle(conn, self.caller, Some(&stored.data), data)?;
        if data == stored.data {
            return Ok(Plan::Unchanged);
        }
        R::check_change(conn, self.caller, stored, &data)?;
        let (scope, verdict) = self.written(conn, Some((stored, before)), &data)?;
        Ok(Plan::Write { data, scope, verdict })
    }
}

/// Holds what an allowed act touches until the transaction ends, so that the
/// permission it was given stays true while it is written: a project is held
/// shared by writes of what hangs off it, and exclusively by changes of the
/// project itself or of who its organisations are. Holding comes after the
/// verdict, so a refused request holds nothing; if the project's organisations
/// changed in between, the act is judged again.
pub fn hold<R: Resource>(conn: &mut PgConnection, caller: &Caller, action: Action, scope: Scope) -> Result<Scope, ServiceError> {
    let Scope::Project { id: Some(project), voivodeship, organisations } = &scope else { return Ok(scope) };
    let exclusive = matches!(R::COLLECTION, Collection::Projects | Collection::Partners);
    let held = crate::db::scopes::hold_project(conn, *project, exclusive)?;
    if held == *organisations {
        return Ok(scope);
    }
    let scope = Scope::Project { id: Some(*project), voivodeship: voivodeship.clone(), organisations: held };
    authorize(caller, R::COLLECTION, action, Some(&scope))?;
    Ok(scope)
}

/// The scope a filtered list of `R` covers, once `caller` may read it; `None` for
/// a public collection, whose lists anyone may read.
pub fn readable_scope<R: Resource>(conn: &mut PgConnection, caller: &Caller, filter: &R::Filter) -> Result<Option<Scope>, ServiceError> {
    if !needs_scope(R::COLLECTION, Action::Read) {
        return Ok(None);
    }
    let scope = R::list_scope(conn, filter)?;
    authorize(caller, R::COLLECTION, Action::Read, Some(&scope))?;
    Ok(Some(scope))
}

/// Whether the registry publishes records of `R` to outsiders otherwise than
/// whole (`Spec::owners_only`, `Spec::public_once_decided`).
fn published_in_part<R: Resource>() -> bool {
    let spec = R::COLLECTION.spec();
    !spec.owners_only.is_empty() || spec.public_once_decided || !spec.counts_of_persons.is_empty()
}

/// Whether `caller` reads records of `R` in the scope `scope` finds as one of
/// their owners: those who may change them and the ROPS that decides on them
/// (or an admin), and the system itself. They see all of a record; anyone else
/// what the registry publishes. The scope is looked up only for a signed-in
/// caller: an anonymous read (the portals' hot path) costs no query for it.
fn reads_as_owner<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    scope: impl FnOnce(&mut PgConnection) -> Result<Scope, ServiceError>,
) -> Result<bool, ServiceError> {
    Ok(match owner_without_lookup(caller) {
        Some(owner) => owner,
        None => authorize_oversight(caller, R::COLLECTION, &scope(conn)?).is_ok(),
    })
}

/// Whether `caller` reads as an owner, where that is known without the
/// record's scope: the system always, an anonymous caller never.
fn owner_without_lookup(caller: &Caller) -> Option<bool> {
    match caller {
        Caller::System { .. } => Some(true),
        Caller::Anonymous => Some(false),
        Caller::User(_) => None,
    }
}

/// Whether `caller` sees records of `R` whole, where that is known without a
/// lookup: `R` is published whole, or the caller owns everything (the system).
/// The async path asks it for an anonymous caller, who otherwise never does
/// (nor speaks for an organisation a record names).
fn whole_without_lookup<R: Resource>(caller: &Caller) -> bool {
    !published_in_part::<R>() || owner_without_lookup(caller).unwrap_or(false)
}

/// Whether `caller` speaks for one of the organisations a record names
/// (`Resource::named`): they read a proposal naming them as its owners do.
fn speaks_for_named<R: Resource>(conn: &mut PgConnection, caller: &Caller, data: &R::Data) -> Result<bool, ServiceError> {
    if caller.user().is_none() {
        return Ok(false);
    }
    for organisation in R::named(data) {
        if let Some((_, voivodeship)) = crate::db::scopes::organisation(conn, organisation)? {
            if speaks_for(caller, &Scope::Organisation { id: Some(organisation), voivodeship }) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The filter a list of `R` is read with: as given for the owners of what it
/// covers, narrowed to what is published for anyone else; and whether the
/// records it finds are to be shown as outsiders see them.
pub fn published_filter<R: Resource>(conn: &mut PgConnection, caller: &Caller, filter: &R::Filter) -> Result<(R::Filter, bool), ServiceError> {
    let whole = !published_in_part::<R>() || reads_as_owner::<R>(conn, caller, |conn| R::list_scope(conn, filter))?;
    Ok(narrowed_unless_whole::<R>(filter, whole))
}

/// `filter` as given when its reader sees `whole` records, else narrowed to
/// what is published; and whether the records are shown as outsiders see them.
fn narrowed_unless_whole<R: Resource>(filter: &R::Filter, whole: bool) -> (R::Filter, bool) {
    let mut filter = filter.clone();
    if whole {
        return (filter, false);
    }
    R::published_only(&mut filter);
    (filter, true)
}

/// What an outsider may see of `records`: those published, as published: the
/// fields only their owners read (`Spec::owners_only`) empty, their typed
/// counts of persons (`Spec::counts_of_persons`) protected.
pub fn for_outsiders<R: Resource>(conn: &mut PgConnection, records: Vec<Record<R::Data>>) -> Result<Vec<Record<R::Data>>, ServiceError> {
    let (records, counted) = published_records::<R>(records);
    let published = match counted {
        Some(ids) => crate::db::disclosure::published_figures(conn, R::COLLECTION.spec().table, &R::COLLECTION.spec().counts_of_persons, &ids)?,
        None => HashMap::new(),
    };
    shown_to_outsiders::<R>(records, &published)
}

/// [`for_outsiders`] on the async data path (issue 32's spike).
async fn for_outsiders_async<R: Resource>(conn: &diesel_async::AsyncPgConnection, records: Vec<Record<R::Data>>) -> Result<Vec<Record<R::Data>>, ServiceError> {
    let (records, counted) = published_records::<R>(records);
    let published = match counted {
        Some(ids) => crate::db::disclosure::published_figures_async(conn, R::COLLECTION.spec().table, &R::COLLECTION.spec().counts_of_persons, &ids).await?,
        None => HashMap::new(),
    };
    shown_to_outsiders::<R>(records, &published)
}

/// The records of `records` an outsider may see at all, and the ids whose
/// protected counts of persons must be read for them (none when `R` has none).
fn published_records<R: Resource>(records: Vec<Record<R::Data>>) -> (Vec<Record<R::Data>>, Option<Vec<i64>>) {
    let records: Vec<Record<R::Data>> = records.into_iter().filter_map(R::for_outsiders).collect();
    let counted = (!R::COLLECTION.spec().counts_of_persons.is_empty() && !records.is_empty()).then(|| records.iter().map(|r| r.id).collect());
    (records, counted)
}

/// `records` as outsiders see them, given their protected counts: the fields
/// only their owners read empty, the counts as published.
fn shown_to_outsiders<R: Resource>(
    records: Vec<Record<R::Data>>,
    published: &HashMap<i64, serde_json::Map<String, Value>>,
) -> Result<Vec<Record<R::Data>>, ServiceError> {
    let spec = R::COLLECTION.spec();
    if spec.counts_of_persons.is_empty() && spec.owners_only.is_empty() {
        return Ok(records);
    }
    records
        .into_iter()
        .map(|mut record| {
            let mut shown: serde_json::Map<String, Value> = spec.owners_only.iter().map(|field| ((*field).to_owned(), Value::Null)).collect();
            if let Some(figures) = published.get(&record.id) {
                shown.extend(figures.clone());
            }
            if !shown.is_empty() {
                record.data = R::with_published(record.data, &shown)?;
            }
            Ok(record)
        })
        .collect()
}

/// A page of a list, and each record's place when a map was asked for.
pub struct Page<D> {
    pub listed: Listed<D>,
    pub places: Option<Vec<Option<Place>>>,
}

/// Whether reads of `R` may go to a replica: public records are not audited.
pub fn public<R: Resource>() -> bool {
    !needs_scope(R::COLLECTION, Action::Read)
}

/// One page of a list of `R`. Reads of personal data are audited, one event per
/// record shown.
pub fn list<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    filter: &R::Filter,
    request: &ListRequest,
    map: bool,
) -> Result<Page<R::Data>, ServiceError> {
    if map && !R::ON_MAP {
        return Err(ServiceError::BadRequest(format!("{} have no place on a map; GeoJSON is offered for organisations and projects", R::COLLECTION)));
    }
    may_try::<R>(caller, Action::Read)?;
    let scope = readable_scope::<R>(conn, caller, filter)?;
    // Counts of people are personal data: a list of records that need a scope is
    // counted, never estimated from statistics of records the caller may not see.
    let counted;
    let request = if scope.is_some() && request.count == Count::Estimated {
        counted = ListRequest { count: Count::Exact, ..request.clone() };
        &counted
    } else {
        request
    };
    let (filter, outsider) = published_filter::<R>(conn, caller, filter)?;
    let mut listed = R::list(conn, &filter, request)?;
    if outsider {
        listed.records = for_outsiders::<R>(conn, std::mem::take(&mut listed.records))?;
    }
    if let Some(scope) = &scope {
        let events = listed.records.iter().map(|r| audit::event::<R>(caller, Action::Read, r.id, scope, None, None)).collect::<Result<Vec<_>, _>>()?;
        audit::record(conn, &events)?;
    }
    let places = if map { Some(R::locate(conn, &listed.records)?) } else { None };
    Ok(Page { listed, places })
}

/// One page of a list of public records for an anonymous caller on the async
/// data path (issue 32's spike): [`list`] as it goes for such a caller. `None`
/// for [`list`] to serve: the async path is off, `R` is not public, or the list
/// is one it does not serve yet (a map, a search ranked by relevance).
pub async fn list_anonymously<R: Resource>(
    db: &super::Database,
    filter: &R::Filter,
    request: &ListRequest,
    map: bool,
) -> Option<Result<Page<R::Data>, ServiceError>> {
    if map || !public::<R>() {
        return None;
    }
    let conn = match db.async_connection().await? {
        Ok(conn) => conn,
        Err(e) => return Some(Err(e)),
    };
    let caller = Caller::Anonymous;
    let listed = async {
        may_try::<R>(&caller, Action::Read)?;
        let (filter, outsider) = narrowed_unless_whole::<R>(filter, whole_without_lookup::<R>(&caller));
        let Some(mut listed) = R::list_async(&conn, &filter, request).await? else { return Ok(None) };
        if outsider {
            listed.records = for_outsiders_async::<R>(&conn, std::mem::take(&mut listed.records)).await?;
        }
        Ok(Some(listed))
    }
    .await;
    listed.transpose().map(|listed| listed.map(|listed| Page { listed, places: None }))
}

/// The coarse question, asked before any work: may this kind of caller try `action` at all?
pub fn may_try<R: Resource>(caller: &Caller, action: Action) -> Result<(), ServiceError> {
    Ok(authorize(caller, R::COLLECTION, action, None)?)
}

/// One record. A read of personal data is scoped and audited.
pub fn read<R: Resource>(conn: &mut PgConnection, caller: &Caller, id: i64) -> Result<Record<R::Data>, ServiceError> {
    may_try::<R>(caller, Action::Read)?;
    let record = R::find(conn, id).map_err(not_found::<R>(id))?;
    if needs_scope(R::COLLECTION, Action::Read) {
        let scope = R::scope(conn, Some(id), &record.data)?;
        authorize(caller, R::COLLECTION, Action::Read, Some(&scope))?;
        audit::write::<R>(conn, caller, Action::Read, id, &scope, None, None)?;
    }
    if published_in_part::<R>()
        && !reads_as_owner::<R>(conn, caller, |conn| R::scope(conn, Some(id), &record.data))?
        && !speaks_for_named::<R>(conn, caller, &record.data)?
    {
        // Unpublished is as good as absent: an outsider learns not even that it exists.
        return for_outsiders::<R>(conn, vec![record])?.pop().ok_or_else(|| not_found::<R>(id)(DbError::NotFound));
    }
    Ok(record)
}

/// One public record for an anonymous caller on the async data path (issue
/// 32's spike): [`read`] as it goes for such a caller, with its statements
/// sent on the event loop. `None` when the database offers no async path or
/// `R` is not public, for [`read`] to serve.
pub async fn read_anonymously<R: Resource>(db: &super::Database, id: i64) -> Option<Result<Record<R::Data>, ServiceError>> {
    // (A public record needs no scope and no audit event: see `read`.)
    if !public::<R>() {
        return None;
    }
    let conn = match db.async_connection().await? {
        Ok(conn) => conn,
        Err(e) => return Some(Err(e)),
    };
    let caller = Caller::Anonymous;
    Some(
        async {
            may_try::<R>(&caller, Action::Read)?;
            // As in `read`: an outsider (one neither owner nor speaking for an
            // organisation it names, which an anonymous caller never is) sees what is published.
            if whole_without_lookup::<R>(&caller) {
                return R::find_async(&conn, id).await.map_err(not_found::<R>(id));
            }
            // The record and its protected counts of persons, pipelined on one
            // connection (the counts as published: never a person's data).
            let spec = R::COLLECTION.spec();
            let counted = async {
                match spec.counts_of_persons.is_empty() {
                    true => Ok(HashMap::new()),
                    false => crate::db::disclosure::published_figures_async(&conn, spec.table, &spec.counts_of_persons, &[id]).await,
                }
            };
            let (found, counted) = futures_util::future::join(R::find_async(&conn, id), counted).await;
            let (records, _) = published_records::<R>(vec![found.map_err(not_found::<R>(id))?]);
            shown_to_outsiders::<R>(records, &counted?)?.pop().ok_or_else(|| not_found::<R>(id)(DbError::NotFound))
        }
        .await,
    )
}

/// Creates a record.
pub fn create<R: Resource>(conn: &mut PgConnection, caller: &Caller, data: R::Data) -> Result<Record<R::Data>, ServiceError> {
    may_try::<R>(caller, Action::Create)?;
    conn.transaction(|conn| {
        let mut judge = Judge::<R>::new(caller);
        let data = first_judged(conn, &mut judge, data)?;
        let data = checked::<R>(conn, data)?;
        let (scope, verdict) = judge.create(conn, &data)?;
        let data = judge.settle_new(conn, data)?;
        let record = R::insert(conn, &data)?;
        R::after_create(conn, caller, record.id, &record.data)?;
        let record = recorded::<R>(conn, caller, record, verdict)?;
        audit::write::<R>(conn, caller, Action::Create, record.id, &scope, None, Some(&record.data))?;
        Ok(record)
    })
}

/// The version of a record a change was made against (`If-Match`): refuses the
/// change when the stored record is no longer that version.
pub type Precondition<'a, D> = &'a dyn Fn(&Record<D>) -> Result<(), ServiceError>;

/// Replaces record `id` by `data`.
pub fn replace<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    id: i64,
    data: R::Data,
    precondition: Precondition<R::Data>,
) -> Result<Record<R::Data>, ServiceError> {
    may_try::<R>(caller, Action::Update)?;
    conn.transaction(|conn| {
        let stored = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
        let mut judge = Judge::<R>::new(caller);
        // Nothing of the record is used before the caller may change it.
        let before = judge.stored(conn, &stored)?;
        let data = checked::<R>(conn, data)?;
        // As for a patch: an invalid record is a 422 whatever version it names.
        precondition(&stored)?;
        write_update(conn, &mut judge, stored, &before, data)
    })
}

/// Applies a JSON merge patch (RFC 7386) to record `id`.
pub fn patch<R: Resource>(
    conn: &mut PgConnection,
    caller: &Caller,
    id: i64,
    patch: &Value,
    precondition: Precondition<R::Data>,
) -> Result<Record<R::Data>, ServiceError> {
    may_try::<R>(caller, Action::Update)?;
    if !patch.is_object() {
        return Err(ServiceError::BadRequest("a merge patch must be a JSON object".into()));
    }
    conn.transaction(|conn| {
        let stored = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
        let mut judge = Judge::<R>::new(caller);
        let before = judge.stored(conn, &stored)?;
        let mut document = R::patch_base(&stored.data)?;
        merge_patch::apply(&mut document, patch);
        let data: R::Data =
            serde_json::from_value(document).map_err(|e| ServiceError::field("body", "invalid_value", crate::domain::validation::describe_json_error(&e)))?;
        let data = checked::<R>(conn, data)?;
        // A patch that could never apply is a 422 whatever version it names; the
        // version is checked on the locked row, so nothing can change in between.
        precondition(&stored)?;
        write_update(conn, &mut judge, stored, &before, data)
    })
}

fn write_update<R: Resource>(
    conn: &mut PgConnection,
    judge: &mut Judge<R>,
    stored: Record<R::Data>,
    before: &Scope,
    data: R::Data,
) -> Result<Record<R::Data>, ServiceError> {
    match judge.update(conn, &stored, before, data)? {
        Plan::Unchanged => Ok(stored),
        Plan::Write { data, scope, verdict } => {
            let record = R::update(conn, stored.id, &data)?;
            let record = recorded::<R>(conn, judge.caller(), record, verdict)?;
            audit::write::<R>(conn, judge.caller(), Action::Update, stored.id, &scope, Some(&stored.data), Some(&record.data))?;
            Ok(record)
        }
    }
}

/// The record as written, with what the verdict of its move leaves on it.
fn recorded<R: Resource>(conn: &mut PgConnection, caller: &Caller, record: Record<R::Data>, verdict: Option<Verdict>) -> Result<Record<R::Data>, ServiceError> {
    if verdict.is_none() || !crate::domain::workflow::of(R::COLLECTION).is_some_and(|w| w.confirmable) {
        return Ok(record);
    }
    super::workflow::record::<R>(conn, caller, &[(record.id, verdict)])?;
    Ok(R::find(conn, record.id)?)
}

/// Deletes record `id`.
pub fn delete<R: Resource>(conn: &mut PgConnection, caller: &Caller, id: i64, precondition: Precondition<R::Data>) -> Result<(), ServiceError> {
    may_try::<R>(caller, Action::Delete)?;
    conn.transaction(|conn| {
        let stored = R::find_for_update(conn, id).map_err(not_found::<R>(id))?;
        let scope = R::scope(conn, Some(id), &stored.data)?;
        authorize(caller, R::COLLECTION, Action::Delete, Some(&scope))?;
        let scope = hold::<R>(conn, caller, Action::Delete, scope)?;
        R::authorize_content(caller, &stored.data)?;
        R::authorize_write(conn, caller, &scope, Some(&stored), None)?;
        precondition(&stored)?;
        R::before_delete(conn, caller, &stored)?;
        // A record its workflow froze is an admin's to delete.
        super::workflow::judge::<R>(conn, caller, &scope, Some(&stored), None)?;
        // Its files go first, each removal checked and audited as one of its own.
        super::evidence::remove_with(conn, caller, R::COLLECTION, id)?;
        R::delete(conn, id).map_err(not_found::<R>(id))?;
        audit::write::<R>(conn, caller, Action::Delete, id, &scope, Some(&stored.data), None)
    })
}

/// The order a list's filters ask for.
pub fn order_of<R: Resource>(filter: &R::Filter) -> Result<crate::db::listing::SortKey, ServiceError> {
    Ok(filter.order()?)
}
