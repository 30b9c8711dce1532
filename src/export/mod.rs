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
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int16Array, Int32Array, StringArray,
    TimestampMillisecondArray, new_null_array,
};
// The Arrow types this module's signatures use, so that an embedder needs no arrow crate
// of its own (nor to match this crate's exact version of one).
pub use arrow_array::RecordBatch;
pub use arrow_schema::{ArrowError, SchemaRef};
use arrow_schema::{DataType, Field};

mod meetings;
mod types;

pub use self::meetings::{MeetingRow, meetings_batch, meetings_schema};
use self::types::{MOS_STREAMS, dictionary, schema, timestamp};
use crate::aggregate::{Fixed, Thresholds, mos};
use crate::record::Table;
use crate::report::Flag;
use crate::schema::{CpuMetric, Metric, ParticipantField, RssiMetric, SampleField, Stream};
use crate::units::Rfc3339;

/// What a column of the samples holds, in schema order ([`sample_columns`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SampleColumn {
    Meeting,
    /// The meeting's identity (its UUID where known).
    Key,
    Participant,
    Text(ParticipantField),
    Time,
    Metric(Stream, Metric),
    /// A resolution's width, beside its height (the report's `resolution_height_px`).
    Width(Stream),
    Cpu(CpuMetric),
    Rssi(RssiMetric),
    /// A CPU pressure level or the quality word, as dictionary strings.
    Word(SampleField),
    /// Zoom's quality score.
    Score,
    Degraded,
    Flag(Flag),
    Mos(Stream),
}

/// The participant fields the samples carry, as dictionary strings.
const TEXT_FIELDS: [ParticipantField; 9] = [
    ParticipantField::UserName,
    ParticipantField::UserId,
    ParticipantField::NetworkType,
    ParticipantField::DataCenter,
    ParticipantField::Device,
    ParticipantField::Version,
    ParticipantField::Os,
    ParticipantField::Client,
    ParticipantField::DeviceName,
];

impl SampleColumn {
    fn field(self) -> Field {
        let (name, data_type, nullable) = match self {
            SampleColumn::Meeting => ("meeting".to_owned(), dictionary(), false),
            SampleColumn::Key => ("meeting_key".to_owned(), dictionary(), false),
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
            SampleColumn::Word(field) => (field.api_name().to_owned(), dictionary(), true),
            SampleColumn::Score => ("quality_score".to_owned(), DataType::Float64, true),
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
        let mut columns = vec![
            SampleColumn::Meeting,
            SampleColumn::Key,
            SampleColumn::Participant,
        ];
        columns.extend(TEXT_FIELDS.map(SampleColumn::Text));
        columns.push(SampleColumn::Time);
        for stream in Stream::ALL {
            for &metric in stream.metrics() {
                columns.push(SampleColumn::Metric(stream, metric));
                if metric == Metric::Resolution {
                    columns.push(SampleColumn::Width(stream));
                }
            }
        }
        columns.extend(CpuMetric::ALL.iter().map(|&m| SampleColumn::Cpu(m)));
        columns.extend(RssiMetric::ALL.iter().map(|&m| SampleColumn::Rssi(m)));
        columns.extend(SampleField::ALL.iter().map(|&field| match field {
            SampleField::QualityScore => SampleColumn::Score,
            word => SampleColumn::Word(word),
        }));
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
///
/// ```
/// use zoom_qos::export::Samples;
/// use zoom_qos::{Analysis, Decoder, Table};
///
/// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms", "jitter": "6 ms", "avg_loss": "0.3%"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": "210 ms"}}]}]}"#;
/// let mut table = Table::new();
/// Decoder::default().decode(&mut page.to_vec(), &mut table)?;
/// let analysis = Analysis::new();
/// // Flagged with the analysis's own thresholds, so the rows agree with its report.
/// let samples = Samples::new("standup", &table, analysis.flag_thresholds());
/// for (date, rows) in samples.by_date() {
///     let batch = samples.batch(&rows)?;
///     assert_eq!((date.to_string(), batch.num_rows()), ("2021-06-24".to_owned(), 2));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Samples<'t> {
    meeting: &'t str,
    key: &'t str,
    table: &'t Table,
    thresholds: Fixed,
    /// The participant entry of each row.
    participant_of_row: Vec<u32>,
}

impl<'t> Samples<'t> {
    /// The samples of `table`, named `meeting` (and identified by that name until
    /// [`identified_by`](Self::identified_by) says otherwise), with degradation flags by
    /// `thresholds` (as the report raises them).
    pub fn new(meeting: &'t str, table: &'t Table, thresholds: &Thresholds) -> Self {
        let mut participant_of_row = Vec::with_capacity(table.samples());
        for (index, participant) in table.participants().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            participant_of_row.extend(participant.rows().map(|_| index));
        }
        Samples {
            meeting,
            key: meeting,
            table,
            thresholds: thresholds.fixed(),
            participant_of_row,
        }
    }

    /// The meeting's identity in the `meeting_key` column: its UUID where known, else a
    /// stable key of its source. Two meetings may share a name, never a key.
    #[must_use]
    pub fn identified_by(mut self, key: &'t str) -> Self {
        self.key = key;
        self
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
            SampleColumn::Meeting => constant(self.meeting, rows.len()),
            SampleColumn::Key => constant(self.key, rows.len()),
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
                let cpu = table.cpu();
                Arc::new(Float64Array::from_iter(
                    each.map(|row| cpu.and_then(|c| c.value(metric, row))),
                ))
            }
            SampleColumn::Rssi(metric) => Arc::new(Int16Array::from_iter(
                each.map(|row| table.rssi_dbm(metric, row)),
            )),
            SampleColumn::Word(field) => {
                let mut values: Vec<&str> = Vec::new();
                let keys: Int32Array = each
                    .map(|row| {
                        let word = table.sample_word(field, row)?;
                        let key = match values.iter().position(|&w| w == word) {
                            Some(key) => key,
                            None => {
                                values.push(word);
                                values.len() - 1
                            }
                        };
                        i32::try_from(key).ok()
                    })
                    .collect();
                Arc::new(DictionaryArray::<Int32Type>::new(
                    keys,
                    Arc::new(StringArray::from(values)),
                ))
            }
            SampleColumn::Score => Arc::new(Float64Array::from_iter(
                each.map(|row| table.quality_score(row)),
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

/// A column of one string, `len` times, dictionary-encoded.
fn constant(text: &str, len: usize) -> ArrayRef {
    let keys = Int32Array::from(vec![0; len]);
    let values = Arc::new(StringArray::from(vec![text]));
    Arc::new(DictionaryArray::<Int32Type>::new(keys, values))
}
