use crate::db::attendance::participant_attended;
use crate::db::participants::{self, ParticipantData, ParticipantFilter, Participants};
use crate::db::{scopes, Record};
use crate::domain::access::{Caller, Scope};
use crate::domain::collection::Collection;
use crate::domain::pesel::Pesel;
use crate::domain::places::TerytCode;
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::ServiceError;
use chrono::{Datelike, NaiveDate, Utc};
use diesel::pg::PgConnection;
use serde_json::Value;

fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years - 1
    } else {
        years
    }
}

fn required_name(checks: &mut Checks, field: &str, value: &mut Option<String>) {
    blank_to_none(value);
    match value {
        Some(name) => *name = name.trim().to_owned(),
        None => checks.fail(field, "required", "is required"),
    }
}

impl Resource for Participants {
    const COLLECTION: Collection = Collection::Participants;

    fn check(_: &mut PgConnection, mut data: ParticipantData) -> Result<ParticipantData, ServiceError> {
        let mut checks = Checks::new();
        required_name(&mut checks, "first_name", &mut data.first_name);
        required_name(&mut checks, "last_name", &mut data.last_name);
        for field in [&mut data.pesel, &mut data.email, &mut data.phone, &mut data.residence_teryt, &mut data.external_id] {
            blank_to_none(field);
        }
        match data.pesel.as_deref().map(Pesel::parse) {
            Some(Ok(pesel)) => {
                let (born, sex) = (pesel.birth_date(), pesel.sex());
                checks.ensure(data.birth_date.is_none() || data.birth_date == born, "birth_date", "pesel_mismatch", "birth_date disagrees with PESEL");
                checks.ensure(data.sex.is_none() || data.sex == Some(sex), "sex", "pesel_mismatch", "sex disagrees with PESEL");
                data.birth_date = born;
                data.sex = Some(sex);
                data.pesel = Some(pesel.as_str().to_owned());
            }
            Some(Err(e)) => checks.fail("pesel", e.code, e.message),
            None => {
                checks.ensure(data.birth_date.is_some(), "birth_date", "required", "without a PESEL, birth_date is required");
                checks.ensure(data.sex.is_some(), "sex", "required", "without a PESEL, sex is required");
            }
        }
        if let Some(email) = &data.email {
            checks.ensure(
                email.len() <= 254 && email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')),
                "email",
                "invalid_email",
                "not an email address",
            );
        }
        if let Some(phone) = &data.phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            checks.ensure(
                (6..=15).contains(&digits) && phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)),
                "phone",
                "invalid_phone",
                "a phone number has 6 to 15 digits",
            );
        }
        checks.normalise("residence_teryt", &mut data.residence_teryt, TerytCode::parse);
        for (field, date) in [("birth_date", data.birth_date), ("joined_on", data.joined_on), ("left_on", data.left_on), ("consent_date", data.consent_date)] {
            checks.plausible_date(field, date);
        }
        checks.ordered(data.joined_on, data.left_on, "left_on", "joined_on");
        data.age_at_entry = None;
        if let Some(born) = data.birth_date {
            let age = age_on(born, data.joined_on.unwrap_or_else(|| Utc::now().date_naive()));
            checks.ensure((0..=130).contains(&age), "birth_date", "implausible_age", "the age at entry must be between 0 and 130");
            data.age_at_entry = i16::try_from(age).ok();
        }
        data.anonymised_at = None;
        checks.into_result()?;
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, _: Option<i64>, data: &ParticipantData) -> Result<Scope, ServiceError> {
        Ok(scopes::project(conn, data.project_id)?)
    }

    fn permission_key(data: &ParticipantData) -> Option<i64> {
        Some(data.project_id)
    }

    /// Erasure is for good.
    fn carry_over(before: &ParticipantData, after: ParticipantData) -> ParticipantData {
        ParticipantData { anonymised_at: before.anonymised_at, ..after }
    }

    /// An anonymised person is not written again.
    fn check_open(before: &Record<ParticipantData>) -> Result<(), ServiceError> {
        match before.data.anonymised_at {
            Some(_) => Err(ServiceError::Conflict { code: "anonymised", detail: "an anonymised participant cannot be changed".into() }),
            None => Ok(()),
        }
    }

    /// Attendance is in the activities of the person's project: a person who has
    /// some stays in that project (else the attendance would stay in its sight).
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<ParticipantData>, after: &ParticipantData) -> Result<(), ServiceError> {
        if before.data.project_id != after.project_id && participant_attended(conn, before.id)? {
            return Err(ServiceError::Conflict {
                code: "has_attendance",
                detail: "the participant has attendance in this project's activities; remove it before moving the participant to another project".into(),
            });
        }
        Ok(())
    }

    /// A list of one project's participants is that project's; without a project
    /// it covers everyone, which only an admin may read.
    fn list_scope(conn: &mut PgConnection, filter: &ParticipantFilter) -> Result<Scope, ServiceError> {
        match filter.project_id {
            Some(project) => Ok(scopes::project(conn, project)?),
            None => Ok(Scope::Everything),
        }
    }

    fn related(id: i64, data: &ParticipantData) -> Vec<(&'static str, String)> {
        vec![
            ("project", format!("projects/{}", data.project_id)),
            ("attendance", format!("attendance?participant_id={id}")),
            ("export", format!("participants/{id}/export")),
        ]
    }

    /// The audit trail keeps which identifying fields were set, never their values.
    fn audit_value(data: &ParticipantData) -> Result<Value, ServiceError> {
        let mut value = serde_json::to_value(data).map_err(ServiceError::internal)?;
        if let Some(fields) = value.as_object_mut() {
            for field in participants::IDENTIFYING {
                if fields.get(field).is_some_and(|v| !v.is_null()) {
                    fields.insert(field.to_owned(), Value::String("[sealed]".into()));
                }
            }
        }
        Ok(value)
    }

    /// Responses mask PESEL, so a patch (and an export) starts from the stored value instead.
    fn patch_base(data: &ParticipantData) -> Result<Value, ServiceError> {
        let mut value = serde_json::to_value(data).map_err(ServiceError::internal)?;
        if let Value::Object(fields) = &mut value {
            for key in Self::COLLECTION.spec().read_only {
                fields.remove(*key);
            }
            fields.insert("pesel".to_owned(), data.pesel.clone().map_or(Value::Null, Value::String));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::age_on;
    use chrono::NaiveDate;

    #[test]
    fn age_counts_whole_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(age_on(d(2002, 7, 8), d(2020, 7, 7)), 17);
        assert_eq!(age_on(d(2002, 7, 8), d(2020, 7, 8)), 18);
    }
}
