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

/// How far from its end a PDF's `%%EOF` may stand (readers allow trailing
/// bytes; 1 KiB is what Acrobat tolerates).
const PDF_TAIL: usize = 1024;
/// The most of a package's manifest read to check it.
const MANIFEST_LIMIT: u64 = 256 * 1024;

/// Whether `content` is a PDF: its header, and its end-of-file marker near its
/// end (a file cut short, or something else with a PDF's first bytes, has none).
fn is_pdf(content: &[u8]) -> bool {
    let tail = content.get(content.len().saturating_sub(PDF_TAIL)..).unwrap_or_default();
    content.starts_with(b"%PDF-") && tail.windows(5).any(|window| window == b"%%EOF")
}

/// Whether `content` is an Office Open XML package of `media_type` (ECMA-376
/// part 2): a ZIP archive whose `[Content_Types].xml` declares the main part of
/// that type (`….document.main+xml`, `….sheet.main+xml`). Any other ZIP (and a
/// macro-enabled document, whose main part is of another type) is not.
fn is_ooxml(media_type: &str, content: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(content)) else { return false };
    let Ok(manifest) = archive.by_name("[Content_Types].xml") else { return false };
    let mut text = String::new();
    manifest.take(MANIFEST_LIMIT).read_to_string(&mut text).is_ok() && text.contains(&format!("\"{media_type}.main+xml\""))
}

/// Whether `content` is an OpenDocument package of `media_type` (ODF 1.2 part
/// 3, 3.3): a ZIP archive whose first entry is `mimetype`, stored uncompressed,
/// holding exactly that media type.
fn is_odf(media_type: &str, content: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(content)) else { return false };
    let Ok(first) = archive.by_index(0) else { return false };
    if first.name() != "mimetype" || first.compression() != zip::CompressionMethod::Stored {
        return false;
    }
    let mut declared = String::new();
    first.take(MANIFEST_LIMIT).read_to_string(&mut declared).is_ok() && declared == media_type
}

/// Whether `content` is a file of `media_type` (one of [`ACCEPTED`]).
fn looks_like(media_type: &str, content: &[u8]) -> bool {
    match media_type {
        "application/pdf" => is_pdf(content),
        "image/jpeg" => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => content.starts_with(b"\x89PNG\r\n\x1a\n"),
        // Text: UTF-8 without control characters other than tab and line breaks.
        "text/csv" | "text/plain" => std::str::from_utf8(content).is_ok_and(|text| !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))),
        "application/vnd.oasis.opendocument.text" | "application/vnd.oasis.opendocument.spreadsheet" => is_odf(media_type, content),
        _ => is_ooxml(media_type, content),
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
        assert_eq!(check_file("application/pdf", "a.pdf", b"%PDF-1.7\n...\n%%EOF"), Ok("application/pdf".to_owned()));
        assert_eq!(check_file("Text/CSV; charset=utf-8", "a", "imię;nazwisko\n".as_bytes()), Ok("text/csv".to_owned()));
        assert_eq!(check_file("image/png", "a.png", b"%PDF-1.7"), Err(FileRefusal::ContentMismatch("image/png")));
        assert_eq!(check_file("text/csv", "a.csv", b"<html>\x00"), Err(FileRefusal::ContentMismatch("text/csv")));
        assert_eq!(check_file("text/html", "a.html", b"<html>"), Err(FileRefusal::UnacceptedType("text/html".to_owned())));
        assert_eq!(check_file("application/pdf", "a.pdf", b""), Err(FileRefusal::Empty));
        // Plain bytes take their type from the name, and must still be of it.
        assert_eq!(check_file("application/octet-stream", "Lista.PDF", b"%PDF-1.4\n%%EOF"), Ok("application/pdf".to_owned()));
        assert_eq!(check_file("application/octet-stream", "lista.png", b"%PDF-1.4"), Err(FileRefusal::ContentMismatch("image/png")));
        assert!(matches!(check_file("application/octet-stream", "run.exe", b"MZ"), Err(FileRefusal::UnacceptedType(_))));
    }

    /// A ZIP archive of `(name, content, stored)` entries, in order.
    fn archive(entries: &[(&str, &str, bool)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content, stored) in entries {
            let method = if *stored { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
            zip.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const ODT: &str = "application/vnd.oasis.opendocument.text";

    fn content_types(main: &str) -> String {
        format!(r#"<?xml version="1.0"?><Types><Override PartName="/main.xml" ContentType="{main}.main+xml"/></Types>"#)
    }

    #[test]
    fn office_documents_are_checked_as_packages_and_pdfs_by_their_ends() {
        let docx = archive(&[("[Content_Types].xml", &content_types(DOCX), false), ("word/document.xml", "<w:document/>", false)]);
        assert_eq!(check_file(DOCX, "raport.docx", &docx), Ok(DOCX.to_owned()));
        // A spreadsheet is not a text document, any ZIP is neither, nor is a macro-enabled document.
        assert_eq!(check_file(XLSX, "raport.xlsx", &docx), Err(FileRefusal::ContentMismatch(XLSX)));
        let any_zip = archive(&[("a.txt", "nic", false)]);
        assert_eq!(check_file(DOCX, "raport.docx", &any_zip), Err(FileRefusal::ContentMismatch(DOCX)));
        let macros = archive(&[("[Content_Types].xml", &content_types("application/vnd.ms-word.document.macroEnabled"), false)]);
        assert_eq!(check_file(DOCX, "raport.docx", &macros), Err(FileRefusal::ContentMismatch(DOCX)));
        assert_eq!(check_file(DOCX, "raport.docx", b"PK\x03\x04 and nothing else"), Err(FileRefusal::ContentMismatch(DOCX)));

        let odt = archive(&[("mimetype", ODT, true), ("content.xml", "<office:document-content/>", false)]);
        assert_eq!(check_file(ODT, "raport.odt", &odt), Ok(ODT.to_owned()));
        let not_first = archive(&[("content.xml", "<x/>", false), ("mimetype", ODT, true)]);
        assert_eq!(check_file(ODT, "raport.odt", &not_first), Err(FileRefusal::ContentMismatch(ODT)));
        let compressed = archive(&[("mimetype", ODT, false)]);
        assert_eq!(check_file(ODT, "raport.odt", &compressed), Err(FileRefusal::ContentMismatch(ODT)));
        let spreadsheet = archive(&[("mimetype", "application/vnd.oasis.opendocument.spreadsheet", true)]);
        assert_eq!(check_file(ODT, "raport.odt", &spreadsheet), Err(FileRefusal::ContentMismatch(ODT)));

        let pdf = "application/pdf";
        assert_eq!(check_file(pdf, "a.pdf", b"%PDF-1.7\n1 0 obj\n%%EOF\r\n"), Ok(pdf.to_owned()));
        assert_eq!(check_file(pdf, "a.pdf", b"%PDF-1.7\n1 0 obj (cut short"), Err(FileRefusal::ContentMismatch(pdf)));
        let padded = [b"%PDF-1.4\n%%EOF".as_slice(), &[b' '; 2000]].concat();
        assert_eq!(check_file(pdf, "a.pdf", &padded), Err(FileRefusal::ContentMismatch(pdf)), "the marker must stand near the end");
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
