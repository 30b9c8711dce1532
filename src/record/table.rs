//! The meeting table (struct of arrays): its column groups, its read API, and the mark that
//! undoes a page that failed half-way. Rows are written by [`super::writer`].

use core::marker::PhantomData;
use core::ops::Range;

use super::column::Column;
use super::config::Diagnostics;
use super::summary::{SummaryEntry, SummaryRow, SummaryValue};
use crate::descriptor::{Cells, Descriptor, Resolution, Storage};
use crate::schema::{CpuMetric, Metric, ParticipantField, RssiMetric, SampleField, Stream};

/// A set of columns that appears together: time (always), one stream, `cpu_usage` or
/// `wifi_rssi`. A group *appears* from the first sample that has it as an object; until
/// then its columns are empty and read as missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    Time,
    Stream(Stream),
    Cpu,
    Rssi,
    /// The [`SampleField`]s: CPU pressure levels and quality words (codes into
    /// `Table::words`), and the quality score.
    Extra,
}

impl Group {
    const COUNT: usize = Stream::COUNT + 4;

    /// Position in `Table::groups`.
    #[inline]
    pub(crate) const fn index(self) -> usize {
        match self {
            Group::Time => 0,
            Group::Stream(stream) => 1 + stream.index(),
            Group::Cpu => 1 + Stream::COUNT,
            Group::Rssi => 2 + Stream::COUNT,
            Group::Extra => 3 + Stream::COUNT,
        }
    }

    fn of_index(index: usize) -> Group {
        match index.checked_sub(1) {
            None => Group::Time,
            Some(s) if s < Stream::COUNT => Group::Stream(Stream::ALL[s]),
            Some(s) if s == Stream::COUNT => Group::Cpu,
            Some(s) if s == Stream::COUNT + 1 => Group::Rssi,
            Some(_) => Group::Extra,
        }
    }

    /// The group, absent, with its empty columns, each stored as its descriptor says.
    fn empty(self) -> ColumnGroup {
        let storages: Vec<&Storage> = match self {
            Group::Time => vec![&TIME_STORAGE],
            Group::Stream(stream) => stream
                .metrics()
                .iter()
                .map(|m| &m.descriptor().storage)
                .collect(),
            Group::Cpu => CpuMetric::ALL
                .iter()
                .map(|m| &m.descriptor().storage)
                .collect(),
            Group::Rssi => RssiMetric::ALL
                .iter()
                .map(|m| &m.descriptor().storage)
                .collect(),
            Group::Extra => SampleField::ALL.iter().map(|_| &SMALL_STORAGE).collect(),
        };
        ColumnGroup {
            present: false,
            used: storages.len(),
            // Unused slots stay empty columns: no allocation.
            columns: core::array::from_fn(|i| {
                Column::new(storages.get(i).copied().unwrap_or(&TIME_STORAGE))
            }),
        }
    }
}

/// Time: seconds since the epoch, order-preserving as unsigned (the sign bit flipped).
const TIME_STORAGE: Storage = Storage {
    narrow: None,
    wide: Cells::U64,
};

/// A word's code (its index in `Table::words`), or a quality score in hundredths.
const SMALL_STORAGE: Storage = Storage {
    narrow: None,
    wide: Cells::U16,
};

/// Distinct words a table keeps (codes below the column's missing sentinel); a further
/// word is counted as an invalid value.
pub(crate) const MAX_WORDS: usize = u16::MAX as usize - 1;

/// Time as a stored value.
#[inline]
pub(crate) fn time_to_stored(time_s: i64) -> u64 {
    (time_s as u64) ^ (1 << 63)
}

/// The most columns a group has: a picture stream's metrics.
const GROUP_COLUMNS: usize = Metric::COUNT;

/// One group's presence and columns. The columns are kept inline (not behind a `Vec`):
/// the row writer reaches a cell with one pointer less, which measurably matters per value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ColumnGroup {
    pub(crate) present: bool,
    used: usize,
    columns: [Column; GROUP_COLUMNS],
}

