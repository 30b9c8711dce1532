//! `zoom-qos export`: meetings into a Hive-partitioned dataset of Parquet (or Arrow IPC)
//! files, `DIR/samples/date=YYYY-MM-DD/<meeting>.parquet` and `DIR/meetings.parquet`.
//!
//! Every file is written beside its place under a hidden temporary name (which engines
//! skip), synced, then renamed over the old one: a reader sees the old file or the new,
//! never half of one, also after a crash. A meeting's files in dates it no longer has are
//! removed after its new ones are in place. Syncing and renaming happen on a thread of
//! their own, while the next meeting is decoded. One export at a time per folder.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use arrow_array::{Array, BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use zoom_qos::export::{MeetingRow, Samples, meetings_batch, meetings_schema};
use zoom_qos::report::MeetingError;
use zoom_qos::{Analysis, Thresholds};

use crate::analyze::{Decoded, Outcome};
use crate::input::{MeetingInput, io_reason};

/// The files an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Apache Parquet, zstd-compressed: for DuckDB, DataFusion, Spark, pandas, Polars.
    Parquet,
    /// Arrow IPC files (zstd-compressed buffers), with the exact Arrow schema: for Arrow
    /// readers (pyarrow, Polars, arrow-rs).
    Arrow,
}

impl FileFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Arrow => "arrow",
        }
    }
}

/// Parquet's zstd level: 1, zstd's fastest regular level (higher levels were not
/// measured here; the export's cost is the writer's set-up per chunk, not the level).
const ZSTD_LEVEL: i32 = 1;

/// Column chunks with fewer values than this are not compressed (see
/// [`parquet_properties`]). Measured on the generated 102 MB corpus, 1 thread: from 128
/// to 2,048 the export took 2.5 to 2.0 times `analyze`, and the dataset grew from 1/11.3
/// to 1/8.6 of the input.
const ZSTD_LEAST_VALUES: usize = 2048;

/// Column chunks with fewer values than this are not dictionary-encoded: a dictionary of
/// a few values costs more to build than it saves (same corpus, one run of 10 pairs: the
/// export took 0.589 s instead of 0.685 s; the dataset grew by 0.1 %).
const DICTIONARY_LEAST_VALUES: usize = 64;

/// Row groups of at most this many bytes: large enough that a scan reads long runs, small
/// enough that an engine can split a big file among its threads.
const ROW_GROUP_BYTES: usize = 128 << 20;

/// Where the dataset is, and what was in it before this export.
#[derive(Debug)]
pub struct Dataset {
    root: PathBuf,
    format: FileFormat,
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
    files: Vec<Temporary>,
    stale: Vec<PathBuf>,
}

