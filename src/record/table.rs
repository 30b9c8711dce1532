//! The meeting table (struct of arrays) and the row writer that every decode route fills
//! it through, so that units, missing values and diagnostics are handled in one place.

use core::ops::Range;

use super::column::Column;
use crate::error::{Error, ErrorKind, Field, InvalidValue, Location};
use crate::schema::{CpuMetric, Metric, ParticipantField, RssiMetric, Stream};
use crate::units::{self, UnitError};

/// How pages are decoded: leniency and how many invalid values are kept for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeConfig {
    strict: bool,
    keep_invalid: usize,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            strict: false,
            keep_invalid: 16,
        }
    }
}

impl DecodeConfig {
    /// The default: lenient, keeping the first 16 invalid values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Strict mode: the first invalid value fails the page with its location. Off by
    /// default, because one odd value in a minute of data should not hide the meeting: in
    /// lenient mode it becomes missing and is counted.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// How many invalid values the table keeps with their text and location (all are
    /// counted). Default 16: enough to show someone what is wrong, bounded for hostile input.
    pub fn keep_invalid(mut self, count: usize) -> Self {
        self.keep_invalid = count;
        self
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }
}

/// Invalid values seen while decoding into a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    invalid_values: u64,
    kept: Vec<InvalidValue>,
}

impl Diagnostics {
    /// How many metric, CPU, Wi-Fi or time values were neither blank nor a valid spelling.
    pub fn invalid_values(&self) -> u64 {
        self.invalid_values
    }

    /// The first invalid values, with their location and text (see
    /// [`DecodeConfig::keep_invalid`]).
    pub fn first_invalid(&self) -> &[InvalidValue] {
        &self.kept
    }
}

/// The columns of one stream, in fixed point (see [`crate::units`] for each unit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamColumns {
    /// Indexed by `Metric::index()`; the picture metrics of audio streams stay empty.
    columns: [Column; Metric::COUNT],
}

impl StreamColumns {
    fn empty() -> Self {
        StreamColumns {
            columns: core::array::from_fn(|i| Column::for_metric(Metric::ALL[i])),
        }
    }

    /// A metric's stored value at `row`, in the stored unit of the metric:
    /// bitrate in bit/s, latency and jitter in 10 µs, loss in basis points, frame rate in
    /// 0.01 fps, resolution as `width << 16 | height` pixels. `None` where missing.
    pub fn raw(&self, metric: Metric, row: usize) -> Option<u32> {
        self.columns[metric.index()].get(row)
    }

    /// A metric's value at `row` in its report unit ([`Metric::report_name`]): kbps, ms,
    /// %, fps, or the resolution's height in pixels. `None` where missing, and for a
    /// resolution of `0*0` (no picture).
    pub fn value(&self, metric: Metric, row: usize) -> Option<f64> {
        self.raw(metric, row)
            .and_then(|raw| to_report_unit(metric, raw))
    }

    /// A resolution at `row` as `(width, height)` pixels; `(0, 0)` is "no picture".
    pub fn resolution_px(&self, row: usize) -> Option<(u16, u16)> {
        self.raw(Metric::Resolution, row)
            .map(|packed| ((packed >> 16) as u16, (packed & 0xFFFF) as u16))
    }

    pub(crate) fn column(&self, metric: Metric) -> &Column {
        &self.columns[metric.index()]
    }

    /// Sets the length of the stream's metric columns to `rows` (new rows missing).
    fn resize(&mut self, stream: Stream, rows: usize) {
        for metric in stream.metrics() {
            self.columns[metric.index()].resize(rows);
        }
    }
}

/// Converts a stored fixed-point value to its report unit; `None` for a `0*0` resolution.
pub fn to_report_unit(metric: Metric, raw: u32) -> Option<f64> {
    let value = f64::from(raw);
    match metric {
        Metric::Bitrate => Some(value / 1000.0),
        Metric::Latency | Metric::Jitter | Metric::AvgLoss | Metric::MaxLoss => Some(value / 100.0),
        Metric::FrameRate => Some(value / 100.0),
        Metric::Resolution => (raw != 0).then_some(f64::from(raw & 0xFFFF)),
    }
}