impl ColumnGroup {
    /// The group's columns (indexed by metric or field index).
    pub(crate) fn columns(&self) -> &[Column] {
        &self.columns[..self.used]
    }

    pub(crate) fn columns_mut(&mut self) -> &mut [Column] {
        &mut self.columns[..self.used]
    }

    /// Sets every column's length: `rows` when present (new rows missing), else 0.
    fn resize(&mut self, rows: usize) {
        let rows = if self.present { rows } else { 0 };
        self.columns_mut().iter_mut().for_each(|c| c.resize(rows));
    }

    fn get(&self, column: usize, row: usize) -> Option<u64> {
        self.columns().get(column)?.get(row)
    }
}

/// What names a column within its group: a stream's [`Metric`], a [`CpuMetric`] or an
/// [`RssiMetric`]. Each has a dense index and a [`Descriptor`] saying how its values are
/// stored and reported, so that one read API serves every group.
pub trait ColumnKey: Copy {
    /// The column's position in its group.
    fn index(self) -> usize;
    /// How its values are stored and reported.
    fn descriptor(self) -> &'static Descriptor;
}

impl ColumnKey for Metric {
    fn index(self) -> usize {
        Metric::index(self)
    }
    fn descriptor(self) -> &'static Descriptor {
        Metric::descriptor(self)
    }
}

impl ColumnKey for CpuMetric {
    fn index(self) -> usize {
        CpuMetric::index(self)
    }
    fn descriptor(self) -> &'static Descriptor {
        CpuMetric::descriptor(self)
    }
}

impl ColumnKey for RssiMetric {
    fn index(self) -> usize {
        RssiMetric::index(self)
    }
    fn descriptor(self) -> &'static Descriptor {
        RssiMetric::descriptor(self)
    }
}

/// The columns of one group that appears in the table (a stream, `cpu_usage` or
/// `wifi_rssi`), read in fixed point by their key ([`ColumnKey`]): the one read API of
/// every group.
#[derive(Debug)]
pub struct Columns<'t, K> {
    group: &'t ColumnGroup,
    key: PhantomData<K>,
}

// Not derived: a derive would ask `K: Copy` of the marker too.
impl<K> Clone for Columns<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Columns<'_, K> {}

/// A stream's columns, by [`Metric`].
pub type StreamColumns<'t> = Columns<'t, Metric>;
/// The `cpu_usage` columns, by [`CpuMetric`].
pub type CpuColumns<'t> = Columns<'t, CpuMetric>;
/// The `wifi_rssi` columns, by [`RssiMetric`].
pub type RssiColumns<'t> = Columns<'t, RssiMetric>;

impl<'t, K: ColumnKey> Columns<'t, K> {
    fn new(group: &'t ColumnGroup) -> Self {
        Columns {
            group,
            key: PhantomData,
        }
    }

    /// A column's stored value at `row`, in its stored unit
    /// ([`Descriptor::stored_unit`]): bitrate in bit/s, latency and jitter in 10 µs, loss
    /// and CPU in basis points, frame rate in 0.01 fps, resolution packed
    /// ([`Resolution::packed`]), Wi-Fi signal in dBm plus
    /// [`Descriptor::zero_stored`]. `None` where missing.
    pub fn stored(&self, key: K, row: usize) -> Option<u32> {
        let value = self.group.get(key.index(), row)?;
        u32::try_from(value).ok()
    }

    /// A column's value at `row` in its report unit ([`Descriptor::report_name`]): kbps,
    /// ms, %, fps, dBm, or the resolution's height in pixels. `None` where missing, and for
    /// a resolution of `0*0` (no picture).
    pub fn value(&self, key: K, row: usize) -> Option<f64> {
        self.stored(key, row)
            .and_then(|stored| key.descriptor().to_report_unit(stored))
    }

    /// Calls `f` with the stored value of `key` (or `None`) at each of `rows`, in the
    /// order given.
    pub(crate) fn gather(&self, key: K, rows: &[u32], mut f: impl FnMut(Option<u32>)) {
        match self.group.columns().get(key.index()) {
            Some(column) => column.gather(rows, |v| f(v.and_then(|v| u32::try_from(v).ok()))),
            None => rows.iter().for_each(|_| f(None)),
        }
    }

