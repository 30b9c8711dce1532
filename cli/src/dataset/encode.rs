//! Parquet column chunks, encoded here rather than by the `parquet` crate's column
//! writers, which were half of the export's own time (see the benches' README). A
//! meeting's samples come in value by value, as the library tells them
//! ([`ColumnSink`]: no Arrow arrays between, measured 7 % less of the export's time);
//! rows copied from an earlier file come in as Arrow arrays. The encodings are the ones
//! that crate writes by default, so engines read them as they read its files: a
//! dictionary page (PLAIN) and data pages (format v1) of RLE_DICTIONARY indices,
//! definition levels RLE, booleans PLAIN. What is done differently: a number's dictionary
//! entry is found by its bits with a hash of one multiply (not the crate's generic
//! interner), a string is looked up once per run of rows (not once per row), and every
//! page is compressed by one zstd context per thread, kept (the crate makes two per
//! column chunk). The crate still writes the page headers, the row groups and the footer.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::RangeInclusive;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int16Type, Int32Type, TimestampMillisecondType};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::data_type::ByteArray;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use zoom_qos::export::ColumnSink;

use crate::error::DataError;

/// Rows per data page at most. A page carries its own index bit width, so a page is
/// encoded once full (at the end of the batch that filled it) and only the dictionary
/// waits for the chunk's end; what waits is the page being filled, in each of 161
/// columns of up to 8 open row groups.
/// Measured against the `parquet` crate's 20,000: 6 % less of the export's CPU (fewer
/// page faults), a dataset 1.2 % larger; 4,096 was slower (more pages to compress).
const PAGE_ROWS: usize = 8192;

/// Bytes of a string's statistics at most, as the `parquet` crate's default: a longer
/// minimum is cut (still a lower bound), a longer maximum cut and its last character
/// raised (still an upper bound).
const STATISTICS_BYTES: usize = 64;

/// The column chunk of one column in one row group, filled batch by batch.
pub(super) struct ChunkEncoder {
    descr: ColumnDescPtr,
    /// The column has definition levels (it may hold nulls).
    nullable: bool,
    zstd_level: i32,
    values: Values,
    /// The rows not encoded yet: each one's definition level (nullable columns), unless
    /// `uniform`.
    defs: Vec<u8>,
    /// All the rows not encoded yet have this definition level, and `defs` is empty: a
    /// column of only nulls (most of the 150, in most meetings) or of no nulls writes
    /// no byte per row.
    uniform: Option<u8>,
    /// The page being filled: each value's dictionary index (dictionary columns).
    indices: Vec<u32>,
    /// The page being filled: each value (booleans).
    bools: Vec<bool>,
    /// Rows not encoded yet: up to a batch's more than a page, encoded in pages at the
    /// batch's end ([`end_batch`](Self::end_batch)).
    page_rows: usize,
    /// Pages encoded so far.
    pages: Vec<DataPage>,
    /// Whether the chunk's pages are compressed: decided by its first page (a chunk
    /// that starts empty is stored plain; most of the 150 columns are empty in most
    /// meetings, and a page of only nulls is a few bytes).
    compressed: Option<bool>,
    rows: u64,
    nulls: u64,
    /// A value the column cannot hold was given (said at the batch's end).
    failed: Option<&'static str>,
}

/// An encoded data page.
struct DataPage {
    buf: Bytes,
    uncompressed_bytes: usize,
    rows: u32,
    encoding: Encoding,
}

/// A column's values so far: its dictionary, or (booleans) the range seen.
enum Values {
    /// Doubles, by their bits.
    Double(Numbers),
    /// 32-bit integers (Arrow's `Int32` and `Int16`), sign-extended, and the range the
    /// column's type holds.
    Int32(Numbers, RangeInclusive<i64>),
    /// Millisecond timestamps.
    Int64(Numbers),
    Bytes(Strings),
    Boolean {
        range: Option<(bool, bool)>,
    },
}

/// A dictionary of numbers (their 64 bits): distinct values in order of first
/// appearance. This lookup is most of the encoder's work: one per value.
struct Numbers {
    index: HashMap<u64, u32, BuildHasherDefault<Multiply>>,
    values: Vec<u64>,
    /// The last value looked up, and its index: values come in runs (a participant's
    /// 0 % loss, 30 fps), and a compare costs less than a lookup, which misses the cache
    /// for the columns of many values (161 dictionaries are filled in turn).
    last: Option<(u64, u32)>,
    /// Doubles: how many were NaN (the statistics say it).
    nans: u64,
}

impl Numbers {
    fn new() -> Self {
        Numbers {
            index: HashMap::default(),
            values: Vec::new(),
            last: None,
            nans: 0,
        }
    }

    fn index_of(&mut self, value: u64) -> u32 {
        if let Some((last, index)) = self.last
            && last == value
        {
            return index;
        }
        let values = &mut self.values;
        let index = *self.index.entry(value).or_insert_with(|| {
            values.push(value);
            (values.len() - 1) as u32
        });
        self.last = Some((value, index));
        index
    }
}

