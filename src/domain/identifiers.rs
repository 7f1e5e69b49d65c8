//! Polish organisation identifiers: NIP and REGON carry check digits, KRS is a
//! ten-digit register number without one. And the code printed on a mark's label.

use super::DomainError;

fn digits_of(raw: &str, field: &'static str) -> Result<Vec<u32>, DomainError> {
    // Separators are common in published identifiers ("123-456-32-18").
    let cleaned: String = raw.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let cleaned = cleaned.strip_prefix("PL").unwrap_or(&cleaned);
    cleaned.chars().map(|c| c.to_digit(10)).collect::<Option<Vec<_>>>().ok_or_else(|| DomainError::new("not_digits", format!("{field} must consist of digits")))
}

fn weighted_mod11(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11
}

fn join(digits: &[u32]) -> String {
    digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()
}

/// Numer Identyfikacji Podatkowej: 10 digits, the last a mod-11 check digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nip(String);

impl Nip {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let d: [u32; 10] = digits_of(raw, "NIP")?.try_into().map_err(|_| DomainError::new("nip_length", "NIP must have 10 digits"))?;
        let [body @ .., last] = d;
        let check = weighted_mod11(&body, &[6, 5, 7, 2, 3, 4, 5, 6, 7]);
        if check == 10 || check != last {
            return Err(DomainError::new("nip_checksum", "NIP check digit does not match"));
        }
        Ok(Self(join(&d)))
    }
}

/// REGON: 9 digits (or 14 for local units), the last a mod-11 check digit (10 → 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regon(String);

impl Regon {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let d = digits_of(raw, "REGON")?;
        let weights: &[u32] = match d.len() {
            9 => &[8, 9, 2, 3, 4, 5, 6, 7],
            14 => &[2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8],
            _ => return Err(DomainError::new("regon_length", "REGON must have 9 or 14 digits")),
        };
        let (last, body) = d.split_last().ok_or_else(|| DomainError::new("regon_length", "REGON must have 9 or 14 digits"))?;
        if weighted_mod11(body, weights) % 10 != *last {
            return Err(DomainError::new("regon_checksum", "REGON check digit does not match"));
        }
        Ok(Self(join(&d)))
    }
}

/// Numer w Krajowym Rejestrze Sądowym: 10 digits, leading zeros kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Krs(String);

impl Krs {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let d = digits_of(raw, "KRS")?;
        if d.is_empty() || d.len() > 10 {
            return Err(DomainError::new("krs_length", "KRS must have at most 10 digits"));
        }
        if d.iter().all(|x| *x == 0) {
            return Err(DomainError::new("krs_zero", "KRS cannot be zero"));
        }
        Ok(Self(format!("{:0>10}", join(&d))))
    }
}

display_as_inner!(Nip, Regon, Krs);

/// The code on a mark's label ("ZP-04-2023-017"): letters, digits and `-`, `/`,
/// `.`, at most 64, kept in capitals so that a buyer may type it in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkCode(String);

impl MarkCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_uppercase();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.');
        if code.is_empty() || code.chars().count() > 64 || !code.chars().all(allowed) {
            return Err(DomainError::new("mark_code", "a mark's code is 1 to 64 letters, digits, '-', '/' or '.'"));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MarkCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A code of the Common Procurement Vocabulary ("55520000-1"): eight digits, a
/// dash and a check digit, as public procurement notices write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpvCode(String);

impl CpvCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim();
        let bytes = code.as_bytes();
        let well_formed = bytes.len() == 10 && bytes.get(8) == Some(&b'-') && bytes.iter().enumerate().all(|(i, b)| i == 8 || b.is_ascii_digit());
        if !well_formed {
            return Err(DomainError::new("cpv_format", "a CPV code is eight digits, a dash and a check digit (55520000-1)"));
        }
        // Divisions run from 03 to 98; "00…" would be of every kind and match everything.
        if code.starts_with("00") {
            return Err(DomainError::new("cpv_division", "a CPV code begins with its division, 03 to 98"));
        }
        Ok(Self(code.to_owned()))
    }
}

impl std::fmt::Display for CpvCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nip_accepts_valid_and_normalises_separators() {
        assert_eq!(Nip::parse("123-456-32-18").unwrap().to_string(), "1234563218");
        assert_eq!(Nip::parse("PL 526-025-09-95").unwrap().to_string(), "5260250995");
    }

    #[test]
    fn nip_rejects_bad_check_digit_and_length() {
        assert_eq!(Nip::parse("1234563219").unwrap_err().code, "nip_checksum");
        assert_eq!(Nip::parse("123456321").unwrap_err().code, "nip_length");
        assert_eq!(Nip::parse("12345632a8").unwrap_err().code, "not_digits");
    }

    #[test]
    fn regon_nine_and_fourteen() {
        assert!(Regon::parse("123456785").is_ok());
        assert_eq!(Regon::parse("123456786").unwrap_err().code, "regon_checksum");
        assert!(Regon::parse("12345678512347").is_ok());
        assert_eq!(Regon::parse("12345678512348").unwrap_err().code, "regon_checksum");
    }

    #[test]
    fn krs_pads_to_ten_digits() {
        assert_eq!(Krs::parse("12345").unwrap().to_string(), "0000012345");
        assert!(Krs::parse("00000000000").is_err());
    }
}