    /// Calls `f` with each present stored value of `key` in `rows`, in row order.
    pub fn for_each_present(&self, key: K, rows: Range<usize>, mut f: impl FnMut(u32)) {
        self.for_each_present_at(key, rows, |_, value| f(value));
    }

    /// Calls `f` with the offset in `rows` and the stored value of each present value of
    /// `key` in `rows`, in row order.
    pub(crate) fn for_each_present_at(
        &self,
        key: K,
        rows: Range<usize>,
        mut f: impl FnMut(usize, u32),
    ) {
        if let Some(column) = self.group.columns().get(key.index()) {
            // Values are parsed into u32 (and stored in at most 32 bits): the conversion
            // never fails.
            column.for_each_present_at(rows, |at, v| f(at, u32::try_from(v).unwrap_or(u32::MAX)));
        }
    }
}

impl StreamColumns<'_> {
    /// A resolution at `row`; `0*0` is "no picture".
    pub fn resolution(&self, row: usize) -> Option<Resolution> {
        self.stored(Metric::Resolution, row)
            .map(Resolution::from_packed)
    }

    /// A resolution at `row` as `(width, height)` pixels; `(0, 0)` is "no picture".
    pub fn resolution_px(&self, row: usize) -> Option<(u16, u16)> {
        self.resolution(row).map(Into::into)
    }
}

/// A participant entry: metadata once, and the rows of its samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParticipantRow {
    pub(crate) page: u32,
    pub(crate) index_in_page: u32,
    pub(crate) rows: Range<u32>,
    /// Byte ranges into `Table::text`, indexed by `ParticipantField::index()`.
    pub(crate) text: [(u32, u32); ParticipantField::COUNT],
}

/// The QoS of one meeting in struct-of-arrays form: one row per `user_qos` sample, one
/// column per (stream, metric), plus time, CPU, Wi-Fi and [`SampleField`] columns. Participants own a
/// contiguous range of rows, in input order. Pages of one meeting append to the same table.
///
/// A stream (or `cpu_usage`, `wifi_rssi`) *appears* from the first sample that has it as
/// an object; earlier rows read as missing. A table can be [`clear`](Table::clear)ed and
/// reused: it keeps its allocations (and the widths its columns grew to), so decoding into
/// it again allocates nothing per sample.
///
/// ```
/// use zoom_qos::{Decoder, Metric, Stream, Table};
///
/// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms", "jitter": "6 ms", "avg_loss": "0.3%"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": "210 ms"}}]}]}"#;
/// let mut table = Table::new();
/// Decoder::default().decode(&mut page.to_vec(), &mut table)?;
/// let ana = table.participant(0).expect("one participant");
/// assert_eq!((ana.user_name(), ana.rows()), ("Ana", 0..2));
/// let audio = table.stream(Stream::AudioInput).expect("audio_input appears");
/// assert_eq!(audio.stored(Metric::Latency, 0), Some(12_600)); // 10 µs units, exact
/// assert_eq!(audio.value(Metric::Jitter, 1), None); // absent: missing, never 0
/// assert!(table.cpu().is_none());
/// # Ok::<(), zoom_qos::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub(crate) rows: usize,
    pub(crate) pages: u32,
    /// Indexed by [`Group::index`].
    pub(crate) groups: [ColumnGroup; Group::COUNT],
    pub(crate) participants: Vec<ParticipantRow>,
    pub(crate) text: String,
    pub(crate) diagnostics: Diagnostics,
    /// `qos_summary` entries, apart from the per-minute participants.
    pub(crate) summary: Vec<SummaryRow>,
    pub(crate) summary_values: Vec<SummaryValue>,
    /// The distinct words of the [`Group::Extra`] word columns, as ranges of `text`; a
    /// column holds a word's index here.
    pub(crate) words: Vec<(u32, u32)>,
    /// What the last page read said of its chain.
    pub(crate) last_page: PageChain,
}