/// A hash of one multiply, folded (the product's high half into its low half): the
/// bucket and the tag then depend on every bit of the value, where a double's low
/// mantissa bits are mostly zero. (A hand-made open-addressing table measured the same
/// time as this map.)
#[derive(Default)]
struct Multiply(u64);

impl Hasher for Multiply {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write_u64(u64::from(b)));
    }

    fn write_u64(&mut self, value: u64) {
        let product = u128::from(self.0 ^ value) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

/// A dictionary of strings. Most come in runs (a participant's name, told once for its
/// rows): the last one is compared before a lookup.
#[derive(Default)]
struct Strings {
    index: HashMap<Box<[u8]>, u32>,
    values: Vec<Box<[u8]>>,
    last: Option<u32>,
}

impl Strings {
    fn index_of(&mut self, value: &[u8]) -> u32 {
        if let Some(last) = self.last
            && self
                .values
                .get(last as usize)
                .is_some_and(|v| **v == *value)
        {
            return last;
        }
        let index = match self.index.get(value) {
            Some(&index) => index,
            None => {
                let index = self.values.len() as u32;
                self.values.push(value.into());
                self.index.insert(value.into(), index);
                index
            }
        };
        self.last = Some(index);
        index
    }
}

thread_local! {
    /// This thread's zstd context and level, made once and reused for every page.
    static ZSTD: RefCell<Option<(i32, zstd::bulk::Compressor<'static>)>> = const { RefCell::new(None) };
}

/// `page` compressed by this thread's zstd context at `level`.
fn zstd_compress(page: &[u8], level: i32) -> Result<Vec<u8>, DataError> {
    ZSTD.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(made_at, _)| *made_at != level) {
            *slot = Some((level, zstd::bulk::Compressor::new(level)?));
        }
        match &mut *slot {
            Some((_, compressor)) => Ok(compressor.compress(page)?),
            None => Err(DataError::Unusable("no zstd context")),
        }
    })
}

impl ChunkEncoder {
    /// The encoder of `descr`'s chunk, for arrays of `data_type`, compressed at
    /// `zstd_level` where worth it.
    pub(super) fn new(
        descr: ColumnDescPtr,
        data_type: &DataType,
        zstd_level: i32,
    ) -> Result<Self, DataError> {
        let values = match data_type {
            DataType::Float64 => Values::Double(Numbers::new()),
            DataType::Int32 => Values::Int32(Numbers::new(), i32::MIN.into()..=i32::MAX.into()),
            DataType::Int16 => Values::Int32(Numbers::new(), i16::MIN.into()..=i16::MAX.into()),
            DataType::Timestamp(TimeUnit::Millisecond, _) => Values::Int64(Numbers::new()),
            DataType::Dictionary(key, value)
                if **key == DataType::Int32 && **value == DataType::Utf8 =>
            {
                Values::Bytes(Strings::default())
            }
            DataType::Boolean => Values::Boolean { range: None },
            _ => {
                return Err(DataError::Unusable(
                    "a column of a type the export does not write",
                ));
            }
        };
        Ok(ChunkEncoder {
            nullable: descr.max_def_level() > 0,
            descr,
            zstd_level,
            values,
            defs: Vec::new(),
            uniform: None,
            indices: Vec::new(),
            bools: Vec::new(),
            page_rows: 0,
            pages: Vec::new(),
            compressed: None,
            rows: 0,
            nulls: 0,
            failed: None,
        })
    }

    /// Adds `array`'s rows (rows copied from an earlier file; a meeting's samples come
    /// through [`ColumnSink`] without an array).
    ///
    /// # Errors
    /// An array of another type than the encoder's, or nulls in a column without them.
    pub(super) fn write(&mut self, array: &dyn Array) -> Result<(), DataError> {
        let wrong = || DataError::Unusable("an array of another type than its column");
        let nulls = array.logical_nulls().filter(|n| n.null_count() > 0);
        if nulls
            .as_ref()
            .is_some_and(|n| n.null_count() == array.len())
        {
            self.nulls(array.len());
            return self.end_batch();
        }
        let valid = |row: usize| nulls.as_ref().is_none_or(|n| n.is_valid(row));
        let mut each = |value: &mut dyn FnMut(&mut Self, usize)| {
            for row in 0..array.len() {
                if valid(row) {
                    value(self, row);
                } else {
                    self.nulls(1);
                }
            }
        };
        if let Some(values) = array.as_primitive_opt::<Float64Type>() {
            each(&mut |sink, row| sink.double(values.value(row)));
        } else if let Some(values) = array.as_primitive_opt::<Int32Type>() {
            each(&mut |sink, row| sink.integer(values.value(row).into()));
        } else if let Some(values) = array.as_primitive_opt::<Int16Type>() {
            each(&mut |sink, row| sink.integer(values.value(row).into()));
        } else if let Some(values) = array.as_primitive_opt::<TimestampMillisecondType>() {
            each(&mut |sink, row| sink.integer(values.value(row)));
        } else if let Some(values) = array.as_boolean_opt() {
            each(&mut |sink, row| sink.boolean(values.value(row)));
        } else if let Some(array) = array.as_dictionary_opt::<Int32Type>() {
            let words = array.values().as_string_opt::<i32>().ok_or_else(wrong)?;
            let keys = array.keys().values();
            // A key out of range (impossible in a checked array) reads as "".
            let word = |row: usize| {
                let key = usize::try_from(keys[row]).ok().filter(|&k| k < words.len());
                key.map_or("", |key| words.value(key))
            };
            each(&mut |sink, row| sink.text(word(row), 1));
        } else {
            return Err(wrong());
        }
        self.end_batch()
    }

