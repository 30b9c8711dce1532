//! Stage 1: JSON bytes to borrowed views of a QoS page (simd-json + serde). Knows the
//! schema; parses no numbers out of unit strings.
//!
//! (Over 500 lines on purpose: the view types and their hand-written serde visitors, which
//! make the leniency below, are one unit and read best side by side.)
//!
//! Every string borrows from the input buffer (simd-json unescapes in place), so a page
//! costs one `Vec` per list and no `String` per field. The views are lenient in the same
//! way as the [`Decoder`](crate::Decoder): unknown keys of any type are skipped, `null` is
//! missing, a known key of the wrong type is kept as [`Value::Other`] (metrics) or dropped
//! (texts), and integers may arrive as strings.
//!
//! ```
//! let mut json = br#"{"participants": [{"user_name": "Ana",
//!     "user_qos": [{"audio_input": {"latency": "126 ms"}}]}]}"#.to_vec();
//! let page = zoom_qos::view::Page::from_slice(&mut json)?;
//! let sample = &page.participants[0].user_qos[0];
//! let audio = sample.stream(zoom_qos::Stream::AudioInput).unwrap();
//! assert_eq!(audio.get(zoom_qos::Metric::Latency), zoom_qos::view::Value::Str("126 ms"));
//! # Ok::<(), zoom_qos::Error>(())
//! ```

use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::Error;
use crate::schema::{CpuMetric, Metric, ParticipantField, RssiMetric, SampleField, Stream};

/// A page of `GET /metrics/{meetings,webinars}/{id}/participants/qos`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page<'a> {
    /// `page_count`, when it is an integer (or a string holding one).
    pub page_count: Option<u64>,
    /// `page_size`.
    pub page_size: Option<u64>,
    /// `total_records`.
    pub total_records: Option<u64>,
    /// `next_page_token`; `""` or absent on the last page.
    pub next_page_token: Option<&'a str>,
    /// `meeting_number` or `webinar_number` (since late 2025).
    pub number: Option<u64>,
    /// The participant entries that are objects, in order (a Video SDK session's page
    /// lists them as `users`).
    pub participants: Vec<Participant<'a>>,
}

impl<'a> Page<'a> {
    /// Parses a page from `input`, which simd-json rewrites in place.
    ///
    /// # Errors
    /// Malformed JSON, a document that is not an object, or lists of the wrong type, as
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) or
    /// [`ErrorKind::Shape`](crate::ErrorKind::Shape).
    pub fn from_slice(input: &'a mut [u8]) -> Result<Self, Error> {
        from_slice_as_object(input)
    }
}

/// A participant entry, also the whole answer of
/// `GET /metrics/meetings/{id}/participants/{participantId}/qos`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Participant<'a> {
    /// Text fields, indexed by [`ParticipantField::index`]; see [`Participant::field`].
    pub fields: [Option<&'a str>; ParticipantField::COUNT],
    /// `internal_ip_addresses` (its strings).
    pub internal_ip_addresses: Vec<&'a str>,
    /// `issue_list`, like `["audio"]` (its strings).
    pub issue_list: Vec<&'a str>,
    /// The per-minute samples. An item that is not an object is a sample with no data.
    pub user_qos: Vec<Sample<'a>>,
    /// `user_qos` was one object, not a list (older published examples): read as one
    /// sample.
    pub user_qos_object: bool,
}

impl<'a> Participant<'a> {
    /// Parses the single-participant endpoint's answer.
    ///
    /// # Errors
    /// As [`Page::from_slice`].
    pub fn from_slice(input: &'a mut [u8]) -> Result<Self, Error> {
        from_slice_as_object(input)
    }

    /// A text field, `None` when absent, `null` or not a string.
    pub fn field(&self, field: ParticipantField) -> Option<&'a str> {
        self.fields[field.index()]
    }
}

