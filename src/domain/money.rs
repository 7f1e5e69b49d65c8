//! Money in PLN with grosze, co-financing rates in percent, and dates known only
//! to the month or the year.

use super::DomainError;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// The largest amount NUMERIC(15,2) holds.
const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_319, 232_830, 0, false, 2); // 9 999 999 999 999.99

pub fn check_amount(value: Decimal) -> Result<Decimal, DomainError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(DomainError::new("negative_amount", "amount cannot be negative"));
    }
    if value.normalize().scale() > 2 {
        return Err(DomainError::new("amount_precision", "amount has more than two decimal places (grosze)"));
    }
    if value > MAX_AMOUNT {
        return Err(DomainError::new("amount_too_large", "amount is larger than 9 999 999 999 999.99"));
    }
    Ok(value.round_dp(2))
}

pub fn check_rate(value: Decimal) -> Result<Decimal, DomainError> {
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err(DomainError::new("rate_range", "rate is a percentage between 0 and 100"));
    }
    if value.normalize().scale() > 4 {
        return Err(DomainError::new("rate_precision", "rate has more than four decimal places"));
    }
    Ok(value)
}

/// How much of a date is known.
pub use super::codes::DatePrecision;

/// The first and the last day of the period a date of the given precision names.
pub fn period_bounds(date: NaiveDate, precision: DatePrecision) -> (NaiveDate, NaiveDate) {
    match precision {
        DatePrecision::Day => (date, date),
        DatePrecision::Month => {
            let first = date.with_day(1).unwrap_or(date);
            let next =
                if first.month() == 12 { NaiveDate::from_ymd_opt(first.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1) };
            (first, next.and_then(|d| d.pred_opt()).unwrap_or(first))
        }
        DatePrecision::Year => (NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date), NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date)),
    }
}

/// Truncates a date to the start of its period, so equal facts are stored equally.
pub fn truncate(date: NaiveDate, precision: DatePrecision) -> NaiveDate {
    period_bounds(date, precision).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts() {
        assert_eq!(check_amount(d("3359267.15")).unwrap(), d("3359267.15"));
        assert_eq!(check_amount(d("-1")).unwrap_err().code, "negative_amount");
        assert_eq!(check_amount(d("1.001")).unwrap_err().code, "amount_precision");
        assert!(check_amount(d("1.100")).is_ok());
        assert!(check_amount(d("9999999999999.99")).is_ok());
        assert_eq!(check_amount(d("10000000000000")).unwrap_err().code, "amount_too_large");
    }

    #[test]
    fn rates() {
        assert!(check_rate(d("100")).is_ok());
        assert!(check_rate(d("100.01")).is_err());
        assert!(check_rate(d("-0.5")).is_err());
    }

    #[test]
    fn month_and_year_periods() {
        let feb = NaiveDate::from_ymd_opt(2012, 2, 14).unwrap();
        assert_eq!(period_bounds(feb, DatePrecision::Month), (NaiveDate::from_ymd_opt(2012, 2, 1).unwrap(), NaiveDate::from_ymd_opt(2012, 2, 29).unwrap()));
        let dec = NaiveDate::from_ymd_opt(2015, 12, 3).unwrap();
        assert_eq!(period_bounds(dec, DatePrecision::Month).1, NaiveDate::from_ymd_opt(2015, 12, 31).unwrap());
        assert_eq!(period_bounds(dec, DatePrecision::Year).0, NaiveDate::from_ymd_opt(2015, 1, 1).unwrap());
    }
}
