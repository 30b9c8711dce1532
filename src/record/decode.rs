//! The fast decode route: JSON bytes -> simd-json tape (reused) -> a walk that writes rows.
//! Allocates nothing per sample once its buffers and the table have grown.

use simd_json::prelude::*;
use simd_json::tape::Value;
use simd_json::{Buffers, Tape};

use super::config::DecodeConfig;
use super::table::{Group, Table};
use super::writer::{JsonNumber, JsonScalar, PageWriter};
use crate::error::{Error, ErrorKind};
use crate::schema::{CpuMetric, Metric, RssiMetric, SampleField, Stream, SummaryKey, SummaryType};

/// What a decoded page said about itself and held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// Participant entries in the page.
    pub participants: u32,
    /// `user_qos` samples in the page.
    pub samples: u64,
    /// Whether `next_page_token` is a non-empty string: more pages follow.
    pub has_next_page: bool,
    /// `total_records`, when it is a number (the official sample sends a placeholder text).
    pub total_records: Option<u64>,
}

/// simd-json's error as an [`Error`]: its offset (the end of the input when the input
/// ended too early) and what went wrong in words.
#[cold]
fn simd_json_error(input_len: usize, error: &simd_json::Error) -> Error {
    use simd_json::ErrorType as E;
    let reason = match error.error() {
        E::Eof | E::UnterminatedString => "unexpected end of input",
        E::TrailingData => "trailing characters after the document",
        E::InvalidUtf8 => "invalid UTF-8",
        E::InvalidEscape | E::InvalidUnicodeEscape | E::InvalidUnicodeCodepoint => {
            "an invalid escape in a string"
        }
        E::InvalidNumber | E::InvalidExponent | E::Overflow => "an invalid number",
        E::DepthLimitExceeded => "nesting deeper than the parser allows",
        E::KeyMustBeAString | E::ExpectedObjectKey => "an object key that is not a string",
        E::InputTooLarge => "a document larger than 4 GiB",
        _ => "not valid JSON",
    };
    let offset = match error.error() {
        E::Eof | E::UnterminatedString => input_len,
        _ => error.index().min(input_len),
    };
    Error::json(offset, reason.to_owned())
}

/// Where and why `original` is not one JSON document, from a validating parse that leaves
/// it untouched (serde_json): an [`ErrorKind::Json`](crate::ErrorKind::Json) with the byte
/// offset and the reason in words (`unexpected end of input`, `trailing characters after
/// the document`, ...); `None` when it is one document.
///
/// [`Decoder::decode`] answers the same for a page it cannot parse, on the page as given
/// (it restores what simd-json unescaped in place first).
pub fn locate_json_error(original: &[u8]) -> Option<Error> {
    // A `Value`, not `IgnoredAny`: serde_json skips ignored strings without checking their
    // UTF-8. Only malformed pages come here, so what it builds costs nothing that matters.
    serde_json::from_slice::<serde_json::Value>(original)
        .err()
        .map(|error| Error::from_serde_json(original, &error))
}

/// Decodes pages into a [`Table`], reusing its simd-json buffers and tape between pages.
///
/// Accepts a list page (`{"participants": [...], ...}`) and the single-participant
/// endpoint's answer (a participant object with `user_qos` at the top level).
///
/// ```
/// use zoom_qos::{Decoder, Metric, Stream, Table};
///
/// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms", "jitter": "6 ms", "avg_loss": "0.3%"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": "210 ms"}}]}]}"#;
/// let (mut decoder, mut table) = (Decoder::default(), Table::new());
/// for _ in 0..3 {
///     table.clear(); // one decoder and one table, reused: no allocation per sample
///     decoder.decode(&mut page.to_vec(), &mut table)?; // parsed in place
/// }
/// assert_eq!(table.samples(), 2);
/// let latency = table.stream(Stream::AudioInput).and_then(|c| c.value(Metric::Latency, 1));
/// assert_eq!(latency, Some(210.0));
/// # Ok::<(), zoom_qos::Error>(())
/// ```
pub struct Decoder {
    config: DecodeConfig,
    buffers: Buffers,
    /// Kept empty between calls; only its allocation is reused.
    tape: Tape<'static>,
    /// The page's escaped string tails as they were before simd-json unescaped them in
    /// place, so that a JSON error is located on the page as it was given.
    escaped: Escaped,
}

