//! The meeting runner that `analyze` and `export` share: meetings decoded in parallel,
//! each into a worker's reused table, and handed to the command's own step while the table
//! is there.

use std::fs::{self, File};
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use zoom_qos::aggregate::AccountRollup;
use zoom_qos::report::MeetingError;
use zoom_qos::{Analysis, DecodeConfig, Decoder, ErrorKind, MeetingReport, Table};

use crate::discover::{MeetingInput, Source};
use crate::error::io_reason;
use crate::pages::{object_start, split_pages};
pub use crate::progress::{Progress, with_progress};

/// How one meeting ended: `T` is what the command made of it (a report for `analyze`).
#[derive(Debug)]
pub enum Outcome<T = Box<MeetingReport>> {
    /// Done.
    Report(T),
    /// A file could not be read as pages (or, with `--strict`, held an invalid value), or
    /// what was made of it could not be written: the meeting is listed under `errors`.
    Failed(MeetingError),
    /// Not started: `--strict` had stopped the run.
    NotStarted,
}

/// A meeting decoded: its table, where its pages came from, and the worker's rollup.
pub struct Decoded<'w> {
    /// The meeting's table.
    pub table: &'w Table,
    /// Each file read, with the pages it held.
    pub files: &'w [(String, Range<u32>)],
    /// The account rollup of the worker's meetings, for a report to add to.
    pub rollup: &'w mut AccountRollup,
    /// Each file's length and XXH3-128, in order, when [`Reading::hash_files`] (none for
    /// standard input).
    pub hashes: &'w [(u64, u128)],
}

impl Decoded<'_> {
    /// Names the file of each invalid value of `report` (the report knows pages only).
    pub fn locate_files(&self, report: &mut MeetingReport) {
        for invalid in &mut report.first_invalid_values {
            invalid.file = self
                .files
                .iter()
                .find(|(_, pages)| pages.contains(&invalid.page))
                .map(|(file, _)| file.clone());
        }
    }
}

/// What a meeting's `meeting.json` (as `fetch` writes it) says of the instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description {
    /// The instance's UUID (a Video SDK session's `id`).
    pub uuid: Option<String>,
    /// Its topic (a session's `session_name`).
    pub topic: Option<String>,
    /// When it started.
    pub start_time: Option<String>,
}

/// Reads the meeting's `meeting.json`, if it has one.
///
/// # Errors
/// A `meeting.json` that cannot be read or is not a JSON object: the meeting fails, named
/// with the file, rather than being reported without it.
pub fn description(input: &MeetingInput) -> Result<Option<Description>, MeetingError> {
    let Some(path) = &input.description else {
        return Ok(None);
    };
    let failed = |message: String| {
        MeetingError::new(&input.name, Some(path.display().to_string()), None, message)
    };
    let bytes = fs::read(path).map_err(|e| failed(format!("cannot read: {}", io_reason(&e))))?;
    let description: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)
        .map_err(|e| failed(format!("not a meeting description (a JSON object): {e}")))?;
    let text = |key: &str| {
        description
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    // A Video SDK session is described by its `id` and `session_name`.
    let session = description.contains_key("session_name");
    Ok(Some(Description {
        uuid: text("uuid").or_else(|| session.then(|| text("id")).flatten()),
        topic: text("topic").or_else(|| text("session_name")),
        start_time: text("start_time"),
    }))
}

/// Adds what the meeting's `meeting.json` says of the instance to its report: `uuid`,
/// `topic` and `start_time`.
///
/// # Errors
/// As [`description`]'s.
pub fn describe(input: &MeetingInput, report: &mut MeetingReport) -> Result<(), MeetingError> {
    if let Some(described) = description(input)? {
        report.uuid = described.uuid;
        report.topic = described.topic;
        report.start_time = described.start_time;
    }
    Ok(())
}