/// A participant entry: metadata once, and the rows of its samples.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ParticipantRow {
    page: u32,
    index_in_page: u32,
    rows: Range<u32>,
    /// Byte ranges into `Table::text`, indexed by `ParticipantField::index()`.
    text: [(u32, u32); ParticipantField::COUNT],
}

/// The QoS of one meeting in struct-of-arrays form: one row per `user_qos` sample, one
/// column per (stream, metric), plus time, CPU and Wi-Fi columns. Participants own a
/// contiguous range of rows, in input order. Pages of one meeting append to the same table.
///
/// A stream (or `cpu_usage`, `wifi_rssi`) *appears* from the first sample that has it as
/// an object; earlier rows read as missing. A table can be [`clear`](Table::clear)ed and
/// reused: it keeps its allocations (and the widths its columns grew to), so decoding into
/// it again allocates nothing per sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    rows: usize,
    pages: u32,
    time_s: Vec<i64>,
    streams: [StreamColumns; Stream::COUNT],
    stream_present: [bool; Stream::COUNT],
    cpu: [Column; CpuMetric::COUNT],
    cpu_present: bool,
    rssi_dbm: [Vec<i16>; RssiMetric::COUNT],
    rssi_present: bool,
    participants: Vec<ParticipantRow>,
    text: String,
    diagnostics: Diagnostics,
}

/// The "missing" sentinel of the time column.
const MISSING_TIME: i64 = i64::MIN;
/// The "missing" sentinel of the Wi-Fi columns.
const MISSING_RSSI: i16 = i16::MIN;

impl Default for Table {
    fn default() -> Self {
        Table {
            rows: 0,
            pages: 0,
            time_s: Vec::new(),
            streams: core::array::from_fn(|_| StreamColumns::empty()),
            stream_present: [false; Stream::COUNT],
            cpu: core::array::from_fn(|_| Column::for_cpu()),
            cpu_present: false,
            rssi_dbm: Default::default(),
            rssi_present: false,
            participants: Vec::new(),
            text: String::new(),
            diagnostics: Diagnostics::default(),
        }
    }
}

impl Table {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the table, keeping its allocations for the next meeting.
    pub fn clear(&mut self) {
        Mark::empty().restore(self);
        self.pages = 0;
    }

    /// Number of samples (rows).
    pub fn samples(&self) -> usize {
        self.rows
    }

    /// Number of pages added.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Number of participant entries (the same person joining twice is two entries).
    pub fn participant_count(&self) -> usize {
        self.participants.len()
    }

    /// The participants, in input order.
    pub fn participants(&self) -> impl ExactSizeIterator<Item = ParticipantRef<'_>> + '_ {
        (0..self.participants.len()).map(move |index| ParticipantRef { table: self, index })
    }

    /// Sample time at `row`, in seconds since the Unix epoch.
    pub fn time_s(&self, row: usize) -> Option<i64> {
        self.time_s.get(row).copied().filter(|&t| t != MISSING_TIME)
    }

    /// The columns of a stream, if any sample had it as an object.
    pub fn stream(&self, stream: Stream) -> Option<&StreamColumns> {
        self.stream_present[stream.index()].then(|| &self.streams[stream.index()])
    }

