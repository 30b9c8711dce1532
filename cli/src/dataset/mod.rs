//! The dataset `export` writes: the samples, Hive-partitioned by UTC date, many meetings a
//! file (`DIR/samples/date=YYYY-MM-DD/part-VVVVVV-N.parquet`), and one row per meeting in
//! `DIR/meetings.parquet` (or Arrow IPC files, `.arrow`).
//!
//! A meeting is known by its identity, `meeting_key`: its UUID where known, else its
//! source's path (see `identity`); its display name is a column beside it. An export writes
//! the meetings that are new or changed (by the digest of their source, kept in the
//! meetings file) into one file per date partition per run, each meeting's rows
//! together and in time order; a meeting exported again loses its old rows by copying
//! the other rows of the files that held them into this run's file (copy on write);
//! every other file is kept as it is (a hard link). `--full` copies every earlier row too,
//! leaving one file per partition. All of it becomes visible at once (the commit of
//! `version`). One export at a time per folder (its lock).

mod encode;
mod file;
mod identity;
mod version;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow_schema::SchemaRef;
use rayon::iter::{IntoParallelIterator, ParallelIterator};
use zoom_qos::Analysis;
use zoom_qos::export::{MeetingRow, Samples, meetings_batch, meetings_schema, samples_schema};
use zoom_qos::report::MeetingError;

pub use self::file::FileFormat;
use self::file::{
    Encoder, FILE_TARGET_BYTES, PartFile, ROW_GROUP_ROWS, RowGroup, read_file, write_file,
};
pub use self::identity::{Identity, Plan, Recorded};
use self::version::Layout;
use crate::discover::MeetingInput;
use crate::error::CliError;
pub use crate::error::DataError;
use crate::lock::FolderLock;
use crate::runner::{Decoded, Outcome, describe};

/// A dataset file, and why it failed.
type Failed = (PathBuf, DataError);

/// The dataset folder, its committed version, and the version this export builds.
#[derive(Debug)]
pub struct Dataset {
    /// The folder's lock, held while the dataset is written.
    _owner: FolderLock,
    layout: Layout,
    format: FileFormat,
    /// The committed version (0: none yet).
    current: u64,
    /// The version being built.
    next: u64,
    earlier: Earlier,
    parts: Parts,
}

/// The committed version's meetings: their rows, and what the export needs of them.
#[derive(Debug, Default)]
struct Earlier {
    batches: Vec<RecordBatch>,
    known: HashMap<String, Known>,
}

/// An earlier meeting: what was recorded of its source, the files holding its rows.
#[derive(Debug)]
struct Known {
    recorded: Recorded,
    files: Vec<String>,
}

/// What a commit did.
#[derive(Debug, Default)]
pub struct Committed {
    /// Meetings in the dataset now.
    pub meetings: usize,
    /// Sample files written by this run.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files of the previous version kept as they were.
    pub kept_files: usize,
    /// Rows of other meetings copied out of files that held a replaced meeting.
    pub copied_rows: u64,
}