/// Decodes every meeting, in parallel on the current rayon pool, hands each table to
/// `finish`, and returns the outcomes sorted by meeting name. With `stop_on_failure`
/// (`--strict`), the first failed meeting stops the run: meetings already started
/// finish, the others are [`Outcome::NotStarted`].
///
/// With [`Schedule::LargestFirst`] the largest meetings start first, so that no big one
/// is left for last on one thread; each worker reuses one table and one buffer, so memory
/// follows the largest meetings in flight. `finish` runs on the worker, while the table is
/// there; with several meetings the threads are busy with meetings, so `analysis` is made
/// sequential per meeting.
pub fn run<T: Send>(
    inputs: &[MeetingInput],
    schedule: Schedule,
    reading: &Reading,
    progress: &Progress,
    stop_on_failure: bool,
    finish: impl Fn(&MeetingInput, Decoded<'_>) -> Outcome<T> + Sync,
) -> (Vec<(String, Outcome<T>)>, AccountRollup) {
    let mut order: Vec<(u64, &MeetingInput)> = inputs
        .iter()
        .map(|input| (input.size_hint(), input))
        .collect();
    if schedule == Schedule::LargestFirst {
        order.sort_by_key(|&(size, _)| std::cmp::Reverse(size));
    }
    progress
        .total_meetings
        .store(inputs.len() as u64, Ordering::Relaxed);
    let stopped = AtomicBool::new(false);
    // Workers (a table, a decoder, a file buffer, grown to the largest meeting seen) are
    // kept in a pool and reused: rayon's `map_init` would make one per job split, many
    // more than the threads, each growing its buffers again.
    let pool: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    let mut outcomes: Vec<(String, Outcome<T>)> = order
        .par_iter()
        .map(|(_, input)| {
            if stopped.load(Ordering::Relaxed) {
                return (input.name.clone(), Outcome::NotStarted);
            }
            let taken = pool.lock().ok().and_then(|mut pool| pool.pop());
            let mut worker = taken.unwrap_or_else(|| Worker::new(reading.clone()));
            let outcome = match meeting(input, &mut worker, progress) {
                Ok(files) => finish(
                    input,
                    Decoded {
                        table: &worker.table,
                        files: &files,
                        rollup: &mut worker.rollup,
                        hashes: &worker.hashes,
                    },
                ),
                Err(error) => Outcome::Failed(error),
            };
            if let Ok(mut pool) = pool.lock() {
                pool.push(worker);
            }
            if stop_on_failure && matches!(outcome, Outcome::Failed(_)) {
                stopped.store(true, Ordering::Relaxed);
            }
            progress.meetings.fetch_add(1, Ordering::Relaxed);
            (input.name.clone(), outcome)
        })
        .collect();
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    // Every worker is back in the pool: their rollups make the account's.
    let mut rollup = AccountRollup::new();
    for worker in pool.into_inner().unwrap_or_default() {
        rollup.merge(worker.rollup);
    }
    (outcomes, rollup)
}

/// The order [`run`] starts meetings in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// The largest first: the threads end together.
    LargestFirst,
    /// As given (each thread takes a stretch of them in turn): `export` gives meetings by
    /// date, so that a date's rows are written while few others are.
    AsGiven,
}

/// The analysis for [`run`] over `meetings` meetings: sequential within a meeting when
/// the threads have several meetings to share.
pub fn per_meeting(analysis: &Analysis, meetings: usize) -> Analysis {
    analysis.clone().sequential(meetings > 1)
}

/// How the meetings' files are read and their pages decoded.
#[derive(Clone, Debug)]
pub struct Reading {
    /// How pages are decoded (the parser's memory limit among it).
    pub decode: DecodeConfig,
    /// The largest file read (`--max-file-mib`): a larger one fails as its meeting.
    pub max_file_bytes: u64,
    /// Whether each file read is hashed (its length and XXH3-128, taken before it is
    /// parsed where it lies): `export` keeps them as the meeting's digest, so that its
    /// files are not read a second time for it.
    pub hash_files: bool,
}

/// What a worker thread reuses from one meeting to the next.
#[derive(Debug)]
pub struct Worker {
    table: Table,
    decoder: Decoder,
    /// The rollup of the meetings this worker reported.
    rollup: AccountRollup,
    /// The file being decoded, followed by [`Decoder::PADDING`] spare bytes: simd-json
    /// parses each page where it lies, with no copy.
    file: Vec<u8>,
    /// The largest file read.
    max_file_bytes: u64,
    /// Whether files are hashed ([`Reading::hash_files`]), and the hashes of the
    /// meeting's files so far.
    hash_files: bool,
    hashes: Vec<(u64, u128)>,
}

impl Worker {
    /// A worker reading and decoding as `reading` says.
    pub fn new(reading: Reading) -> Self {
        Worker {
            table: Table::new(),
            decoder: Decoder::new(reading.decode),
            rollup: AccountRollup::new(),
            file: Vec::new(),
            max_file_bytes: reading.max_file_bytes,
            hash_files: reading.hash_files,
            hashes: Vec::new(),
        }
    }

