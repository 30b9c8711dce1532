//! Arrow record batches (feature `arrow`): a meeting's samples, one row per sample, and the
//! meetings' headline numbers, one row per meeting, for Parquet and the engines that read
//! it (DuckDB, DataFusion, Spark). The last stage: it reads the table and the analysis,
//! and nothing in the crate reads it.
//!
//! **Values are `Float64` in the report's units** (`latency_ms`, `bitrate_kbps`, ...),
//! each the stored fixed-point integer divided by its descriptor's
//! [`per_report_unit`](crate::Descriptor::per_report_unit): bit for bit the number the
//! JSON report computes its statistics from. A decimal would be exact too, but every
//! metric would need its own scale (kbps keeps three decimals, ms two), engines print
//! decimals padded to their scale (`23.000` for Zoom's `"23 kbps"`), and Spark widens
//! decimal aggregates; a double prints in the fewest digits that read back the same,
//! which for these values is the API's own spelling (`27.15`, `0.3`, `126`). Pixels are
//! `Int32`, Wi-Fi signal `Int16` dBm. Missing is null, never 0: a stream that never
//! appears in the meeting is a column of nulls.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int16Array, Int32Array, Int64Array,
    RecordBatch, StringArray, TimestampMillisecondArray, new_null_array,
};
pub use arrow_schema::ArrowError;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::aggregate::{Fixed, Thresholds, mos};
use crate::record::Table;
use crate::report::{Flag, Grade, MeetingReport, Stats};
use crate::schema::{CpuMetric, Metric, ParticipantField, RssiMetric, Stream};
use crate::units::Rfc3339;

/// What a column of the samples holds, in schema order ([`sample_columns`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SampleColumn {
    Meeting,
    Participant,
    Text(ParticipantField),
    Time,
    Metric(Stream, Metric),
    /// A resolution's width, beside its height (the report's `resolution_height_px`).
    Width(Stream),
    Cpu(CpuMetric),
    Rssi(RssiMetric),
    Degraded,
    Flag(Flag),
    Mos(Stream),
}

/// The participant fields the samples carry, as dictionary strings.
const TEXT_FIELDS: [ParticipantField; 6] = [
    ParticipantField::UserName,
    ParticipantField::UserId,
    ParticipantField::NetworkType,
    ParticipantField::DataCenter,
    ParticipantField::Device,
    ParticipantField::Version,
];

/// The streams with a MOS column.
const MOS_STREAMS: [Stream; 2] = Stream::AUDIO;

fn dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

impl SampleColumn {
    fn field(self) -> Field {
        let (name, data_type, nullable) = match self {
            SampleColumn::Meeting => ("meeting".to_owned(), dictionary(), false),
            SampleColumn::Participant => ("participant".to_owned(), DataType::Int32, false),
            SampleColumn::Text(field) => (field.api_name().to_owned(), dictionary(), true),
            SampleColumn::Time => ("time".to_owned(), timestamp(), true),
            SampleColumn::Metric(stream, Metric::Resolution) => (
                format!("{stream}_{}", Metric::Resolution.report_name()),
                DataType::Int32,
                true,
            ),
            SampleColumn::Metric(stream, metric) => (
                format!("{stream}_{}", metric.report_name()),
                DataType::Float64,
                true,
            ),
            SampleColumn::Width(stream) => (
                format!("{stream}_resolution_width_px"),
                DataType::Int32,
                true,
            ),
            SampleColumn::Cpu(metric) => (metric.report_name().to_owned(), DataType::Float64, true),
            SampleColumn::Rssi(metric) => (format!("wifi_{metric}_dbm"), DataType::Int16, true),
            SampleColumn::Degraded => ("degraded".to_owned(), DataType::Boolean, false),
            SampleColumn::Flag(flag) => (
                format!("degraded_{}", flag.name()),
                DataType::Boolean,
                false,
            ),
            SampleColumn::Mos(stream) => (format!("{stream}_mos"), DataType::Float64, true),
        };
        Field::new(name, data_type, nullable)
    }
}

/// The sample columns, in order: written once, read by the schema and the batches.
fn sample_columns() -> &'static [SampleColumn] {
    static COLUMNS: OnceLock<Vec<SampleColumn>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let mut columns = vec![SampleColumn::Meeting, SampleColumn::Participant];
        columns.extend(TEXT_FIELDS.map(SampleColumn::Text));
        columns.push(SampleColumn::Time);
        for &stream in Stream::ALL {
            for &metric in stream.metrics() {
                columns.push(SampleColumn::Metric(stream, metric));
                if metric == Metric::Resolution {
                    columns.push(SampleColumn::Width(stream));
                }
            }
        }
        columns.extend(CpuMetric::ALL.iter().map(|&m| SampleColumn::Cpu(m)));
        columns.extend(RssiMetric::ALL.iter().map(|&m| SampleColumn::Rssi(m)));
        columns.push(SampleColumn::Degraded);
        columns.extend(Flag::ALL.map(SampleColumn::Flag));
        columns.extend(MOS_STREAMS.map(SampleColumn::Mos));
        columns
    })
}

