//! The row writer: every decode route (the tape walk, the serde views) fills a [`Table`]
//! through it, in document order, so that units, missing values and diagnostics are
//! handled in one place.

use super::config::DecodeConfig;
use super::summary::{SummaryRow, SummaryValue};
use super::table::{Group, MAX_WORDS, Mark, PageChain, ParticipantRow, Table, time_to_stored};
use crate::descriptor::DBM_RANGE;
use crate::error::{Error, ErrorKind, Field, InvalidValue, Location};
use crate::schema::{
    CpuMetric, Metric, ParticipantField, RssiMetric, SampleField, Stream, SummaryKey, SummaryType,
};
use crate::units::{self, UnitError};

impl Table {
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
            recent_words: [[None; RECENT_WORDS]; SampleField::COUNT],
        };
        // A page that says nothing of its chain is a whole one (the single-participant
        // answer, a hand-made page).
        writer.table.last_page = PageChain::default();
        match write(&mut writer) {
            Ok(value) => {
                // Cut the last block of rows to the rows written.
                self.resize_groups(self.rows);
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

/// A metric value as it stands in the JSON, before unit parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonScalar<'a> {
    /// A string.
    Text(&'a str),
    /// A JSON number (only Wi-Fi fields take numbers).
    Number(JsonNumber),
    /// `null`: missing.
    Null,
    /// Any other JSON type, named for the diagnostics.
    Other(&'static str),
}

/// A JSON number as the parsers give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonNumber {
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
    /// Each word field's latest codes, the latest first: the words a minute most likely
    /// repeats.
    recent_words: [[Option<usize>; RECENT_WORDS]; SampleField::COUNT],
}

/// Words remembered per word field, the latest first: Zoom's pressure levels and quality
/// words are four each.
const RECENT_WORDS: usize = 4;

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

    /// What the page says of its chain: whether a next page follows, and the entries of
    /// the whole chain.
    pub(crate) fn page_chain(&mut self, has_next_page: bool, total_records: Option<u64>) {
        self.table.last_page = PageChain {
            has_next_page,
            total_records,
        };
    }

    /// A participant's key with a text value: the field it fills (see
    /// [`ParticipantField::of_key`]; an alias fills only a field still empty).
    pub(crate) fn participant_key(&mut self, key: &str, value: &str) {
        let Some((field, alias)) = ParticipantField::of_key(key) else {
            return;
        };
        let filled = self
            .table
            .participants
            .last()
            .is_some_and(|row| row.text[field.index()] != (0, 0));
        if !(alias && filled) {
            self.participant_text(field, value);
        }
    }

    /// The open participant's `user_qos` is one object, not a list: counted, and read as
    /// one sample; strict mode refuses it.
    pub(crate) fn user_qos_object(&mut self, path: impl FnOnce() -> String) -> Result<(), Error> {
        if self.config.strict {
            return Err(Error::shape(path(), "a list", "an object"));
        }
        self.table.diagnostics.user_qos_objects += 1;
        Ok(())
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
            table.resize_groups(self.allocated_rows);
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
    pub(crate) fn time(&mut self, value: JsonScalar<'_>) -> Result<(), Error> {
        let parsed = text_value(value, UnitError::ExpectedTimestamp, units::timestamp_s);
        if let Some(t) = self.settle(Field::DateTime, value, parsed)? {
            self.set(Group::Time, 0, time_to_stored(t));
        }
        Ok(())
    }

    /// Marks a group (a stream, `cpu_usage`, `wifi_rssi`) as present in the open sample:
    /// it was an object.
    #[inline]
    pub(crate) fn open_group(&mut self, group: Group) {
        self.table.open_group(group, self.allocated_rows);
    }

    /// Stores a value in a column of a group at the open sample's row.
    #[inline(always)]
    fn set(&mut self, group: Group, column: usize, stored: u64) {
        let row = self.row();
        if let Some(column) = self.table.groups[group.index()]
            .columns_mut()
            .get_mut(column)
        {
            column.set(row, stored);
        }
    }

    /// A metric of a present stream. Picture metrics of audio streams are ignored.
    #[inline(always)]
    pub(crate) fn metric(
        &mut self,
        stream: Stream,
        metric: Metric,
        value: JsonScalar<'_>,
    ) -> Result<(), Error> {
        match value {
            // `""`, Zoom's "no data", is common (a stream that is off sends a block of
            // them) and the row already reads missing: skip the call that would parse it.
            JsonScalar::Text("") => Ok(()),
            // The text alone is passed: in registers, not as a `JsonScalar` in memory.
            JsonScalar::Text(text) => self.metric_text(stream, metric, text),
            other => self.metric_not_text(stream, metric, other),
        }
    }

    fn metric_text(&mut self, stream: Stream, metric: Metric, text: &str) -> Result<(), Error> {
        if !keeps(stream, metric) {
            return Ok(());
        }
        let parsed = metric.descriptor().parser.parse(text.as_bytes());
        let field = Field::Metric(stream, metric);
        if let Some(stored) = self.settle(field, JsonScalar::Text(text), parsed)? {
            self.set(Group::Stream(stream), metric.index(), u64::from(stored));
        }
        Ok(())
    }

    /// A metric that is not a string: `null` is missing, anything else invalid.
    #[cold]
    fn metric_not_text(
        &mut self,
        stream: Stream,
        metric: Metric,
        value: JsonScalar<'_>,
    ) -> Result<(), Error> {
        if !keeps(stream, metric) || value == JsonScalar::Null {
            return Ok(());
        }
        self.invalid(
            Field::Metric(stream, metric),
            value,
            UnitError::ExpectedNumber,
        )
    }

    /// A `cpu_usage` field of the open sample (after opening [`Group::Cpu`]).
    pub(crate) fn cpu(&mut self, metric: CpuMetric, value: JsonScalar<'_>) -> Result<(), Error> {
        let parser = metric.descriptor().parser;
        let parsed = text_value(value, UnitError::ExpectedNumber, |text| parser.parse(text));
        if let Some(stored) = self.settle(Field::Cpu(metric), value, parsed)? {
            self.set(Group::Cpu, metric.index(), u64::from(stored));
        }
        Ok(())
    }

    /// A `wifi_rssi` field (a JSON number of dBm) of the open sample, stored as its
    /// descriptor says.
    pub(crate) fn rssi(&mut self, metric: RssiMetric, value: JsonScalar<'_>) -> Result<(), Error> {
        let descriptor = metric.descriptor();
        let whole = match value {
            JsonScalar::Number(JsonNumber::Int(n)) => Some(n),
            JsonScalar::Number(JsonNumber::Float(bits)) => {
                let x = f64::from_bits(bits).round();
                // In i16's range, so the cast is exact; the descriptor checks the rest.
                (x > f64::from(i16::MIN) && x <= f64::from(i16::MAX)).then_some(x as i64)
            }
            JsonScalar::Null => return Ok(()),
            JsonScalar::Text(text) => match descriptor.parser.parse(text.as_bytes()) {
                Ok(_) => return Ok(()),
                Err(error) => return self.invalid(Field::Rssi(metric), value, error),
            },
            JsonScalar::Other(_) => None,
        };
        match whole.and_then(|dbm| descriptor.stored_of_whole(dbm)) {
            Some(stored) => {
                self.set(Group::Rssi, metric.index(), u64::from(stored));
                Ok(())
            }
            None => self.invalid(Field::Rssi(metric), value, DBM_RANGE),
        }
    }

    /// A per-sample word (a CPU pressure level, the quality word): a string, kept trimmed
    /// in the table's words; blank or `null` is missing.
    pub(crate) fn word(&mut self, field: SampleField, value: JsonScalar<'_>) -> Result<(), Error> {
        let Some(code) = self.word_code(field, value)? else {
            return Ok(());
        };
        self.open_group(Group::Extra);
        self.set(Group::Extra, field.index(), code as u64);
        Ok(())
    }

    /// A CPU pressure level of the open summary entry's `qos[index]`.
    pub(crate) fn summary_word(
        &mut self,
        index: u32,
        field: SampleField,
        value: JsonScalar<'_>,
    ) -> Result<(), Error> {
        self.sample = index;
        let at = SampleField::CPU_PRESSURE.iter().position(|&f| f == field);
        if let (Some(code), Some(at)) = (self.word_code(field, value)?, at)
            && let Some(row) = self.table.summary.last_mut()
        {
            row.pressure[at] = u16::try_from(code).ok();
        }
        Ok(())
    }

    /// The code of a word value in the table's words (added if new); `None` for a blank
    /// or `null` one. A value that is not a string is invalid.
    // Inlined: its result would otherwise come back through memory, for every word.
    #[inline(always)]
    fn word_code(
        &mut self,
        field: SampleField,
        value: JsonScalar<'_>,
    ) -> Result<Option<usize>, Error> {
        let text = match value {
            // Zoom's words have no spaces around them: trim only an end that may be one
            // (ASCII white space, or any non-ASCII character).
            JsonScalar::Text(text)
                if [text.as_bytes().first(), text.as_bytes().last()]
                    .into_iter()
                    .flatten()
                    .any(|&b| b.is_ascii_whitespace() || !b.is_ascii()) =>
            {
                text.trim()
            }
            JsonScalar::Text(text) => text,
            JsonScalar::Null => return Ok(None),
            JsonScalar::Number(_) | JsonScalar::Other(_) => {
                return self
                    .invalid(Field::Sample(field), value, UnitError::ExpectedText)
                    .map(|()| None);
            }
        };
        if text.is_empty() {
            return Ok(None);
        }
        // Most minutes repeat the last minute's word, or one of the few before it: try
        // those first, the latest first.
        let recent = &mut self.recent_words[field.index()];
        let table = &*self.table;
        let hit = recent.iter().position(|code| {
            code.is_some_and(|code| table.word_bytes(code) == Some(text.as_bytes()))
        });
        if let Some(at) = hit {
            let code = recent[at];
            if at > 0 {
                recent.copy_within(..at, 1);
                recent[0] = code;
            }
            return Ok(code);
        }
        let code = match self.table.word_code(text) {
            Some(code) => code,
            None if self.table.words.len() < MAX_WORDS => {
                let start = self.table.text.len();
                self.table.text.push_str(text);
                let (Ok(start), Ok(end)) =
                    (u32::try_from(start), u32::try_from(self.table.text.len()))
                else {
                    self.table.text.truncate(start);
                    return Ok(None);
                };
                self.table.words.push((start, end));
                self.table.words.len() - 1
            }
            None => {
                return self
                    .invalid(
                        Field::Sample(field),
                        value,
                        UnitError::OutOfRange("65 534 distinct words per meeting"),
                    )
                    .map(|()| None);
            }
        };
        let recent = &mut self.recent_words[field.index()];
        recent.copy_within(..RECENT_WORDS - 1, 1);
        recent[0] = Some(code);
        Ok(Some(code))
    }

    /// The sample's `quality_score` (`"3.65"`, or a JSON number), in hundredths.
    pub(crate) fn score(&mut self, value: JsonScalar<'_>) -> Result<(), Error> {
        let field = Field::Sample(SampleField::QualityScore);
        let parsed = match value {
            JsonScalar::Text(text) => units::score_centi(text.as_bytes()),
            JsonScalar::Null => Ok(None),
            JsonScalar::Number(JsonNumber::Int(n)) => u16::try_from(n)
                .ok()
                .and_then(|n| n.checked_mul(100))
                .filter(|&n| n <= units::U16_VALUE_MAX)
                .map(Some)
                .ok_or(UnitError::OutOfRange("655.34")),
            JsonScalar::Number(JsonNumber::Float(bits)) => {
                let centi = (f64::from_bits(bits) * 100.0).round();
                if (0.0..=f64::from(units::U16_VALUE_MAX)).contains(&centi) {
                    Ok(Some(centi as u16))
                } else {
                    Err(UnitError::OutOfRange("655.34"))
                }
            }
            JsonScalar::Other(_) => Err(UnitError::ExpectedNumber),
        };
        if let Some(centi) = self.settle(field, value, parsed)? {
            self.open_group(Group::Extra);
            self.set(
                Group::Extra,
                SampleField::QualityScore.index(),
                u64::from(centi),
            );
        }
        Ok(())
    }

    /// Opens a `qos_summary` entry (a participant of the page without samples).
    pub(crate) fn begin_summary_entry(&mut self) {
        let at = u32::try_from(self.table.summary_values.len()).unwrap_or(u32::MAX);
        self.table.summary.push(SummaryRow {
            user_name: (0, 0),
            values: at..at,
            pressure: [None; 3],
        });
    }

    /// The open summary entry's `user_name` (`key`), or a Video SDK user's `name`.
    pub(crate) fn summary_name(&mut self, key: &str, name: &str) {
        // A Video SDK user's `name` gives way to a `user_name`, as for participants.
        let named = self
            .table
            .summary
            .last()
            .is_some_and(|row| row.user_name != (0, 0));
        if key != "user_name" && named {
            return;
        }
        let start = self.table.text.len();
        self.table.text.push_str(name);
        let end = self.table.text.len();
        match (
            self.table.summary.last_mut(),
            u32::try_from(start),
            u32::try_from(end),
        ) {
            (Some(row), Ok(start), Ok(end)) => row.user_name = (start, end),
            _ => self.table.text.truncate(start),
        }
    }

    /// A value of the open summary entry's `qos[index]`, of type `kind`.
    pub(crate) fn summary_value(
        &mut self,
        index: u32,
        kind: SummaryType,
        key: SummaryKey,
        value: JsonScalar<'_>,
    ) -> Result<(), Error> {
        self.sample = index;
        let (_, descriptor, _) = key.meaning();
        let parsed = text_value(value, UnitError::ExpectedNumber, |text| {
            descriptor.parser.parse(text)
        });
        if let Some(stored) = self.settle(Field::Summary(kind, key), value, parsed)? {
            self.table
                .summary_values
                .push(SummaryValue { kind, key, stored });
            let end = u32::try_from(self.table.summary_values.len()).unwrap_or(u32::MAX);
            if let Some(row) = self.table.summary.last_mut() {
                row.values.end = end;
            }
        }
        Ok(())
    }

    /// Closes the open summary entry.
    pub(crate) fn end_summary_entry(&mut self) {
        self.participant += 1;
        self.sample = 0;
    }

    /// A parsed value to store, `None` for a missing one; an invalid one is counted (or
    /// fails the page in strict mode) and reads as missing.
    fn settle<T>(
        &mut self,
        field: Field,
        value: JsonScalar<'_>,
        parsed: units::UnitResult<T>,
    ) -> Result<Option<T>, Error> {
        match parsed {
            Ok(parsed) => Ok(parsed),
            Err(error) => self.invalid(field, value, error).map(|()| None),
        }
    }

    /// Counts an invalid value, or fails on it in strict mode.
    #[cold]
    fn invalid(
        &mut self,
        field: Field,
        value: JsonScalar<'_>,
        error: UnitError,
    ) -> Result<(), Error> {
        let location = Location {
            page: self.page,
            participant: self.participant,
            sample: self.sample,
            field,
        };
        let text_storage;
        let text = match value {
            JsonScalar::Text(text) => text,
            JsonScalar::Number(JsonNumber::Int(n)) => {
                text_storage = n.to_string();
                &text_storage
            }
            JsonScalar::Number(JsonNumber::Float(bits)) => {
                text_storage = f64::from_bits(bits).to_string();
                &text_storage
            }
            JsonScalar::Null => "null",
            JsonScalar::Other(kind) => kind,
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

/// Whether a stream keeps a metric: an audio stream has no picture, so its frame rate and
/// resolution are ignored.
fn keeps(stream: Stream, metric: Metric) -> bool {
    stream.has_picture() || !matches!(metric, Metric::FrameRate | Metric::Resolution)
}

/// A value that must be a string: parsed with `parse`; `null` is missing; another JSON
/// type is `not_text`.
fn text_value<T>(
    value: JsonScalar<'_>,
    not_text: UnitError,
    parse: impl FnOnce(&[u8]) -> units::UnitResult<T>,
) -> units::UnitResult<T> {
    match value {
        JsonScalar::Text(text) => parse(text.as_bytes()),
        JsonScalar::Null => Ok(None),
        JsonScalar::Number(_) | JsonScalar::Other(_) => Err(not_text),
    }
}

#[cold]
fn too_many_rows() -> Error {
    ErrorKind::TooLarge {
        what: "a meeting table",
        limit: "4 294 967 294 samples",
    }
    .into()
}
