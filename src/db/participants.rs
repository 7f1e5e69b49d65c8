//! Participants: person-level records, the ESF data set. Names, PESEL and contact
//! data are sealed before they reach the database (see `crypto`); the API never
//! serves them anonymously and shows PESEL only masked.

use crate::crypto::{vault, VaultError};
use crate::db::schema::participants;
use crate::db::store::Codec;
use crate::db::DbError;
use crate::domain::codes::{Answer, AreaType, Education, LabourStatus, LegalBasis, RepresentedKind, Sex};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::{IntoParams, ToSchema};

/// A participant as the API takes and shows it.
#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Participant)]
pub struct ParticipantData {
    pub project_id: i64,
    /// The loader's own identifier, unique within the project: with PESEL, the key
    /// by which a repeated import finds the person again.
    pub external_id: Option<String>,
    /// Required; empty only once the person is anonymised.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// 11 digits with a check digit; in responses masked to its last four digits.
    #[serde(serialize_with = "serialize_masked_pesel")]
    #[schema(example = "*******3624")]
    pub pesel: Option<String>,
    /// Derived from PESEL when that is given (and must agree with it); else required with `sex`.
    pub birth_date: Option<NaiveDate>,
    /// Derived from PESEL when that is given (and must agree with it).
    pub sex: Option<Sex>,
    /// Age in years on `joined_on` (or today). Derived.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub age_at_entry: Option<i16>,
    pub education: Option<Education>,
    pub labour_status: Option<LabourStatus>,
    /// The organisation the person represents.
    pub organisation_id: Option<i64>,
    pub organisation_kind: Option<RepresentedKind>,
    /// TERYT code of the place of residence.
    pub residence_teryt: Option<String>,
    pub residence_area: Option<AreaType>,
    pub disability: Option<Answer>,
    pub minority_or_migrant: Option<Answer>,
    pub homeless: Option<Answer>,
    pub other_disadvantage: Option<Answer>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub consent_date: Option<NaiveDate>,
    pub legal_basis: Option<LegalBasis>,
    /// When the person's identifying data was erased. Set by erasure or retention.
    #[serde(default, deserialize_with = "crate::domain::validation::kept_by_server")]
    #[schema(read_only)]
    pub anonymised_at: Option<DateTime<Utc>>,
}

// Personal data stays out of Debug output and therefore out of any log line.
impl std::fmt::Debug for ParticipantData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantData").field("project_id", &self.project_id).finish_non_exhaustive()
    }
}

/// All but the last four characters starred. Counted in characters: an input not
/// yet checked may hold anything.
pub fn mask_pesel(pesel: &str) -> String {
    let hidden = pesel.chars().count().saturating_sub(4);
    pesel.chars().enumerate().map(|(i, c)| if i < hidden { '*' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn masking_counts_characters_not_bytes() {
        assert_eq!(super::mask_pesel("02270803624"), "*******3624");
        assert_eq!(super::mask_pesel("ąęćżźńół"), "****źńół");
        assert_eq!(super::mask_pesel("12"), "12");
    }
}

fn serialize_masked_pesel<S: serde::Serializer>(pesel: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match pesel {
        Some(p) => s.serialize_str(&mask_pesel(p)),
        None => s.serialize_none(),
    }
}

/// A participant as stored: personal fields sealed, PESEL also hashed. Serialised
/// only to stage bulk writes, with bytes in PostgreSQL's hex form.
#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = participants, check_for_backend(Pg), treat_none_as_null = true)]
pub struct ParticipantRow {
    pub project_id: i64,
    #[serde(serialize_with = "bytea_hex")]
    pub first_name_sealed: Option<Vec<u8>>,
    #[serde(serialize_with = "bytea_hex")]
    pub last_name_sealed: Option<Vec<u8>>,
    #[serde(serialize_with = "bytea_hex")]
    pub pesel_sealed: Option<Vec<u8>>,
    #[serde(serialize_with = "bytea_hex")]
    pub pesel_hash: Option<Vec<u8>>,
    #[serde(serialize_with = "bytea_hex")]
    pub email_sealed: Option<Vec<u8>>,
    #[serde(serialize_with = "bytea_hex")]
    pub phone_sealed: Option<Vec<u8>>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub age_at_entry: Option<i16>,
    pub education: Option<Education>,
    pub labour_status: Option<LabourStatus>,
    pub organisation_id: Option<i64>,
    pub organisation_kind: Option<RepresentedKind>,
    pub residence_teryt: Option<String>,
    pub residence_area: Option<AreaType>,
    pub disability: Option<Answer>,
    pub minority_or_migrant: Option<Answer>,
    pub homeless: Option<Answer>,
    pub other_disadvantage: Option<Answer>,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub consent_date: Option<NaiveDate>,
    pub legal_basis: Option<LegalBasis>,
    pub anonymised_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    #[serde(serialize_with = "bytea_hex")]
    pub personal_digest: Option<Vec<u8>>,
}

fn bytea_hex<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => {
            use std::fmt::Write;
            let mut hex = String::with_capacity(2 + 2 * b.len());
            hex.push_str("\\x");
            for byte in b {
                let _ = write!(hex, "{byte:02x}");
            }
            s.serialize_str(&hex)
        }
        None => s.serialize_none(),
    }
}

impl From<VaultError> for DbError {
    fn from(e: VaultError) -> Self {
        DbError::Other(format!("personal data could not be opened: {e}"))
    }
}

pub struct Sealed;

fn seal(field: &str, value: &Option<String>) -> Option<Vec<u8>> {
    value.as_deref().map(|v| vault().seal(field, v))
}

fn open(field: &str, value: Option<Vec<u8>>) -> Result<Option<String>, DbError> {
    Ok(value.map(|v| vault().open(field, &v)).transpose()?)
}

