//! What a resource adds to the generic use cases of `service::records`: its
//! checks, what its records belong to, and the rules of changing one. Each
//! resource implements [`Resource`] once (`service::resources`), and every path
//! that writes it (single writes, imports, workflow steps, the command line)
//! asks these same functions.

use super::ServiceError;
use crate::db::{Record, Store};
use crate::domain::access::{Caller, Refusal, Scope};
use crate::domain::collection::Collection;
use crate::domain::places::Place;
use diesel::pg::PgConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What the data of a resource must be for the generic use cases to handle it.
pub trait Writable: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static {}
impl<T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static> Writable for T {}

/// `data` with the fields of `figures` replaced by their values (a decimal
/// shown as a string stays one), read back whole, fields the server keeps
/// included.
pub fn with_figures<D: Serialize + DeserializeOwned>(data: &D, figures: &serde_json::Map<String, Value>) -> Result<D, ServiceError> {
    let mut value = serde_json::to_value(data).map_err(ServiceError::internal)?;
    if let Value::Object(fields) = &mut value {
        for (field, figure) in figures {
            let figure = match (fields.get(field), figure) {
                (Some(Value::String(_)), Value::Number(n)) => Value::String(n.to_string()),
                (_, figure) => figure.clone(),
            };
            fields.insert(field.clone(), figure);
        }
    }
    crate::domain::validation::from_server_json(value).map_err(ServiceError::internal)
}

pub trait Resource: Store<Data: Writable> {
    /// The collection's entry in the registry.
    const COLLECTION: Collection;

    /// Checks and normalises an input before it is written: domain rules, derived
    /// fields, and rules that need other records. Rules about the record as it is
    /// stored belong to [`Resource::check_change`].
    fn check(conn: &mut PgConnection, data: Self::Data) -> Result<Self::Data, ServiceError>;

    /// What a record with `data` belongs to, for the permission table. `id` is
    /// the stored record's, for what only the stored record knows (a project's
    /// current organisations).
    fn scope(conn: &mut PgConnection, id: Option<i64>, data: &Self::Data) -> Result<Scope, ServiceError>;

    /// What the permission to write a record depends on, when that is less than
    /// the record (the project of a participant): records that share it share a
    /// verdict, so an import judges each project once, not each row.
    fn permission_key(_data: &Self::Data) -> Option<i64> {
        None
    }

    /// Rules about the record's own content (who may hold which role in a
    /// project), asked of the record as stored and as written by every write and
    /// delete; they live in the permission module.
    fn authorize_content(_caller: &Caller, _data: &Self::Data) -> Result<(), Refusal> {
        Ok(())
    }

    /// Rules about who may make a write that need what the record was and
    /// becomes, and what the database knows of it (who made it): a payment
    /// claim's decision is the ROPS's and never its maker's. Asked by every
    /// create (`before` none), change and delete (`after` none) of every path,
    /// once the caller may write the record (`scope`, as it will be, or as it is
    /// for a delete); the rules live in the permission module.
    fn authorize_write(
        _conn: &mut PgConnection,
        _caller: &Caller,
        _scope: &Scope,
        _before: Option<&Record<Self::Data>>,
        _after: Option<&Self::Data>,
    ) -> Result<(), ServiceError> {
        Ok(())
    }

    /// Refuses any change to a record its state has closed (an anonymised person,
    /// a submitted value), asked once the caller may write the stored record and
    /// before the new one is even checked.
    fn check_open(_before: &Record<Self::Data>) -> Result<(), ServiceError> {
        Ok(())
    }

    /// The record a write of `after` over `before` makes: fields the server keeps
    /// (workflow state) are carried over from the stored record.
    fn carry_over(_before: &Self::Data, after: Self::Data) -> Self::Data {
        after
    }

    /// Rules about changing the stored record `before` into `after`, asked once
    /// the caller may write the stored record and only when something changes:
    /// what the change would break (attendance left in another project), who may
    /// change what (an organisation's kind).
    fn check_change(_conn: &mut PgConnection, _caller: &Caller, _before: &Record<Self::Data>, _after: &Self::Data) -> Result<(), ServiceError> {
        Ok(())
    }

