//! The meetings' headline numbers as Arrow: one row per meeting.

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow_schema::{ArrowError, DataType, Field, SchemaRef};

use super::types::{MOS_STREAMS, schema, timestamp};
use crate::record::Table;
use crate::report::{Flag, Grade, MeetingReport, Stats};
use crate::schema::{Metric, Stream};

/// The percentiles of the meetings' headline statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Percentile {
    P50,
    P95,
}

/// What a column of the meetings holds, in schema order ([`meeting_columns`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MeetingColumn {
    Key,
    Meeting,
    Uuid,
    Topic,
    StartTime,
    Complete,
    Pages,
    Participants,
    Samples,
    InvalidValues,
    FirstTime,
    LastTime,
    DegradedSamples,
    DegradedBy(Flag),
    Episodes,
    Grade(Grade),
    MosP50(Stream),
    MosMean(Stream),
    Stat(Stream, Metric, Percentile),
    Digest,
    SourceBytes,
    SourceModified,
    Files,
}

/// The stream metrics the meetings carry p50 and p95 of.
const HEADLINE_METRICS: [Metric; 3] = Metric::QUALITY;

impl MeetingColumn {
    fn field(self) -> Field {
        use MeetingColumn as C;
        let count = |name: String| (name, DataType::Int64, false);
        let (name, data_type, nullable) = match self {
            C::Key => ("meeting_key".to_owned(), DataType::Utf8, false),
            C::Meeting => ("meeting".to_owned(), DataType::Utf8, false),
            C::Uuid => ("uuid".to_owned(), DataType::Utf8, true),
            C::Topic => ("topic".to_owned(), DataType::Utf8, true),
            C::StartTime => ("start_time".to_owned(), timestamp(), true),
            C::Complete => ("complete".to_owned(), DataType::Boolean, false),
            C::Pages => count("pages".to_owned()),
            C::Participants => count("participants".to_owned()),
            C::Samples => count("samples".to_owned()),
            C::InvalidValues => count("invalid_values".to_owned()),
            C::FirstTime => ("first_time".to_owned(), timestamp(), true),
            C::LastTime => ("last_time".to_owned(), timestamp(), true),
            C::DegradedSamples => count("degraded_samples".to_owned()),
            C::DegradedBy(flag) => count(format!("degraded_{}_samples", flag.name())),
            C::Episodes => count("degraded_episodes".to_owned()),
            C::Grade(grade) => count(format!("participants_{}", grade.name())),
            C::MosP50(stream) => (format!("{stream}_mos_p50"), DataType::Float64, true),
            C::MosMean(stream) => (format!("{stream}_mos_mean"), DataType::Float64, true),
            C::Stat(stream, metric, percentile) => {
                let suffix = match percentile {
                    Percentile::P50 => "p50",
                    Percentile::P95 => "p95",
                };
                (
                    format!("{stream}_{}_{suffix}", metric.report_name()),
                    DataType::Float64,
                    true,
                )
            }
            C::Digest => ("digest".to_owned(), DataType::Utf8, true),
            C::SourceBytes => ("source_bytes".to_owned(), DataType::Int64, true),
            C::SourceModified => ("source_modified_ns".to_owned(), DataType::Int64, true),
            C::Files => (
                "files".to_owned(),
                DataType::new_list(DataType::Utf8, true),
                false,
            ),
        };
        Field::new(name, data_type, nullable)
    }
}

/// The meeting columns, in order.
fn meeting_columns() -> &'static [MeetingColumn] {
    static COLUMNS: OnceLock<Vec<MeetingColumn>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        use MeetingColumn as C;
        let mut columns = vec![
            C::Key,
            C::Meeting,
            C::Uuid,
            C::Topic,
            C::StartTime,
            C::Complete,
            C::Pages,
            C::Participants,
            C::Samples,
            C::InvalidValues,
            C::FirstTime,
            C::LastTime,
            C::DegradedSamples,
        ];
        columns.extend(Flag::ALL.map(C::DegradedBy));
        columns.push(C::Episodes);
        columns.extend(Grade::ALL.map(C::Grade));
        for stream in MOS_STREAMS {
            columns.extend([C::MosP50(stream), C::MosMean(stream)]);
        }
        for stream in Stream::AUDIO_VIDEO {
            for metric in HEADLINE_METRICS {
                for percentile in [Percentile::P50, Percentile::P95] {
                    columns.push(C::Stat(stream, metric, percentile));
                }
            }
        }
        columns.extend([C::Digest, C::SourceBytes, C::SourceModified, C::Files]);
        columns
    })
}

