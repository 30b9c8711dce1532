//! `zoom-qos analyze`: meetings in parallel, each decoded into its own table and reported.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use zoom_qos::report::MeetingError;
use zoom_qos::{Analysis, DecodeConfig, Decoder, ErrorKind, MeetingReport, Report, Table};

use crate::input::{MeetingInput, Source, object_start, split_pages};

/// How one meeting ended.
#[derive(Debug)]
pub enum Outcome {
    /// Reported.
    Report(Box<MeetingReport>),
    /// A file could not be read as pages: the meeting is listed under `errors`.
    Failed(MeetingError),
    /// An invalid value in strict mode: stops the run.
    Strict(String),
}

/// Counters behind the progress line.
#[derive(Debug, Default)]
pub struct Progress {
    pages: AtomicU64,
    bytes: AtomicU64,
}

/// Decodes and reports every meeting, in parallel on the current rayon pool, and returns
/// the outcomes sorted by meeting name.
///
/// The largest meetings start first, so that no big one is left for last on one thread;
/// each worker reuses one table, so memory follows the largest meetings in flight. With
/// several meetings the threads are busy with meetings, and each report is computed on its
/// worker; a single meeting gets the parallel report.
pub fn run(
    inputs: &[MeetingInput],
    decode: &DecodeConfig,
    analysis: &Analysis,
    progress: &Progress,
) -> Vec<(String, Outcome)> {
    let mut order: Vec<(u64, &MeetingInput)> = inputs
        .iter()
        .map(|input| (input.size_hint(), input))
        .collect();
    order.sort_by_key(|&(size, _)| std::cmp::Reverse(size));
    let analysis = analysis.clone().sequential(inputs.len() > 1);
    let mut outcomes: Vec<(String, Outcome)> = order
        .par_iter()
        .map_init(
            || Worker::new(decode.clone()),
            |worker, (_, input)| {
                (
                    input.name.clone(),
                    meeting(input, worker, &analysis, progress),
                )
            },
        )
        .collect();
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    outcomes
}

/// What a worker thread reuses from one meeting to the next.
#[derive(Debug)]
pub struct Worker {
    table: Table,
    decoder: Decoder,
    /// A copy of a file, for trying it whole (simd-json unescapes strings in place).
    scratch: Vec<u8>,
}

impl Worker {
    /// A worker decoding with `config`.
    pub fn new(config: DecodeConfig) -> Self {
        Worker {
            table: Table::new(),
            decoder: Decoder::new(config),
            scratch: Vec::new(),
        }
    }