    /// Ends a batch: says a value the column could not take, and encodes the full pages.
    ///
    /// # Errors
    /// A value of another type than the column's, nulls in a column without them, or a
    /// page that could not be compressed.
    pub(super) fn end_batch(&mut self) -> Result<(), DataError> {
        if let Some(why) = self.failed {
            return Err(DataError::Unusable(why));
        }
        self.flush(false)
    }

    /// A column's values cannot go on after `why`: its batch fails.
    fn fail(&mut self, why: &'static str) {
        self.failed.get_or_insert(why);
    }

    /// `rows` rows with a value (whose value was just added).
    #[inline]
    fn defined(&mut self, rows: usize) {
        self.level(1, rows);
    }

    /// `rows` more rows of definition level `level` (1: a value, 0: null).
    #[inline]
    fn level(&mut self, level: u8, rows: usize) {
        if self.nullable {
            match self.uniform {
                _ if self.page_rows == 0 => self.uniform = Some(level),
                Some(same) if same == level => {}
                Some(other) => {
                    // The first row of another level: the levels are written out.
                    self.defs.resize(self.page_rows, other);
                    self.defs.resize(self.page_rows + rows, level);
                    self.uniform = None;
                }
                None if rows == 1 => self.defs.push(level),
                None => self.defs.resize(self.defs.len() + rows, level),
            }
        }
        self.page_rows += rows;
    }

    /// Encodes the rows not encoded yet into pages of [`PAGE_ROWS`] (with `last`, also
    /// the last page, less full), each compressed.
    fn flush(&mut self, last: bool) -> Result<(), DataError> {
        let (mut row, mut value) = (0, 0);
        while self.page_rows - row >= PAGE_ROWS || (last && self.page_rows > row) {
            let rows = (self.page_rows - row).min(PAGE_ROWS);
            let (defs, values) = match (self.nullable, self.uniform) {
                (false, _) => (&[][..], rows),
                (true, Some(level)) => (&[][..], if level > 0 { rows } else { 0 }),
                (true, None) => {
                    let defs = &self.defs[row..row + rows];
                    (defs, defs.iter().filter(|&&d| d != 0).count())
                }
            };
            let mut page = Vec::with_capacity(rows / 4 + values * 2 + 16);
            if self.nullable {
                // Format v1: the levels' byte length first.
                page.extend([0; 4]);
                if values == 0 || values == rows {
                    // The common pages, of only nulls or of no nulls: one run.
                    uleb128((rows as u64) << 1, &mut page);
                    page.push(u8::from(values > 0));
                } else {
                    rle_hybrid(defs, 1, &mut page);
                }
                let length = (page.len() - 4) as u32;
                page[..4].copy_from_slice(&length.to_le_bytes());
            }
            let encoding = match &self.values {
                Values::Boolean { .. } => {
                    plain_booleans(&self.bools[value..value + values], &mut page);
                    Encoding::PLAIN
                }
                _ => {
                    // The page's own greatest index sets its width (a page is encoded
                    // when its batch ends, when the dictionary may have grown).
                    let indices = &self.indices[value..value + values];
                    let bit_width = bits_for(indices.iter().max().map_or(0, |&i| i as usize));
                    page.push(bit_width);
                    rle_hybrid(indices, bit_width, &mut page);
                    Encoding::RLE_DICTIONARY
                }
            };
            let uncompressed_bytes = page.len();
            let buf = if *self.compressed.get_or_insert(values > 0) {
                zstd_compress(&page, self.zstd_level)?
            } else {
                page
            };
            self.pages.push(DataPage {
                buf: buf.into(),
                uncompressed_bytes,
                rows: rows as u32,
                encoding,
            });
            self.rows += rows as u64;
            self.nulls += (rows - values) as u64;
            row += rows;
            value += values;
        }
        self.page_rows -= row;
        self.defs.drain(..row.min(self.defs.len()));
        if matches!(self.values, Values::Boolean { .. }) {
            self.bools.drain(..value);
        } else {
            self.indices.drain(..value);
        }
        Ok(())
    }