/// The schema of the meetings: one row per meeting, the report's headline numbers.
pub fn meetings_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    schema(&SCHEMA, || {
        meeting_columns().iter().map(|c| c.field()).collect()
    })
}

/// One cell of a meeting row.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Text(Option<String>),
    Signed(Option<i64>),
    Flag(bool),
    List(Vec<String>),
    Count(u64),
    Time(Option<i64>),
    Number(Option<f64>),
}

/// A meeting's headline numbers, kept small so that an export holds one per meeting
/// while the meetings' tables come and go.
#[derive(Clone, Debug, PartialEq)]
pub struct MeetingRow {
    /// In [`meeting_columns`] order.
    cells: Vec<Cell>,
}

impl MeetingRow {
    /// The headline numbers of `report` (with the instance's `uuid`, `topic` and
    /// `start_time` when the report has them), and the first and last sample times of
    /// `table` (the table the report was computed from). The meeting is identified by its
    /// UUID, else by its name, until [`identified_by`](Self::identified_by) says
    /// otherwise; it has no digest and no files until they are set.
    pub fn new(report: &MeetingReport, table: &Table) -> Self {
        let times = || (0..table.samples()).filter_map(|row| table.time_s(row));
        let (first, last) = (times().min(), times().max());
        let stat = |stats: Option<&Stats>, percentile| {
            stats.and_then(|s| match percentile {
                Percentile::P50 => s.p50,
                Percentile::P95 => s.p95,
            })
        };
        let mos = |stream| match stream {
            Stream::AudioInput => Some(&report.mos.audio_input),
            Stream::AudioOutput => Some(&report.mos.audio_output),
            _ => None,
        };
        let cells = meeting_columns()
            .iter()
            .map(|&column| {
                use MeetingColumn as C;
                match column {
                    C::Key => Cell::Text(Some(
                        report
                            .uuid
                            .clone()
                            .unwrap_or_else(|| report.meeting.clone()),
                    )),
                    C::Meeting => Cell::Text(Some(report.meeting.clone())),
                    C::Uuid => Cell::Text(report.uuid.clone()),
                    C::Topic => Cell::Text(report.topic.clone()),
                    C::Complete => Cell::Flag(report.complete),
                    C::StartTime => Cell::Time(
                        report
                            .start_time
                            .as_deref()
                            .and_then(|t| crate::units::timestamp_s(t.as_bytes()).ok().flatten()),
                    ),
                    C::Pages => Cell::Count(u64::from(report.pages)),
                    C::Participants => Cell::Count(report.participants),
                    C::Samples => Cell::Count(report.samples),
                    C::InvalidValues => Cell::Count(report.invalid_values),
                    C::FirstTime => Cell::Time(first),
                    C::LastTime => Cell::Time(last),
                    C::DegradedSamples => Cell::Count(report.degraded.samples),
                    C::DegradedBy(flag) => Cell::Count(report.degraded.by_flag.get(flag)),
                    C::Episodes => Cell::Count(report.episodes.len() as u64),
                    C::Grade(grade) => Cell::Count(report.grades.get(grade)),
                    C::MosP50(stream) => Cell::Number(mos(stream).and_then(|s| s.p50)),
                    C::MosMean(stream) => Cell::Number(mos(stream).and_then(|s| s.mean)),
                    C::Stat(stream, metric, percentile) => {
                        Cell::Number(stat(report.streams.get(stream, metric), percentile))
                    }
                    C::Digest => Cell::Text(None),
                    C::SourceBytes | C::SourceModified => Cell::Signed(None),
                    C::Files => Cell::List(Vec::new()),
                }
            })
            .collect();
        MeetingRow { cells }
    }

    /// The cell of `column`.
    fn cell(&self, column: MeetingColumn) -> Option<&Cell> {
        let at = meeting_columns().iter().position(|&c| c == column)?;
        self.cells.get(at)
    }

    /// The cell of `column`, to set.
    fn cell_mut(&mut self, column: MeetingColumn) -> Option<&mut Cell> {
        let at = meeting_columns().iter().position(|&c| c == column)?;
        self.cells.get_mut(at)
    }

    fn text(&self, column: MeetingColumn) -> Option<&str> {
        match self.cell(column) {
            Some(Cell::Text(Some(text))) => Some(text),
            _ => None,
        }
    }