impl core::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DecodeConfig::default())
    }
}

impl Decoder {
    /// A decoder with the given configuration.
    pub fn new(config: DecodeConfig) -> Self {
        Decoder {
            config,
            buffers: Buffers::default(),
            tape: Tape(Vec::new()),
            escaped: Escaped::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DecodeConfig {
        &self.config
    }

    /// Parses one page from `input` (which simd-json rewrites while unescaping strings)
    /// and appends its participants and samples to `table`.
    ///
    /// # Errors
    /// Malformed JSON ([`ErrorKind::Json`](crate::ErrorKind::Json): the byte where the page
    /// stops being JSON, and why, in words, as [`locate_json_error`] finds them on the page
    /// as given; no copy of it is needed), a Zoom error answer
    /// ([`ErrorKind::ErrorAnswer`](crate::ErrorKind::ErrorAnswer)), any other document that
    /// is not a QoS page ([`ErrorKind::Shape`](crate::ErrorKind::Shape): a list page has
    /// `participants`, a single participant has `user_qos`; the entries of a `qos_summary`
    /// page go to [`Table::summary`]), or in strict mode the first invalid value. On error
    /// `table` is unchanged.
    pub fn decode(&mut self, input: &mut [u8], table: &mut Table) -> Result<PageInfo, Error> {
        let len = input.len();
        self.decode_with(table, input, len, |input, buffers, tape| {
            simd_json::fill_tape(input, buffers, tape)
        })
    }

    /// [`decode`](Self::decode) of `input[..len]` where the caller provides at least
    /// [`Decoder::PADDING`] bytes after it (of any content: the next page of a file, say),
    /// so that simd-json parses the page where it lies instead of copying it into a padded
    /// buffer of its own. Unescaping rewrites `input[..len]` only; the padding is left as
    /// it was.
    ///
    /// # Errors
    /// As [`decode`](Self::decode); and a [`Config`](crate::ErrorKind::Config) error when
    /// `input` is shorter than `len + PADDING`.
    pub fn decode_padded(
        &mut self,
        input: &mut [u8],
        len: usize,
        table: &mut Table,
    ) -> Result<PageInfo, Error> {
        if input.len().saturating_sub(len) < Self::PADDING {
            return Err(Error::config(format!(
                "decode_padded needs {} bytes of padding after the page, found {}",
                Self::PADDING,
                input.len().saturating_sub(len)
            )));
        }
        self.decode_with(table, input, len, |input, buffers, tape| {
            simd_json::fill_tape_padded(input, len, buffers, tape)
        })
    }

    /// Bytes [`decode_padded`](Self::decode_padded) needs after a page.
    pub const PADDING: usize = simd_json::INPUT_PADDING;

    /// Fills the tape from `input[..len]` with `fill`, then writes the page into `table`.
    /// A JSON error is located again on the page as given: its escaped strings, which the
    /// parse may have unescaped in place, are put back first.
    fn decode_with(
        &mut self,
        table: &mut Table,
        input: &mut [u8],
        len: usize,
        fill: impl for<'de> FnOnce(&'de mut [u8], &mut Buffers, &mut Tape<'de>) -> simd_json::Result<()>,
    ) -> Result<PageInfo, Error> {
        let page = input.get(..len).unwrap_or_default();
        let needed_bytes = parse_bytes_needed(page, self.config.max_parse_bytes);
        if needed_bytes > self.config.max_parse_bytes {
            return Err(ErrorKind::ParseMemory {
                needed_bytes,
                limit_bytes: self.config.max_parse_bytes,
            }
            .into());
        }
        self.escaped.save(page);
        let parsed = {
            let mut tape = core::mem::replace(&mut self.tape, Tape(Vec::new())).reset();
            let parsed = match fill(&mut *input, &mut self.buffers, &mut tape) {
                Ok(()) => Ok(table.write_page(&self.config, |writer| {
                    walk_document(tape.as_value(), writer)
                })),
                Err(error) => Err(simd_json_error(len, &error)),
            };
            self.tape = tape.reset();
            parsed
        };
        match parsed {
            Ok(written) => written,
            Err(simd_error) => {
                let page = input.get_mut(..len).unwrap_or_default();
                self.escaped.restore(page);
                Err(locate_json_error(page).unwrap_or(simd_error))
            }
        }
    }
}

/// What simd-json holds to parse `page`, at most: two copies of the page (its padded
/// input and its string buffer), per structural character an index and a tape node, and
/// a little more (its depth stack, at most 1,024 levels; its padding).
/// A page small enough that even one structural character per byte stays within `limit`
/// is not scanned; a larger one is counted (an upper bound: both quotes of a string are
/// counted, where simd-json keeps one).
fn parse_bytes_needed(page: &[u8], limit: u64) -> u64 {
    // A tape node, and a 4-byte index in a vector that grows by doubling: up to three
    // times the indexes while it is copied.
    const PER_STRUCTURAL: u64 =
        (3 * size_of::<u32>() + size_of::<simd_json::Node<'static>>()) as u64;
    const FIXED: u64 = 64 << 10;
    let len = page.len() as u64;
    let copies = len.saturating_mul(2).saturating_add(FIXED);
    let worst = copies.saturating_add(len.saturating_mul(PER_STRUCTURAL));
    if worst <= limit {
        return worst;
    }
    let structurals = page
        .iter()
        .filter(|&&b| matches!(b, b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"'))
        .count() as u64;
    copies.saturating_add(structurals.saturating_mul(PER_STRUCTURAL))
}

/// The tails of a page's escaped strings, from each string's first backslash to its
/// closing quote, as they were before the parse: simd-json unescapes a string in place,
/// rewriting its bytes from the first escape on, and nothing else. One `memchr` pass finds
/// them; a page without escapes saves nothing.
#[derive(Debug, Default)]
struct Escaped {
    /// Where each saved tail starts in the page, and its length.
    tails: Vec<(usize, usize)>,
    /// The tails' bytes, one after the other.
    bytes: Vec<u8>,
}

impl Escaped {
    fn save(&mut self, page: &[u8]) {
        self.tails.clear();
        self.bytes.clear();
        let mut from = 0;
        while let Some(at) = page
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\\', rest))
        {
            let start = from + at;
            // The rest of the string: escaped pairs skipped, up to its closing quote.
            let mut end = start;
            while let Some(at) = page
                .get(end..)
                .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
            {
                end += at;
                if page[end] == b'"' {
                    break;
                }
                end = (end + 2).min(page.len());
            }
            if page.get(end) != Some(&b'"') {
                end = page.len();
            }
            self.tails.push((start, end - start));
            self.bytes.extend_from_slice(&page[start..end]);
            from = end.max(start + 1);
        }
    }

    /// Puts the saved tails back into `page` (the page they were saved from).
    fn restore(&self, page: &mut [u8]) {
        let mut saved = 0;
        for &(start, len) in &self.tails {
            if let (Some(to), Some(from)) = (
                page.get_mut(start..start + len),
                self.bytes.get(saved..saved + len),
            ) {
                to.copy_from_slice(from);
            }
            saved += len;
        }
    }
}

fn walk_document(root: Value<'_, '_>, writer: &mut PageWriter<'_>) -> Result<PageInfo, Error> {
    let Some(page) = root.as_object() else {
        return Err(Error::shape(
            String::new(),
            "a page object",
            json_type(root),
        ));
    };
    let mut info = PageInfo::default();
    let mut participants = None;
    let mut is_participant = false;
    let (mut code, mut message) = (None, None);
    for (key, value) in page.iter() {
        match key {
            // A Video SDK session's page lists `users`, with the same entries.
            "participants" | "users" => participants = Some((key, value)),
            "user_qos" => is_participant = true,
            "code" => code = Some(value),
            "message" => message = value.into_string(),
            "next_page_token" => {
                info.has_next_page = value.as_str().is_some_and(|token| !token.is_empty());
            }
            "total_records" => info.total_records = lenient_u64(value),
            _ => {}
        }
    }
    writer.page_chain(info.has_next_page, info.total_records);
    match participants {
        Some((key, list)) => {
            if let Some(list) = list.as_array() {
                for (index, participant) in list.iter().enumerate() {
                    if let Some(participant) = participant.as_object() {
                        let at = At::Entry(key, index);
                        walk_participant(&participant, at, writer, &mut info)?;
                    }
                }
            } else if !list.is_null() {
                return Err(Error::shape(key.into(), "a list", json_type(list)));
            }
        }
        // The single-participant endpoint answers with the participant itself.
        None if is_participant => walk_participant(&page, At::Top, writer, &mut info)?,
        // Zoom's error body, `{"code": 124, "message": "..."}`, saved as if it were a page.
        None if code.is_some() || message.is_some() => {
            return Err(ErrorKind::ErrorAnswer {
                code: code.and_then(|c| lenient_u64(c).and_then(|c| i64::try_from(c).ok())),
                message: message.unwrap_or_default().to_owned(),
            }
            .into());
        }
        None => {
            return Err(Error::shape(
                String::new(),
                "a QoS page (with participants or users, or a participant with user_qos)",
                "an object with none of them",
            ));
        }
    }
    Ok(info)
}

/// Where a participant entry is in its page, for shape errors' paths.
#[derive(Clone, Copy)]
enum At<'k> {
    /// The page is the participant (the single-participant endpoint's answer).
    Top,
    /// `participants[i]` or `users[i]`.
    Entry(&'k str, usize),
}

impl At<'_> {
    /// The path of a key of the entry (`participants[3].user_qos`, or `user_qos`).
    fn path(self, key: &str) -> String {
        match self {
            At::Top => key.to_owned(),
            At::Entry(list, index) => format!("{list}[{index}].{key}"),
        }
    }
}

fn walk_participant(
    participant: &simd_json::tape::Object<'_, '_>,
    at: At<'_>,
    writer: &mut PageWriter<'_>,
    info: &mut PageInfo,
) -> Result<(), Error> {
    info.participants += 1;
    // A `qos_summary` entry has `qos` and no per-minute `user_qos`: one look at the keys.
    let (mut summary, mut samples) = (false, false);
    for (key, _) in participant.iter() {
        summary |= key == "qos";
        samples |= key == "user_qos";
    }
    if summary && !samples {
        return walk_summary_entry(participant, at, writer);
    }
    writer.begin_participant()?;
    for (key, value) in participant.iter() {
        if key == "user_qos" {
            if let Some(samples) = value.as_array() {
                for sample in samples.iter() {
                    walk_sample(sample, writer)?;
                    info.samples += 1;
                }
            } else if value.as_object().is_some() {
                // Older published examples give one sample as an object.
                writer.user_qos_object(|| at.path("user_qos"))?;
                walk_sample(value, writer)?;
                info.samples += 1;
            } else if !value.is_null() {
                return Err(Error::shape(
                    at.path("user_qos"),
                    "a list",
                    json_type(value),
                ));
            }
        } else if let Some(text) = value.as_str() {
            writer.participant_key(key, text);
        }
    }
    writer.end_participant();
    Ok(())
}

/// One `qos_summary` entry: `user_name`, and `qos: [{type, details: {key: value}}]`.
/// Unknown types and keys are skipped.
fn walk_summary_entry(
    participant: &simd_json::tape::Object<'_, '_>,
    at: At<'_>,
    writer: &mut PageWriter<'_>,
) -> Result<(), Error> {
    writer.begin_summary_entry();
    for (key, value) in participant.iter() {
        if key == "user_name" || key == "name" {
            if let Some(name) = value.as_str() {
                writer.summary_name(key, name);
            }
        } else if key == "qos" {
            let Some(entries) = value.as_array() else {
                if value.is_null() {
                    continue;
                }
                return Err(Error::shape(at.path("qos"), "a list", json_type(value)));
            };
            for (position, entry) in entries.iter().enumerate() {
                let Some(entry) = entry.as_object() else {
                    continue;
                };
                let kind = entry
                    .get("type")
                    .and_then(|t| t.into_string())
                    .and_then(SummaryType::from_api_name);
                let Some(details) = entry.get("details").and_then(|d| d.as_object()) else {
                    continue;
                };
                let position = u32::try_from(position).unwrap_or(u32::MAX);
                for (key, value) in details.iter() {
                    if let (Some(kind), Some(key)) = (kind, SummaryKey::from_api_name(key)) {
                        writer.summary_value(position, kind, key, json_scalar(value))?;
                    } else if let Some(field) = SampleField::from_api_name(key)
                        .filter(|field| SampleField::CPU_PRESSURE.contains(field))
                    {
                        // The CPU pressure levels (since November 2025), in whichever
                        // entry carries them.
                        writer.summary_word(position, field, json_scalar(value))?;
                    }
                }
            }
        }
    }
    writer.end_summary_entry();
    Ok(())
}

/// One `user_qos` item. A non-object item (`""`, `null`) is a sample with no data.
fn walk_sample(sample: Value<'_, '_>, writer: &mut PageWriter<'_>) -> Result<(), Error> {
    writer.begin_sample()?;
    if let Some(sample) = sample.as_object() {
        for (key, value) in sample.iter() {
            if let Some(stream) = Stream::from_api_name(key) {
                walk_group(
                    value,
                    writer,
                    Group::Stream(stream),
                    Metric::from_api_name,
                    |w, m, v| w.metric(stream, m, v),
                )?;
            } else if key == "date_time" {
                writer.time(json_scalar(value))?;
            } else if key == "cpu_usage" {
                walk_group(
                    value,
                    writer,
                    Group::Cpu,
                    CpuMetric::from_api_name,
                    PageWriter::cpu,
                )?;
            } else if key == "wifi_rssi" {
                walk_group(
                    value,
                    writer,
                    Group::Rssi,
                    RssiMetric::from_api_name,
                    PageWriter::rssi,
                )?;
            } else if key == "cpu_pressure_level" {
                if let Some(levels) = value.as_object() {
                    for (key, value) in levels.iter() {
                        match SampleField::from_api_name(key) {
                            Some(field) if SampleField::CPU_PRESSURE.contains(&field) => {
                                writer.word(field, json_scalar(value))?;
                            }
                            _ => {}
                        }
                    }
                }
            } else if key == "quality" {
                writer.word(SampleField::Quality, json_scalar(value))?;
            } else if key == "quality_score" {
                writer.score(json_scalar(value))?;
            }
        }
    }
    writer.end_sample();
    Ok(())
}

/// A column group's block of a sample (a stream, `cpu_usage`, `wifi_rssi`): opened when
/// it is an object, each known key written by `write`; unknown keys are skipped, and a
/// block that is not an object is absent.
#[inline(always)]
fn walk_group<'input, 'w, K>(
    block: Value<'_, 'input>,
    writer: &mut PageWriter<'w>,
    group: Group,
    key_of: fn(&str) -> Option<K>,
    mut write: impl FnMut(&mut PageWriter<'w>, K, JsonScalar<'input>) -> Result<(), Error>,
) -> Result<(), Error> {
    if let Some(block) = block.as_object() {
        writer.open_group(group);
        for (key, value) in block.iter() {
            if let Some(key) = key_of(key) {
                write(writer, key, json_scalar(value))?;
            }
        }
    }
    Ok(())
}

fn json_scalar<'input>(value: Value<'_, 'input>) -> JsonScalar<'input> {
    if let Some(text) = value.into_string() {
        return JsonScalar::Text(text);
    }
    match value.value_type() {
        ValueType::Null => JsonScalar::Null,
        ValueType::I64 | ValueType::U64 | ValueType::F64 => match value.as_i64() {
            Some(n) => JsonScalar::Number(JsonNumber::Int(n)),
            None => JsonScalar::Number(JsonNumber::Float(
                value.cast_f64().unwrap_or(f64::NAN).to_bits(),
            )),
        },
        _ => JsonScalar::Other(json_type(value)),
    }
}

/// An integer, from a number or a string holding one (the official sample sends
/// placeholder text where integers belong).
fn lenient_u64(value: Value<'_, '_>) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.into_string().and_then(|s| s.trim().parse().ok()))
}

/// The JSON type of a value, for messages.
fn json_type(value: Value<'_, '_>) -> &'static str {
    match value.value_type() {
        ValueType::String => "a string",
        ValueType::Object => "an object",
        ValueType::Array => "a list",
        ValueType::Bool => "a boolean",
        ValueType::Null => "null",
        _ => "a number",
    }
}