    /// Reads `path` (standard input for `None`) into the file buffer, at most
    /// `max_file_bytes`: a regular file known to be larger is not read at all; anything
    /// else (a device, a pipe) is read no further than the limit.
    fn read(&mut self, path: Option<&Path>) -> Result<(), String> {
        let limit = self.max_file_bytes;
        let too_large = |size: Option<u64>| {
            let size = size.map_or_else(
                || "more".to_owned(),
                |bytes| format!("{} MiB", bytes.div_ceil(1 << 20)),
            );
            format!(
                "{size}, larger than the limit of {} MiB: not read (--max-file-mib raises it)",
                limit >> 20
            )
        };
        self.file.clear();
        let cannot = |error: io::Error| format!("cannot read: {}", io_reason(&error));
        match path {
            Some(path) => {
                let file = File::open(path).map_err(cannot)?;
                if let Ok(meta) = file.metadata()
                    && meta.is_file()
                    && meta.len() > limit
                {
                    return Err(too_large(Some(meta.len())));
                }
                file.take(limit + 1).read_to_end(&mut self.file)
            }
            None => io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut self.file),
        }
        .map_err(cannot)?;
        if self.file.len() as u64 > limit {
            self.file = Vec::new();
            return Err(too_large(None));
        }
        Ok(())
    }

    /// The table of the meeting being decoded.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Decodes every page of `bytes` (the contents of the file named `file`) into the
    /// table, as [`decode_file`](Self::decode_file) does for a file read from disk.
    ///
    /// # Errors
    /// The first page that fails, as the command reports it.
    pub fn decode_bytes(
        &mut self,
        file: &str,
        bytes: &[u8],
        progress: &Progress,
    ) -> Result<(), FileError> {
        self.file.clear();
        self.file.extend_from_slice(bytes);
        self.decode_file(file, progress)
    }

    /// Decodes every page of the file now in the worker's buffer (named `file`) into the
    /// table. A page that is not JSON is left in the buffer as it was given (the decoder
    /// puts back what simd-json unescaped in place), so a file that is not one page after
    /// all is split from its own bytes, with no second read.
    ///
    /// # Errors
    /// The first page that fails, as the command reports it.
    pub fn decode_file(&mut self, file: &str, progress: &Progress) -> Result<(), FileError> {
        let len = self.file.len();
        self.file.resize(len + Decoder::PADDING, b' ');
        // Most files hold one page: try such a file whole, where it lies. Only when it is
        // not one JSON document (several pages, or malformed) is it split, exactly as if it
        // had not been tried: a JSON error leaves the table and the page untouched.
        let one_page = object_start(&self.file[..len]).filter(|_| !file.ends_with(".ndjson"));
        if let Some(start) = one_page {
            match self
                .decoder
                .decode_padded(&mut self.file, len, &mut self.table)
            {
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
        let len = self.file.len() - Decoder::PADDING;
        let pages = split_pages(&self.file[..len]);
        if pages.is_empty() {
            return Err(FileError {
                offset: 0,
                message: "no JSON document in the file (it is empty or blank)".to_owned(),
            });
        }
        for range in pages {
            // The pages after this one are its padding; its decode leaves them as they are.
            let decoded = self.decoder.decode_padded(
                &mut self.file[range.start..],
                range.len(),
                &mut self.table,
            );
            if let Err(error) = decoded {
                return Err(FileError::page(&error, range.start));
            }
            progress.pages.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Why a file's pages could not all be decoded: where, and what a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The byte offset in the file.
    pub offset: usize,
    /// What went wrong, in words.
    pub message: String,
}

impl FileError {
    /// The failure of the page that starts at byte `start` of its file (the decoder
    /// locates a JSON error within the page as given).
    pub fn page(error: &zoom_qos::Error, start: usize) -> FileError {
        match error.kind() {
            ErrorKind::Json { offset, reason } => {
                let at = start + offset;
                FileError {
                    offset: at,
                    message: format!("malformed JSON at byte {at}: {reason}"),
                }
            }
            ErrorKind::ParseMemory { .. } => FileError {
                offset: start,
                message: format!(
                    "the page at byte {start}: {error}; --max-parse-mib raises the limit"
                ),
            },
            _ if start == 0 => FileError {
                offset: 0,
                message: error.to_string(),
            },
            _ => FileError {
                offset: start,
                message: format!("the page at byte {start}: {error}"),
            },
        }
    }
}

/// One meeting: every page of every file into the worker's table (cleared first), files
/// read one at a time into the worker's buffer. Returns each file with its pages.
///
/// # Errors
/// The first file that cannot be read or decoded, as the meeting's error.
pub fn meeting(
    input: &MeetingInput,
    worker: &mut Worker,
    progress: &Progress,
) -> Result<Vec<(String, Range<u32>)>, MeetingError> {
    worker.table.clear();
    worker.hashes.clear();
    let failed = |file: String, offset, message: String| {
        MeetingError::new(&input.name, Some(file), offset, message)
    };
    let mut files: Vec<(String, Range<u32>)> = Vec::new();
    let paths: Vec<Option<&Path>> = match &input.source {
        Source::Files(paths) => paths.iter().map(|p| Some(p.as_path())).collect(),
        Source::Stdin => vec![None],
        Source::Unreadable { path, message } => {
            return Err(failed(path.display().to_string(), None, message.clone()));
        }
    };
    for path in paths {
        let file = path.map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string());
        if let Err(message) = worker.read(path) {
            return Err(failed(file, None, message));
        }
        progress
            .bytes
            .fetch_add(worker.file.len() as u64, Ordering::Relaxed);
        if worker.hash_files && path.is_some() {
            let hash = twox_hash::XxHash3_128::oneshot(&worker.file);
            worker.hashes.push((worker.file.len() as u64, hash));
        }
        let first_page = worker.table.pages();
        if let Err(error) = worker.decode_file(&file, progress) {
            return Err(failed(file, Some(error.offset), error.message));
        }
        files.push((file, first_page..worker.table.pages()));
    }
    Ok(files)
}
