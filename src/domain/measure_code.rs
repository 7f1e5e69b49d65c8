//! Codes as programmes write them: measure codes ("06.03", "9.4.2", "7.2.") and
//! priority-axis numbers in arabic or roman numerals ("9", "VII", "IX").

use super::DomainError;

/// A measure code as written plus its normalised form (no zero padding, no trailing dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureCode {
    pub written: String,
    pub normalised: String,
}

impl MeasureCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let written = raw.trim();
        let body = written.strip_suffix('.').unwrap_or(written);
        let segments: Vec<&str> = body.split('.').collect();
        if body.is_empty() || segments.iter().any(|s| s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric())) {
            return Err(DomainError::new("measure_code_format", "measure code must look like 9.4, 9.4.2 or 06.03"));
        }
        let normalised = segments
            .iter()
            .map(|s| if s.chars().all(|c| c.is_ascii_digit()) { s.trim_start_matches('0').to_owned() } else { s.to_ascii_uppercase() })
            .map(|s| if s.is_empty() { "0".to_owned() } else { s })
            .collect::<Vec<_>>()
            .join(".");
        Ok(Self { written: written.to_owned(), normalised })
    }

    /// Whether `child` (normalised) lies directly or indirectly below `parent` (normalised).
    pub fn is_below(child: &str, parent: &str) -> bool {
        child.len() > parent.len() + 1 && child.starts_with(parent) && child.as_bytes().get(parent.len()) == Some(&b'.')
    }
}

/// A priority-axis number as written and the integer it sorts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisNumber {
    pub written: String,
    pub sort_key: i32,
}

impl AxisNumber {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let written = raw.trim();
        let body = written.strip_suffix('.').unwrap_or(written);
        let value = if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()) { body.parse::<i32>().ok() } else { roman_value(body) };
        match value {
            Some(n) if (1..=99).contains(&n) => Ok(Self { written: written.to_owned(), sort_key: n }),
            _ => Err(DomainError::new("axis_number_format", "priority axis number must be 1-99 in arabic or roman numerals")),
        }
    }
}

fn roman_value(s: &str) -> Option<i32> {
    let value_of = |c: char| match c.to_ascii_uppercase() {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        _ => None,
    };
    let values: Vec<i32> = s.chars().map(value_of).collect::<Option<_>>()?;
    if values.is_empty() {
        return None;
    }
    let total = values.iter().enumerate().fold(0, |acc, (i, v)| if values.get(i + 1).is_some_and(|next| next > v) { acc - v } else { acc + v });
    // Reject non-canonical spellings such as "IIII" or "VX" by round-tripping.
    (to_roman(total).eq_ignore_ascii_case(s)).then_some(total)
}

fn to_roman(mut n: i32) -> String {
    const TABLE: [(i32, &str); 9] = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_codes_normalise() {
        assert_eq!(MeasureCode::parse("06.03").unwrap().normalised, "6.3");
        assert_eq!(MeasureCode::parse("06.03").unwrap().written, "06.03");
        assert_eq!(MeasureCode::parse("7.2.").unwrap().normalised, "7.2");
        assert_eq!(MeasureCode::parse("9.4.2").unwrap().normalised, "9.4.2");
        assert!(MeasureCode::parse("9..4").is_err());
        assert!(MeasureCode::parse("").is_err());
        assert!(MeasureCode::is_below("9.4.2", "9.4"));
        assert!(!MeasureCode::is_below("9.41", "9.4"));
    }

    #[test]
    fn axis_numbers() {
        assert_eq!(AxisNumber::parse("VII").unwrap().sort_key, 7);
        assert_eq!(AxisNumber::parse("IX").unwrap().sort_key, 9);
        assert_eq!(AxisNumber::parse("9").unwrap().sort_key, 9);
        assert_eq!(AxisNumber::parse("06").unwrap().sort_key, 6);
        assert!(AxisNumber::parse("IIII").is_err());
        assert!(AxisNumber::parse("0").is_err());
        assert!(AxisNumber::parse("abc").is_err());
    }
}
