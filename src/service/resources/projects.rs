use crate::db::partners::{PartnerData, Partners};
use crate::db::projects::{ProjectData, Projects};
use crate::db::{scopes, Record, Store};
use crate::domain::access::{Action, Caller, Scope};
use crate::domain::codes::{DatePrecision, PartnerRole, Role};
use crate::domain::collection::Collection;
use crate::domain::intervention::InterventionField;
use crate::domain::money::{check_amount, check_rate, period_bounds, truncate};
use crate::domain::places::{check_coordinates, Place, Voivodeship};
use crate::domain::validation::blank_to_none;
use crate::domain::Checks;
use crate::service::resource::Resource;
use crate::service::{audit, ServiceError};
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use rust_decimal::Decimal;

/// How far a stated rate may stray from EU amount / base, in percentage points:
/// fiches round ("85 %" for 84.99998 %).
const RATE_TOLERANCE_PP: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// A date and its precision: the precision defaults to `day` and the date is
/// stored as the first day of the period it names.
fn dated(checks: &mut Checks, field: &str, date: &mut Option<NaiveDate>, precision: &mut Option<DatePrecision>) -> Option<(NaiveDate, NaiveDate)> {
    match (*date, *precision) {
        (None, None) => None,
        (None, Some(_)) => {
            checks.fail(format!("{field}_precision"), "precision_without_date", format!("{field}_precision is given but {field} is not"));
            None
        }
        (Some(d), p) => {
            checks.plausible_date(field, Some(d));
            let p = p.unwrap_or(DatePrecision::Day);
            *precision = Some(p);
            *date = Some(truncate(d, p));
            Some(period_bounds(d, p))
        }
    }
}

fn check_money(checks: &mut Checks, data: &mut ProjectData) {
    for (field, value) in [("total_value", &mut data.total_value), ("eligible_value", &mut data.eligible_value), ("eu_amount", &mut data.eu_amount)] {
        if let Some(v) = *value {
            *value = checks.check(field, check_amount(v));
        }
    }
    if let Some(rate) = data.cofinancing_rate {
        data.cofinancing_rate = checks.check("cofinancing_rate", check_rate(rate));
    }
    if let (Some(eu), Some(total)) = (data.eu_amount, data.total_value) {
        checks.ensure(eu <= total, "eu_amount", "eu_above_total", "the EU amount cannot exceed the total value");
    }
    if let (Some(eligible), Some(total)) = (data.eligible_value, data.total_value) {
        checks.ensure(eligible <= total, "eligible_value", "eligible_above_total", "the eligible value cannot exceed the total value");
    }
    if let (Some(eu), Some(eligible)) = (data.eu_amount, data.eligible_value) {
        checks.ensure(eu <= eligible, "eu_amount", "eu_above_eligible", "the EU amount cannot exceed the eligible value");
    }
    let base = data.eligible_value.or(data.total_value);
    if let (Some(rate), Some(eu), Some(base)) = (data.cofinancing_rate, data.eu_amount, base) {
        if !base.is_zero() {
            let implied = eu * Decimal::ONE_HUNDRED / base;
            checks.ensure(
                (implied - rate).abs() <= RATE_TOLERANCE_PP,
                "cofinancing_rate",
                "rate_mismatch",
                format!(
                    "the rate {rate}% disagrees with EU amount / {} = {}%",
                    if data.eligible_value.is_some() { "eligible value" } else { "total value" },
                    implied.round_dp(4)
                ),
            );
        }
    }
}

impl Resource for Projects {
    const COLLECTION: Collection = Collection::Projects;

