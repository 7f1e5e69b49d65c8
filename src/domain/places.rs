//! Places: TERYT codes of Polish territorial units, voivodeships, ISO 3166 countries.

use super::DomainError;

/// The sixteen voivodeships by TERYT code.
pub const VOIVODESHIPS: [(&str, &str); 16] = [
    ("02", "dolnośląskie"),
    ("04", "kujawsko-pomorskie"),
    ("06", "lubelskie"),
    ("08", "lubuskie"),
    ("10", "łódzkie"),
    ("12", "małopolskie"),
    ("14", "mazowieckie"),
    ("16", "opolskie"),
    ("18", "podkarpackie"),
    ("20", "podlaskie"),
    ("22", "pomorskie"),
    ("24", "śląskie"),
    ("26", "świętokrzyskie"),
    ("28", "warmińsko-mazurskie"),
    ("30", "wielkopolskie"),
    ("32", "zachodniopomorskie"),
];

/// A voivodeship's two-digit TERYT code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voivodeship(String);

impl Voivodeship {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        VOIVODESHIPS
            .iter()
            .find(|(code, _)| *code == raw)
            .map(|(code, _)| Self((*code).to_owned()))
            .ok_or_else(|| DomainError::new("unknown_voivodeship", "not a voivodeship TERYT code (02, 04, …, 32)"))
    }
}

/// A TERYT code of a voivodeship (2 digits), powiat (4) or gmina (7, the last the gmina type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerytCode(String);

impl TerytCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        if !matches!(raw.len(), 2 | 4 | 7) || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::new("teryt_format", "TERYT code must have 2, 4 or 7 digits"));
        }
        Voivodeship::parse(raw.get(..2).unwrap_or_default())
            .map_err(|_| DomainError::new("teryt_voivodeship", "TERYT code starts with an unknown voivodeship"))?;
        if raw.get(2..4) == Some("00") {
            return Err(DomainError::new("teryt_format", "TERYT powiat part cannot be 00"));
        }
        if raw.len() == 7 && !matches!(raw.as_bytes().get(6), Some(b'1'..=b'5' | b'8' | b'9')) {
            return Err(DomainError::new("teryt_format", "TERYT gmina type digit must be 1-5, 8 or 9"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn voivodeship(&self) -> &str {
        &self.0[..2]
    }
}

// ISO 3166-1 alpha-2, officially assigned codes.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL \
GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR \
LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK \
PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR \
TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 country code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let upper = raw.trim().to_ascii_uppercase();
        if upper.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|c| c == upper) {
            Ok(Self(upper))
        } else {
            Err(DomainError::new("unknown_country", "not an ISO 3166-1 alpha-2 country code"))
        }
    }

    pub fn is_poland(&self) -> bool {
        self.0 == "PL"
    }
}

display_as_inner!(Voivodeship, TerytCode, Country);

/// A point on a map (WGS 84) and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub latitude: rust_decimal::Decimal,
    pub longitude: rust_decimal::Decimal,
    /// `coordinates` for a record's own, else the TERYT unit whose centroid it is (`teryt:0463`).
    pub source: String,
}

/// Checks a record's coordinates: both or neither, within range, kept to six
/// decimal places (about 10 cm), as the columns store them.
pub fn check_coordinates(checks: &mut super::Checks, latitude: &mut Option<rust_decimal::Decimal>, longitude: &mut Option<rust_decimal::Decimal>) {
    use rust_decimal::Decimal;
    checks.ensure(latitude.is_some() == longitude.is_some(), "longitude", "unpaired_coordinates", "latitude and longitude are given together or not at all");
    for (field, value, limit) in [("latitude", latitude, 90), ("longitude", longitude, 180)] {
        if let Some(v) = value {
            *v = v.round_dp(6);
            checks.ensure(v.abs() <= Decimal::from(limit), field, "out_of_range", format!("{field} lies between -{limit} and {limit}"));
        }
    }
}

/// The TERYT units a place code falls in, most precise first: 0463011, 0463, 04.
pub fn enclosing_units(code: &str) -> Vec<String> {
    [7, 4, 2].into_iter().filter(|&n| code.len() >= n && code.is_char_boundary(n)).map(|n| code[..n].to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teryt_levels() {
        assert_eq!(TerytCode::parse("0463011").unwrap().voivodeship(), "04");
        assert!(TerytCode::parse("24").is_ok());
        assert!(TerytCode::parse("2261").is_ok());
        assert_eq!(TerytCode::parse("0363011").unwrap_err().code, "teryt_voivodeship");
        assert_eq!(TerytCode::parse("046301").unwrap_err().code, "teryt_format");
        assert_eq!(TerytCode::parse("0463017").unwrap_err().code, "teryt_format");
    }

    #[test]
    fn countries() {
        assert_eq!(Country::parse("nl").unwrap().to_string(), "NL");
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("POL").is_err());
    }
}