    /// Fields the server keeps that depend on who writes (`before` none for a
    /// new record): who has accepted a relation that names another
    /// organisation (`service::proposals::settle`). Asked by every create and
    /// change of every path, once the server-kept fields are carried over.
    fn settle(_conn: &mut PgConnection, _caller: &Caller, _before: Option<&Self::Data>, data: Self::Data) -> Result<Self::Data, ServiceError> {
        Ok(data)
    }

    /// The organisations a record names that have a say in it (a network's
    /// member, an agreement's parties): until they accept, it is a proposal
    /// that they read as its owners do, and that nobody else reads.
    fn named(_data: &Self::Data) -> Vec<i64> {
        Vec::new()
    }

    /// A record as a reader outside its owners sees it, as the registry publishes
    /// it (`Spec::owners_only` emptied; `None` unless decided its way (approved,
    /// accepted) where `Spec::public_once_decided`).
    fn for_outsiders(record: Record<Self::Data>) -> Option<Record<Self::Data>> {
        Some(record)
    }

    /// A record's data as published to outsiders: `shown` holds each field
    /// whose published value differs (a count of persons protected, a field
    /// only its owners read empty); the rest, fields the server keeps
    /// included, as stored.
    fn with_published(data: Self::Data, shown: &serde_json::Map<String, Value>) -> Result<Self::Data, ServiceError> {
        with_figures(&data, shown)
    }

    /// Narrows a list's filter to the records published to outsiders
    /// (`Spec::public_once_decided`), so that paging and totals count only those.
    fn published_only(_filter: &mut Self::Filter) {}

    /// What a filtered list covers, for collections whose reads are scoped.
    fn list_scope(_conn: &mut PgConnection, _filter: &Self::Filter) -> Result<Scope, ServiceError> {
        Ok(Scope::Everything)
    }

    /// Refuses to delete a record that must stay (an approved measurement), or
    /// does what its deletion needs first (`caller`'s, audited: the proposals
    /// naming an organisation go with it).
    fn before_delete(_conn: &mut PgConnection, _caller: &Caller, _record: &Record<Self::Data>) -> Result<(), ServiceError> {
        Ok(())
    }

    /// Work that belongs to creating record `id`, in the same transaction (a
    /// project an OWES creates gets the OWES as beneficiary), whatever the path.
    fn after_create(_conn: &mut PgConnection, _caller: &Caller, _id: i64, _data: &Self::Data) -> Result<(), ServiceError> {
        Ok(())
    }

    /// Links to related records and collections: `(name, path below /api/v1)`.
    fn related(id: i64, data: &Self::Data) -> Vec<(&'static str, String)>;

    /// Whether its records lie on a map: then its lists are also offered as
    /// GeoJSON (the OpenAPI document says so only for these), placed by `locate`.
    const ON_MAP: bool = false;

    /// Where each record lies on a map, for a resource `ON_MAP`.
    fn locate(_conn: &mut PgConnection, _records: &[Record<Self::Data>]) -> Result<Vec<Option<Place>>, ServiceError> {
        Err(ServiceError::Internal(format!("{} have no place on a map", Self::COLLECTION)))
    }

    /// The record as the audit trail keeps it.
    fn audit_value(data: &Self::Data) -> Result<Value, ServiceError> {
        serde_json::to_value(data).map_err(ServiceError::internal)
    }

    /// The document a merge patch applies to, and what an export writes: the
    /// record's writable fields.
    fn patch_base(data: &Self::Data) -> Result<Value, ServiceError> {
        let mut value = serde_json::to_value(data).map_err(ServiceError::internal)?;
        if let Value::Object(fields) = &mut value {
            for key in Self::COLLECTION.spec().read_only {
                fields.remove(*key);
            }
        }
        Ok(value)
    }
}