impl Dataset {
    /// Opens (creating) the dataset folder `root`: takes its lock, finishes what a stopped
    /// run left (see the `version` module), and reads the committed version's meetings.
    ///
    /// # Errors
    /// A folder that cannot be created or listed, one that holds other things than a
    /// dataset ([`CliError::NotEmpty`]), an export of an earlier layout or another
    /// version's columns, or a meetings file that cannot be read.
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
        let layout = Layout::new(root, format);
        let unusable = |path: PathBuf| move |cause| CliError::Dataset { path, cause };
        let current = layout.current().map_err(unusable(layout.samples()))?;
        layout
            .recover(current)
            .map_err(|e| unusable(e.path)(DataError::Io(e.error)))?;
        // The earlier meetings are read (and checked) now, before anything is written: a
        // corrupt file stops the export with nothing changed.
        let earlier = if current == 0 {
            Earlier::default()
        } else {
            let path = layout.meetings();
            if !layout.version_meetings(current).exists() {
                return Err(unusable(path)(DataError::Unusable(
                    "the dataset has no meetings file of this format: it was written with the \
                     other --format (export with that one, or into a new folder), or it is \
                     damaged",
                )));
            }
            Earlier::read(&path, format).map_err(unusable(path))?
        };
        let next = layout.next(current);
        let samples = layout.version_samples(next);
        fs::create_dir_all(&samples).map_err(failed(&samples))?;
        let parts = Parts::new(samples.clone(), next, format).map_err(unusable(samples))?;
        Ok(Dataset {
            _owner: owner,
            parts,
            layout,
            format,
            current,
            next,
            earlier,
        })
    }

    /// Which meetings to export: each identified, and those whose source is unchanged
    /// since they were exported left out (all are written with `full`).
    pub fn plan(&self, inputs: Vec<MeetingInput>, full: bool) -> Plan {
        let recorded = |key: &str| self.earlier.known.get(key).map(|k| k.recorded.clone());
        Plan::new(inputs, recorded, full)
    }

    /// `export`'s work on a decoded meeting: its report's headline row, and its samples
    /// written into this run's file of each date they fall on. `Err` is a meeting whose
    /// rows could not be written (then nothing of this run is committed).
    pub fn export<'a>(
        &'a self,
        analysis: &'a Analysis,
        plan: &'a Plan,
    ) -> impl Fn(&MeetingInput, Decoded<'_>) -> Outcome<Result<MeetingRow, MeetingError>> + Sync + 'a
    {
        move |input, decoded| {
            // The report and the sample rows read one computation of each sample's flags
            // and MOS.
            let (mut report, samples) = analysis.meeting_and_samples(&input.name, decoded.table);
            decoded.locate_files(&mut report);
            if let Err(error) = describe(input, &mut report) {
                return Outcome::Failed(error);
            }
            let identity = plan.identity(&input.name);
            let mut row = MeetingRow::new(&report, decoded.table);
            drop(report);
            row.identified_by(&identity.key);
            let digest = identity.digest.clone().or_else(|| {
                let source = matches!(input.source, crate::discover::Source::Files(_));
                let described = input.description.as_deref();
                source
                    .then(|| identity::combine(decoded.hashes, described).ok())
                    .flatten()
            });
            if let Some(digest) = digest {
                row.set_digest(digest);
            }
            if let Some((bytes, modified_ns)) = identity.source {
                row.set_source(bytes, modified_ns);
            }
            let samples = samples.identified_by(&identity.key);
            // Rows in table order: by participant entry, each one's samples as Zoom listed
            // them (in time order). Participant-major rather than time-major: the entry's
            // text columns then come in runs (measured: a 5 % smaller dataset, and faster).
            for (date, rows) in samples.by_date() {
                let partition = format!("date={date}");
                let key = std::slice::from_ref(&identity.key);
                let written = self
                    .parts
                    .write(&partition, Rows::Samples(&samples, &rows), key);
                if let Err((path, cause)) = written {
                    // Its rows of other dates may be in their files already: the run
                    // cannot be committed.
                    self.parts.broke(&path);
                    let error = not_written(input.name.clone(), &path, &cause);
                    return Outcome::Report(Err(error));
                }
            }
            Outcome::Report(Ok(row))
        }
    }

    /// Builds the new version around this run's meetings (`rows`), and commits it: the
    /// files holding rows of the meetings written again are copied without those rows,
    /// the other files kept, the meetings file written; then the version is made the
    /// dataset in one step. With `full`, every earlier row is copied (one file per
    /// partition). Returns `None` when there was nothing to change.
    ///
    /// # Errors
    /// A file that could not be read, written or linked, or the commit itself: the
    /// dataset is then as it was.
    pub fn commit(self, rows: Vec<MeetingRow>, full: bool) -> Result<Option<Committed>, CliError> {
        let version = self.layout.version(self.next);
        let failed = |(path, cause)| CliError::Dataset { path, cause };
        if let Some(error) = self.parts.failed() {
            let _ = fs::remove_dir_all(&version);
            return Err(failed(error));
        }
        if rows.is_empty() && !full {
            let _ = fs::remove_dir_all(&version);
            return Ok(None);
        }
        let (layout, next) = (self.layout.clone(), self.next);
        let committed = self.build(rows, full);
        // A version that was committed before a later step failed (removing older ones)
        // is the dataset now: it stays.
        if committed.is_err() && !layout.is_current(next) {
            let _ = fs::remove_dir_all(&version);
        }
        committed.map(Some).map_err(failed)
    }

    fn build(self, mut rows: Vec<MeetingRow>, full: bool) -> Result<Committed, Failed> {
        let written: HashSet<String> = rows.iter().map(|r| r.key().to_owned()).collect();
        let affected: HashSet<&str> = written
            .iter()
            .filter_map(|key| self.earlier.known.get(key))
            .flat_map(|known| known.files.iter().map(String::as_str))
            .collect();
        let mut committed = Committed::default();
        // Each file of the current version: kept as it is, or copied without the rows of
        // the meetings written again.
        let mut kept_files: HashSet<String> = HashSet::new();
        let old = self.layout.version_samples(self.current);
        for file in sample_files(&old, self.format)? {
            let from = old.join(&file);
            let partition = file.split('/').next().unwrap_or_default().to_owned();
            if full || affected.contains(file.as_str()) {
                let batches = read_file(&from, self.format, Some(&samples_schema()))
                    .map_err(|cause| (from.clone(), cause))?;
                let (kept, keys) =
                    without_meetings(&batches, &written).map_err(|c| (from.clone(), c))?;
                let rows: usize = kept.iter().map(RecordBatch::num_rows).sum();
                if rows > 0 {
                    committed.copied_rows += rows as u64;
                    self.parts.write(&partition, Rows::Copied(&kept), &keys)?;
                }
            } else {
                let to = self.parts.folder.join(&file);
                let linked = fs::create_dir_all(self.parts.folder.join(&partition))
                    .and_then(|()| fs::hard_link(&from, &to));
                linked.map_err(|e| (to, DataError::Io(e)))?;
                committed.kept_files += 1;
                kept_files.insert(file);
            }
        }
        for (_, bytes) in self.parts.finish()? {
            committed.files += 1;
            committed.bytes += bytes;
        }
        // Where each meeting's rows are now: the files kept whole that held them, and the
        // files of this run they went into.
        let files_of = self.parts.files_of();
        let files = |key: &str, before: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            let mut now: BTreeSet<String> = before
                .filter(|f| kept_files.contains(*f))
                .map(str::to_owned)
                .collect();
            now.extend(files_of.get(key).into_iter().flatten().cloned());
            now.into_iter().collect()
        };
        // The meetings: the earlier ones not written again, and this run's, by name and
        // identity.
        let mut batches = Vec::with_capacity(self.earlier.batches.len() + 1);
        let path = self.layout.version_meetings(self.next);
        let failed = |cause| (path.clone(), cause);
        for batch in &self.earlier.batches {
            batches.push(kept_meetings(batch, &written, &files).map_err(failed)?);
        }
        for row in &mut rows {
            let now = files(row.key(), &mut std::iter::empty());
            row.set_files(now);
        }
        batches.push(meetings_batch(&rows).map_err(|e| failed(e.into()))?);
        let all = sorted_meetings(&batches).map_err(failed)?;
        committed.meetings = all.num_rows();
        write_file(&path, &all, self.format).map_err(failed)?;
        self.layout
            .commit(self.next)
            .map_err(|e| (e.path, DataError::Io(e.error)))?;
        Ok(committed)
    }
}

