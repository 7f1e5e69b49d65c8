//! What an evidence file may be: the kinds of file a ROPS checks (scans of
//! attendance lists and certificates as PDF or images, lists as CSV or office
//! documents), each recognised by its content as well as by the type the
//! uploader names, so that a file is never served as something it is not.

/// The largest evidence file taken unless configured otherwise: 20 MiB, a
/// scanned multi-page attendance list.
pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// How long a scan may take unless configured otherwise.
pub const DEFAULT_SCAN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// How large an evidence file may be, and the command that scans each before
/// it is kept (`EVIDENCE_SCAN_COMMAND`, e.g. `clamdscan --no-summary -`): a
/// program and its arguments separated by spaces, run without a shell and with
/// no environment but `PATH`, with the file on its standard input; exit status
/// 0 means clean, 1 infected, anything else (or no answer within `scan_timeout`)
/// that the scan failed, and the file is then refused, not kept unscanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidencePolicy {
    pub max_bytes: usize,
    pub scan_command: Option<String>,
    pub scan_timeout: std::time::Duration,
}

impl Default for EvidencePolicy {
    fn default() -> Self {
        EvidencePolicy { max_bytes: DEFAULT_MAX_BYTES, scan_command: None, scan_timeout: DEFAULT_SCAN_TIMEOUT }
    }
}

/// The kinds of evidence file accepted, by media type.
pub const ACCEPTED: [&str; 9] = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "text/csv",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRefusal {
    /// Not one of [`ACCEPTED`].
    UnacceptedType(String),
    /// The content is not of the type named.
    ContentMismatch(&'static str),
    Empty,
    BadName,
}

/// The media type named by a `Content-Type` header, without its parameters,
/// in lower case.
pub fn media_type(header: &str) -> String {
    header.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Whether `content` is a file of `media_type` (one of [`ACCEPTED`]).
fn looks_like(media_type: &str, content: &[u8]) -> bool {
    match media_type {
        "application/pdf" => content.starts_with(b"%PDF-"),
        "image/jpeg" => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => content.starts_with(b"\x89PNG\r\n\x1a\n"),
        // Text: UTF-8 without control characters other than tab and line breaks.
        "text/csv" | "text/plain" => std::str::from_utf8(content).is_ok_and(|text| !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))),
        // Office Open XML and OpenDocument files are ZIP archives.
        _ => content.starts_with(b"PK\x03\x04"),
    }
}

/// The type of a file sent as plain bytes (`application/octet-stream`, what
/// generated clients send), by its name's extension.
fn type_by_name(file_name: &str) -> Option<&'static str> {
    let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    ACCEPTED.iter().copied().find(|media| extensions(media).contains(&extension.as_str()))
}

/// Checks a file to be kept as evidence: its type (as sent, or for plain
/// bytes by its name) is accepted and its content is of that type. Returns
/// the media type as kept.
pub fn check_file(content_type: &str, file_name: &str, content: &[u8]) -> Result<String, FileRefusal> {
    let mut media = media_type(content_type);
    if media == "application/octet-stream" || media.is_empty() {
        media = type_by_name(file_name).map(str::to_owned).ok_or(FileRefusal::UnacceptedType(media))?;
    }
    if !ACCEPTED.contains(&media.as_str()) {
        return Err(FileRefusal::UnacceptedType(media));
    }
    if content.is_empty() {
        return Err(FileRefusal::Empty);
    }
    if !looks_like(&media, content) {
        return Err(FileRefusal::ContentMismatch(ACCEPTED.iter().copied().find(|t| *t == media).unwrap_or("the type named")));
    }
    Ok(media)
}

/// The file name extensions of each accepted type; the first is added to a
/// name that has none of them.
fn extensions(media_type: &str) -> &'static [&'static str] {
    match media_type {
        "application/pdf" => &["pdf"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/png" => &["png"],
        "text/csv" => &["csv"],
        "text/plain" => &["txt"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        _ => &["bin"],
    }
}

/// A file name as kept and offered back: its last path segment, without
/// control characters or quotes, ending in an extension of its type (`run.hta`
/// sent as text becomes `run.hta.txt`, so a download never opens as a
/// program), at most 255 characters.
pub fn clean_file_name(given: &str, media_type: &str) -> Result<String, FileRefusal> {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last.chars().filter(|c| !c.is_control() && !matches!(c, '"')).take(240).collect();
    let name = name.trim().trim_end_matches('.').to_owned();
    if name.is_empty() || name == "." || name == ".." {
        return Err(FileRefusal::BadName);
    }
    let allowed = extensions(media_type);
    let has_its_extension = name.rsplit_once('.').is_some_and(|(_, ext)| allowed.contains(&ext.to_ascii_lowercase().as_str()));
    Ok(if has_its_extension { name } else { format!("{name}.{}", allowed.first().copied().unwrap_or("bin")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_of_the_type_it_names() {
        assert_eq!(check_file("application/pdf", "a.pdf", b"%PDF-1.7\n..."), Ok("application/pdf".to_owned()));
        assert_eq!(check_file("Text/CSV; charset=utf-8", "a", "imię;nazwisko\n".as_bytes()), Ok("text/csv".to_owned()));
        assert_eq!(check_file("image/png", "a.png", b"%PDF-1.7"), Err(FileRefusal::ContentMismatch("image/png")));
        assert_eq!(check_file("text/csv", "a.csv", b"<html>\x00"), Err(FileRefusal::ContentMismatch("text/csv")));
        assert_eq!(check_file("text/html", "a.html", b"<html>"), Err(FileRefusal::UnacceptedType("text/html".to_owned())));
        assert_eq!(check_file("application/pdf", "a.pdf", b""), Err(FileRefusal::Empty));
        // Plain bytes take their type from the name, and must still be of it.
        assert_eq!(check_file("application/octet-stream", "Lista.PDF", b"%PDF-1.4"), Ok("application/pdf".to_owned()));
        assert_eq!(check_file("application/octet-stream", "lista.png", b"%PDF-1.4"), Err(FileRefusal::ContentMismatch("image/png")));
        assert!(matches!(check_file("application/octet-stream", "run.exe", b"MZ"), Err(FileRefusal::UnacceptedType(_))));
    }

    #[test]
    fn a_file_name_loses_its_path_and_control_characters() {
        let pdf = "application/pdf";
        assert_eq!(clean_file_name("C:\\skany\\lista \"obecności\".PDF", pdf), Ok("lista obecności.PDF".to_owned()));
        assert_eq!(clean_file_name("../../etc/passwd", pdf), Ok("passwd.pdf".to_owned()));
        assert_eq!(clean_file_name("a\r\nb.pdf", pdf), Ok("ab.pdf".to_owned()));
        assert_eq!(clean_file_name("run.hta", "text/plain"), Ok("run.hta.txt".to_owned()));
        assert_eq!(clean_file_name("zdjęcie.jpeg", "image/jpeg"), Ok("zdjęcie.jpeg".to_owned()));
        assert_eq!(clean_file_name("dir/", pdf), Err(FileRefusal::BadName));
    }
}
