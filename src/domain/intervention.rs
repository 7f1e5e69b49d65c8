//! The category of intervention (intervention field) of an operation: the code
//! the list of operations (Article 49(3) of Regulation (EU) 2021/1060) names, in
//! the code list of the programme's period.

use super::codes::ProgrammingPeriod;
use super::DomainError;

/// An intervention field code, valid for its programming period:
/// - 2021-2027: Annex I, table 1 to Regulation (EU) 2021/1060, three digits
///   001-182 (e.g. `138`, support for social economy and social enterprises);
/// - 2014-2020: Annex I, table 1 to Commission Implementing Regulation (EU) No
///   215/2014, three digits 001-123 (e.g. `113`, promoting social
///   entrepreneurship and the social and solidarity economy);
/// - 2007-2013: the priority themes of Annex II to Commission Regulation (EC) No
///   1828/2006, two digits 01-86 (e.g. `71`, pathways to integration of
///   disadvantaged people, which the social economy was coded under).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionField(String);

impl InterventionField {
    pub fn parse(raw: &str, period: ProgrammingPeriod) -> Result<Self, DomainError> {
        let raw = raw.trim();
        let (digits, last, list) = match period {
            ProgrammingPeriod::P2021_2027 => (3, 182, "001-182 (Annex I to Regulation (EU) 2021/1060)"),
            ProgrammingPeriod::P2014_2020 => (3, 123, "001-123 (Implementing Regulation (EU) No 215/2014)"),
            ProgrammingPeriod::P2007_2013 => (2, 86, "01-86 (priority themes of Regulation (EC) No 1828/2006)"),
        };
        let number = (raw.len() == digits && raw.bytes().all(|b| b.is_ascii_digit())).then(|| raw.parse::<u32>().ok()).flatten();
        match number {
            Some(n) if (1..=last).contains(&n) => Ok(Self(raw.to_owned())),
            _ => Err(DomainError::new("unknown_intervention_field", format!("a {period} project's intervention field is a code {list}"))),
        }
    }
}

display_as_inner!(InterventionField);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_each_period() {
        assert!(InterventionField::parse("138", ProgrammingPeriod::P2021_2027).is_ok());
        assert!(InterventionField::parse(" 001 ", ProgrammingPeriod::P2021_2027).is_ok());
        assert!(InterventionField::parse("183", ProgrammingPeriod::P2021_2027).is_err());
        assert!(InterventionField::parse("000", ProgrammingPeriod::P2021_2027).is_err());
        assert!(InterventionField::parse("13", ProgrammingPeriod::P2021_2027).is_err());
        assert!(InterventionField::parse("1a8", ProgrammingPeriod::P2021_2027).is_err());
        assert!(InterventionField::parse("113", ProgrammingPeriod::P2014_2020).is_ok());
        assert!(InterventionField::parse("138", ProgrammingPeriod::P2014_2020).is_err());
        assert!(InterventionField::parse("71", ProgrammingPeriod::P2007_2013).is_ok());
        assert!(InterventionField::parse("071", ProgrammingPeriod::P2007_2013).is_err());
        assert!(InterventionField::parse("87", ProgrammingPeriod::P2007_2013).is_err());
    }
}