/// One `user_qos` item: about a minute of one participant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample<'a> {
    /// `date_time`.
    pub date_time: Value<'a>,
    /// Streams that are objects, indexed by [`Stream::index`]; see [`Sample::stream`].
    pub streams: [Option<StreamView<'a>>; Stream::COUNT],
    /// `cpu_usage`, indexed by [`CpuMetric::index`].
    pub cpu_usage: Option<[Value<'a>; CpuMetric::COUNT]>,
    /// `wifi_rssi` (numbers, dBm), indexed by [`RssiMetric::index`].
    pub wifi_rssi: Option<[Value<'a>; RssiMetric::COUNT]>,
    /// `cpu_pressure_level`: `system_min_cpu_pressure_level`, `..._avg_...`, `..._max_...`
    /// (in [`SampleField::CPU_PRESSURE`] order).
    pub cpu_pressure_level: Option<[Value<'a>; 3]>,
    /// `quality` (`"good"`).
    pub quality: Value<'a>,
    /// `quality_score` (`"3.65"`).
    pub quality_score: Value<'a>,
}

impl<'a> Sample<'a> {
    /// A stream, if the sample has it as an object.
    pub fn stream(&self, stream: Stream) -> Option<&StreamView<'a>> {
        self.streams[stream.index()].as_ref()
    }
}

/// The metrics of one stream of a sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamView<'a> {
    /// Indexed by [`Metric::index`].
    pub values: [Value<'a>; Metric::COUNT],
}

impl<'a> StreamView<'a> {
    /// A metric's value as found.
    pub fn get(&self, metric: Metric) -> Value<'a> {
        self.values[metric.index()]
    }
}

/// A leaf value as found in the JSON, before any unit parsing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Value<'a> {
    /// Absent or `null`.
    #[default]
    Missing,
    /// A string, borrowed from the input.
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A number with a fraction or exponent, or an integer beyond `i64`.
    Float(f64),
    /// Another JSON type (`"a boolean"`, `"a list"`, `"an object"`), by name.
    Other(&'static str),
}

impl<'a> Value<'a> {
    /// The string, if the value is one.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative integer, from a number or a string holding one.
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Value::Int(n) => u64::try_from(n).ok(),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Parses views with simd-json's `from_slice_with_buffers`, reusing its buffers from one
/// page to the next.
#[derive(Default)]
pub struct Parser {
    buffers: simd_json::Buffers,
}

impl core::fmt::Debug for Parser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Parser")
    }
}

impl Parser {
    /// A parser with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// As [`Page::from_slice`], reusing this parser's buffers.
    ///
    /// # Errors
    /// As [`Page::from_slice`].
    pub fn page<'a>(&mut self, input: &'a mut [u8]) -> Result<Page<'a>, Error> {
        convert(
            simd_json::serde::from_slice_with_buffers::<Object<Page<'a>>>(input, &mut self.buffers),
        )
    }

    /// As [`Participant::from_slice`], reusing this parser's buffers.
    ///
    /// # Errors
    /// As [`Page::from_slice`].
    pub fn participant<'a>(&mut self, input: &'a mut [u8]) -> Result<Participant<'a>, Error> {
        convert(simd_json::serde::from_slice_with_buffers::<
            Object<Participant<'a>>,
        >(input, &mut self.buffers))
    }
}

fn from_slice_as_object<'a, T: FromMap<'a>>(input: &'a mut [u8]) -> Result<T, Error> {
    convert(simd_json::serde::from_slice::<Object<T>>(input))
}

fn convert<T>(parsed: simd_json::Result<Object<T>>) -> Result<T, Error> {
    match parsed {
        Ok(Object(Some(value))) => Ok(value),
        Ok(Object(None)) => Err(Error::shape(String::new(), "a page object", "another type")),
        Err(error) => Err(Error::json(error.index(), error.to_string())),
    }
}

/// An object type filled key by key; the visitor below does the map walk for all of them.
trait FromMap<'de>: Default {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error>;
}

/// `Some` for a JSON object, `None` for any other value (which is consumed).
struct Object<T>(Option<T>);

