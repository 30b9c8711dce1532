//! Where the command's results go: the report rendered to standard output or to a file,
//! and the lines it writes to stderr (control characters escaped: they carry file and
//! meeting names).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use zoom_qos::Report;
use zoom_qos::report::{MeetingError, MeetingReport, Zone, escape_controls};

use crate::atomic::{self, WriteError};
use crate::error::CliError;

/// The one-line error of a failed meeting, for stderr: control characters escaped.
pub fn error_line(error: &MeetingError) -> String {
    let file = error.file.as_deref().unwrap_or("<input>");
    escape_controls(&format!(
        "zoom-qos: meeting {}: {file}: {}",
        error.meeting, error.message
    ))
}

/// A stderr line for a meeting whose pages are not the whole chain: which, and what is
/// missing.
pub fn incomplete_line(meeting: &MeetingReport) -> String {
    escape_controls(&format!(
        "zoom-qos: meeting {}: incomplete: {}; its report covers the pages read only",
        meeting.meeting,
        meeting.missing.as_deref().unwrap_or("pages are missing")
    ))
}

/// A stderr line naming paths (the first three, and how many more) after `what`.
pub fn paths_line(what: &str, paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    let more = match paths.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    escape_controls(&format!("zoom-qos: {what}: {}{more}", shown.join(", ")))
}

/// Renders the report in a format, its times in `zone`.
pub fn render(
    report: &Report,
    format: Format,
    zone: Zone<'_>,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Table => report.write_table_in(out, zone),
        Format::Json => report.write_json(out),
        Format::Csv => report.write_csv(out),
        Format::Prometheus => report.write_prometheus(out),
        Format::Html => report.write_html_in(out, zone),
    }
}

/// Writes the report to a file through the [atomic writer](crate::atomic): a reader never
/// sees half a report, and a failed run leaves the old one.
///
/// # Errors
/// The file cannot be written.
pub fn write_report_file(
    report: &Report,
    format: Format,
    zone: Zone<'_>,
    path: &Path,
) -> Result<(), CliError> {
    if path.file_name().is_none() {
        return Err(CliError::Io {
            what: path.display().to_string(),
            error: io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
        });
    }
    let rendered = |out: &mut io::BufWriter<File>| {
        render(report, format, zone, out).map_err(|error| WriteError {
            path: path.to_owned(),
            error,
        })
    };
    atomic::write_file::<WriteError>(path, rendered)?;
    Ok(())
}

/// The files `--format csv --out DIR` writes, each one table with one header, and how
/// each is rendered.
pub const CSV_FILES: [(&str, CsvTable); 4] = [
    ("stats.csv", Report::write_csv),
    ("episodes.csv", Report::write_csv_episodes),
    ("breakdowns.csv", Report::write_csv_breakdowns),
    ("account.csv", Report::write_csv_account),
];

/// A CSV rendering of the report.
pub type CsvTable = fn(&Report, &mut io::BufWriter<File>) -> io::Result<()>;

/// Writes the report's CSV tables into the folder `dir` (created if needed), one file
/// each ([`CSV_FILES`]), through the [atomic writer](crate::atomic): all four are written,
/// then put in place together.
///
/// # Errors
/// The folder or a file cannot be written.
pub fn write_csv_folder(report: &Report, dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|error| CliError::Io {
        what: dir.display().to_string(),
        error,
    })?;
    let mut staged = Vec::with_capacity(CSV_FILES.len());
    for (name, table) in CSV_FILES {
        let path = dir.join(name);
        staged.push(atomic::Staged::write::<WriteError>(&path, |out| {
            table(report, out).map_err(|error| WriteError {
                path: path.clone(),
                error,
            })
        })?);
    }
    atomic::commit_all(staged)?;
    Ok(())
}

/// Writes the report to stdout as it renders, through a buffer: a report of thousands of
/// meetings is never held twice (as structures and as text). A closed pipe is not an
/// error worth a message.
pub fn print_report(report: &Report, format: Format, zone: Zone<'_>) -> io::Result<()> {
    let mut stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let written = render(report, format, zone, &mut stdout).and_then(|()| stdout.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes bytes to stdout; a closed pipe is not an error worth a message.
pub fn print(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable summary: the account first, then the worst meetings.
    Table,
    /// The report v1 JSON document.
    Json,
    /// The STATS, one row per meeting × stream × metric (--out DIR: four tables).
    Csv,
    /// Prometheus text exposition format.
    Prometheus,
    /// One self-contained HTML page (charts, heatmap, no network): open it in a browser.
    Html,
}