/// What one page says of its chain: whether a next page follows, and how many entries
/// the whole chain has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PageChain {
    pub(crate) has_next_page: bool,
    pub(crate) total_records: Option<u64>,
}

/// Whether a meeting's pages are the whole chain the API sent: the last page read names
/// no next page, and the entries read are as many as the pages announced
/// (`total_records`). Zoom pages a meeting's participants ten at a time, so a chain
/// stopped half-way (a copy, a crash, a token that expired) reads as a smaller meeting
/// unless this is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Chain {
    /// The last page read still has a `next_page_token`: pages are missing after it.
    pub next_page_left: bool,
    /// `total_records` of the last page that gave it as a number.
    pub total_records: Option<u64>,
    /// Participant entries read (per-minute and summary entries).
    pub entries: u64,
}

impl Chain {
    /// Whether nothing is known to be missing.
    pub fn is_complete(&self) -> bool {
        !self.next_page_left && self.total_records.is_none_or(|total| self.entries >= total)
    }

    /// What is missing, in words (`None` when complete): "a next page is named but was not
    /// read; 12 of 25 participant entries".
    pub fn missing(&self) -> Option<String> {
        if self.is_complete() {
            return None;
        }
        let mut parts = Vec::new();
        if self.next_page_left {
            parts.push("the last page read names a next page".to_owned());
        }
        if let Some(total) = self.total_records.filter(|&t| self.entries < t) {
            parts.push(format!(
                "{} of the {total} participant entries announced were read",
                self.entries
            ));
        }
        Some(parts.join("; "))
    }
}

impl Default for Table {
    fn default() -> Self {
        let mark = Mark::empty();
        Table {
            rows: 0,
            pages: 0,
            groups: core::array::from_fn(|i| ColumnGroup {
                present: mark.present[i],
                ..Group::of_index(i).empty()
            }),
            participants: Vec::new(),
            text: String::new(),
            diagnostics: Diagnostics::default(),
            summary: Vec::new(),
            summary_values: Vec::new(),
            words: Vec::new(),
            last_page: PageChain::default(),
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

    /// The participant entry at `index` (input order), if there is one.
    pub fn participant(&self, index: usize) -> Option<ParticipantRef<'_>> {
        (index < self.participants.len()).then_some(ParticipantRef { table: self, index })
    }

    fn group(&self, group: Group) -> Option<&ColumnGroup> {
        let group = &self.groups[group.index()];
        group.present.then_some(group)
    }

    /// Sample time at `row`, in seconds since the Unix epoch.
    pub fn time_s(&self, row: usize) -> Option<i64> {
        let stored = self.groups[Group::Time.index()].get(0, row)?;
        Some((stored ^ (1 << 63)) as i64)
    }

    /// [`time_s`](Self::time_s) of each of `rows`, in their order, in one pass over the
    /// column.
    #[cfg(feature = "arrow")]
    pub(crate) fn times_s(&self, rows: &[u32], mut f: impl FnMut(Option<i64>)) {
        match self.groups[Group::Time.index()].columns().first() {
            Some(column) => column.gather(rows, |stored| f(stored.map(|s| (s ^ (1 << 63)) as i64))),
            None => rows.iter().for_each(|_| f(None)),
        }
    }

    /// The columns of a stream, if any sample had it as an object.
    pub fn stream(&self, stream: Stream) -> Option<StreamColumns<'_>> {
        self.group(Group::Stream(stream)).map(Columns::new)
    }

    /// The streams that appear, in [`Stream::ALL`] order.
    pub fn streams(&self) -> impl Iterator<Item = (Stream, StreamColumns<'_>)> + '_ {
        Stream::ALL
            .iter()
            .filter_map(|&s| self.stream(s).map(|columns| (s, columns)))
    }

    /// The `cpu_usage` columns, if any sample had it as an object.
    pub fn cpu(&self) -> Option<CpuColumns<'_>> {
        self.group(Group::Cpu).map(Columns::new)
    }