impl Placing {
    /// Syncs each file, renames it over its place, then removes the stale files.
    fn place(self) -> Result<(), (PathBuf, String)> {
        for temporary in self.files {
            let synced = File::open(&temporary.temporary).and_then(|file| file.sync_all());
            synced.map_err(|e| (temporary.path.clone(), io_reason(&e)))?;
            temporary
                .persist()
                .map_err(|(path, e)| (path, io_reason(&e)))?;
        }
        for stale in self.stale {
            match fs::remove_file(&stale) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err((stale, io_reason(&e)));
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
        if let Err((path, message)) = job.place() {
            failed.push(MeetingError {
                meeting,
                file: Some(path.display().to_string()),
                offset: None,
                message: format!("cannot write: {message}"),
            });
        }
    }
    failed
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
    /// A folder that cannot be created or listed, or one that holds other things than a
    /// dataset (so that an export never scatters files among someone's own).
    pub fn open(root: &Path, format: FileFormat) -> Result<Dataset, String> {
        let describe = |error: io::Error| format!("{}: {}", root.display(), io_reason(&error));
        fs::create_dir_all(root).map_err(describe)?;
        let mut foreign = Vec::new();
        for entry in fs::read_dir(root).map_err(describe)? {
            let name = entry.map_err(describe)?.file_name();
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
            return Err(format!(
                "{}: not an export folder: it holds {} (export into an empty folder, or one \
                 an earlier export wrote)",
                root.display(),
                foreign.join(", ")
            ));
        }
        let samples = root.join("samples");
        fs::create_dir_all(&samples).map_err(describe)?;
        let mut existing: HashMap<OsString, Vec<PathBuf>> = HashMap::new();
        let list = |path: &Path| {
            fs::read_dir(path).map_err(|e| format!("{}: {}", path.display(), io_reason(&e)))
        };
        for partition in list(&samples)? {
            let partition = partition.map_err(describe)?.path();
            let is_date = partition
                .file_name()
                .and_then(OsStr::to_str)
                .is_some_and(|n| n.starts_with("date="));
            if !is_date || !partition.is_dir() {
                continue;
            }
            for file in list(&partition)? {
                let name = file.map_err(describe)?.file_name();
                if Path::new(&name).extension() == Some(OsStr::new(format.extension())) {
                    existing.entry(name).or_default().push(partition.clone());
                }
            }
        }
        // A few meetings may wait to be placed; more would only hold their names.
        let (placing, jobs) = mpsc::sync_channel(16);
        let placer = std::thread::Builder::new()
            .name("zoom-qos placer".to_owned())
            .spawn(move || placer(jobs))
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        Ok(Dataset {
            root: root.to_owned(),
            format,
            existing,
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
        thresholds: &'a Thresholds,
    ) -> impl Fn(&MeetingInput, Decoded<'_>) -> Outcome<Result<Exported, MeetingError>> + Sync + 'a
    {
        move |input, decoded| {
            let mut report = analysis.meeting(&input.name, decoded.table);
            decoded.locate_files(&mut report);
            if let Err(error) = crate::analyze::describe(input, &mut report) {
                return Outcome::Failed(error);
            }
            let row = MeetingRow::new(&report, decoded.table);
            drop(report);
            let samples = Samples::new(&input.name, decoded.table, thresholds);
            Outcome::Report(
                self.write_samples(&input.name, &samples)
                    .map(|(files, bytes)| Exported { row, files, bytes })
                    .map_err(|(path, message)| MeetingError {
                        meeting: input.name.clone(),
                        file: Some(path.display().to_string()),
                        offset: None,
                        message: format!("cannot write: {message}"),
                    }),
            )
        }
    }

    /// Writes a meeting's sample files under temporary names, and hands them to the
    /// placing thread (which syncs them, renames them into place and removes the meeting's
    /// files of other dates). Returns the files and bytes written.
    fn write_samples(
        &self,
        meeting: &str,
        samples: &Samples<'_>,
    ) -> Result<(usize, u64), (PathBuf, String)> {
        let name = OsString::from(format!(
            "{}.{}",
            file_stem(meeting),
            self.format.extension()
        ));
        let mut written: Vec<Temporary> = Vec::new();
        let mut bytes = 0;
        for (date, rows) in samples.by_date() {
            let folder = self.root.join("samples").join(format!("date={date}"));
            let path = folder.join(&name);
            let result = fs::create_dir_all(&folder)
                .map_err(|e| io_reason(&e))
                .and_then(|()| samples.batch(&rows).map_err(|e| e.to_string()))
                .and_then(|batch| write_file(&path, &batch, self.format));
            match result {
                Ok(temporary) => {
                    bytes += temporary.bytes;
                    written.push(temporary);
                }
                Err(message) => return Err((path, message)),
            }
        }
        let files = written.len();
        // The meeting's files of dates it no longer has.
        let stale = self
            .existing
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|partition| !written.iter().any(|t| t.path.parent() == Some(partition)))
            .map(|partition| partition.join(&name))
            .collect();
        let job = Placing {
            meeting: meeting.to_owned(),
            files: written,
            stale,
        };
        match &self.placing {
            Some(placing) => placing
                .send(job)
                .map_err(|_| (self.root.clone(), "the placing thread stopped".to_owned()))?,
            None => job.place()?,
        }
        Ok((files, bytes))
    }

    /// Writes the meetings file: the rows of this export, and those of meetings exported
    /// before and not now, sorted by meeting.
    ///
    /// # Errors
    /// The file's path and why it could not be read or written.
    pub fn write_meetings(&self, rows: &[MeetingRow]) -> Result<PathBuf, (PathBuf, String)> {
        let path = self
            .root
            .join(format!("meetings.{}", self.format.extension()));
        let fail = |message: String| (path.clone(), message);
        let new = meetings_batch(rows).map_err(|e| fail(e.to_string()))?;
        let mut batches = match read_file(&path, self.format) {
            Ok(old) => old,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(fail(io_reason(&e))),
        };
        let schema = meetings_schema();
        if batches.iter().any(|b| !same_fields(&b.schema(), &schema)) {
            return Err(fail(
                "it has other columns (an export by another version of zoom-qos): export \
                 into a new folder, or remove the file"
                    .to_owned(),
            ));
        }
        let replaced: std::collections::HashSet<&str> =
            rows.iter().map(MeetingRow::meeting).collect();
        let mut kept = Vec::with_capacity(batches.len() + 1);
        for batch in batches.drain(..) {
            let names = meeting_names(&batch).map_err(fail)?;
            let keep: BooleanArray = (0..names.len())
                .map(|i| Some(!replaced.contains(names.value(i))))
                .collect();
            let batch = arrow_select::filter::filter_record_batch(&batch, &keep)
                .map_err(|e| fail(e.to_string()))?;
            kept.push(
                batch
                    .with_schema(schema.clone())
                    .map_err(|e| fail(e.to_string()))?,
            );
        }
        kept.push(new);
        let all = arrow_select::concat::concat_batches(&schema, &kept)
            .map_err(|e| fail(e.to_string()))?;
        let names = meeting_names(&all).map_err(fail)?;
        let mut order: Vec<u32> = (0..all.num_rows() as u32).collect();
        order.sort_by(|&a, &b| names.value(a as usize).cmp(names.value(b as usize)));
        let sorted = arrow_select::take::take_record_batch(&all, &UInt32Array::from(order))
            .map_err(|e| fail(e.to_string()))?;
        write_file(&path, &sorted, self.format)
            .and_then(|temporary| temporary.persist().map_err(|(_, e)| io_reason(&e)))
            .map_err(fail)?;
        Ok(path)
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
fn meeting_names(batch: &RecordBatch) -> Result<&StringArray, String> {
    batch
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .filter(|names| names.null_count() == 0)
        .ok_or_else(|| "its first column is not the meeting names".to_owned())
}

/// A file written under a temporary name beside `path`, not yet in place.
#[derive(Debug)]
struct Temporary {
    temporary: PathBuf,
    path: PathBuf,
    bytes: u64,
}

impl Temporary {
    /// Renames the file into place (over the old one, atomically).
    fn persist(self) -> Result<(), (PathBuf, io::Error)> {
        fs::rename(&self.temporary, &self.path).map_err(|e| {
            let _ = fs::remove_file(&self.temporary);
            (self.path.clone(), e)
        })
    }
}

impl Drop for Temporary {
    /// A temporary file never persisted (an error came first) is removed.
    fn drop(&mut self) {
        if self.temporary.exists() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// Writes `batch` to a hidden temporary file beside `path` (not synced yet: see
/// [`Placing::place`]).
fn write_file(path: &Path, batch: &RecordBatch, format: FileFormat) -> Result<Temporary, String> {
    let name = path.file_name().unwrap_or_default();
    let mut temporary_name = OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let mut temporary = Temporary {
        temporary: path.with_file_name(temporary_name),
        path: path.to_owned(),
        bytes: 0,
    };
    let file = File::create(&temporary.temporary).map_err(|e| io_reason(&e))?;
    let out = BufWriter::with_capacity(1 << 16, file);
    let out = match format {
        FileFormat::Parquet => {
            let options = ArrowWriterOptions::new()
                .with_properties(parquet_properties(batch)?)
                // The Arrow schema, stored in every file, would be larger than most files'
                // data; engines read the Parquet types (strings, millisecond timestamps).
                .with_skip_arrow_metadata(true);
            let mut writer = ArrowWriter::try_new_with_options(out, batch.schema(), options)
                .map_err(|e| e.to_string())?;
            writer.write(batch).map_err(|e| e.to_string())?;
            writer.into_inner().map_err(|e| e.to_string())?
        }
        FileFormat::Arrow => {
            let options = arrow_ipc::writer::IpcWriteOptions::default()
                .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))
                .map_err(|e| e.to_string())?;
            let mut writer =
                arrow_ipc::writer::FileWriter::try_new_with_options(out, &batch.schema(), options)
                    .map_err(|e| e.to_string())?;
            writer.write(batch).map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
            writer.into_inner().map_err(|e| e.to_string())?
        }
    };
    let file = out.into_inner().map_err(|e| io_reason(&e.into_error()))?;
    temporary.bytes = file.metadata().map_err(|e| io_reason(&e))?.len();
    Ok(temporary)
}

/// How a batch is stored in Parquet: zstd, row groups of at most [`ROW_GROUP_BYTES`],
/// statistics per column chunk (min, max, nulls: what engines prune files and row groups
/// by), dictionary encoding. Column chunks with little for zstd to win are stored plain,
/// because setting up zstd for a chunk (a compression and a decompression context, about
/// 20 µs) costs more than writing it: columns of nulls (without dictionary or statistics
/// too), booleans, dictionary strings (runs of keys, one participant after another), and
/// chunks of fewer than [`ZSTD_LEAST_VALUES`] values, which dictionary encoding already
/// shrinks to a byte or two a value.
fn parquet_properties(batch: &RecordBatch) -> Result<WriterProperties, String> {
    let zstd = ZstdLevel::try_new(ZSTD_LEVEL).map_err(|e| e.to_string())?;
    let mut properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(zstd))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES));
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let path = || ColumnPath::from(field.name().as_str());
        let values = column.len() - column.null_count();
        if values == 0 {
            properties = properties
                .set_column_dictionary_enabled(path(), false)
                .set_column_statistics_enabled(path(), EnabledStatistics::None);
        }
        if values < DICTIONARY_LEAST_VALUES
            && !matches!(field.data_type(), DataType::Dictionary(..))
        {
            properties = properties.set_column_dictionary_enabled(path(), false);
        }
        let plain = values < ZSTD_LEAST_VALUES
            || matches!(
                field.data_type(),
                DataType::Boolean | DataType::Dictionary(..)
            );
        if plain || field.name() == "participant" {
            properties = properties.set_column_compression(path(), Compression::UNCOMPRESSED);
        }
    }
    Ok(properties.build())
}

/// Reads every batch of a file this module wrote.
fn read_file(path: &Path, format: FileFormat) -> io::Result<Vec<RecordBatch>> {
    let invalid =
        |e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidData, e.to_string());
    let file = File::open(path)?;
    match format {
        FileFormat::Parquet => ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|builder| builder.build())
            .map_err(|e| invalid(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(&e)),
        FileFormat::Arrow => arrow_ipc::reader::FileReader::try_new(file, None)
            .map_err(|e| invalid(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(&e)),
    }
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