/// The schema of the samples: one row per sample (see the README's "Export" section for
/// each column's type, unit and meaning).
pub fn samples_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    schema(&SCHEMA, || {
        sample_columns().iter().map(|c| c.field()).collect()
    })
}

/// A schema made once, from its fields.
fn schema(made: &OnceLock<SchemaRef>, fields: impl FnOnce() -> Vec<Field>) -> SchemaRef {
    made.get_or_init(|| Arc::new(Schema::new(fields()))).clone()
}

/// A UTC calendar date, or unknown (a sample without a time): the partition a sample goes
/// to. Displays as `2021-06-24` or `unknown`; unknown sorts last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// `None` sorts after every day: the tuple's `bool` is set for unknown.
    key: (bool, i64),
}

impl Date {
    /// The date of a time in seconds since the epoch; unknown for `None`.
    pub fn of_time(time_s: Option<i64>) -> Date {
        match time_s {
            Some(time_s) => Date {
                key: (false, time_s.div_euclid(86_400)),
            },
            None => Date::UNKNOWN,
        }
    }

    /// The date of samples without a time.
    pub const UNKNOWN: Date = Date { key: (true, 0) };

    /// Days since 1970-01-01, `None` when unknown.
    pub fn days(self) -> Option<i64> {
        (!self.key.0).then_some(self.key.1)
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.days() {
            // `YYYY-MM-DD` of the midnight's RFC 3339 form.
            Some(days) => {
                let midnight = Rfc3339(days * 86_400).to_string();
                f.write_str(midnight.split('T').next().unwrap_or(&midnight))
            }
            None => f.write_str("unknown"),
        }
    }
}

/// A meeting's samples, ready to become record batches: one per date, or one for rows
/// of any choosing.
pub struct Samples<'t> {
    meeting: &'t str,
    table: &'t Table,
    thresholds: Fixed,
    /// The participant entry of each row.
    participant_of_row: Vec<u32>,
}