impl Earlier {
    /// Reads the committed meetings file, checking its columns.
    fn read(path: &Path, format: FileFormat) -> Result<Earlier, DataError> {
        let batches = read_file(path, format, None)?;
        let schema = meetings_schema();
        if batches.iter().any(|b| !same_fields(&b.schema(), &schema)) {
            return Err(DataError::Unusable(
                "it has other columns (an export by another version of zoom-qos): export \
                 into a new folder, or remove the dataset",
            ));
        }
        let mut known = HashMap::new();
        let mut kept = Vec::with_capacity(batches.len());
        for batch in batches {
            let keys = strings(&batch, "meeting_key")?;
            let digests = strings(&batch, "digest")?;
            let counts = |name| {
                batch
                    .column_by_name(name)
                    .and_then(|c| c.as_primitive_opt::<arrow_array::types::Int64Type>())
                    .ok_or(DataError::Unusable(
                        "a meetings file without its source columns",
                    ))
            };
            let (bytes, modified) = (counts("source_bytes")?, counts("source_modified_ns")?);
            let files = batch
                .column_by_name("files")
                .and_then(|c| c.as_list_opt::<i32>())
                .ok_or(DataError::Unusable("its files column is not a list"))?;
            for row in 0..batch.num_rows() {
                let listed = files.value(row);
                let listed = listed.as_string_opt::<i32>().ok_or(DataError::Unusable(
                    "its files column is not a list of paths",
                ))?;
                known.insert(
                    keys.value(row).to_owned(),
                    Known {
                        recorded: Recorded {
                            digest: digests.is_valid(row).then(|| digests.value(row).to_owned()),
                            source: bytes.is_valid(row).then(|| {
                                let modified = modified.is_valid(row).then(|| modified.value(row));
                                (u64::try_from(bytes.value(row)).unwrap_or(0), modified)
                            }),
                        },
                        files: listed.iter().flatten().map(str::to_owned).collect(),
                    },
                );
            }
            kept.push(batch.with_schema(schema.clone())?);
        }
        Ok(Earlier {
            batches: kept,
            known,
        })
    }
}