    /// The chunk's bytes (its dictionary page first, then its data pages), and what the
    /// row group's writer needs to append them.
    pub(super) fn close(mut self) -> Result<(Bytes, ColumnCloseResult), DataError> {
        self.end_batch()?;
        self.flush(true)?;
        let compressed = self.compressed == Some(true);
        let compress = |page: Vec<u8>| -> Result<Vec<u8>, DataError> {
            if compressed {
                zstd_compress(&page, self.zstd_level)
            } else {
                Ok(page)
            }
        };
        let mut sink = TrackedWrite::new(Vec::new());
        let mut writer = SerializedPageWriter::new(&mut sink);
        let (mut compressed_bytes, mut uncompressed_bytes) = (0, 0);
        let mut dictionary_offset = None;
        if let Some((plain, entries)) = self.values.dictionary_page() {
            let uncompressed = plain.len();
            let page = Page::DictionaryPage {
                buf: compress(plain)?.into(),
                num_values: entries,
                encoding: Encoding::PLAIN,
                is_sorted: false,
            };
            let written = writer.write_page(CompressedPage::new(page, uncompressed))?;
            dictionary_offset = Some(written.offset as i64);
            compressed_bytes += written.compressed_size;
            uncompressed_bytes += written.uncompressed_size;
        }
        let mut data_offset = None;
        let mut encodings = vec![Encoding::PLAIN, Encoding::RLE];
        if self.pages.is_empty() {
            // A chunk of no rows still has a page: readers look for one.
            self.pages.push(DataPage {
                buf: Bytes::from_static(&[0, 0, 0, 0, 0]),
                uncompressed_bytes: 5,
                rows: 0,
                encoding: Encoding::PLAIN,
            });
        }
        for page in std::mem::take(&mut self.pages) {
            if !encodings.contains(&page.encoding) {
                encodings.push(page.encoding);
            }
            let data = Page::DataPage {
                buf: page.buf,
                num_values: page.rows,
                encoding: page.encoding,
                def_level_encoding: Encoding::RLE,
                rep_level_encoding: Encoding::RLE,
                statistics: None,
            };
            let written = writer.write_page(CompressedPage::new(data, page.uncompressed_bytes))?;
            data_offset.get_or_insert(written.offset as i64);
            compressed_bytes += written.compressed_size;
            uncompressed_bytes += written.uncompressed_size;
        }
        writer.close()?;
        let bytes = Bytes::from(sink.into_inner()?);
        let metadata = ColumnChunkMetaData::builder(self.descr.clone())
            .set_compression(if compressed {
                Compression::ZSTD(ZstdLevel::try_new(self.zstd_level)?)
            } else {
                Compression::UNCOMPRESSED
            })
            .set_encodings(encodings)
            .set_num_values(self.rows as i64)
            .set_total_compressed_size(compressed_bytes as i64)
            .set_total_uncompressed_size(uncompressed_bytes as i64)
            .set_data_page_offset(data_offset.unwrap_or_default())
            .set_dictionary_page_offset(dictionary_offset)
            .set_statistics(self.values.statistics(self.nulls))
            .build()?;
        let close = ColumnCloseResult {
            bytes_written: bytes.len() as u64,
            rows_written: self.rows,
            metadata,
            bloom_filter: None,
            column_index: None,
            offset_index: None,
        };
        Ok((bytes, close))
    }
}

/// A meeting's samples come in here, value by value
/// ([`Samples::columns_into`](zoom_qos::export::Samples::columns_into)).
impl ColumnSink for ChunkEncoder {
    fn nulls(&mut self, rows: usize) {
        if !self.nullable {
            return self.fail("nulls in a column that has none");
        }
        self.level(0, rows);
    }

    fn double(&mut self, value: f64) {
        let Values::Double(dictionary) = &mut self.values else {
            return self.fail("a double in a column of another type");
        };
        dictionary.nans += u64::from(value.is_nan());
        self.indices.push(dictionary.index_of(value.to_bits()));
        self.defined(1);
    }

    fn integer(&mut self, value: i64) {
        let index = match &mut self.values {
            Values::Int32(dictionary, range) if range.contains(&value) => {
                dictionary.index_of(value as u64)
            }
            Values::Int64(dictionary) => dictionary.index_of(value as u64),
            Values::Int32(..) => return self.fail("an integer out of its column's range"),
            _ => return self.fail("an integer in a column of another type"),
        };
        self.indices.push(index);
        self.defined(1);
    }

    fn text(&mut self, value: &str, rows: usize) {
        let Values::Bytes(dictionary) = &mut self.values else {
            return self.fail("a string in a column of another type");
        };
        if rows == 0 {
            // Not in the dictionary: its entries are the chunk's values (statistics).
            return;
        }
        let index = dictionary.index_of(value.as_bytes());
        self.indices.resize(self.indices.len() + rows, index);
        self.defined(rows);
    }

    fn boolean(&mut self, value: bool) {
        let Values::Boolean { range } = &mut self.values else {
            return self.fail("a boolean in a column of another type");
        };
        let (low, high) = range.get_or_insert((value, value));
        *low &= value;
        *high |= value;
        self.bools.push(value);
        self.defined(1);
    }
}

impl Values {
    /// Entries in the dictionary (0 for booleans, which have none).
    fn len(&self) -> usize {
        match self {
            Values::Double(d) => d.values.len(),
            Values::Int32(d, _) => d.values.len(),
            Values::Int64(d) => d.values.len(),
            Values::Bytes(d) => d.values.len(),
            Values::Boolean { .. } => 0,
        }
    }

