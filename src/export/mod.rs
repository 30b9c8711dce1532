//! Arrow record batches (feature `arrow`): a meeting's samples, one row per sample, and the
//! meetings' headline numbers, one row per meeting, for Parquet and the engines that read
//! it (DuckDB, DataFusion, Spark). The samples also come value by value, column by column,
//! into a [`ColumnSink`] of the caller's, for a writer that encodes them as they come
//! (the `zoom-qos` command's Parquet files): the batches are built through the same calls.
//! The last stage: it reads the table and the analysis, and nothing in the crate reads it.
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

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use arrow_array::ArrayRef;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int16Builder, Int32Builder, StringDictionaryBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::types::Int32Type;
// The Arrow types this module's signatures use, so that an embedder needs no arrow crate
// of its own (nor to match this crate's exact version of one).
pub use arrow_array::RecordBatch;
pub use arrow_schema::{ArrowError, SchemaRef};
use arrow_schema::{DataType, Field};

mod meetings;
mod types;

pub use self::meetings::{MeetingRow, meetings_batch, meetings_schema};
use self::types::{MOS_STREAMS, dictionary, schema, timestamp};
use crate::aggregate::{SampleFacts, Thresholds};
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
/// of any choosing. To report the meeting too,
/// [`Analysis::meeting_and_samples`](crate::Analysis::meeting_and_samples) gives both,
/// from one computation of each sample's flags and MOS.
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
    /// Each row's flags and MOS.
    facts: SampleFacts,
    /// The participant entry of each row.
    participant_of_row: Vec<u32>,
}

impl<'t> Samples<'t> {
    /// The samples of `table`, named `meeting` (and identified by that name until
    /// [`identified_by`](Self::identified_by) says otherwise), with degradation flags by
    /// `thresholds` (as the report raises them).
    pub fn new(meeting: &'t str, table: &'t Table, thresholds: &Thresholds) -> Self {
        Self::with_facts(meeting, table, SampleFacts::of(table, &thresholds.fixed()))
    }

    /// [`new`](Self::new), with the samples' facts already computed (by the analysis that
    /// reports the same meeting).
    pub(crate) fn with_facts(meeting: &'t str, table: &'t Table, facts: SampleFacts) -> Self {
        let mut participant_of_row = Vec::with_capacity(table.samples());
        for (index, participant) in table.participants().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            participant_of_row.extend(participant.rows().map(|_| index));
        }
        Samples {
            meeting,
            key: meeting,
            table,
            facts,
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
        let mut built: Vec<Built> = samples_schema()
            .fields()
            .iter()
            .map(|field| Built::new(field.data_type(), rows.len()))
            .collect::<Result<_, _>>()?;
        self.columns_into(rows, &mut built)?;
        let columns = built
            .into_iter()
            .map(Built::finish)
            .collect::<Result<_, _>>()?;
        RecordBatch::try_new(samples_schema(), columns)
    }

    /// Each column's values of `rows` (table rows, in the order given) into its sink, in
    /// [`samples_schema`] order: what [`batch`](Self::batch) builds its arrays from, for
    /// a writer that encodes values as they come, with no array between (the `zoom-qos`
    /// command's Parquet files). Every sink is told of every row, once.
    ///
    /// ```
    /// use zoom_qos::export::{ColumnSink, Samples, samples_schema};
    /// use zoom_qos::{Analysis, Decoder, Table};
    ///
    /// /// Counts a column's rows with a value and without.
    /// #[derive(Default)]
    /// struct Count { values: usize, nulls: usize }
    ///
    /// impl ColumnSink for Count {
    ///     fn nulls(&mut self, rows: usize) { self.nulls += rows }
    ///     fn double(&mut self, _: f64) { self.values += 1 }
    ///     fn integer(&mut self, _: i64) { self.values += 1 }
    ///     fn text(&mut self, _: &str, rows: usize) { self.values += rows }
    ///     fn boolean(&mut self, _: bool) { self.values += 1 }
    /// }
    ///
    /// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": ""}}]}]}"#;
    /// let mut table = Table::new();
    /// Decoder::default().decode(&mut page.to_vec(), &mut table)?;
    /// let samples = Samples::new("standup", &table, Analysis::new().flag_thresholds());
    /// let mut counts: Vec<Count> = samples_schema().fields().iter().map(|_| Count::default()).collect();
    /// samples.columns_into(&[0, 1], &mut counts)?;
    /// let latency = samples_schema().index_of("audio_input_latency_ms")?;
    /// assert_eq!((counts[latency].values, counts[latency].nulls), (1, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A row out of the table's range, or not one sink per column
    /// ([`ArrowError::InvalidArgumentError`]); then no sink was told anything.
    pub fn columns_into<S: ColumnSink>(
        &self,
        rows: &[u32],
        sinks: &mut [S],
    ) -> Result<(), ArrowError> {
        if let Some(&row) = rows.iter().find(|&&r| r as usize >= self.table.samples()) {
            return Err(ArrowError::InvalidArgumentError(format!(
                "row {row} of a table of {} samples",
                self.table.samples()
            )));
        }
        if sinks.len() != sample_columns().len() {
            return Err(ArrowError::InvalidArgumentError(format!(
                "{} sinks for {} columns",
                sinks.len(),
                sample_columns().len()
            )));
        }
        if rows.is_empty() {
            return Ok(());
        }
        for (&column, sink) in sample_columns().iter().zip(sinks) {
            self.column_into(column, rows, sink);
        }
        Ok(())
    }

