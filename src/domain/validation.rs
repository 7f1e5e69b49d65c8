//! Collecting every failing field of an input, so that a 422 lists them all at once.

use serde::Serialize;
use utoipa::ToSchema;

/// Why one value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    pub code: &'static str,
    pub message: String,
}

impl DomainError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// One failing field in a 422 answer.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `eu_amount` or `target_groups[2].name`.
    pub field: String,
    /// Stable machine-readable reason, e.g. `nip_checksum`.
    pub code: String,
    pub message: String,
    /// The line of an imported file the value was on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
}

/// Accumulates field errors while an input is checked.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), code: code.to_owned(), message: message.into(), line: None });
    }

    /// Records the error of a parse, if any, and hands back the value otherwise.
    pub fn check<T>(&mut self, field: &str, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(field, e.code, e.message);
                None
            }
        }
    }

    /// Parses an optional value in place, replacing it with its normalised form.
    pub fn normalise<T>(&mut self, field: &str, value: &mut Option<String>, parse: impl FnOnce(&str) -> Result<T, DomainError>)
    where
        T: ToString,
    {
        if let Some(raw) = value.as_deref() {
            if let Some(parsed) = self.check(field, parse(raw)) {
                *value = Some(parsed.to_string());
            }
        }
    }

    /// Refuses empty or blank text in a required field.
    pub fn not_blank(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, "blank", "must not be empty");
        }
    }

    pub fn ensure(&mut self, condition: bool, field: &str, code: &str, message: impl Into<String>) {
        if !condition {
            self.fail(field, code, message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

impl Checks {
    /// Refuses an end that comes before its start.
    pub fn ordered<T: PartialOrd>(&mut self, start: Option<T>, end: Option<T>, end_field: &str, start_field: &str) {
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                self.fail(end_field, "end_before_start", format!("{end_field} is before {start_field}"));
            }
        }
    }

    /// Refuses a date outside the years the registry can mean (1900-2100): a typo
    /// such as "23-01-01" would otherwise be the year 23.
    pub fn plausible_date(&mut self, field: &str, date: Option<chrono::NaiveDate>) {
        use chrono::Datelike;
        if let Some(date) = date {
            self.ensure((1900..=2100).contains(&date.year()), field, "implausible_date", "a date between 1900 and 2100");
        }
    }

    /// A revocation of a dated grant (a status, a mark): not before the grant's
    /// first day, and never without its reason.
    pub fn revocation(&mut self, revoked_on: Option<chrono::NaiveDate>, reason: Option<&str>, first_day: chrono::NaiveDate, first_field: &str) {
        self.plausible_date("revoked_on", revoked_on);
        self.ordered(Some(first_day), revoked_on, "revoked_on", first_field);
        self.ensure(revoked_on.is_none() || reason.is_some(), "revocation_reason", "required", "a revocation needs its reason");
        self.ensure(revoked_on.is_some() || reason.is_none(), "revocation_reason", "without_revocation", "a reason without revoked_on revokes nothing");
    }

    /// A span of days (a membership, a term, a document's validity): both days
    /// plausible, the last not before the first.
    pub fn period(&mut self, first: Option<chrono::NaiveDate>, last: Option<chrono::NaiveDate>, first_field: &str, last_field: &str) {
        self.plausible_date(first_field, first);
        self.plausible_date(last_field, last);
        self.ordered(first, last, last_field, first_field);
    }

    /// An address portals show as a link: http(s) only, so that no `javascript:`
    /// or `data:` address reaches a reader's browser from the registry.
    pub fn web_address(&mut self, field: &str, address: Option<&str>) {
        if let Some(address) = address {
            let lower = address.to_ascii_lowercase();
            let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
            self.ensure(
                rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/')) && !address.contains(char::is_whitespace),
                field,
                "web_address",
                "an http:// or https:// address",
            );
        }
    }

    /// Trims a list of texts, refusing blank entries.
    pub fn texts(&mut self, field: &str, values: &mut [String]) {
        for (i, value) in values.iter_mut().enumerate() {
            *value = value.trim().to_owned();
            if value.is_empty() {
                self.fail(format!("{field}[{i}]"), "blank", "must not be empty");
            }
        }
    }
}

/// The longest text any field takes, in characters.
pub const MAX_TEXT: usize = 10_000;

/// Every text field of `value` the registry does not keep, as field errors:
/// longer than [`MAX_TEXT`], or holding a NUL character (which PostgreSQL
/// cannot store).
pub fn unkept_texts(value: &serde_json::Value) -> Vec<FieldError> {
    fn walk(value: &serde_json::Value, path: String, errors: &mut Vec<FieldError>) {
        match value {
            serde_json::Value::String(s) if s.chars().count() > MAX_TEXT => {
                errors.push(FieldError { field: path, code: "too_long".into(), message: format!("at most {MAX_TEXT} characters"), line: None })
            }
            serde_json::Value::String(s) if s.contains('\0') => {
                errors.push(FieldError { field: path, code: "nul_character".into(), message: "text may not contain NUL characters".into(), line: None })
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}[{i}]"), errors);
                }
            }
            serde_json::Value::Object(fields) => {
                for (key, item) in fields {
                    walk(item, if path.is_empty() { key.clone() } else { format!("{path}.{key}") }, errors);
                }
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    walk(value, String::new(), &mut errors);
    errors
}

/// Turns blank optional text into `None`, so "" and null mean the same.
pub fn blank_to_none(value: &mut Option<String>) {
    if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
        *value = None;
    }
}

thread_local! {
    /// Whether the JSON being read is the server's own (`from_server_json`).
    static READING_SERVER_JSON: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Reads a field the server keeps (a workflow's state, who decided and when,
/// what is derived): a client that sends one is refused (422), and the
/// contract still shows the field, marked `readOnly`, which
/// `#[serde(skip_deserializing)]` would leave out of it. What the server wrote
/// itself is read back whole ([`from_server_json`]); a client's patch and an
/// import take such fields out first (`Spec::read_only`).
pub fn kept_by_server<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    if READING_SERVER_JSON.get() {
        T::deserialize(d)
    } else {
        Err(serde::de::Error::custom("a field the server keeps (a state, who decided it and when, or what is derived) is read-only: leave it out"))
    }
}

/// Reads `value`, which the server itself wrote (a record as published),
/// fields the server keeps included.
pub fn from_server_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> serde_json::Result<T> {
    struct Reading;
    impl Drop for Reading {
        fn drop(&mut self) {
            READING_SERVER_JSON.set(false);
        }
    }
    READING_SERVER_JSON.set(true);
    let _reading = Reading;
    serde_json::from_value(value)
}

/// A serde error as a client may see it: the shape that was wrong, never the
/// value (which may be personal data such as a PESEL).
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let shape = match text.split_once(": ") {
        Some((kind @ ("invalid type" | "invalid value" | "invalid length"), rest)) => {
            format!("{kind}, {}", rest.split_once(", ").map_or("", |(_, expected)| expected))
        }
        _ => text.clone(),
    };
    // serde_json appends the position itself; keep it only once.
    match shape.rfind(" at line ") {
        Some(i) if e.line() > 0 => format!("{} at line {} column {}", shape.get(..i).unwrap_or_default(), e.line(), e.column()),
        _ => shape,
    }
}

#[cfg(test)]
mod json_error_tests {
    use super::describe_json_error;

    #[test]
    fn json_errors_do_not_repeat_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            pesel: String,
        }
        let e = serde_json::from_str::<P>(r#"{"pesel": 44051401359}"#).unwrap_err();
        let text = describe_json_error(&e);
        assert!(!text.contains("44051401359"), "{text}");
        assert!(text.contains("expected a string"), "{text}");
        let e = serde_json::from_str::<P>(r#"{}"#).unwrap_err();
        assert!(describe_json_error(&e).contains("missing field `pesel`"));
    }
}