    /// The `wifi_rssi` columns, if any sample had it as an object.
    pub fn rssi(&self) -> Option<RssiColumns<'_>> {
        self.group(Group::Rssi).map(Columns::new)
    }

    /// A CPU field at `row`, in basis points (0.01 %): [`cpu`](Self::cpu)'s stored value.
    pub fn cpu_bp(&self, metric: CpuMetric, row: usize) -> Option<u16> {
        u16::try_from(self.cpu()?.stored(metric, row)?).ok()
    }

    /// Whether any sample had a `cpu_usage` object.
    pub fn has_cpu(&self) -> bool {
        self.cpu().is_some()
    }

    /// A Wi-Fi signal field at `row`, in dBm: [`rssi`](Self::rssi)'s value.
    pub fn rssi_dbm(&self, metric: RssiMetric, row: usize) -> Option<i16> {
        let stored = self.rssi()?.stored(metric, row)?;
        let zero = metric.descriptor().zero_stored;
        i16::try_from(i64::from(stored) - i64::from(zero)).ok()
    }

    /// Whether any sample had a `wifi_rssi` object.
    pub fn has_rssi(&self) -> bool {
        self.rssi().is_some()
    }

    /// The `qos_summary` entries decoded, in input order (summary pages hold no samples:
    /// these are not participants of the table).
    pub fn summary(&self) -> impl ExactSizeIterator<Item = SummaryEntry<'_>> + '_ {
        self.summary
            .iter()
            .map(move |row| SummaryEntry::new(&self.text, &self.words, &self.summary_values, row))
    }

    /// A per-sample field at `row`: a CPU pressure level or the quality word as sent
    /// (trimmed), `None` where missing. For [`SampleField::QualityScore`], use
    /// [`quality_score`](Self::quality_score).
    pub fn sample_word(&self, field: SampleField, row: usize) -> Option<&str> {
        if !field.is_word() {
            return None;
        }
        let code = self.group(Group::Extra)?.get(field.index(), row)?;
        self.word(usize::try_from(code).ok()?)
    }

    /// The quality score at `row` (`"3.65"` reads 3.65), `None` where missing.
    pub fn quality_score(&self, row: usize) -> Option<f64> {
        self.quality_score_centi(row)
            .map(|centi| f64::from(centi) / 100.0)
    }

    /// The quality score at `row`, in hundredths.
    pub(crate) fn quality_score_centi(&self, row: usize) -> Option<i32> {
        let stored = self
            .group(Group::Extra)?
            .get(SampleField::QualityScore.index(), row)?;
        i32::try_from(stored).ok()
    }

    /// Calls `f` with the offset in `rows` and the stored value of a per-sample field (a
    /// word's code, a score in hundredths) at each row of `rows` that has one, in row
    /// order: a column at a time.
    pub(crate) fn for_each_sample_field_at(
        &self,
        field: SampleField,
        rows: Range<usize>,
        f: impl FnMut(usize, u64),
    ) {
        if let Some(column) = self
            .group(Group::Extra)
            .and_then(|group| group.columns().get(field.index()))
        {
            column.for_each_present_at(rows, f);
        }
    }

    /// Whether any sample had a CPU pressure level, a quality word or a score.
    pub fn has_sample_fields(&self) -> bool {
        self.group(Group::Extra).is_some()
    }

    /// The word of a code.
    #[inline]
    pub(crate) fn word(&self, code: usize) -> Option<&str> {
        let &(start, end) = self.words.get(code)?;
        self.text.get(start as usize..end as usize)
    }

    /// The code of a word already met.
    pub(crate) fn word_code(&self, word: &str) -> Option<usize> {
        (0..self.words.len()).find(|&code| self.word_bytes(code) == Some(word.as_bytes()))
    }

    /// The bytes of a word (no character boundary checks: for comparisons).
    #[inline]
    pub(crate) fn word_bytes(&self, code: usize) -> Option<&[u8]> {
        let &(start, end) = self.words.get(code)?;
        self.text.as_bytes().get(start as usize..end as usize)
    }

    /// Whether the pages read are the whole chain (see [`Chain`]).
    pub fn chain(&self) -> Chain {
        Chain {
            next_page_left: self.last_page.has_next_page,
            total_records: self.last_page.total_records,
            entries: (self.participants.len() + self.summary.len()) as u64,
        }
    }

    /// Invalid values met while decoding.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Bytes the sample columns take per row (time, streams, CPU, Wi-Fi), not counting
    /// spare capacity or participant metadata.
    pub fn bytes_per_sample(&self) -> usize {
        self.groups
            .iter()
            .filter(|g| g.present)
            .flat_map(|g| g.columns())
            .map(Column::width)
            .sum()
    }

    /// Checks the table's internal consistency: every present column holds one value per
    /// sample, absent columns none, participants own contiguous increasing row ranges that
    /// cover the rows, and text ranges lie in the text. For tests and fuzzing; a failure is
    /// a bug in this crate.
    ///
    /// # Errors
    /// What is inconsistent.
    // Public for the crate's own tests and fuzz targets, which hold every table to these
    // rules; not an API for embedders (a broken invariant is this crate's bug).
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        let rows = self.rows;
        if !self.groups[Group::Time.index()].present {
            return Err("the time column is absent".into());
        }
        for (index, group) in self.groups.iter().enumerate() {
            let want = if group.present { rows } else { 0 };
            if let Some(column) = group.columns().iter().position(|c| c.len() != want) {
                return Err(format!(
                    "{:?} column {column} has {} rows, expected {want}",
                    Group::of_index(index),
                    group.columns()[column].len()
                ));
            }
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

    /// Sets every group's length to `rows` (new rows missing; absent groups stay empty).
    pub(crate) fn resize_groups(&mut self, rows: usize) {
        self.groups.iter_mut().for_each(|g| g.resize(rows));
    }

    /// Makes a group present, sized to `allocated_rows`. Whether it was already.
    #[inline]
    pub(crate) fn open_group(&mut self, group: Group, allocated_rows: usize) {
        let group = &mut self.groups[group.index()];
        if !group.present {
            group.present = true;
            group.resize(allocated_rows);
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
pub(crate) struct Mark {
    rows: usize,
    participants: usize,
    summary: usize,
    summary_values: usize,
    text: usize,
    present: [bool; Group::COUNT],
    invalid_values: u64,
    kept_invalid: usize,
    user_qos_objects: u64,
    words: usize,
    last_page: PageChain,
}

impl Mark {
    pub(crate) fn of(table: &Table) -> Mark {
        Mark {
            rows: table.rows,
            participants: table.participants.len(),
            summary: table.summary.len(),
            summary_values: table.summary_values.len(),
            text: table.text.len(),
            present: core::array::from_fn(|i| table.groups[i].present),
            invalid_values: table.diagnostics.invalid_values,
            kept_invalid: table.diagnostics.kept.len(),
            user_qos_objects: table.diagnostics.user_qos_objects,
            words: table.words.len(),
            last_page: table.last_page,
        }
    }

    /// An empty table's: only the time column is present.
    fn empty() -> Mark {
        Mark {
            rows: 0,
            participants: 0,
            summary: 0,
            summary_values: 0,
            text: 0,
            present: core::array::from_fn(|i| i == Group::Time.index()),
            invalid_values: 0,
            kept_invalid: 0,
            user_qos_objects: 0,
            words: 0,
            last_page: PageChain::default(),
        }
    }

    /// Cuts every column back to the mark; what appeared since disappears.
    pub(crate) fn restore(self, table: &mut Table) {
        table.rows = self.rows;
        for (group, present) in table.groups.iter_mut().zip(self.present) {
            group.present = present;
        }
        table.resize_groups(self.rows);
        table.participants.truncate(self.participants);
        table.summary.truncate(self.summary);
        table.summary_values.truncate(self.summary_values);
        table.text.truncate(self.text);
        table.diagnostics.invalid_values = self.invalid_values;
        table.diagnostics.kept.truncate(self.kept_invalid);
        table.diagnostics.user_qos_objects = self.user_qos_objects;
        table.words.truncate(self.words);
        table.last_page = self.last_page;
    }
}