    /// The meeting's name.
    pub fn meeting(&self) -> &str {
        self.text(MeetingColumn::Meeting).unwrap_or("")
    }

    /// The meeting's identity (`meeting_key`): its UUID where known, else what
    /// [`identified_by`](Self::identified_by) set, else its name.
    pub fn key(&self) -> &str {
        self.text(MeetingColumn::Key).unwrap_or("")
    }

    /// Sets the meeting's identity: its UUID where known, else a stable key of its source.
    pub fn identified_by(&mut self, key: impl Into<String>) {
        if let Some(cell) = self.cell_mut(MeetingColumn::Key) {
            *cell = Cell::Text(Some(key.into()));
        }
    }

    /// The digest of the meeting's source, if set.
    pub fn digest(&self) -> Option<&str> {
        self.text(MeetingColumn::Digest)
    }

    /// Sets the digest of the meeting's source (what tells an unchanged meeting).
    pub fn set_digest(&mut self, digest: impl Into<String>) {
        if let Some(cell) = self.cell_mut(MeetingColumn::Digest) {
            *cell = Cell::Text(Some(digest.into()));
        }
    }

    /// Sets what the source was when its digest was taken: its bytes, and the latest
    /// modification time of its files (nanoseconds since the epoch), so that a source
    /// unchanged on both counts need not be read again to be known unchanged.
    pub fn set_source(&mut self, bytes: u64, modified_ns: Option<i64>) {
        if let Some(cell) = self.cell_mut(MeetingColumn::SourceBytes) {
            *cell = Cell::Signed(i64::try_from(bytes).ok());
        }
        if let Some(cell) = self.cell_mut(MeetingColumn::SourceModified) {
            *cell = Cell::Signed(modified_ns);
        }
    }

    /// Sets the files (paths in the samples folder) that hold the meeting's rows.
    pub fn set_files(&mut self, files: Vec<String>) {
        if let Some(cell) = self.cell_mut(MeetingColumn::Files) {
            *cell = Cell::List(files);
        }
    }

    /// The meeting's samples.
    pub fn samples(&self) -> u64 {
        match self.cell(MeetingColumn::Samples) {
            Some(&Cell::Count(samples)) => samples,
            _ => 0,
        }
    }
}

/// The record batch of meeting rows, in [`meetings_schema`].
///
/// # Errors
/// Arrow's, which this crate's own schema never raises.
pub fn meetings_batch(rows: &[MeetingRow]) -> Result<RecordBatch, ArrowError> {
    let cells = |index: usize| rows.iter().filter_map(move |row| row.cells.get(index));
    let columns: Vec<ArrayRef> = meeting_columns()
        .iter()
        .enumerate()
        .map(|(index, column)| -> ArrayRef {
            match column.field().data_type() {
                DataType::Utf8 => Arc::new(StringArray::from_iter(cells(index).map(|c| match c {
                    Cell::Text(text) => text.as_deref(),
                    _ => None,
                }))),
                DataType::Boolean => Arc::new(BooleanArray::from_iter(
                    cells(index).map(|c| Some(matches!(c, Cell::Flag(true)))),
                )),
                DataType::List(_) => {
                    let mut lists = ListBuilder::new(StringBuilder::new());
                    for cell in cells(index) {
                        if let Cell::List(items) = cell {
                            for item in items {
                                lists.values().append_value(item);
                            }
                        }
                        lists.append(true);
                    }
                    Arc::new(lists.finish())
                }
                DataType::Int64 if column.field().is_nullable() => {
                    Arc::new(Int64Array::from_iter(cells(index).map(|c| match c {
                        Cell::Signed(n) => *n,
                        _ => None,
                    })))
                }
                DataType::Int64 => {
                    Arc::new(Int64Array::from_iter_values(cells(index).map(
                        |c| match c {
                            Cell::Count(n) => i64::try_from(*n).unwrap_or(i64::MAX),
                            _ => 0,
                        },
                    )))
                }
                DataType::Timestamp(..) => Arc::new(
                    TimestampMillisecondArray::from_iter(cells(index).map(|c| match c {
                        Cell::Time(t) => t.map(|s| s * 1000),
                        _ => None,
                    }))
                    .with_timezone("UTC"),
                ),
                _ => Arc::new(Float64Array::from_iter(cells(index).map(|c| match c {
                    Cell::Number(x) => *x,
                    _ => None,
                }))),
            }
        })
        .collect();
    RecordBatch::try_new(meetings_schema(), columns)
}
