//! PESEL, the Polish national identification number: 11 digits encoding the birth
//! date and sex, the last a check digit. The value is personal data: it has no
//! `Display` and its `Debug` is masked, so it cannot slip into a log line.

use super::codes::Sex;
use super::DomainError;
use chrono::NaiveDate;

#[derive(Clone, PartialEq, Eq)]
pub struct Pesel(String);

impl std::fmt::Debug for Pesel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pesel(*******{})", &self.0[7..])
    }
}

impl Pesel {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        let format = || DomainError::new("pesel_format", "PESEL must consist of 11 digits");
        let d: Vec<u32> = raw.chars().map(|c| c.to_digit(10)).collect::<Option<_>>().ok_or_else(format)?;
        let d: [u32; 11] = d.try_into().map_err(|_| format())?;
        let [body @ .., check] = d;
        let sum: u32 = body.iter().zip([1, 3, 7, 9, 1, 3, 7, 9, 1, 3]).map(|(a, w)| a * w).sum();
        if (10 - sum % 10) % 10 != check {
            return Err(DomainError::new("pesel_checksum", "PESEL check digit does not match"));
        }
        let pesel = Self(raw.to_owned());
        pesel.birth_date().ok_or_else(|| DomainError::new("pesel_birth_date", "PESEL encodes an impossible birth date"))?;
        Ok(pesel)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        let n = |i: usize| self.0.get(i..i + 2)?.parse::<u32>().ok();
        let (yy, mm, dd) = (n(0)?, n(2)?, n(4)?);
        let (century, month) = match mm {
            1..=12 => (1900, mm),
            21..=32 => (2000, mm - 20),
            41..=52 => (2100, mm - 40),
            61..=72 => (2200, mm - 60),
            81..=92 => (1800, mm - 80),
            _ => return None,
        };
        NaiveDate::from_ymd_opt(century + yy as i32, month, dd)
    }

    pub fn sex(&self) -> Sex {
        if self.0.as_bytes().get(9).is_some_and(|digit| digit % 2 == 1) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The last four digits, the most a response may show.
    pub fn masked(&self) -> String {
        format!("*******{}", self.0.get(7..).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_pesel_yields_birth_date_and_sex() {
        let p = Pesel::parse("44051401359").unwrap();
        assert_eq!(p.birth_date(), NaiveDate::from_ymd_opt(1944, 5, 14));
        assert_eq!(p.sex(), Sex::Male);
        let p = Pesel::parse("02270803624").unwrap();
        assert_eq!(p.birth_date(), NaiveDate::from_ymd_opt(2002, 7, 8));
        assert_eq!(p.sex(), Sex::Female);
        assert_eq!(p.masked(), "*******3624");
        assert!(!format!("{p:?}").contains("0227080"));
    }

    #[test]
    fn invalid_pesel_is_refused() {
        assert_eq!(Pesel::parse("44051401358").unwrap_err().code, "pesel_checksum");
        assert_eq!(Pesel::parse("4405140135").unwrap_err().code, "pesel_format");
        assert_eq!(Pesel::parse("44133101357").unwrap_err().code, "pesel_birth_date");
    }
}