    /// The table of the meeting being decoded.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Decodes every page of one file (named `file`) into the table.
    ///
    /// # Errors
    /// The first page that fails, as the command reports it.
    pub fn decode_file(
        &mut self,
        file: &str,
        bytes: &mut [u8],
        progress: &Progress,
    ) -> Result<(), FileError> {
        // Most files hold one page. Try such a file whole first, on a copy: the splitter
        // looks at every byte, the copy is a memcpy. Only when the file is not one JSON
        // document (several pages, or malformed) is the original split, exactly as if it
        // had not been tried: a JSON error leaves the table untouched.
        if let Some(start) = object_start(bytes).filter(|_| !file.ends_with(".ndjson")) {
            self.scratch.clear();
            self.scratch.extend_from_slice(bytes);
            match self.decoder.decode(&mut self.scratch, &mut self.table) {
                Ok(_) => {
                    progress.pages.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Err(error) if !matches!(error.kind(), ErrorKind::Json { .. }) => {
                    return Err(FileError::page(&error, start));
                }
                Err(_) => {}
            }
        }
        let pages = split_pages(bytes);
        if pages.is_empty() {
            return Err(FileError::At(0, "no JSON document in the file".to_owned()));
        }
        for range in pages {
            let start = range.start;
            let Some(page) = bytes.get_mut(range) else {
                return Err(FileError::At(start, "page out of bounds".to_owned()));
            };
            self.decoder
                .decode(page, &mut self.table)
                .map_err(|error| FileError::page(&error, start))?;
            progress.pages.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Why a file's pages could not all be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// At a byte offset of the file: the meeting fails.
    At(usize, String),
    /// An invalid value in strict mode: the run stops.
    Strict(String),
}

impl FileError {
    /// The failure of the page starting at byte `start` of its file.
    pub fn page(error: &zoom_qos::Error, start: usize) -> FileError {
        match error.kind() {
            ErrorKind::Json { offset, reason } => {
                let at = start + offset;
                FileError::At(at, format!("malformed JSON at byte {at}: {reason}"))
            }
            ErrorKind::InvalidValue(_) => FileError::Strict(error.to_string()),
            _ => FileError::At(start, format!("page at byte {start}: {error}")),
        }
    }
}

/// One meeting: every page of every file into the worker's table (cleared first), then
/// its report.
pub fn meeting(
    input: &MeetingInput,
    worker: &mut Worker,
    analysis: &Analysis,
    progress: &Progress,
) -> Outcome {
    worker.table.clear();
    let files: Vec<(String, io::Result<Vec<u8>>)> = match &input.source {
        Source::Files(paths) => paths
            .iter()
            .map(|p| (p.display().to_string(), fs::read(p)))
            .collect(),
        Source::Stdin => {
            let mut bytes = Vec::new();
            let read = io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes);
            vec![("<stdin>".to_owned(), read)]
        }
    };
    for (file, bytes) in files {
        let failed = |offset, message| {
            Outcome::Failed(MeetingError {
                meeting: input.name.clone(),
                file: Some(file.clone()),
                offset,
                message,
            })
        };
        let mut bytes = match bytes {
            Ok(bytes) => bytes,
            Err(error) => return failed(None, format!("cannot read: {error}")),
        };
        progress
            .bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        match worker.decode_file(&file, &mut bytes, progress) {
            Ok(()) => {}
            Err(FileError::At(offset, message)) => return failed(Some(offset), message),
            Err(FileError::Strict(message)) => {
                return Outcome::Strict(format!("{file}: {message}"));
            }
        }
    }
    Outcome::Report(Box::new(analysis.meeting(&input.name, &worker.table)))
}

/// Splits outcomes into a report and the strict-mode failure, if any.
pub fn into_report(outcomes: Vec<(String, Outcome)>) -> Result<Report, String> {
    let mut meetings = Vec::new();
    let mut errors = Vec::new();
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Report(report) => meetings.push(*report),
            Outcome::Failed(error) => errors.push(error),
            Outcome::Strict(message) => return Err(message),
        }
    }
    Ok(Report::new(meetings, errors))
}

/// The one-line error of a failed meeting, for stderr.
pub fn error_line(error: &MeetingError) -> String {
    let file = error.file.as_deref().unwrap_or("<input>");
    format!(
        "zoom-qos: meeting {}: {file}: {}",
        error.meeting, error.message
    )
}

/// Runs `work` while a progress line (pages, bytes, MB/s) refreshes on stderr, when
/// stderr is a terminal and the work takes more than a second. Prints nothing otherwise.
pub fn with_progress<T: Send>(progress: &Progress, work: impl FnOnce() -> T + Send) -> T {
    if !io::stderr().is_terminal() {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let start = Instant::now();
            let mut shown = false;
            while !done.load(Ordering::Relaxed) {
                std::thread::park_timeout(Duration::from_millis(200));
                let elapsed = start.elapsed().as_secs_f64();
                if elapsed < 1.0 || done.load(Ordering::Relaxed) {
                    continue;
                }
                let mb = progress.bytes.load(Ordering::Relaxed) as f64 / 1e6;
                let pages = progress.pages.load(Ordering::Relaxed);
                eprint!("\r{pages} pages, {mb:.1} MB, {:.1} MB/s   ", mb / elapsed);
                shown = true;
            }
            if shown {
                eprint!("\r{:60}\r", "");
            }
        });
        let value = work();
        done.store(true, Ordering::Relaxed);
        value
    })
}

/// Reads a thresholds file: TOML, or JSON for a `.json` file. Unknown keys are an error.
pub fn read_thresholds(path: &Path) -> Result<zoom_qos::Thresholds, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let thresholds: zoom_qos::Thresholds = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
    };
    thresholds
        .validate()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(thresholds)
}

/// Renders the report in a format, whole, so that nothing partial reaches stdout.
pub fn render(report: &Report, format: Format) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        Format::Table => report.write_table(&mut out)?,
        Format::Json => report.write_json(&mut out)?,
        Format::Csv => report.write_csv(&mut out)?,
        Format::Prometheus => report.write_prometheus(&mut out)?,
    }
    Ok(out)
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
    /// A readable summary per meeting.
    Table,
    /// The report v1 JSON document.
    Json,
    /// One row per meeting × stream × metric.
    Csv,
    /// Prometheus text exposition format.
    Prometheus,
}