    /// The streams that appear, in [`Stream::ALL`] order.
    pub fn streams(&self) -> impl Iterator<Item = (Stream, &StreamColumns)> + '_ {
        Stream::ALL
            .iter()
            .filter_map(|&s| self.stream(s).map(|columns| (s, columns)))
    }

    /// A CPU field at `row`, in basis points (0.01 %).
    pub fn cpu_bp(&self, metric: CpuMetric, row: usize) -> Option<u16> {
        let value = self.cpu_column(metric)?.get(row)?;
        u16::try_from(value).ok()
    }

    /// Whether any sample had a `cpu_usage` object.
    pub fn has_cpu(&self) -> bool {
        self.cpu_present
    }

    pub(crate) fn cpu_column(&self, metric: CpuMetric) -> Option<&Column> {
        self.cpu_present.then(|| &self.cpu[metric.index()])
    }

    /// A Wi-Fi signal field at `row`, in dBm.
    pub fn rssi_dbm(&self, metric: RssiMetric, row: usize) -> Option<i16> {
        let value = *self.rssi_dbm[metric.index()].get(row)?;
        (value != MISSING_RSSI).then_some(value)
    }

    /// Whether any sample had a `wifi_rssi` object.
    pub fn has_rssi(&self) -> bool {
        self.rssi_present
    }

    /// Invalid values met while decoding.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Bytes the sample columns take per row (time, streams, CPU, Wi-Fi), not counting
    /// spare capacity or participant metadata.
    pub fn bytes_per_sample(&self) -> usize {
        let streams: usize = self
            .streams()
            .map(|(stream, columns)| {
                stream
                    .metrics()
                    .iter()
                    .map(|m| columns.column(*m).width())
                    .sum::<usize>()
            })
            .sum();
        let cpu = if self.cpu_present {
            self.cpu.iter().map(Column::width).sum()
        } else {
            0
        };
        let rssi = if self.rssi_present {
            core::mem::size_of::<i16>() * RssiMetric::COUNT
        } else {
            0
        };
        core::mem::size_of::<i64>() + streams + cpu + rssi
    }

    /// Checks the table's internal consistency: every present column holds one value per
    /// sample, participants own contiguous increasing row ranges that cover the rows, and
    /// text ranges lie in the text. For tests and fuzzing; a failure is a bug in this crate.
    ///
    /// # Errors
    /// What is inconsistent.
    pub fn check_invariants(&self) -> Result<(), String> {
        let rows = self.rows;
        if self.time_s.len() != rows {
            return Err(format!(
                "time column has {} rows, table {rows}",
                self.time_s.len()
            ));
        }
        for (stream, columns) in self.streams() {
            for metric in stream.metrics() {
                let len = columns.column(*metric).len();
                if len != rows {
                    return Err(format!("{stream}.{metric} has {len} rows, table {rows}"));
                }
            }
        }
        if self.cpu_present && self.cpu.iter().any(|c| c.len() != rows) {
            return Err("a cpu column's length differs from the table's".into());
        }
        if self.rssi_present && self.rssi_dbm.iter().any(|c| c.len() != rows) {
            return Err("a wifi column's length differs from the table's".into());
        }
        let mut next = 0;
        for (index, participant) in self.participants.iter().enumerate() {
            let (start, end) = (
                participant.rows.start as usize,
                participant.rows.end as usize,
            );
            if start != next || end < start {
                return Err(format!(
                    "participant {index} owns rows {start}..{end}, expected to start at {next}"
                ));
            }
            next = end;
            let text_ok = participant
                .text
                .iter()
                .all(|&(s, e)| s <= e && (e as usize) <= self.text.len());
            if !text_ok {
                return Err(format!(
                    "participant {index} has a text range outside the text"
                ));
            }
        }
        if next != rows {
            return Err(format!("participants own {next} rows, table has {rows}"));
        }
        Ok(())
    }

    /// Sets every column's length: `rows` (new rows missing) for the time column and the
    /// present columns, 0 for the others.
    fn resize_columns(&mut self, rows: usize) {
        self.time_s.resize(rows, MISSING_TIME);
        for (index, columns) in self.streams.iter_mut().enumerate() {
            let present = self.stream_present[index];
            columns.resize(Stream::ALL[index], if present { rows } else { 0 });
        }
        let cpu_rows = if self.cpu_present { rows } else { 0 };
        self.cpu.iter_mut().for_each(|c| c.resize(cpu_rows));
        let rssi_rows = if self.rssi_present { rows } else { 0 };
        self.rssi_dbm
            .iter_mut()
            .for_each(|c| c.resize(rssi_rows, MISSING_RSSI));
    }

    /// Writes one page through `write`, atomically: on error the table is as it was.
    pub(crate) fn write_page<T>(
        &mut self,
        config: &DecodeConfig,
        write: impl FnOnce(&mut PageWriter<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mark = Mark::of(self);
        let mut writer = PageWriter {
            page: self.pages,
            allocated_rows: self.rows,
            table: self,
            config,
            participant: 0,
            sample: 0,
        };
        match write(&mut writer) {
            Ok(value) => {
                // Cut the last block of rows to the rows written.
                self.resize_columns(self.rows);
                self.pages += 1;
                Ok(value)
            }
            Err(error) => {
                mark.restore(self);
                Err(error)
            }
        }
    }
}

/// A participant of a table.
#[derive(Clone, Copy, Debug)]
pub struct ParticipantRef<'t> {
    table: &'t Table,
    index: usize,
}