    fn column_into<S: ColumnSink>(&self, column: SampleColumn, rows: &[u32], sink: &mut S) {
        let table = self.table;
        let each = rows.iter().map(|&row| row as usize);
        match column {
            SampleColumn::Meeting => sink.text(self.meeting, rows.len()),
            SampleColumn::Key => sink.text(self.key, rows.len()),
            SampleColumn::Participant => {
                each.for_each(|row| sink.integer(i64::from(self.participant_of_row[row])));
            }
            SampleColumn::Text(field) => self.text_into(field, rows, sink),
            SampleColumn::Time => table.times_s(rows, |time| {
                integer_or_null(sink, time.map(|s| s.saturating_mul(1000)));
            }),
            SampleColumn::Metric(stream, metric) => {
                let Some(columns) = table.stream(stream) else {
                    return sink.nulls(rows.len());
                };
                if metric == Metric::Resolution {
                    each.for_each(|row| {
                        let height = columns.resolution(row).filter(|r| r.has_picture());
                        integer_or_null(sink, height.map(|r| i64::from(r.height_px)));
                    });
                } else {
                    let descriptor = metric.descriptor();
                    columns.gather(metric, rows, |stored| {
                        double_or_null(sink, stored.and_then(|s| descriptor.to_report_unit(s)));
                    });
                }
            }
            SampleColumn::Width(stream) => match table.stream(stream) {
                Some(columns) => each.for_each(|row| {
                    let width = columns.resolution(row).filter(|r| r.has_picture());
                    integer_or_null(sink, width.map(|r| i64::from(r.width_px)));
                }),
                None => sink.nulls(rows.len()),
            },
            SampleColumn::Cpu(metric) => match table.cpu() {
                Some(cpu) => each.for_each(|row| double_or_null(sink, cpu.value(metric, row))),
                None => sink.nulls(rows.len()),
            },
            SampleColumn::Rssi(metric) if table.has_rssi() => each.for_each(|row| {
                integer_or_null(sink, table.rssi_dbm(metric, row).map(i64::from));
            }),
            SampleColumn::Rssi(_) => sink.nulls(rows.len()),
            SampleColumn::Word(field) => each.for_each(|row| match table.sample_word(field, row) {
                Some(word) => sink.text(word, 1),
                None => sink.nulls(1),
            }),
            SampleColumn::Score => {
                each.for_each(|row| double_or_null(sink, table.quality_score(row)));
            }
            SampleColumn::Degraded => {
                each.for_each(|row| sink.boolean(self.facts.flags[row].any()));
            }
            SampleColumn::Flag(flag) => {
                each.for_each(|row| sink.boolean(self.facts.flags[row].has(flag)));
            }
            SampleColumn::Mos(stream) => {
                each.for_each(|row| double_or_null(sink, self.facts.mos(stream, row)));
            }
        }
    }

    /// A participant text field: told once per run of rows of one participant entry
    /// (an entry's rows are contiguous); `""` (absent) is null.
    fn text_into<S: ColumnSink>(&self, field: ParticipantField, rows: &[u32], sink: &mut S) {
        let entry_of = |row: u32| self.participant_of_row[row as usize];
        let mut rest = rows;
        while let Some(&first) = rest.first() {
            let entry = entry_of(first);
            let run = rest.iter().take_while(|&&r| entry_of(r) == entry).count();
            let text = self
                .table
                .participant(entry as usize)
                .map_or("", |p| p.field(field));
            if text.is_empty() {
                sink.nulls(run);
            } else {
                sink.text(text, run);
            }
            rest = &rest[run..];
        }
    }
}

fn double_or_null(sink: &mut impl ColumnSink, value: Option<f64>) {
    match value {
        Some(value) => sink.double(value),
        None => sink.nulls(1),
    }
}