    /// The dictionary, PLAIN-encoded, and its entries (`None` for booleans).
    fn dictionary_page(&self) -> Option<(Vec<u8>, u32)> {
        let mut plain = Vec::new();
        match self {
            // Doubles and 64-bit integers: their 8 bytes; 32-bit ones their low 4.
            Values::Double(d) | Values::Int64(d) => {
                d.values.iter().for_each(|v| plain.extend(v.to_le_bytes()));
            }
            Values::Int32(d, _) => d
                .values
                .iter()
                .for_each(|&v| plain.extend((v as i32).to_le_bytes())),
            Values::Bytes(d) => {
                for value in &d.values {
                    plain.extend((value.len() as u32).to_le_bytes());
                    plain.extend_from_slice(value);
                }
            }
            Values::Boolean { .. } => return None,
        }
        Some((plain, self.len() as u32))
    }

    /// The chunk's statistics: its values' least and greatest (every dictionary entry is
    /// used), and its nulls.
    ///
    /// Numbers are in signed order, so their bounds are also written in the deprecated
    /// `min` and `max` fields, as the `parquet` crate writes them for older readers.
    fn statistics(&self, nulls: u64) -> Statistics {
        let nulls = Some(nulls);
        match self {
            Values::Double(d) => {
                // Parquet's order for doubles: NaN left out, and a zero bound signed
                // so that it bounds both zeros (-0.0 least, +0.0 greatest).
                let numbers = d.values.iter().map(|&bits| f64::from_bits(bits));
                let (min, max) = least_greatest(numbers.filter(|v| !v.is_nan()));
                let min = min.map(|v| if v == 0.0 { -0.0 } else { v });
                let max = max.map(|v| if v == 0.0 { 0.0 } else { v });
                let statistics = ValueStatistics::new(min, max, None, nulls, false)
                    .with_nan_count((!d.values.is_empty()).then_some(d.nans));
                Statistics::Double(statistics.with_backwards_compatible_min_max(true))
            }
            Values::Int32(d, _) => {
                let (min, max) = least_greatest(d.values.iter().map(|&v| v as i32));
                let statistics = ValueStatistics::new(min, max, None, nulls, false);
                Statistics::Int32(statistics.with_backwards_compatible_min_max(true))
            }
            Values::Int64(d) => {
                let (min, max) = least_greatest(d.values.iter().map(|&v| v as i64));
                let statistics = ValueStatistics::new(min, max, None, nulls, false);
                Statistics::Int64(statistics.with_backwards_compatible_min_max(true))
            }
            Values::Bytes(d) => {
                let (min, max) = least_greatest(d.values.iter());
                // Long bounds cut: the minimum to a prefix (still a lower bound), the
                // maximum to a prefix whose last character is raised (an upper bound).
                let cut = |bound: &[u8], cut: fn(&[u8]) -> Option<Vec<u8>>| match bound.len()
                    > STATISTICS_BYTES
                {
                    true => cut(bound).map(|b| (ByteArray::from(b), false)),
                    false => Some((ByteArray::from(bound.to_vec()), true)),
                };
                let min = min.and_then(|min| cut(min, |b| Some(utf8_prefix(b).to_vec())));
                let max = max.and_then(|max| cut(max, raised_prefix));
                let exact = |bound: &Option<(ByteArray, bool)>| bound.as_ref().is_none_or(|b| b.1);
                let (min_exact, max_exact) = (exact(&min), exact(&max));
                let statistics = ValueStatistics::new(
                    min.map(|(min, _)| min),
                    max.map(|(max, _)| max),
                    None,
                    nulls,
                    false,
                )
                .with_max_is_exact(max_exact);
                Statistics::ByteArray(statistics.with_min_is_exact(min_exact))
            }
            Values::Boolean { range } => {
                Statistics::boolean(range.map(|r| r.0), range.map(|r| r.1), None, nulls, false)
            }
        }
    }
}

/// The least and the greatest of `values`.
fn least_greatest<T: PartialOrd + Copy>(values: impl Iterator<Item = T>) -> (Option<T>, Option<T>) {
    values.fold((None, None), |(low, high), v| {
        (
            Some(low.map_or(v, |l| if v < l { v } else { l })),
            Some(high.map_or(v, |h| if v > h { v } else { h })),
        )
    })
}