impl<'t> ParticipantRef<'t> {
    fn row(&self) -> &'t ParticipantRow {
        &self.table.participants[self.index]
    }

    /// A text field; `""` when absent, `null` or not a string.
    pub fn field(&self, field: ParticipantField) -> &'t str {
        let (start, end) = self.row().text[field.index()];
        self.table
            .text
            .get(start as usize..end as usize)
            .unwrap_or("")
    }

    /// `user_id`.
    pub fn user_id(&self) -> &'t str {
        self.field(ParticipantField::UserId)
    }

    /// `user_name`.
    pub fn user_name(&self) -> &'t str {
        self.field(ParticipantField::UserName)
    }

    /// The table rows of this participant's samples.
    pub fn rows(&self) -> Range<usize> {
        let rows = &self.row().rows;
        rows.start as usize..rows.end as usize
    }

    /// Index of the page it came from, and its index in that page's `participants`.
    pub fn source(&self) -> (u32, u32) {
        (self.row().page, self.row().index_in_page)
    }
}

/// A table's lengths, to undo a page that failed half-way.
struct Mark {
    rows: usize,
    participants: usize,
    text: usize,
    stream_present: [bool; Stream::COUNT],
    cpu_present: bool,
    rssi_present: bool,
    invalid_values: u64,
    kept_invalid: usize,
}

impl Mark {
    fn of(table: &Table) -> Mark {
        Mark {
            rows: table.rows,
            participants: table.participants.len(),
            text: table.text.len(),
            stream_present: table.stream_present,
            cpu_present: table.cpu_present,
            rssi_present: table.rssi_present,
            invalid_values: table.diagnostics.invalid_values,
            kept_invalid: table.diagnostics.kept.len(),
        }
    }

    fn empty() -> Mark {
        Mark {
            rows: 0,
            participants: 0,
            text: 0,
            stream_present: [false; Stream::COUNT],
            cpu_present: false,
            rssi_present: false,
            invalid_values: 0,
            kept_invalid: 0,
        }
    }

    /// Cuts every column back to the mark; what appeared since disappears.
    fn restore(self, table: &mut Table) {
        table.rows = self.rows;
        table.stream_present = self.stream_present;
        table.cpu_present = self.cpu_present;
        table.rssi_present = self.rssi_present;
        table.resize_columns(self.rows);
        table.participants.truncate(self.participants);
        table.text.truncate(self.text);
        table.diagnostics.invalid_values = self.invalid_values;
        table.diagnostics.kept.truncate(self.kept_invalid);
    }
}

/// A metric value as it stands in the JSON, before unit parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    /// A string.
    Text(&'a str),
    /// A JSON number, as its text (only Wi-Fi fields take numbers).
    Number(RawNumber),
    /// `null`: missing.
    Null,
    /// Any other JSON type, named for the diagnostics.
    Other(&'static str),
}

/// A JSON number as the parsers give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawNumber {
    Int(i64),
    /// An `f64`'s bits (so that the enum stays `Eq`).
    Float(u64),
}

/// Writes the rows of one page. Every decode route (the tape walk, the serde views) calls
/// it in document order: participants, and inside each its fields and samples.
pub(crate) struct PageWriter<'t> {
    table: &'t mut Table,
    config: &'t DecodeConfig,
    page: u32,
    participant: u32,
    sample: u32,
    /// The length of the time column and the present columns while the page is written:
    /// rows are added in blocks of [`ROW_BLOCK`], and the page's end cuts them to
    /// `table.rows`.
    allocated_rows: usize,
}

/// Rows added to the columns at a time: one resize per column per block is much cheaper
/// than one push per column per sample.
const ROW_BLOCK: usize = 64;

