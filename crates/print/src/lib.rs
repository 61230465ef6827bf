//! sobaucu-print: what a commune prints and what it sends as a spreadsheet. The report of
//! [`sobaucu_core::report::compute`] as an XLSX workbook, a PDF or text ([`report`]); the
//! voter list of a polling area in the layout of form Mẫu 33 ([`voters`]); the candidate list
//! per level and electoral unit ([`candidates`]); the whole of any record list, as the window's
//! "In" prints it ([`lists`]); election day's minutes, the team's counting minutes and the
//! board's minutes of an electoral unit's result ([`minutes`]). PDFs are A4 with an embedded
//! subset of DejaVu Sans Condensed, so Vietnamese prints and copies out exactly ([`pdf`],
//! [`layout`]).
//!
//! The core stays free of PDF and font code; this crate reads the store only through
//! [`sobaucu_core::store::Db`] and writes nothing to it. Files are written whole or not at all:
//! to a temporary file beside the target, then renamed over it.

pub mod candidates;
pub mod layout;
pub mod lists;
pub mod minutes;
pub mod pdf;
pub mod report;
pub mod voters;

use std::path::Path;

use sobaucu_core::{Error, Result, Store};

/// The formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// The JSON of `sobaucu report --json` (the README documents its shape).
    Json,
    /// Labelled Vietnamese tables as plain text.
    Text,
    /// An XLSX workbook, one sheet per part of the report.
    Xlsx,
    /// A PDF on A4.
    Pdf,
}

impl ReportFormat {
    /// Parses `json`, `text`, `xlsx` or `pdf`.
    pub fn parse(name: &str) -> Result<ReportFormat> {
        match name.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(ReportFormat::Json),
            "text" | "txt" => Ok(ReportFormat::Text),
            "xlsx" => Ok(ReportFormat::Xlsx),
            "pdf" => Ok(ReportFormat::Pdf),
            _ => {
                let shown: String = name.chars().take(20).collect();
                Err(Error::input(
                    format!("unknown report format `{shown}`: use json, text, xlsx or pdf"),
                    format!("không có định dạng báo cáo `{shown}`: dùng json, text, xlsx hoặc pdf"),
                ))
            }
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Text => "txt",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Pdf => "pdf",
        }
    }
}

/// What a file written by this crate holds, for the adapters to report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub path: String,
    pub bytes: usize,
    /// Pages of a PDF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<usize>,
    /// Rows printed (voters, candidates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

/// Writes a print-out of `pages` pages and `rows` rows to `path`, whole or not at all.
fn write_pdf(path: &Path, pdf: &[u8], pages: usize, rows: usize) -> Result<Written> {
    write_file(path, pdf)?;
    Ok(Written { path: path.display().to_string(), bytes: pdf.len(), pages: Some(pages), rows: Some(rows) })
}

/// The report of a computed [`sobaucu_core::report::Report`] in a format, as bytes, with the
/// number of pages when it is a PDF.
pub fn report_bytes(report: &sobaucu_core::report::Report, format: ReportFormat) -> Result<(Vec<u8>, Option<usize>)> {
    Ok(match format {
        ReportFormat::Json => {
            let mut json = serde_json::to_vec_pretty(report)
                .map_err(|e| Error::input(format!("report as JSON: {e}"), format!("báo cáo dạng JSON: {e}")))?;
            json.push(b'\n');
            (json, None)
        }
        ReportFormat::Text => (report::text(report).into_bytes(), None),
        ReportFormat::Xlsx => (report::xlsx(report)?, None),
        ReportFormat::Pdf => {
            let (pdf, pages) = report::pdf(report)?;
            (pdf, Some(pages))
        }
    })
}

/// Computes the ledger's report for today and writes it to `path` in `format`.
pub fn export_report(store: &Store, format: ReportFormat, path: &Path) -> Result<Written> {
    let report = sobaucu_core::report::compute(&store.db(), store.node()?, sobaucu_core::today())?;
    let (bytes, pages) = report_bytes(&report, format)?;
    write_file(path, &bytes)?;
    Ok(Written { path: path.display().to_string(), bytes: bytes.len(), pages, rows: None })
}

/// Prints the voter list (Mẫu 33) of a polling area, given by id, number or name, to `path`.
/// An unknown polling area is an error that names it, and no file is written.
pub fn print_voter_list(store: &Store, polling_area: &str, path: &Path) -> Result<Written> {
    let list = voters::voter_list(&store.db(), store.node()?, polling_area)?;
    write_pdf(path, &list.pdf, list.pages, list.voters)
}

/// Prints the voter lists (Mẫu 33) of every polling area in one file to `path`: each area from
/// a new page, with page numbers of its own.
pub fn print_voter_lists(store: &Store, path: &Path) -> Result<Written> {
    let list = voters::voter_lists(&store.db(), store.node()?)?;
    write_pdf(path, &list.pdf, list.pages, list.voters)
}

/// Prints every record of `kind` matching `query` (the list's search, unit and field filters;
/// its offset and limit are ignored) to `path`, dated `today`.
pub fn print_list(
    store: &Store,
    kind: sobaucu_core::Kind,
    query: &sobaucu_core::ListQuery,
    today: chrono::NaiveDate,
    path: &Path,
) -> Result<Written> {
    let list = lists::record_list(store, kind, query, today)?;
    write_pdf(path, &list.pdf, list.pages, list.rows)
}

/// Prints the candidate list of one level, or of every level, to `path`.
pub fn print_candidates(store: &Store, level: Option<&str>, path: &Path) -> Result<Written> {
    let list = candidates::candidate_list(&store.db(), store.node()?, level)?;
    write_pdf(path, &list.pdf, list.pages, list.candidates)
}

/// Prints the team's counting minutes of a polling area (by id, number or name) and a level
/// to `path`. An unknown polling area, or one with no minutes of that level, is an error that
/// names it, and no file is written.
pub fn print_count_minutes(store: &Store, polling_area: &str, level: &str, path: &Path) -> Result<Written> {
    let minutes = minutes::count_minutes(&store.db(), store.node()?, polling_area, level)?;
    write_minutes(minutes, path)
}

/// Prints the board's minutes of the result of an electoral unit (by id, number or name;
/// `level` narrows the search) to `path`: TẠM TÍNH while some polling area has not counted.
pub fn print_unit_result(store: &Store, electoral_unit: &str, level: Option<&str>, path: &Path) -> Result<Written> {
    let minutes = minutes::unit_result(&store.db(), store.node()?, electoral_unit, level)?;
    write_minutes(minutes, path)
}

fn write_minutes(minutes: minutes::Minutes, path: &Path) -> Result<Written> {
    write_pdf(path, &minutes.pdf, minutes.pages, minutes.candidates)
}

/// Writes `bytes` to `path` whole or not at all ([`sobaucu_core::files::write_whole`]).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    sobaucu_core::files::write_whole(path, bytes)
}