impl<'de, T: FromMap<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LeafVisitor::<T>(PhantomData))
            .map(|leaf| match leaf {
                Leaf::Object(value) => Object(Some(value)),
                Leaf::Scalar(_) => Object(None),
            })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Value<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LeafVisitor::<Ignored>(PhantomData))
            .map(|leaf| match leaf {
                Leaf::Scalar(value) => value,
                Leaf::Object(_) => Value::Other("an object"),
            })
    }
}

/// `Sample`s come from any `user_qos` item: a non-object is a sample with no data.
impl<'de: 'a, 'a> Deserialize<'de> for Sample<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Object::<Sample<'a>>::deserialize(deserializer).map(|o| o.0.unwrap_or_default())
    }
}

/// What one visit of any JSON value gives: an object of `T`, or a classified leaf.
enum Leaf<'a, T> {
    Object(T),
    Scalar(Value<'a>),
}

/// A `FromMap` that skips every key: classifies leaves without building anything.
#[derive(Default)]
struct Ignored;

impl<'de> FromMap<'de> for Ignored {
    fn entry<A: MapAccess<'de>>(&mut self, _: &'de str, map: &mut A) -> Result<(), A::Error> {
        map.next_value::<IgnoredAny>().map(drop)
    }
}

struct LeafVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for LeafVisitor<T> {
    type Value = Leaf<'de, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(Value::Str(v)))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom(
            "the views need strings borrowed from the input (use simd-json)",
        ))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(Value::Other("a boolean")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(Value::Int(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(match i64::try_from(v) {
            Ok(v) => Value::Int(v),
            Err(_) => Value::Float(v as f64),
        }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(Value::Float(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(Value::Missing))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Leaf::Scalar(Value::Missing))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Leaf::Scalar(Value::Other("a list")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut value = T::default();
        while let Some(key) = map.next_key::<&'de str>()? {
            value.entry(key, &mut map)?;
        }
        Ok(Leaf::Object(value))
    }
}

/// A `user_qos` value: a list of samples (`null` is none), or one object read as a
/// one-sample list (`true` beside it). Another type is a shape error.
#[derive(Default)]
struct SampleList<'a>(Vec<Sample<'a>>, bool);

impl<'de: 'a, 'a> Deserialize<'de> for SampleList<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SampleListVisitor(PhantomData))
    }
}

struct SampleListVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for SampleListVisitor<'a> {
    type Value = SampleList<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of samples")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut samples = Vec::new();
        while let Some(sample) = seq.next_element::<Sample<'a>>()? {
            samples.push(sample);
        }
        Ok(SampleList(samples, false))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let sample = LeafVisitor::<Sample<'a>>(PhantomData).visit_map(map)?;
        let Leaf::Object(sample) = sample else {
            return Ok(SampleList::default());
        };
        Ok(SampleList(vec![sample], true))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(SampleList::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(SampleList::default())
    }
}

/// A list of strings; other items, and a value that is not a list, are dropped.
#[derive(Default)]
struct StrList<'a>(Vec<&'a str>);

impl<'de: 'a, 'a> Deserialize<'de> for StrList<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrListVisitor)
    }
}

struct StrListVisitor;

impl<'de> Visitor<'de> for StrListVisitor {
    type Value = StrList<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value<'de>>()? {
            items.extend(item.as_str());
        }
        Ok(StrList(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(StrList::default())
    }

    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(StrList::default())
    }
}