impl Codec for Sealed {
    type Data = ParticipantData;
    type Row = ParticipantRow;

    fn encode(d: &ParticipantData) -> Result<Cow<'_, ParticipantRow>, DbError> {
        Ok(Cow::Owned(ParticipantRow {
            project_id: d.project_id,
            first_name_sealed: seal("first_name", &d.first_name),
            last_name_sealed: seal("last_name", &d.last_name),
            pesel_sealed: seal("pesel", &d.pesel),
            pesel_hash: d.pesel.as_deref().map(|p| vault().pesel_hash(p)),
            email_sealed: seal("email", &d.email),
            phone_sealed: seal("phone", &d.phone),
            birth_date: d.birth_date,
            sex: d.sex,
            age_at_entry: d.age_at_entry,
            education: d.education,
            labour_status: d.labour_status,
            organisation_id: d.organisation_id,
            organisation_kind: d.organisation_kind,
            residence_teryt: d.residence_teryt.clone(),
            residence_area: d.residence_area,
            disability: d.disability,
            minority_or_migrant: d.minority_or_migrant,
            homeless: d.homeless,
            other_disadvantage: d.other_disadvantage,
            joined_on: d.joined_on,
            left_on: d.left_on,
            consent_date: d.consent_date,
            legal_basis: d.legal_basis,
            anonymised_at: d.anonymised_at,
            external_id: d.external_id.clone(),
            personal_digest: Some(vault().digest(&[
                d.first_name.as_deref(),
                d.last_name.as_deref(),
                d.pesel.as_deref(),
                d.email.as_deref(),
                d.phone.as_deref(),
            ])),
        }))
    }

    fn decode(r: ParticipantRow) -> Result<ParticipantData, DbError> {
        Ok(ParticipantData {
            project_id: r.project_id,
            external_id: r.external_id,
            first_name: open("first_name", r.first_name_sealed)?,
            last_name: open("last_name", r.last_name_sealed)?,
            pesel: open("pesel", r.pesel_sealed)?,
            birth_date: r.birth_date,
            sex: r.sex,
            age_at_entry: r.age_at_entry,
            education: r.education,
            labour_status: r.labour_status,
            organisation_id: r.organisation_id,
            organisation_kind: r.organisation_kind,
            residence_teryt: r.residence_teryt,
            residence_area: r.residence_area,
            disability: r.disability,
            minority_or_migrant: r.minority_or_migrant,
            homeless: r.homeless,
            other_disadvantage: r.other_disadvantage,
            email: open("email", r.email_sealed)?,
            phone: open("phone", r.phone_sealed)?,
            joined_on: r.joined_on,
            left_on: r.left_on,
            consent_date: r.consent_date,
            legal_basis: r.legal_basis,
            anonymised_at: r.anonymised_at,
        })
    }
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParticipantFilter {
    pub project_id: Option<i64>,
    /// Finds a person by PESEL (compared by its keyed hash, never stored in clear).
    pub pesel: Option<String>,
    pub sort: Option<crate::db::listing::BasicSort>,
}

crate::list_filter!(ParticipantFilter: crate::db::listing::BasicSort);

fn apply_filter<'a>(mut q: participants::BoxedQuery<'a, Pg>, f: &ParticipantFilter) -> participants::BoxedQuery<'a, Pg> {
    if let Some(id) = f.project_id {
        q = q.filter(participants::project_id.eq(id));
    }
    if let Some(pesel) = &f.pesel {
        q = q.filter(participants::pesel_hash.eq(vault().pesel_hash(pesel.trim())));
    }
    q
}

crate::table_store!(Participants, participants, Sealed, ParticipantData, ParticipantFilter, apply_filter);

/// The fields that identify a person, alone or together: an erasure removes them
/// from the record, from its audit trail and from kept answers (see
/// `service::people::erase`), and the audit trail never keeps their values.
pub const IDENTIFYING: [&str; 8] = ["first_name", "last_name", "pesel", "email", "phone", "birth_date", "residence_teryt", "external_id"];

/// Erases what identifies a person and keeps what the statistics need (sex, age
/// at entry, education, statuses, attendance): names, PESEL and its hash, birth
/// date, contact data, place of residence and the loader's identifier go.
pub fn anonymise(conn: &mut PgConnection, id: i64) -> Result<(), DbError> {
    use crate::db::schema::participants::dsl as p;
    diesel::update(p::participants.find(id))
        .set((
            p::first_name_sealed.eq(None::<Vec<u8>>),
            p::last_name_sealed.eq(None::<Vec<u8>>),
            p::pesel_sealed.eq(None::<Vec<u8>>),
            p::pesel_hash.eq(None::<Vec<u8>>),
            p::email_sealed.eq(None::<Vec<u8>>),
            p::phone_sealed.eq(None::<Vec<u8>>),
            p::birth_date.eq(None::<NaiveDate>),
            p::residence_teryt.eq(None::<String>),
            p::external_id.eq(None::<String>),
            p::personal_digest.eq(None::<Vec<u8>>),
            p::anonymised_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The project of participant `id`, locking the row for the rest of the transaction.
pub fn lock_project(conn: &mut PgConnection, id: i64) -> Result<i64, DbError> {
    Ok(participants::table.find(id).select(participants::project_id).for_update().first(conn)?)
}

/// Participants of projects whose retention date has passed and who are not yet anonymised.
pub fn past_retention(conn: &mut PgConnection, today: NaiveDate) -> Result<Vec<(i64, i64)>, DbError> {
    use crate::db::schema::projects;
    Ok(participants::table
        .inner_join(projects::table)
        .filter(projects::retention_until.lt(today))
        .filter(participants::anonymised_at.is_null())
        .select((participants::id, participants::project_id))
        .load(conn)?)
}
