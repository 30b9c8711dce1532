//! The dataset `export` writes: meetings into a Hive-partitioned dataset of Parquet (or
//! Arrow IPC) files, `DIR/samples/date=YYYY-MM-DD/<meeting>.parquet` and
//! `DIR/meetings.parquet`.
//!
//! Every file goes through the [atomic writer](crate::atomic): written beside its place
//! under a hidden temporary name (which engines skip), synced, then renamed over the old
//! one, and its folder synced: a reader sees the old file or the new, never half of one,
//! also after a crash. A meeting's files in dates it no longer has are removed after its
//! new ones are in place. Syncing and renaming happen on a thread of their own, while the
//! next meeting is decoded. One export at a time per folder.

mod file;

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use arrow_array::{Array, BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow_schema::SchemaRef;
use zoom_qos::Analysis;
use zoom_qos::export::{MeetingRow, Samples, meetings_batch, meetings_schema};
use zoom_qos::report::MeetingError;

pub use self::file::FileFormat;
use self::file::{read_file, stage_file};
use crate::atomic::{Staged, commit_all};
use crate::discover::MeetingInput;
use crate::error::CliError;
pub use crate::error::DataError;
use crate::lock::FolderLock;
use crate::runner::{Decoded, Outcome, describe};

/// A dataset file, and why it failed.
type Failed = (PathBuf, DataError);

/// Where the dataset is, and what was in it before this export.
#[derive(Debug)]
pub struct Dataset {
    /// The folder's lock, held while the dataset is written.
    _owner: FolderLock,
    root: PathBuf,
    format: FileFormat,
    /// The rows of the earlier export's meetings file, read when the dataset was opened.
    earlier_meetings: Vec<RecordBatch>,
    /// The dates (partition folders) that held each sample file name before this export.
    existing: HashMap<OsString, Vec<PathBuf>>,
    /// Meetings written, to be synced and put in place by the placing thread (so that
    /// the next meeting is decoded while the disk syncs this one).
    placing: Option<mpsc::SyncSender<Placing>>,
    placer: Option<std::thread::JoinHandle<Vec<MeetingError>>>,
}

/// A meeting's files, written under temporary names: to sync, rename into place, and
/// its files of dates it no longer has to remove.
#[derive(Debug)]
struct Placing {
    meeting: String,
    files: Vec<Staged>,
    stale: Vec<PathBuf>,
}

impl Placing {
    /// Commits the files (synced, renamed over their places, their folders synced), then
    /// removes the stale files.
    fn place(self) -> Result<(), Failed> {
        commit_all(self.files).map_err(|e| (e.path, DataError::Io(e.error)))?;
        for stale in self.stale {
            match fs::remove_file(&stale) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err((stale, DataError::Io(e)));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Places meetings in the order they come, until the sender is dropped; returns the
/// meetings that could not be placed.
fn placer(jobs: mpsc::Receiver<Placing>) -> Vec<MeetingError> {
    let mut failed = Vec::new();
    for job in jobs {
        let meeting = job.meeting.clone();
        if let Err((path, cause)) = job.place() {
            failed.push(not_written(meeting, &path, &cause));
        }
    }
    failed
}

/// A meeting whose files could not be written, as the command lists it.
fn not_written(meeting: String, path: &Path, cause: &DataError) -> MeetingError {
    MeetingError::new(
        meeting,
        Some(path.display().to_string()),
        None,
        format!("cannot write: {cause}"),
    )
}

/// What one meeting's export left.
#[derive(Debug)]
pub struct Exported {
    /// Its headline numbers, for `meetings.parquet`.
    pub row: MeetingRow,
    /// Sample files written.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

impl Dataset {
    /// Opens (creating) the dataset folder `root`, and lists the sample files already
    /// there.
    ///
    /// # Errors
    /// A folder that cannot be created or listed ([`CliError::Dataset`]), or one that
    /// holds other things than a dataset ([`CliError::NotEmpty`]: an export never
    /// scatters files among someone's own).
    pub fn open(root: &Path, format: FileFormat) -> Result<Dataset, CliError> {
        let failed = |path: &Path| {
            let path = path.to_owned();
            move |error: io::Error| CliError::Read { path, error }
        };
        fs::create_dir_all(root).map_err(failed(root))?;
        let mut foreign = Vec::new();
        for entry in fs::read_dir(root).map_err(failed(root))? {
            let name = entry.map_err(failed(root))?.file_name();
            let ours = name == "samples"
                || name.to_str().is_some_and(|n| {
                    n.starts_with('.') || n == "meetings.parquet" || n == "meetings.arrow"
                });
            if !ours {
                foreign.push(name.to_string_lossy().into_owned());
            }
        }
        if !foreign.is_empty() {
            foreign.sort();
            return Err(CliError::NotEmpty {
                path: root.to_owned(),
                why: format!(
                    "not an export folder: it holds {} (export into an empty folder, or one \
                     an earlier export wrote)",
                    foreign.join(", ")
                ),
            });
        }
        // One run per folder: the lock is taken once the folder is known to be a dataset's,
        // and before anything in it changes.
        let owner = FolderLock::take(root)?;
        let samples = root.join("samples");
        fs::create_dir_all(&samples).map_err(failed(&samples))?;
        let mut existing: HashMap<OsString, Vec<PathBuf>> = HashMap::new();
        let list = |path: &Path| fs::read_dir(path).map_err(failed(path));
        for partition in list(&samples)? {
            let partition = partition.map_err(failed(&samples))?.path();
            let is_date = partition
                .file_name()
                .and_then(OsStr::to_str)
                .is_some_and(|n| n.starts_with("date="));
            if !is_date || !partition.is_dir() {
                continue;
            }
            for file in list(&partition)? {
                let name = file.map_err(failed(&partition))?.file_name();
                if Path::new(&name).extension() == Some(OsStr::new(format.extension())) {
                    existing.entry(name).or_default().push(partition.clone());
                }
            }
        }
        // An earlier export's meetings file is read (and checked) now, before any sample
        // file is replaced: a corrupt one stops the export with nothing changed.
        let meetings_path = root.join(format!("meetings.{}", format.extension()));
        let earlier_meetings = match read_file(&meetings_path, format) {
            Ok(batches) => batches,
            Err(DataError::Io(e)) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(cause) => {
                return Err(CliError::Dataset {
                    path: meetings_path,
                    cause,
                });
            }
        };
        let schema = meetings_schema();
        if earlier_meetings
            .iter()
            .any(|b| !same_fields(&b.schema(), &schema))
        {
            return Err(CliError::Dataset {
                path: meetings_path,
                cause: DataError::Unusable(
                    "it has other columns (an export by another version of zoom-qos): \
                     export into a new folder, or remove the file",
                ),
            });
        }
        // A few meetings may wait to be placed; more would only hold their names.
        let (placing, jobs) = mpsc::sync_channel(16);
        let placer = std::thread::Builder::new()
            .name("zoom-qos placer".to_owned())
            .spawn(move || placer(jobs))
            .map_err(failed(root))?;
        Ok(Dataset {
            _owner: owner,
            root: root.to_owned(),
            format,
            existing,
            earlier_meetings,
            placing: Some(placing),
            placer: Some(placer),
        })
    }

    /// Waits until every meeting written is in place; returns those that could not be
    /// placed (their old files, if any, are left as they were).
    pub fn finish(&mut self) -> Vec<MeetingError> {
        drop(self.placing.take());
        self.placer
            .take()
            .map(|placer| placer.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// `export`'s work on a decoded meeting: its report's headline row, and its samples
    /// written, one file per UTC date. `Err` is a meeting whose files could not be
    /// written.
    pub fn export<'a>(
        &'a self,
        analysis: &'a Analysis,
    ) -> impl Fn(&MeetingInput, Decoded<'_>) -> Outcome<Result<Exported, MeetingError>> + Sync + 'a
    {
        move |input, decoded| {
            let mut report = analysis.meeting(&input.name, decoded.table);
            decoded.locate_files(&mut report);
            if let Err(error) = describe(input, &mut report) {
                return Outcome::Failed(error);
            }
            let row = MeetingRow::new(&report, decoded.table);
            drop(report);
            let samples = Samples::new(&input.name, decoded.table, analysis.flag_thresholds());
            Outcome::Report(
                self.write_samples(&input.name, &samples)
                    .map(|(files, bytes)| Exported { row, files, bytes })
                    .map_err(|(path, cause)| not_written(input.name.clone(), &path, &cause)),
            )
        }
    }

    /// Writes a meeting's sample files under temporary names, and hands them to the
    /// placing thread (which syncs them, renames them into place and removes the meeting's
    /// files of other dates). Returns the files and bytes written.
    fn write_samples(&self, meeting: &str, samples: &Samples<'_>) -> Result<(usize, u64), Failed> {
        let name = OsString::from(format!(
            "{}.{}",
            file_stem(meeting),
            self.format.extension()
        ));
        let mut written: Vec<Staged> = Vec::new();
        let mut bytes = 0;
        for (date, rows) in samples.by_date() {
            let folder = self.root.join("samples").join(format!("date={date}"));
            let path = folder.join(&name);
            let result = fs::create_dir_all(&folder)
                .map_err(DataError::Io)
                .and_then(|()| Ok(samples.batch(&rows)?))
                .and_then(|batch| stage_file(&path, &batch, self.format));
            match result {
                Ok(staged) => {
                    bytes += staged.bytes();
                    written.push(staged);
                }
                Err(cause) => return Err((path, cause)),
            }
        }
        let files = written.len();
        // The meeting's files of dates it no longer has.
        let stale = self
            .existing
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|partition| !written.iter().any(|t| t.path().parent() == Some(partition)))
            .map(|partition| partition.join(&name))
            .collect();
        let job = Placing {
            meeting: meeting.to_owned(),
            files: written,
            stale,
        };
        match &self.placing {
            Some(placing) => placing.send(job).map_err(|_| {
                let stopped = io::Error::other("the placing thread stopped");
                (self.root.clone(), DataError::Io(stopped))
            })?,
            None => job.place()?,
        }
        Ok((files, bytes))
    }

    /// Writes the meetings file: the rows of this export, and those of meetings exported
    /// before and not now, sorted by meeting.
    ///
    /// # Errors
    /// The file's path and why it could not be read or written.
    pub fn write_meetings(&self, rows: &[MeetingRow]) -> Result<PathBuf, CliError> {
        let path = self
            .root
            .join(format!("meetings.{}", self.format.extension()));
        self.merge_meetings(&path, rows)
            .map_err(|cause| CliError::Dataset {
                path: path.clone(),
                cause,
            })?;
        Ok(path)
    }

    /// [`write_meetings`](Self::write_meetings) to `path`: the earlier export's rows,
    /// read and checked when the dataset was opened, and this export's.
    fn merge_meetings(&self, path: &Path, rows: &[MeetingRow]) -> Result<(), DataError> {
        let new = meetings_batch(rows)?;
        let mut batches = self.earlier_meetings.clone();
        let schema = meetings_schema();
        let replaced: std::collections::HashSet<&str> =
            rows.iter().map(MeetingRow::meeting).collect();
        let mut kept = Vec::with_capacity(batches.len() + 1);
        for batch in batches.drain(..) {
            let names = meeting_names(&batch)?;
            let keep: BooleanArray = (0..names.len())
                .map(|i| Some(!replaced.contains(names.value(i))))
                .collect();
            let batch = arrow_select::filter::filter_record_batch(&batch, &keep)?;
            kept.push(batch.with_schema(schema.clone())?);
        }
        kept.push(new);
        let all = arrow_select::concat::concat_batches(&schema, &kept)?;
        let names = meeting_names(&all)?;
        let mut order: Vec<u32> = (0..all.num_rows() as u32).collect();
        order.sort_by(|&a, &b| names.value(a as usize).cmp(names.value(b as usize)));
        let sorted = arrow_select::take::take_record_batch(&all, &UInt32Array::from(order))?;
        stage_file(path, &sorted, self.format)?.commit()?;
        Ok(())
    }
}

/// Whether two schemas have the same column names and types (metadata aside).
fn same_fields(a: &SchemaRef, b: &SchemaRef) -> bool {
    a.fields().len() == b.fields().len()
        && a.fields()
            .iter()
            .zip(b.fields().iter())
            .all(|(x, y)| x.name() == y.name() && x.data_type() == y.data_type())
}

/// The `meeting` column of a meetings batch.
fn meeting_names(batch: &RecordBatch) -> Result<&StringArray, DataError> {
    batch
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .filter(|names| names.null_count() == 0)
        .ok_or(DataError::Unusable(
            "its first column is not the meeting names",
        ))
}

/// A meeting's file name (without extension): its name, with every byte that is not an
/// ASCII letter, digit, `-`, `_` or `.` written `%XX`, as is a leading `.` or `_` (which
/// engines take for hidden files). A name longer than 200 bytes so written is cut, and
/// ends in a hash of the whole, so that two long names stay two files.
pub fn file_stem(meeting: &str) -> String {
    let mut stem = String::with_capacity(meeting.len());
    for (at, byte) in meeting.bytes().enumerate() {
        let plain = byte.is_ascii_alphanumeric()
            || byte == b'-'
            || (at > 0 && (byte == b'_' || byte == b'.'));
        if plain {
            stem.push(char::from(byte));
        } else {
            stem.push_str(&format!("%{byte:02X}"));
        }
    }
    if stem.is_empty() {
        return "%00".to_owned();
    }
    const LONGEST: usize = 200;
    if stem.len() > LONGEST {
        // FNV-1a, 64 bits: stable across runs and versions, unlike std's hasher.
        let hash = meeting.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut cut = LONGEST - 17;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
        stem.push_str(&format!("~{hash:016x}"));
    }
    stem
}

/// The line an export ends with, on stderr.
pub fn summary_line(
    meetings: usize,
    samples: u64,
    files: usize,
    bytes: u64,
    root: &Path,
) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "exported {}, {}: {}, {:.1} MB, in {}",
        plural(meetings as u64, "meeting", "meetings"),
        plural(samples, "sample", "samples"),
        plural(files as u64, "sample file", "sample files"),
        bytes as f64 / 1e6,
        root.display()
    )
}