    fn check(conn: &mut PgConnection, mut data: ProjectData) -> Result<ProjectData, ServiceError> {
        let mut checks = Checks::new();
        data.title = data.title.trim().to_owned();
        checks.not_blank("title", &data.title);
        for field in [
            &mut data.contract_number,
            &mut data.intervention_field,
            &mut data.objective,
            &mut data.description,
            &mut data.source_url,
            &mut data.notes,
            &mut data.voivodeship,
        ] {
            blank_to_none(field);
        }
        checks.texts("specific_objectives", &mut data.specific_objectives);
        checks.texts("support_types", &mut data.support_types);
        for (i, group) in data.target_groups.0.iter_mut().enumerate() {
            group.name = group.name.trim().to_owned();
            checks.not_blank(&format!("target_groups[{i}].name"), &group.name);
            for (name, count) in [("planned_count", group.planned_count), ("actual_count", group.actual_count)] {
                checks.ensure(count.is_none_or(|c| c >= 0), &format!("target_groups[{i}].{name}"), "negative_count", "a head count cannot be negative");
            }
        }
        check_money(&mut checks, &mut data);
        check_coordinates(&mut checks, &mut data.latitude, &mut data.longitude);

        let planned_start = dated(&mut checks, "planned_start", &mut data.planned_start, &mut data.planned_start_precision);
        let planned_end = dated(&mut checks, "planned_end", &mut data.planned_end, &mut data.planned_end_precision);
        let actual_start = dated(&mut checks, "actual_start", &mut data.actual_start, &mut data.actual_start_precision);
        let actual_end = dated(&mut checks, "actual_end", &mut data.actual_end, &mut data.actual_end_precision);
        // A period's end may not lie wholly before its start.
        checks.ordered(planned_start.map(|p| p.0), planned_end.map(|p| p.1), "planned_end", "planned_start");
        checks.ordered(actual_start.map(|p| p.0), actual_end.map(|p| p.1), "actual_end", "actual_start");

        checks.normalise("voivodeship", &mut data.voivodeship, Voivodeship::parse);
        checks.into_result()?;

        let Some((programme_voivodeship, period)) = crate::db::measures::programme_of(conn, data.measure_id)? else {
            return Err(ServiceError::field("measure_id", "unknown_reference", "measure_id names a measure that does not exist"));
        };
        let mut checks = Checks::new();
        checks.normalise("intervention_field", &mut data.intervention_field, |code| InterventionField::parse(code, period));
        checks.into_result()?;
        if let Some(programme_voivodeship) = programme_voivodeship {
            match &data.voivodeship {
                None => data.voivodeship = Some(programme_voivodeship),
                Some(v) if *v != programme_voivodeship => {
                    return Err(ServiceError::field(
                        "voivodeship",
                        "outside_programme",
                        format!("the measure's programme is regional ({programme_voivodeship})"),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(data)
    }

    fn scope(conn: &mut PgConnection, id: Option<i64>, data: &ProjectData) -> Result<Scope, ServiceError> {
        let organisations = match id {
            Some(id) => match scopes::project(conn, id)? {
                Scope::Project { organisations, .. } => organisations,
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        Ok(Scope::Project { id, voivodeship: data.voivodeship.clone(), organisations })
    }

    /// A project with values frozen in a locked period stays in its measure.
    fn check_change(conn: &mut PgConnection, _: &Caller, before: &Record<ProjectData>, after: &ProjectData) -> Result<(), ServiceError> {
        if after.measure_id != before.data.measure_id {
            crate::service::resources::measurements::ensure_values_stay(conn, crate::db::reporting_periods::AboveValues::Project(before.id))?;
        }
        Ok(())
    }

    /// A project an OWES creates has the OWES's organisation as its beneficiary.
    fn after_create(conn: &mut PgConnection, caller: &Caller, id: i64, _: &ProjectData) -> Result<(), ServiceError> {
        if let Some(user) = caller.user().filter(|u| u.role == Role::Owes) {
            let organisation = user.organisation_id.ok_or_else(|| ServiceError::Forbidden("this account has no organisation".into()))?;
            let role =
                PartnerData { project_id: id, beneficiary_id: organisation, role: PartnerRole::Beneficiary, valid_from: None, valid_to: None, notes: None };
            let row = Partners::insert(conn, &role)?;
            let scope = scopes::project(conn, id)?;
            audit::write::<Partners>(conn, caller, Action::Create, row.id, &scope, None, Some(&row.data))?;
        }
        Ok(())
    }

    const ON_MAP: bool = true;

    /// A project lies at its coordinates, else at its voivodeship's centroid.
    fn locate(conn: &mut PgConnection, records: &[Record<ProjectData>]) -> Result<Vec<Option<Place>>, ServiceError> {
        let places: Vec<_> = records.iter().map(|r| (r.data.latitude.zip(r.data.longitude), r.data.voivodeship.iter().cloned().collect())).collect();
        Ok(crate::db::places::locate(conn, &places)?)
    }

    fn related(id: i64, data: &ProjectData) -> Vec<(&'static str, String)> {
        vec![
            ("measure", format!("measures/{}", data.measure_id)),
            ("partners", format!("partners?project_id={id}")),
            ("activities", format!("activities?project_id={id}")),
            ("indicators", format!("indicators?project_id={id}")),
            ("participants", format!("participants?project_id={id}")),
        ]
    }
}