fn integer_or_null(sink: &mut impl ColumnSink, value: Option<i64>) {
    match value {
        Some(value) => sink.integer(value),
        None => sink.nulls(1),
    }
}

/// Where [`Samples::columns_into`] puts one column's values, row after row. Each call is
/// of the kind the column's type in [`samples_schema`] takes: `Float64` doubles,
/// `Int32`/`Int16`/timestamp integers, dictionary strings text, `Boolean` booleans;
/// nulls only in nullable columns.
pub trait ColumnSink {
    /// `rows` rows without a value.
    fn nulls(&mut self, rows: usize);
    /// A `Float64` value, in the column's report unit.
    fn double(&mut self, value: f64);
    /// An `Int32` or `Int16` value, or a timestamp's milliseconds since the epoch.
    fn integer(&mut self, value: i64);
    /// A string, the value of `rows` rows in a row.
    fn text(&mut self, value: &str, rows: usize);
    /// A `Boolean` value.
    fn boolean(&mut self, value: bool);
}

/// A column's Arrow array being built from [`ColumnSink`] calls (by [`Samples::batch`]).
enum Built {
    Double(Float64Builder),
    Int32(Int32Builder),
    Int16(Int16Builder),
    Time(TimestampMillisecondBuilder),
    Text(StringDictionaryBuilder<Int32Type>),
    Boolean(BooleanBuilder),
    /// A call of another kind than the column's type, or a value out of its range.
    Failed(&'static str),
}

impl Built {
    fn new(data_type: &DataType, rows: usize) -> Result<Built, ArrowError> {
        Ok(match data_type {
            DataType::Float64 => Built::Double(Float64Builder::with_capacity(rows)),
            DataType::Int32 => Built::Int32(Int32Builder::with_capacity(rows)),
            DataType::Int16 => Built::Int16(Int16Builder::with_capacity(rows)),
            DataType::Timestamp(..) => {
                Built::Time(TimestampMillisecondBuilder::with_capacity(rows).with_timezone("UTC"))
            }
            DataType::Dictionary(..) => Built::Text(StringDictionaryBuilder::new()),
            DataType::Boolean => Built::Boolean(BooleanBuilder::with_capacity(rows)),
            other => {
                return Err(ArrowError::NotYetImplemented(format!(
                    "a sample column of type {other}"
                )));
            }
        })
    }

    fn finish(self) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Built::Double(mut b) => Arc::new(b.finish()),
            Built::Int32(mut b) => Arc::new(b.finish()),
            Built::Int16(mut b) => Arc::new(b.finish()),
            Built::Time(mut b) => Arc::new(b.finish()),
            Built::Text(mut b) => Arc::new(b.finish()),
            Built::Boolean(mut b) => Arc::new(b.finish()),
            Built::Failed(why) => return Err(ArrowError::ComputeError(why.to_owned())),
        })
    }

    fn fail(&mut self, why: &'static str) {
        if !matches!(self, Built::Failed(_)) {
            *self = Built::Failed(why);
        }
    }
}

impl ColumnSink for Built {
    fn nulls(&mut self, rows: usize) {
        match self {
            Built::Double(b) => b.append_nulls(rows),
            Built::Int32(b) => b.append_nulls(rows),
            Built::Int16(b) => b.append_nulls(rows),
            Built::Time(b) => b.append_nulls(rows),
            Built::Text(b) => b.append_nulls(rows),
            Built::Boolean(b) => b.append_nulls(rows),
            Built::Failed(_) => {}
        }
    }

    fn double(&mut self, value: f64) {
        match self {
            Built::Double(b) => b.append_value(value),
            _ => self.fail("a double in a column of another type"),
        }
    }

    fn integer(&mut self, value: i64) {
        match self {
            Built::Int32(b) => match i32::try_from(value) {
                Ok(value) => b.append_value(value),
                Err(_) => self.fail("an integer out of a 32-bit column's range"),
            },
            Built::Int16(b) => match i16::try_from(value) {
                Ok(value) => b.append_value(value),
                Err(_) => self.fail("an integer out of a 16-bit column's range"),
            },
            Built::Time(b) => b.append_value(value),
            _ => self.fail("an integer in a column of another type"),
        }
    }

    fn text(&mut self, value: &str, rows: usize) {
        match self {
            Built::Text(b) => {
                if b.append_n(value, rows).is_err() {
                    self.fail("more distinct strings than 32-bit dictionary keys");
                }
            }
            _ => self.fail("a string in a column of another type"),
        }
    }

    fn boolean(&mut self, value: bool) {
        match self {
            Built::Boolean(b) => b.append_value(value),
            _ => self.fail("a boolean in a column of another type"),
        }
    }
}