impl PageWriter<'_> {
    /// Opens the next participant of the page.
    pub(crate) fn begin_participant(&mut self) -> Result<(), Error> {
        let row = u32::try_from(self.table.rows).map_err(|_| too_many_rows())?;
        self.table.participants.push(ParticipantRow {
            page: self.page,
            index_in_page: self.participant,
            rows: row..row,
            text: [(0, 0); ParticipantField::COUNT],
        });
        self.sample = 0;
        Ok(())
    }

    /// Closes the open participant.
    pub(crate) fn end_participant(&mut self) {
        self.participant += 1;
    }

    /// Sets a text field of the open participant.
    pub(crate) fn participant_text(&mut self, field: ParticipantField, value: &str) {
        let start = self.table.text.len();
        self.table.text.push_str(value);
        let end = self.table.text.len();
        if let (Some(row), Ok(start), Ok(end)) = (
            self.table.participants.last_mut(),
            u32::try_from(start),
            u32::try_from(end),
        ) {
            row.text[field.index()] = (start, end);
        } else {
            // Over 4 GiB of names: keep the field empty rather than wrap.
            self.table.text.truncate(start);
        }
    }

    /// Adds a row for the next sample of the open participant, all missing.
    pub(crate) fn begin_sample(&mut self) -> Result<(), Error> {
        let table = &mut *self.table;
        let end = u32::try_from(table.rows + 1).map_err(|_| too_many_rows())?;
        if table.rows == self.allocated_rows {
            self.allocated_rows += ROW_BLOCK;
            table.resize_columns(self.allocated_rows);
        }
        table.rows += 1;
        if let Some(row) = table.participants.last_mut() {
            row.rows.end = end;
        }
        Ok(())
    }

    /// The row of the open sample.
    fn row(&self) -> usize {
        // Before any sample this is usize::MAX, a row no column has: writes are ignored.
        self.table.rows.wrapping_sub(1)
    }

    /// Closes the open sample.
    pub(crate) fn end_sample(&mut self) {
        self.sample += 1;
    }

    /// The sample's `date_time`.
    pub(crate) fn time(&mut self, raw: Raw<'_>) -> Result<(), Error> {
        let parsed = text_value(raw, UnitError::ExpectedTimestamp, units::timestamp_s);
        let row = self.row();
        if let (Some(t), Some(cell)) = (
            self.settle(Field::DateTime, raw, parsed)?,
            self.table.time_s.get_mut(row),
        ) {
            *cell = t;
        }
        Ok(())
    }

    /// Marks a stream as present (an object) in the open sample.
    pub(crate) fn stream(&mut self, stream: Stream) {
        let table = &mut *self.table;
        if !table.stream_present[stream.index()] {
            table.stream_present[stream.index()] = true;
            table.resize_columns(self.allocated_rows);
        }
    }

    /// A metric of a present stream. Picture metrics of audio streams are ignored.
    #[inline(always)]
    pub(crate) fn metric(
        &mut self,
        stream: Stream,
        metric: Metric,
        raw: Raw<'_>,
    ) -> Result<(), Error> {
        // `""`, Zoom's "no data", is common (a stream that is off sends a block of them)
        // and the row already reads missing: skip the call that would parse it.
        if matches!(raw, Raw::Text("")) {
            return Ok(());
        }
        self.metric_value(stream, metric, raw)
    }

    fn metric_value(&mut self, stream: Stream, metric: Metric, raw: Raw<'_>) -> Result<(), Error> {
        if !stream.has_picture() && matches!(metric, Metric::FrameRate | Metric::Resolution) {
            return Ok(());
        }
        let parsed = text_value(raw, UnitError::ExpectedNumber, |text| {
            parse_metric(metric, text)
        });
        if let Some(value) = self.settle(Field::Metric(stream, metric), raw, parsed)? {
            let row = self.row();
            self.table.streams[stream.index()].columns[metric.index()].set(row, value);
        }
        Ok(())
    }

    /// Marks `cpu_usage` as present in the open sample.
    pub(crate) fn cpu_block(&mut self) {
        let table = &mut *self.table;
        if !table.cpu_present {
            table.cpu_present = true;
            table.resize_columns(self.allocated_rows);
        }
    }

    /// A `cpu_usage` field of the open sample (after [`cpu_block`](Self::cpu_block)).
    pub(crate) fn cpu(&mut self, metric: CpuMetric, raw: Raw<'_>) -> Result<(), Error> {
        let parsed = text_value(raw, UnitError::ExpectedNumber, units::cpu_bp);
        if let Some(value) = self.settle(Field::Cpu(metric), raw, parsed)? {
            let row = self.row();
            self.table.cpu[metric.index()].set(row, u32::from(value));
        }
        Ok(())
    }

    /// Marks `wifi_rssi` as present in the open sample.
    pub(crate) fn rssi_block(&mut self) {
        let table = &mut *self.table;
        if !table.rssi_present {
            table.rssi_present = true;
            table.resize_columns(self.allocated_rows);
        }
    }

    /// A `wifi_rssi` field (a JSON number of dBm) of the open sample.
    pub(crate) fn rssi(&mut self, metric: RssiMetric, raw: Raw<'_>) -> Result<(), Error> {
        let dbm = match raw {
            Raw::Number(RawNumber::Int(n)) => i16::try_from(n).ok().filter(|&n| n != MISSING_RSSI),
            Raw::Number(RawNumber::Float(bits)) => {
                let x = f64::from_bits(bits).round();
                // In range, so the cast is exact.
                (x > f64::from(MISSING_RSSI) && x <= f64::from(i16::MAX)).then_some(x as i16)
            }
            Raw::Null => return Ok(()),
            Raw::Text(text) if units::is_blank(text.as_bytes()) => return Ok(()),
            Raw::Text(_) | Raw::Other(_) => None,
        };
        match dbm {
            Some(dbm) => {
                let row = self.row();
                if let Some(cell) = self.table.rssi_dbm[metric.index()].get_mut(row) {
                    *cell = dbm;
                }
                Ok(())
            }
            None => self.invalid(
                Field::Rssi(metric),
                raw,
                UnitError::OutOfRange("a JSON number from -32767 to 32767 dBm"),
            ),
        }
    }

    /// A parsed value to store, `None` for a missing one; an invalid one is counted (or
    /// fails the page in strict mode) and reads as missing.
    fn settle<T>(
        &mut self,
        field: Field,
        raw: Raw<'_>,
        parsed: units::UnitResult<T>,
    ) -> Result<Option<T>, Error> {
        match parsed {
            Ok(value) => Ok(value),
            Err(error) => self.invalid(field, raw, error).map(|()| None),
        }
    }

    /// Counts an invalid value, or fails on it in strict mode.
    #[cold]
    fn invalid(&mut self, field: Field, raw: Raw<'_>, error: UnitError) -> Result<(), Error> {
        let location = Location {
            page: self.page,
            participant: self.participant,
            sample: self.sample,
            field,
        };
        let text_storage;
        let text = match raw {
            Raw::Text(text) => text,
            Raw::Number(RawNumber::Int(n)) => {
                text_storage = n.to_string();
                &text_storage
            }
            Raw::Number(RawNumber::Float(bits)) => {
                text_storage = f64::from_bits(bits).to_string();
                &text_storage
            }
            Raw::Null => "null",
            Raw::Other(kind) => kind,
        };
        if self.config.strict {
            return Err(ErrorKind::InvalidValue(InvalidValue::new(location, text, error)).into());
        }
        let diagnostics = &mut self.table.diagnostics;
        diagnostics.invalid_values += 1;
        if diagnostics.kept.len() < self.config.keep_invalid {
            diagnostics
                .kept
                .push(InvalidValue::new(location, text, error));
        }
        Ok(())
    }
}