/// Row groups open at once, at most: each holds its columns' dictionaries and encoded
/// pages until it is full, so a run over many dates would otherwise hold a group per date
/// (72 meetings over 49 dates: peak RSS 56 MB). Past this, the least recently written
/// date's group goes to its file (a smaller row group), and its next rows start another.
const MOST_OPEN_GROUPS: usize = 8;

/// The run's sample files, one open per date partition, each with the Parquet row group
/// being filled. A meeting's rows are encoded (and compressed) under its partition's lock
/// on the thread that made them: meetings of other dates are encoded at the same time,
/// and each partition has one group open, so that a group's dictionaries and footer
/// entries serve up to 131,072 rows of a date.
#[derive(Debug)]
struct Parts {
    /// The new version's samples folder.
    folder: PathBuf,
    version: u64,
    format: FileFormat,
    schema: SchemaRef,
    /// Parquet's column encoders (`None` for Arrow IPC).
    encoder: Option<Encoder>,
    /// Each partition's files.
    partitions: Mutex<HashMap<String, Arc<Mutex<Partition>>>>,
    /// The partitions whose row group is open, the least recently written first.
    recent: Mutex<Vec<String>>,
    /// The files each meeting's rows went into.
    files_of: Mutex<HashMap<String, BTreeSet<String>>>,
    /// A file failed to be written: the run cannot be committed.
    broken: AtomicBool,
    /// The first file that failed.
    first_failure: Mutex<Option<PathBuf>>,
}

/// One date's files of this run: the one being written, its row group being filled (and
/// the meetings in it), and the files done.
#[derive(Default)]
struct Partition {
    open: Option<(String, PartFile)>,
    filling: Option<(RowGroup, BTreeSet<String>)>,
    /// Files made so far (for their numbers).
    made: usize,
    done: Vec<(String, u64)>,
}

impl std::fmt::Debug for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partition")
            .field("open", &self.open.as_ref().map(|(file, _)| file))
            .field("filling", &self.filling.as_ref().map(|(g, _)| g.rows()))
            .field("done", &self.done)
            .finish()
    }
}