impl<'t> Samples<'t> {
    /// The samples of `table`, named `meeting`, with degradation flags by `thresholds`
    /// (as the report raises them).
    pub fn new(meeting: &'t str, table: &'t Table, thresholds: &Thresholds) -> Self {
        let mut participant_of_row = Vec::with_capacity(table.samples());
        for (index, participant) in table.participants().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            participant_of_row.extend(participant.rows().map(|_| index));
        }
        Samples {
            meeting,
            table,
            thresholds: thresholds.fixed(),
            participant_of_row,
        }
    }

    /// The rows of each UTC date, dates in order (unknown last), rows in table order.
    pub fn by_date(&self) -> Vec<(Date, Vec<u32>)> {
        let date = |row: usize| Date::of_time(self.table.time_s(row));
        let rows = self.table.samples();
        let Some(first) = (rows > 0).then(|| date(0)) else {
            return Vec::new();
        };
        // Most meetings fall on one date: one pass to see it, no map.
        if (1..rows).all(|row| date(row) == first) {
            return vec![(first, (0..rows as u32).collect())];
        }
        let mut dates: BTreeMap<Date, Vec<u32>> = BTreeMap::new();
        for row in 0..rows {
            dates.entry(date(row)).or_default().push(row as u32);
        }
        dates.into_iter().collect()
    }

    /// The record batch of `rows` (table rows, in the order given), in
    /// [`samples_schema`].
    ///
    /// # Errors
    /// A row out of the table's range ([`ArrowError::InvalidArgumentError`]).
    pub fn batch(&self, rows: &[u32]) -> Result<RecordBatch, ArrowError> {
        if let Some(&row) = rows.iter().find(|&&r| r as usize >= self.table.samples()) {
            return Err(ArrowError::InvalidArgumentError(format!(
                "row {row} of a table of {} samples",
                self.table.samples()
            )));
        }
        let flags: Vec<_> = rows
            .iter()
            .map(|&row| self.thresholds.flags(self.table, row as usize))
            .collect();
        let columns = sample_columns()
            .iter()
            .map(|&column| self.column(column, rows, &flags))
            .collect();
        RecordBatch::try_new(samples_schema(), columns)
    }

    fn column(
        &self,
        column: SampleColumn,
        rows: &[u32],
        flags: &[crate::aggregate::SampleFlags],
    ) -> ArrayRef {
        let table = self.table;
        let each = rows.iter().map(|&row| row as usize);
        match column {
            SampleColumn::Meeting => {
                let keys = Int32Array::from(vec![0; rows.len()]);
                let values = Arc::new(StringArray::from(vec![self.meeting]));
                Arc::new(DictionaryArray::<Int32Type>::new(keys, values))
            }
            SampleColumn::Participant => Arc::new(Int32Array::from_iter_values(
                each.map(|row| self.participant_of_row[row] as i32),
            )),
            SampleColumn::Text(field) => self.text(field, rows),
            SampleColumn::Time => Arc::new(
                TimestampMillisecondArray::from_iter(
                    each.map(|row| table.time_s(row).map(|s| s * 1000)),
                )
                .with_timezone("UTC"),
            ),
            SampleColumn::Metric(stream, metric) => {
                let Some(columns) = table.stream(stream) else {
                    return new_null_array(&column.field().data_type().clone(), rows.len());
                };
                if metric == Metric::Resolution {
                    Arc::new(Int32Array::from_iter(each.map(|row| {
                        columns
                            .resolution(row)
                            .filter(|r| r.has_picture())
                            .map(|r| i32::from(r.height_px))
                    })))
                } else {
                    let descriptor = metric.descriptor();
                    let mut values = Vec::with_capacity(rows.len());
                    columns.gather(metric, rows, |stored| {
                        values.push(stored.and_then(|s| descriptor.to_report_unit(s)));
                    });
                    Arc::new(Float64Array::from(values))
                }
            }
            SampleColumn::Width(stream) => match table.stream(stream) {
                Some(columns) => Arc::new(Int32Array::from_iter(each.map(|row| {
                    columns
                        .resolution(row)
                        .filter(|r| r.has_picture())
                        .map(|r| i32::from(r.width_px))
                }))),
                None => new_null_array(&DataType::Int32, rows.len()),
            },
            SampleColumn::Cpu(metric) => {
                let descriptor = metric.descriptor();
                Arc::new(Float64Array::from_iter(each.map(|row| {
                    table
                        .cpu_bp(metric, row)
                        .and_then(|bp| descriptor.to_report_unit(u32::from(bp)))
                })))
            }
            SampleColumn::Rssi(metric) => Arc::new(Int16Array::from_iter(
                each.map(|row| table.rssi_dbm(metric, row)),
            )),
            SampleColumn::Degraded => {
                Arc::new(BooleanArray::from_iter(flags.iter().map(|f| Some(f.any()))))
            }
            SampleColumn::Flag(flag) => Arc::new(BooleanArray::from_iter(
                flags.iter().map(|f| Some(f.has(flag))),
            )),
            SampleColumn::Mos(stream) => Arc::new(Float64Array::from_iter(
                each.map(|row| mos(table, stream, row)),
            )),
        }
    }

    /// A participant text field as dictionary strings: one key per participant entry,
    /// looked up once per entry (its rows are contiguous); `""` (absent) is null.
    fn text(&self, field: ParticipantField, rows: &[u32]) -> ArrayRef {
        let mut values: Vec<&str> = Vec::new();
        let mut keys_of: HashMap<&str, i32> = HashMap::new();
        let mut keys: Vec<Option<i32>> = Vec::with_capacity(rows.len());
        let mut last: Option<(u32, Option<i32>)> = None;
        for &row in rows {
            let participant = self.participant_of_row[row as usize];
            let key = match last {
                Some((entry, key)) if entry == participant => key,
                _ => {
                    let text = self
                        .table
                        .participant(participant as usize)
                        .map_or("", |p| p.field(field));
                    let key = (!text.is_empty()).then(|| {
                        *keys_of.entry(text).or_insert_with(|| {
                            values.push(text);
                            values.len() as i32 - 1
                        })
                    });
                    last = Some((participant, key));
                    key
                }
            };
            keys.push(key);
        }
        let keys = Int32Array::from(keys);
        Arc::new(DictionaryArray::<Int32Type>::new(
            keys,
            Arc::new(StringArray::from(values)),
        ))
    }
}

/// The percentiles of the meetings' headline statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Percentile {
    P50,
    P95,
}

/// What a column of the meetings holds, in schema order ([`meeting_columns`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MeetingColumn {
    Meeting,
    Uuid,
    Topic,
    StartTime,
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
}

/// The stream metrics the meetings carry p50 and p95 of.
const HEADLINE_METRICS: [Metric; 3] = Metric::QUALITY;

impl MeetingColumn {
    fn field(self) -> Field {
        use MeetingColumn as C;
        let count = |name: String| (name, DataType::Int64, false);
        let (name, data_type, nullable) = match self {
            C::Meeting => ("meeting".to_owned(), DataType::Utf8, false),
            C::Uuid => ("uuid".to_owned(), DataType::Utf8, true),
            C::Topic => ("topic".to_owned(), DataType::Utf8, true),
            C::StartTime => ("start_time".to_owned(), timestamp(), true),
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
            C::Meeting,
            C::Uuid,
            C::Topic,
            C::StartTime,
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
    /// `table` (the table the report was computed from).
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
                    C::Meeting => Cell::Text(Some(report.meeting.clone())),
                    C::Uuid => Cell::Text(report.uuid.clone()),
                    C::Topic => Cell::Text(report.topic.clone()),
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
                }
            })
            .collect();
        MeetingRow { cells }
    }

    /// The meeting's name.
    pub fn meeting(&self) -> &str {
        match self.cells.first() {
            Some(Cell::Text(Some(name))) => name,
            _ => "",
        }
    }

    /// The meeting's samples.
    pub fn samples(&self) -> u64 {
        let at = meeting_columns()
            .iter()
            .position(|&c| c == MeetingColumn::Samples);
        match at.and_then(|at| self.cells.get(at)) {
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