/// A value that must be a string: parsed with `parse`; `null` is missing; another JSON
/// type is `not_text`.
fn text_value<T>(
    raw: Raw<'_>,
    not_text: UnitError,
    parse: impl FnOnce(&[u8]) -> units::UnitResult<T>,
) -> units::UnitResult<T> {
    match raw {
        Raw::Text(text) => parse(text.as_bytes()),
        Raw::Null => Ok(None),
        Raw::Number(_) | Raw::Other(_) => Err(not_text),
    }
}

/// Parses a metric string into its stored fixed-point value.
pub(crate) fn parse_metric(metric: Metric, text: &[u8]) -> Result<Option<u32>, UnitError> {
    match metric {
        Metric::Bitrate => units::bitrate_bps(text),
        Metric::Latency | Metric::Jitter => units::millis_10us(text),
        Metric::AvgLoss | Metric::MaxLoss => units::loss_bp(text).map(|v| v.map(u32::from)),
        Metric::FrameRate => units::frame_rate_cfps(text).map(|v| v.map(u32::from)),
        Metric::Resolution => {
            units::resolution_px(text).map(|v| v.map(|(w, h)| (u32::from(w) << 16) | u32::from(h)))
        }
    }
}

#[cold]
fn too_many_rows() -> Error {
    Error::config("a meeting table holds at most 4 294 967 294 samples")
}