/// The longest prefix of `text` of at most [`STATISTICS_BYTES`] that ends on a character
/// (a UTF-8 continuation byte is `0b10xx_xxxx`: the cut goes before the character it is
/// in).
fn utf8_prefix(text: &[u8]) -> &[u8] {
    let mut end = STATISTICS_BYTES.min(text.len());
    while end > 0 && end < text.len() && text[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    &text[..end]
}

/// An upper bound of `text` of at most [`STATISTICS_BYTES`]: its prefix with the last
/// character that can be raised to the next one of the same UTF-8 length raised (and
/// those after it dropped). `None` when no character can be (or `text` is not UTF-8).
fn raised_prefix(text: &[u8]) -> Option<Vec<u8>> {
    let prefix = std::str::from_utf8(utf8_prefix(text)).ok()?;
    prefix.char_indices().rev().find_map(|(at, c)| {
        let next = char::from_u32(u32::from(c) + 1).filter(|n| n.len_utf8() == c.len_utf8())?;
        let mut raised = prefix.as_bytes()[..at].to_vec();
        raised.extend_from_slice(next.encode_utf8(&mut [0; 4]).as_bytes());
        Some(raised)
    })
}

/// Bits that hold every number up to `max`.
fn bits_for(max: usize) -> u8 {
    (usize::BITS - max.leading_zeros()) as u8
}

/// Booleans PLAIN: one bit each, the first in the lowest bit.
fn plain_booleans(values: &[bool], out: &mut Vec<u8>) {
    for eight in values.chunks(8) {
        out.push(
            eight
                .iter()
                .enumerate()
                .fold(0, |byte, (bit, &v)| byte | (u8::from(v) << bit)),
        );
    }
}

/// `values` in Parquet's RLE / bit-packing hybrid of `bit_width` bits (without the
/// length prefix): a run of 8 or more equal values is one RLE run; the values between
/// runs are bit-packed in groups of 8 (the last group padded with zeros, which only
/// the page's end may have: a bit-packed stretch ends where a run of 8 begins, at a
/// group's end).
fn rle_hybrid<T: Copy + Eq + Into<u64>>(values: &[T], bit_width: u8, out: &mut Vec<u8>) {
    let run_at = |at: usize, most: usize| {
        let first = values[at];
        let rest = &values[at..values.len().min(at.saturating_add(most))];
        // Sixteen at a time first (compared as one array: vector instructions), as
        // runs of thousands are common (a participant's name, a column's zeros).
        let whole = rest
            .chunks_exact(16)
            .take_while(|chunk| chunk.iter().fold(true, |same, &v| same & (v == first)))
            .count()
            * 16;
        whole + rest[whole..].iter().take_while(|&&v| v == first).count()
    };
    let mut at = 0;
    while at < values.len() {
        let run = run_at(at, usize::MAX);
        if run >= 8 {
            uleb128((run as u64) << 1, out);
            let value: u64 = values[at].into();
            out.extend_from_slice(&value.to_le_bytes()[..usize::from(bit_width.div_ceil(8))]);
            at += run;
            continue;
        }
        let start = at;
        loop {
            at = (at + 8).min(values.len());
            if at == values.len() || run_at(at, 8) == 8 {
                break;
            }
        }
        let groups = (at - start).div_ceil(8);
        uleb128(((groups as u64) << 1) | 1, out);
        bit_pack(&values[start..at], bit_width, out);
    }
}

/// `values` bit-packed, `bit_width` bits each, the first in the lowest bits, in groups of
/// 8 (the last padded with zeros): a group is `bit_width` bytes.
fn bit_pack<T: Copy + Into<u64>>(values: &[T], bit_width: u8, out: &mut Vec<u8>) {
    let width = usize::from(bit_width);
    for group in values.chunks(8) {
        if width <= 16 {
            // 8 values of at most 16 bits: one 128-bit word.
            let packed = group.iter().enumerate().fold(0u128, |packed, (at, &v)| {
                packed | (u128::from(v.into()) << (at * width))
            });
            out.extend_from_slice(&packed.to_le_bytes()[..width]);
        } else {
            let (mut buffer, mut buffered) = (0u64, 0);
            let padding = std::iter::repeat_n(0, 8 - group.len());
            for value in group.iter().map(|&v| v.into()).chain(padding) {
                buffer |= value << buffered;
                buffered += width;
                while buffered >= 8 {
                    out.push(buffer as u8);
                    buffer >>= 8;
                    buffered -= 8;
                }
            }
        }
    }
}

/// `value` as an unsigned LEB128 varint.
fn uleb128(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    //! Reference implementation: the `parquet` crate, whose reader must read back exactly
    //! the rows written, and whose own writer (`ArrowWriter`) must find the same
    //! statistics in the same rows.

    use std::fs::File;
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int16Array, Int32Array, RecordBatch,
        StringArray, TimestampMillisecondArray,
    };
    use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::{EnabledStatistics, WriterProperties};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use proptest::prelude::*;

    use super::super::file::{Encoder, FileFormat, PartFile, read_file};
    use super::Statistics;
    use crate::scratch::scratch;

    fn schema() -> SchemaRef {
        let words = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        Arc::new(Schema::new(vec![
            Field::new("double", DataType::Float64, true),
            Field::new("int32", DataType::Int32, true),
            Field::new("int16", DataType::Int16, true),
            Field::new(
                "time",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                true,
            ),
            Field::new("word", words.clone(), true),
            Field::new("constant", words, false),
            Field::new("flag", DataType::Boolean, false),
            Field::new("maybe", DataType::Boolean, true),
        ]))
    }

    /// One row: a value (or null) per column of [`schema`], from a small number.
    type Row = (Option<i64>, Option<bool>, bool);

    /// A batch of `rows`: each number spread over every column's type (negative,
    /// zeros of both signs, long strings, all the same or all different as given).
    fn batch(rows: &[Row]) -> RecordBatch {
        let double = |n: i64| match n % 7 {
            0 => 0.0,
            1 => -0.0,
            _ => n as f64 / 100.0 - 3.0,
        };
        let words: Vec<String> = rows
            .iter()
            .map(|&(n, ..)| {
                format!(
                    "w{}{}",
                    n.unwrap_or(0),
                    "é".repeat((n.unwrap_or(0) % 40) as usize)
                )
            })
            .collect();
        let keys: Int32Array = rows
            .iter()
            .enumerate()
            .map(|(at, (n, ..))| n.map(|_| at as i32))
            .collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                rows.iter()
                    .map(|r| r.0.map(double))
                    .collect::<Float64Array>(),
            ),
            Arc::new(
                rows.iter()
                    .map(|r| r.0.map(|n| n as i32 - 1000))
                    .collect::<Int32Array>(),
            ),
            Arc::new(
                rows.iter()
                    .map(|r| r.0.map(|n| (n % 30_000) as i16 - 15_000))
                    .collect::<Int16Array>(),
            ),
            Arc::new(
                rows.iter()
                    .map(|r| r.0.map(|n| 1_624_000_000_000 + n * 60_000))
                    .collect::<TimestampMillisecondArray>()
                    .with_timezone("UTC"),
            ),
            Arc::new(DictionaryArray::<Int32Type>::new(
                keys,
                Arc::new(StringArray::from(words)),
            )),
            Arc::new(DictionaryArray::<Int32Type>::new(
                Int32Array::from(vec![0; rows.len()]),
                Arc::new(StringArray::from(vec!["standup"])),
            )),
            Arc::new(rows.iter().map(|r| Some(r.2)).collect::<BooleanArray>()),
            Arc::new(rows.iter().map(|r| r.1).collect::<BooleanArray>()),
        ];
        RecordBatch::try_new(schema(), columns).unwrap()
    }

    /// Writes `batches` as one row group with the encoder, and with the `parquet` crate;
    /// returns both files.
    fn write_both(
        batches: &[RecordBatch],
        dir: &std::path::Path,
    ) -> (std::path::PathBuf, std::path::PathBuf) {
        let ours = dir.join("ours.parquet");
        let mut file = PartFile::create(&ours, &schema(), FileFormat::Parquet).unwrap();
        let encoder = Encoder::new(&schema()).unwrap();
        let mut group = encoder.row_group().unwrap();
        for batch in batches {
            encoder.write(&mut group, batch).unwrap();
        }
        file.append(group.close().unwrap()).unwrap();
        file.finish().unwrap();
        let theirs = dir.join("theirs.parquet");
        let properties = WriterProperties::builder()
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_max_row_group_row_count(Some(usize::MAX))
            .build();
        let mut writer =
            ArrowWriter::try_new(File::create(&theirs).unwrap(), schema(), Some(properties))
                .unwrap();
        for batch in batches {
            writer.write(batch).unwrap();
        }
        writer.close().unwrap();
        (ours, theirs)
    }

    fn check(batches: &[RecordBatch]) -> Result<(), TestCaseError> {
        let dir = scratch("encode");
        let (ours, theirs) = write_both(batches, &dir);
        // The rows read back are the rows written.
        let read = read_file(&ours, FileFormat::Parquet, Some(&schema())).unwrap();
        let want = arrow_select::concat::concat_batches(&schema(), batches).unwrap();
        let got = arrow_select::concat::concat_batches(&schema(), &read).unwrap();
        prop_assert_eq!(got.num_rows(), want.num_rows());
        for (at, (got, want)) in got.columns().iter().zip(want.columns()).enumerate() {
            let got = arrow_cast(got);
            let want = arrow_cast(want);
            prop_assert!(got == want, "column {} differs", at);
        }
        // The statistics are the `parquet` crate's.
        let ours = SerializedFileReader::new(File::open(&ours).unwrap()).unwrap();
        let theirs = SerializedFileReader::new(File::open(&theirs).unwrap()).unwrap();
        if want.num_rows() == 0 {
            // The crate writes no row group of no rows; ours is read back empty (above).
            return Ok(());
        }
        let (ours, theirs) = (ours.metadata().row_group(0), theirs.metadata().row_group(0));
        prop_assert_eq!(ours.num_rows(), theirs.num_rows());
        for (a, b) in ours.columns().iter().zip(theirs.columns()) {
            let (a, b) = (a.statistics().unwrap(), b.statistics().unwrap());
            let (mut min, mut max) = (b.min_bytes_opt(), b.max_bytes_opt());
            // Where the crate (60) differs from the format's rule for a zero bound of
            // doubles ("-0.0 as a minimum, +0.0 as a maximum"), the rule is what we follow.
            if let Statistics::Double(b) = b {
                const NEGATIVE_ZERO: [u8; 8] = (-0.0f64).to_le_bytes();
                const ZERO: [u8; 8] = 0.0f64.to_le_bytes();
                min = min.map(|m| {
                    if b.min_opt() == Some(&0.0) {
                        &NEGATIVE_ZERO[..]
                    } else {
                        m
                    }
                });
                max = max.map(|m| {
                    if b.max_opt() == Some(&0.0) {
                        &ZERO[..]
                    } else {
                        m
                    }
                });
            }
            prop_assert_eq!(a.min_bytes_opt(), min, "{}", a);
            prop_assert_eq!(a.max_bytes_opt(), max, "{}", a);
            prop_assert_eq!(a.null_count_opt(), b.null_count_opt());
            prop_assert_eq!(
                a.is_min_max_backwards_compatible(),
                b.is_min_max_backwards_compatible(),
                "{}",
                a
            );
            prop_assert_eq!(a.nan_count_opt(), b.nan_count_opt(), "{}", a);
        }
        Ok(())
    }

    /// Dictionary columns compared by their values (the keys may differ).
    fn arrow_cast(array: &ArrayRef) -> ArrayRef {
        match array.data_type() {
            DataType::Dictionary(..) => arrow_select::take::take(
                array.as_any_dictionary().values(),
                array.as_any_dictionary().keys(),
                None,
            )
            .unwrap(),
            _ => array.clone(),
        }
    }

    fn rows(values: impl Strategy<Value = i64> + 'static) -> impl Strategy<Value = Vec<Row>> {
        let row = (
            prop::option::weighted(0.8, values),
            prop::option::of(any::<bool>()),
            any::<bool>(),
        );
        prop::collection::vec(row, 0..300)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Few distinct values (runs, RLE) or many (bit-packing), in a few batches.
        #[test]
        fn rows_and_statistics_agree_with_the_parquet_crate(
            batches in prop::collection::vec(prop_oneof![rows(0..4i64), rows(0..100_000i64)], 1..4),
        ) {
            let batches: Vec<RecordBatch> = batches.iter().map(|rows| batch(rows)).collect();
            check(&batches)?;
        }
    }

    /// Pages cut every 8,192 rows, batches across the cuts, and dictionaries of more than
    /// 65,536 values (indices of 17 bits).
    #[test]
    fn many_pages_and_wide_indices() {
        let rows: Vec<Row> = (0..70_000)
            .map(|n| ((n % 13 != 0).then_some(n), Some(n % 3 == 0), n % 5 == 0))
            .collect();
        let batches = [batch(&rows[..15_000]), batch(&rows[15_000..])];
        check(&batches).unwrap();
    }

    /// A meeting's samples told value by value ([`ColumnSink`]) make the file their Arrow
    /// batch makes (the reference: the path through Arrow arrays, whose rows the test
    /// above reads back), rows of two dates and the batch's end across a page cut.
    #[test]
    fn samples_told_value_by_value_are_the_bytes_of_their_batch() {
        use zoom_qos::export::{Samples, samples_schema};
        use zoom_qos::{Analysis, Decoder, Table};

        let dir = scratch("encode");
        let schema = samples_schema();
        let encoder = Encoder::new(&schema).unwrap();
        for (seed, participants, minutes) in [(1, 3, 40), (2, 12, 700), (3, 1, 1)] {
            let mut page = zoom_qos::synth::page(seed, participants, minutes).into_bytes();
            // A sample without a time or values, first in the first entry's samples.
            let at = page
                .windows(12)
                .position(|w| w == b"\"user_qos\":[")
                .unwrap()
                + 12;
            page.splice(at..at, br#"{"date_time":""},"#.iter().copied());
            let mut table = Table::new();
            Decoder::default().decode(&mut page, &mut table).unwrap();
            let analysis = Analysis::new();
            let samples = Samples::new("standup", &table, analysis.flag_thresholds());
            let mut written = Vec::new();
            for direct in [true, false] {
                let path = dir.join(format!("{seed}-{direct}.parquet"));
                let mut file = PartFile::create(&path, &schema, FileFormat::Parquet).unwrap();
                let mut group = encoder.row_group().unwrap();
                for (_, rows) in samples.by_date() {
                    if direct {
                        encoder.write_samples(&mut group, &samples, &rows).unwrap();
                    } else {
                        let batch = samples.batch(&rows).unwrap();
                        encoder.write(&mut group, &batch).unwrap();
                    }
                }
                file.append(group.close().unwrap()).unwrap();
                file.finish().unwrap();
                written.push(std::fs::read(&path).unwrap());
            }
            assert!(written[0] == written[1], "seed {seed}: the files differ");
            let read = read_file(
                &dir.join(format!("{seed}-true.parquet")),
                FileFormat::Parquet,
                None,
            );
            let rows: usize = read.unwrap().iter().map(RecordBatch::num_rows).sum();
            assert_eq!(rows, table.samples());
            assert_eq!(table.time_s(0), None);
        }
    }

    /// Only nulls, and no rows at all.
    #[test]
    fn empty_columns_and_empty_groups() {
        let nulls: Vec<Row> = (0..50).map(|_| (None, None, false)).collect();
        check(&[batch(&nulls)]).unwrap();
        check(&[batch(&[])]).unwrap();
    }
}