/// Rows for a partition: a meeting's samples (table rows), or rows copied from an
/// earlier file.
#[derive(Clone, Copy)]
enum Rows<'a> {
    Samples(&'a Samples<'a>, &'a [u32]),
    Copied(&'a [RecordBatch]),
}

impl Parts {
    fn new(folder: PathBuf, version: u64, format: FileFormat) -> Result<Parts, DataError> {
        let schema = samples_schema();
        let encoder = match format {
            FileFormat::Parquet => Some(Encoder::new(&schema)?),
            FileFormat::Arrow => None,
        };
        Ok(Parts {
            folder,
            version,
            format,
            schema,
            encoder,
            partitions: Mutex::default(),
            recent: Mutex::default(),
            files_of: Mutex::default(),
            broken: AtomicBool::new(false),
            first_failure: Mutex::default(),
        })
    }

    /// Adds `rows`, of the meetings `keys`, to the partition.
    fn write(&self, partition: &str, rows: Rows<'_>, keys: &[String]) -> Result<(), Failed> {
        let written = if self.broken.load(Ordering::Relaxed) {
            let stopped = io::Error::other("an earlier file of this export failed");
            Err((self.folder.join(partition), DataError::Io(stopped)))
        } else {
            self.write_unchecked(partition, rows, keys)
        };
        if let Err((path, _)) = &written {
            self.broke(path);
        }
        written
    }

    /// Marks the run as not to be committed, because of `path`.
    fn broke(&self, path: &Path) {
        self.broken.store(true, Ordering::Relaxed);
        lock(&self.first_failure).get_or_insert_with(|| path.to_owned());
    }

    /// [`write`](Self::write), whose failures mark the run as broken.
    fn write_unchecked(
        &self,
        partition: &str,
        rows: Rows<'_>,
        keys: &[String],
    ) -> Result<(), Failed> {
        if self.encoder.is_some()
            && let Some(oldest) = self.make_room(partition)
        {
            // Another partition's group goes to its file now, before this partition's lock
            // is taken (one partition lock at a time: no deadlock).
            let shared = lock(&self.partitions).get(&oldest).cloned();
            if let Some(shared) = shared {
                self.append(&mut lock(&shared), &oldest)?;
            }
        }
        let shared = lock(&self.partitions)
            .entry(partition.to_owned())
            .or_default()
            .clone();
        let mut files = lock(&shared);
        match &self.encoder {
            Some(encoder) => self.encode(encoder, &mut files, partition, rows, keys),
            None => self.with_file(&mut files, partition, keys, |file| match rows {
                Rows::Samples(samples, rows) => file.write(&samples.batch(rows)?),
                Rows::Copied(batches) => batches.iter().try_for_each(|batch| file.write(batch)),
            }),
        }
    }

    /// Notes that `partition` is written now, and returns the partition whose row group
    /// should go to its file first, if more than [`MOST_OPEN_GROUPS`] would be open.
    fn make_room(&self, partition: &str) -> Option<String> {
        let mut recent = lock(&self.recent);
        if let Some(at) = recent.iter().position(|p| p == partition) {
            let again = recent.remove(at);
            recent.push(again);
            return None;
        }
        recent.push(partition.to_owned());
        (recent.len() > MOST_OPEN_GROUPS).then(|| recent.remove(0))
    }

    /// Parquet: encodes `rows` into the partition's row group, and appends the group to
    /// the file when full.
    fn encode(
        &self,
        encoder: &Encoder,
        files: &mut Partition,
        partition: &str,
        rows: Rows<'_>,
        keys: &[String],
    ) -> Result<(), Failed> {
        let at = |cause| (self.folder.join(partition), cause);
        let (group, in_it) = match &mut files.filling {
            Some(filling) => filling,
            None => files
                .filling
                .insert((encoder.row_group().map_err(at)?, BTreeSet::new())),
        };
        match rows {
            Rows::Samples(samples, rows) => encoder.write_samples(group, samples, rows),
            Rows::Copied(batches) => batches.iter().try_for_each(|b| encoder.write(group, b)),
        }
        .map_err(at)?;
        in_it.extend(keys.iter().cloned());
        if group.rows() >= ROW_GROUP_ROWS {
            self.append(files, partition)?;
        }
        Ok(())
    }

    /// Appends the partition's row group, if it has one, to its file.
    fn append(&self, files: &mut Partition, partition: &str) -> Result<(), Failed> {
        let Some((group, keys)) = files.filling.take() else {
            return Ok(());
        };
        if group.rows() < ROW_GROUP_ROWS {
            // Closed to make room, or at the end: the partition is no longer open.
            lock(&self.recent).retain(|p| p != partition);
        }
        let chunks = group
            .close()
            .map_err(|c| (self.folder.join(partition), c))?;
        let keys: Vec<String> = keys.into_iter().collect();
        self.with_file(files, partition, &keys, |file| file.append(chunks))
    }

    /// Runs `write` on the partition's open file (a new one when it has reached
    /// [`FILE_TARGET_BYTES`]), and notes that the meetings `keys` have rows in it.
    fn with_file(
        &self,
        files: &mut Partition,
        partition: &str,
        keys: &[String],
        write: impl FnOnce(&mut PartFile) -> Result<(), DataError>,
    ) -> Result<(), Failed> {
        if let Some((file, open)) = files.open.take_if(|(_, f)| f.bytes() >= FILE_TARGET_BYTES) {
            let bytes = open.finish().map_err(|c| (self.folder.join(&file), c))?;
            files.done.push((file, bytes));
        }
        let (file, open) = match &mut files.open {
            Some(open) => open,
            None => {
                let file = format!(
                    "{partition}/part-{:06}-{}.{}",
                    self.version,
                    files.made,
                    self.format.extension()
                );
                let path = self.folder.join(&file);
                let created = fs::create_dir_all(self.folder.join(partition))
                    .map_err(DataError::Io)
                    .and_then(|()| PartFile::create(&path, &self.schema, self.format));
                files.made += 1;
                files.open.insert((file, created.map_err(|c| (path, c))?))
            }
        };
        write(open).map_err(|c| (self.folder.join(&*file), c))?;
        let mut files_of = lock(&self.files_of);
        for key in keys {
            files_of
                .entry(key.clone())
                .or_default()
                .insert(file.clone());
        }
        Ok(())
    }

    /// The first file that failed, if any did.
    fn failed(&self) -> Option<Failed> {
        if !self.broken.load(Ordering::Relaxed) {
            return None;
        }
        let path = lock(&self.first_failure)
            .clone()
            .unwrap_or_else(|| self.folder.clone());
        let why = "it could not be written (see above), so nothing of this export was committed";
        Some((path, DataError::Unusable(why)))
    }

    /// Appends the row groups still filling, and closes every file; returns every file
    /// written, with its bytes.
    fn finish(&self) -> Result<Vec<(String, u64)>, Failed> {
        let partitions = std::mem::take(&mut *lock(&self.partitions));
        // Each partition's last group encoded on a thread of its own (the run's threads).
        let done = partitions
            .into_par_iter()
            .map(|(partition, shared)| {
                let mut files = lock(&shared);
                self.append(&mut files, &partition)?;
                if let Some((file, open)) = files.open.take() {
                    let bytes = open.finish().map_err(|c| (self.folder.join(&file), c))?;
                    files.done.push((file, bytes));
                }
                Ok(std::mem::take(&mut files.done))
            })
            .collect::<Result<Vec<_>, Failed>>()?;
        Ok(done.into_iter().flatten().collect())
    }

    /// The files each meeting's rows went into.
    fn files_of(&self) -> HashMap<String, BTreeSet<String>> {
        std::mem::take(&mut *lock(&self.files_of))
    }
}

/// A mutex's value, also after a thread panicked holding it (the data is counts and
/// files, each step of which is complete).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sample files of a version, relative to its samples folder
/// (`date=YYYY-MM-DD/part-....parquet`).
fn sample_files(samples: &Path, format: FileFormat) -> Result<Vec<String>, Failed> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |e| (path, DataError::Io(e))
    };
    let mut files = Vec::new();
    let partitions = match fs::read_dir(samples) {
        Ok(listed) => listed,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(failed(samples)(e)),
    };
    for partition in partitions {
        let partition = partition.map_err(failed(samples))?;
        let name = partition.file_name();
        let Some(name) = name.to_str().filter(|n| n.starts_with("date=")) else {
            continue;
        };
        for file in fs::read_dir(partition.path()).map_err(failed(&partition.path()))? {
            let file = file.map_err(failed(&partition.path()))?.file_name();
            if let Some(file) = file
                .to_str()
                .filter(|f| f.ends_with(&format!(".{}", format.extension())))
            {
                files.push(format!("{name}/{file}"));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The rows of `batches` whose `meeting_key` is not in `keys`, and the keys they have.
fn without_meetings(
    batches: &[RecordBatch],
    keys: &HashSet<String>,
) -> Result<(Vec<RecordBatch>, Vec<String>), DataError> {
    let mut kept = Vec::with_capacity(batches.len());
    let mut kept_keys: BTreeSet<String> = BTreeSet::new();
    for batch in batches {
        let column = batch
            .column_by_name("meeting_key")
            .and_then(|c| c.as_dictionary_opt::<Int32Type>())
            .ok_or(DataError::Unusable(
                "a sample file without its meeting_key column",
            ))?;
        let values = column
            .values()
            .as_string_opt::<i32>()
            .ok_or(DataError::Unusable(
                "a sample file whose meeting_key is not text",
            ))?;
        let keep_value: Vec<bool> = values
            .iter()
            .map(|v| !keys.contains(v.unwrap_or("")))
            .collect();
        let mut used = vec![false; keep_value.len()];
        for k in column.keys().iter().flatten() {
            if let Some(used) = used.get_mut(k as usize) {
                *used = true;
            }
        }
        for (value, (&keep, &used)) in values.iter().zip(keep_value.iter().zip(&used)) {
            if keep && used {
                kept_keys.insert(value.unwrap_or("").to_owned());
            }
        }
        let keep: BooleanArray = column
            .keys()
            .iter()
            .map(|k| {
                Some(
                    k.and_then(|k| keep_value.get(k as usize).copied())
                        .unwrap_or(true),
                )
            })
            .collect();
        let batch = arrow_select::filter::filter_record_batch(batch, &keep)?;
        if batch.num_rows() > 0 {
            kept.push(batch);
        }
    }
    Ok((kept, kept_keys.into_iter().collect()))
}

/// An earlier meetings batch without the meetings in `written`, each kept meeting's
/// files as `files` (given its key and its files before) says they are now.
fn kept_meetings(
    batch: &RecordBatch,
    written: &HashSet<String>,
    files: &dyn Fn(&str, &mut dyn Iterator<Item = &str>) -> Vec<String>,
) -> Result<RecordBatch, DataError> {
    let keys = strings(batch, "meeting_key")?;
    let keep: BooleanArray = keys
        .iter()
        .map(|k| Some(!written.contains(k.unwrap_or(""))))
        .collect();
    let batch = arrow_select::filter::filter_record_batch(batch, &keep)?;
    let keys = strings(&batch, "meeting_key")?;
    let Some(at) = batch.schema().index_of("files").ok() else {
        return Err(DataError::Unusable(
            "a meetings file without its files column",
        ));
    };
    let lists = batch
        .column(at)
        .as_list_opt::<i32>()
        .ok_or(DataError::Unusable("its files column is not a list"))?;
    let mut renamed = ListBuilder::new(StringBuilder::new());
    for row in 0..batch.num_rows() {
        let listed = lists.value(row);
        let before = listed.as_string_opt::<i32>().ok_or(DataError::Unusable(
            "its files column is not a list of paths",
        ))?;
        for file in files(keys.value(row), &mut before.iter().flatten()) {
            renamed.values().append_value(file);
        }
        renamed.append(true);
    }
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns[at] = Arc::new(renamed.finish());
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

/// The meetings of `batches` in one batch, by name, then identity.
fn sorted_meetings(batches: &[RecordBatch]) -> Result<RecordBatch, DataError> {
    let schema = meetings_schema();
    let all = arrow_select::concat::concat_batches(&schema, batches)?;
    let names = strings(&all, "meeting")?;
    let keys = strings(&all, "meeting_key")?;
    let mut order: Vec<u32> = (0..all.num_rows() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        (names.value(a), keys.value(a)).cmp(&(names.value(b), keys.value(b)))
    });
    Ok(arrow_select::take::take_record_batch(
        &all,
        &UInt32Array::from(order),
    )?)
}

/// A text column of a meetings batch.
fn strings<'b>(batch: &'b RecordBatch, name: &'static str) -> Result<&'b StringArray, DataError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or(DataError::Unusable(
            "a meetings file without the columns this version writes",
        ))
}

/// Whether two schemas have the same column names and types (metadata aside).
fn same_fields(a: &SchemaRef, b: &SchemaRef) -> bool {
    a.fields().len() == b.fields().len()
        && a.fields()
            .iter()
            .zip(b.fields().iter())
            .all(|(x, y)| x.name() == y.name() && x.data_type() == y.data_type())
}

/// A meeting whose rows could not be written, as the command lists it.
fn not_written(meeting: String, path: &Path, cause: &DataError) -> MeetingError {
    MeetingError::new(
        meeting,
        Some(path.display().to_string()),
        None,
        format!("cannot write: {cause}"),
    )
}

/// The line an export ends with, on stderr.
pub fn summary_line(
    written: usize,
    unchanged: usize,
    committed: &Committed,
    root: &Path,
) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!("exported {}", plural(written, "meeting", "meetings"));
    if unchanged > 0 {
        line.push_str(&format!(" ({unchanged} unchanged, skipped)"));
    }
    line.push_str(&format!(
        ": {}, {:.1} MB",
        plural(
            committed.files,
            "sample file written",
            "sample files written"
        ),
        committed.bytes as f64 / 1e6
    ));
    if committed.kept_files > 0 {
        let kept = plural(committed.kept_files, "file", "files");
        line.push_str(&format!(", {kept} kept as they were"));
    }
    if committed.copied_rows > 0 {
        let copied = committed.copied_rows;
        line.push_str(&format!(", {copied} rows of other meetings copied"));
    }
    let meetings = plural(committed.meetings, "meeting", "meetings");
    line + &format!("; {meetings} in {}", root.display())
}