impl<'de: 'a, 'a> FromMap<'de> for Page<'a> {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "participants" | "users" => {
                let list = map.next_value::<Option<Vec<Object<Participant<'a>>>>>()?;
                self.participants = list.into_iter().flatten().filter_map(|p| p.0).collect();
            }
            "page_count" => self.page_count = map.next_value::<Value<'a>>()?.as_u64(),
            "page_size" => self.page_size = map.next_value::<Value<'a>>()?.as_u64(),
            "total_records" => self.total_records = map.next_value::<Value<'a>>()?.as_u64(),
            "next_page_token" => self.next_page_token = map.next_value::<Value<'a>>()?.as_str(),
            "meeting_number" | "webinar_number" => {
                self.number = map.next_value::<Value<'a>>()?.as_u64();
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> FromMap<'de> for Participant<'a> {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "user_qos" => {
                let samples = map.next_value::<SampleList<'a>>()?;
                self.user_qos_object = samples.1;
                self.user_qos = samples.0;
            }
            "internal_ip_addresses" => {
                self.internal_ip_addresses = map.next_value::<StrList<'a>>()?.0
            }
            "issue_list" => self.issue_list = map.next_value::<StrList<'a>>()?.0,
            _ => match ParticipantField::of_key(key) {
                Some((field, alias)) => {
                    let text = map.next_value::<Value<'a>>()?.as_str();
                    let slot = &mut self.fields[field.index()];
                    // An alias (a Video SDK user's `name`) fills only an empty field.
                    if !(alias && slot.is_some()) && text.is_some() {
                        *slot = text;
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            },
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> FromMap<'de> for Sample<'a> {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error> {
        if let Some(stream) = Stream::from_api_name(key) {
            self.streams[stream.index()] = map.next_value::<Object<StreamView<'a>>>()?.0;
            return Ok(());
        }
        match key {
            "date_time" => self.date_time = map.next_value()?,
            "cpu_usage" => {
                self.cpu_usage = map
                    .next_value::<Object<Keyed<'a, CpuMetric, 4>>>()?
                    .0
                    .map(|k| k.0);
            }
            "wifi_rssi" => {
                self.wifi_rssi = map
                    .next_value::<Object<Keyed<'a, RssiMetric, 3>>>()?
                    .0
                    .map(|k| k.0);
            }
            "cpu_pressure_level" => {
                let levels = map.next_value::<Object<CpuPressure<'a>>>()?.0;
                self.cpu_pressure_level = levels.map(|l| l.0);
            }
            "quality" => self.quality = map.next_value()?,
            "quality_score" => self.quality_score = map.next_value()?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> FromMap<'de> for StreamView<'a> {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error> {
        match Metric::from_api_name(key) {
            Some(metric) => self.values[metric.index()] = map.next_value()?,
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Field names that index an array of values (`cpu_usage`, `wifi_rssi`).
trait KeyIndex {
    fn index_of(key: &str) -> Option<usize>;
}

impl KeyIndex for CpuMetric {
    fn index_of(key: &str) -> Option<usize> {
        CpuMetric::from_api_name(key).map(CpuMetric::index)
    }
}

impl KeyIndex for RssiMetric {
    fn index_of(key: &str) -> Option<usize> {
        RssiMetric::from_api_name(key).map(RssiMetric::index)
    }
}

/// The values of a block whose keys are `K`'s names, indexed by `K`.
struct Keyed<'a, K, const N: usize>([Value<'a>; N], PhantomData<K>);

impl<K, const N: usize> Default for Keyed<'_, K, N> {
    fn default() -> Self {
        Keyed([Value::Missing; N], PhantomData)
    }
}

impl<'de: 'a, 'a, K: KeyIndex, const N: usize> FromMap<'de> for Keyed<'a, K, N> {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error> {
        match K::index_of(key).filter(|&i| i < N) {
            Some(index) => self.0[index] = map.next_value()?,
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct CpuPressure<'a>([Value<'a>; 3]);

impl<'de: 'a, 'a> FromMap<'de> for CpuPressure<'a> {
    fn entry<A: MapAccess<'de>>(&mut self, key: &'de str, map: &mut A) -> Result<(), A::Error> {
        let index = SampleField::from_api_name(key)
            .and_then(|field| SampleField::CPU_PRESSURE.iter().position(|&f| f == field));
        match index {
            Some(index) => self.0[index] = map.next_value()?,
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
