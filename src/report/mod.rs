//! The report v1 contract: what [`Analysis`](crate::aggregate::Analysis) produces, as
//! serde-serialisable types, and its renderings (JSON, CSV, Prometheus text, a table).
//! Field names and meanings are a public interface; new fields may be added.

mod account;
mod keyed;
mod render;
mod summary;
mod timeline;
mod why;
mod zone;

pub use account::{AccountReport, Period, RepeatParticipant, WorstMeeting};
pub use render::escape_controls;
pub use summary::{MinAvgMax, SummaryParticipant, SummaryReport};
pub use timeline::{Cell, Series, Timeline, TimelineRow};
pub use why::{Breakdown, Breakdowns, Dimension, Episode, Worst};
pub use zone::Zone;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::record::ColumnKey;
use crate::schema::{Metric, Stream};

/// `part / whole`: a share of samples, 0 when there are none.
pub(crate) fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Summary of one metric over a meeting (report v1 `STATS`). Every field but `count` and
/// `missing` is `None` (JSON `null`) when no value is present. Built by the analysis
/// ([`crate::aggregate`]), exact, by nearest rank.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Stats {
    /// Present values.
    pub count: u64,
    /// Samples without a value: absent, blank, `null`, invalid (and `0*0` for a resolution).
    pub missing: u64,
    /// Smallest value.
    pub min: Option<f64>,
    /// Arithmetic mean.
    pub mean: Option<f64>,
    /// Median by nearest rank.
    pub p50: Option<f64>,
    /// 90th percentile by nearest rank.
    pub p90: Option<f64>,
    /// 95th percentile by nearest rank.
    pub p95: Option<f64>,
    /// 99th percentile by nearest rank.
    pub p99: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

impl Stats {
    /// The percentiles STATS carries, in field order.
    pub const PERCENTILES: [u32; 4] = [50, 90, 95, 99];

    /// The percentiles' values, in [`Self::PERCENTILES`] order.
    pub fn percentiles(&self) -> [Option<f64>; 4] {
        [self.p50, self.p90, self.p95, self.p99]
    }
}

/// The whole report: `{"version": 1, "meetings": [...], "errors": [...]}`. It renders
/// as JSON, a table, CSV, Prometheus (and HTML, feature `html`), and reads back from its
/// JSON.
///
/// ```
/// use zoom_qos::report::MeetingError;
/// use zoom_qos::{Analysis, Decoder, Report, Table};
///
/// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms", "jitter": "6 ms", "avg_loss": "0.3%"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": "210 ms"}}]}]}"#;
/// let mut table = Table::new();
/// Decoder::default().decode(&mut page.to_vec(), &mut table)?;
/// let failed = MeetingError::new("tuesday", Some("tuesday.json".into()), Some(7), "malformed JSON");
/// let report = Report::new(vec![Analysis::new().meeting("monday", &table)], vec![failed]);
/// let mut json = Vec::new();
/// report.write_json(&mut json)?;
/// let read: Report = serde_json::from_slice(&json)?;
/// assert_eq!(read, report);
/// let out: &mut dyn std::io::Write = &mut Vec::new();
/// report.write_table(out)?; // any writer, also behind `dyn`
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// Always 1 for this layout.
    pub version: u32,
    /// Meetings, sorted by name by the command (a library caller chooses its order).
    pub meetings: Vec<MeetingReport>,
    /// Meetings that could not be read.
    pub errors: Vec<MeetingError>,
    /// The rollup over all meetings, when the report has several (set by the caller that
    /// ran them: see [`AccountRollup`](crate::aggregate::AccountRollup)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountReport>,
}

impl MeetingError {
    /// The failure of `meeting`, in `file` (at byte `offset`, for malformed JSON) when the
    /// input came from one.
    pub fn new(
        meeting: impl Into<String>,
        file: Option<String>,
        offset: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        MeetingError {
            meeting: meeting.into(),
            file,
            offset,
            message: message.into(),
        }
    }
}

impl Default for Report {
    /// An empty report v1.
    fn default() -> Self {
        Report::new(Vec::new(), Vec::new())
    }
}

impl Report {
    /// Keeps the `n` meetings with the largest share of degraded samples, worst first
    /// (equal shares in their order); the failed meetings and the account stay whole.
    pub fn keep_worst_meetings(&mut self, n: usize) {
        if n >= self.meetings.len() {
            return;
        }
        let degraded = |m: &MeetingReport| share(m.degraded.samples, m.samples);
        self.meetings
            .sort_by(|a, b| degraded(b).total_cmp(&degraded(a)));
        self.meetings.truncate(n);
    }

    /// Report v1 of these meetings.
    pub fn new(meetings: Vec<MeetingReport>, errors: Vec<MeetingError>) -> Self {
        Report {
            version: 1,
            meetings,
            errors,
            account: None,
        }
    }
}

/// A meeting that could not be reported, with where its input went wrong.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct MeetingError {
    /// The meeting's name.
    pub meeting: String,
    /// The file that failed, if the input came from one.
    pub file: Option<String>,
    /// The byte offset in that file, for malformed JSON.
    pub offset: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// The report of one meeting.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct MeetingReport {
    /// The meeting's key (its folder or file name).
    pub meeting: String,
    /// The instance's UUID, from the `meeting.json` that `fetch` writes beside the pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Its topic, from `meeting.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// When it started (RFC 3339), from `meeting.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// What people call it: its topic and local start time, set by the caller that knows
    /// them and the time zone (the command does, from `meeting.json`). Renderings show it
    /// beside (or instead of) `meeting`, which stays the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Pages read.
    pub pages: u32,
    /// Whether the pages are the whole chain the API sent: `false` when the last page
    /// read names a next page, or fewer entries were read than `total_records` announced
    /// ([`Chain`](crate::record::Chain)). Reports before this field were all read as whole.
    #[serde(default = "whole")]
    pub complete: bool,
    /// What is missing, in words, when not `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// Participant entries across all pages (for a meeting of `qos_summary` pages only:
    /// its summary entries).
    pub participants: u64,
    /// `user_qos` items across all participants.
    pub samples: u64,
    /// Metric strings that were neither blank nor a documented spelling.
    pub invalid_values: u64,
    /// The first of them (at most [`DecodeConfig::keep_invalid`](crate::DecodeConfig::keep_invalid)),
    /// located.
    pub first_invalid_values: Vec<LocatedValue>,
    /// Per stream that appears as an object, per metric.
    pub streams: StreamStats,
    /// `cpu_usage` fields, as percentages.
    pub cpu: MetricStats,
    /// Wi-Fi signal STATS in dBm, over the samples: `min_rssi_dbm` of each sample's
    /// weakest reading, `avg_rssi_dbm` of its `avg_rssi`, `max_rssi_dbm` of its strongest
    /// (Zoom does not always send min ≤ max). Empty without Wi-Fi data.
    #[serde(default, skip_serializing_if = "MetricStats::is_empty")]
    pub wifi: MetricStats,
    /// Samples per CPU pressure level (`system_max_cpu_pressure_level`, else the avg, else
    /// the min level), as Zoom spells it (`normal`). Empty without pressure data.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cpu_pressure: BTreeMap<String, u64>,
    /// Samples per Zoom quality word (`good`). Empty without any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quality: BTreeMap<String, u64>,
    /// STATS of Zoom's `quality_score`, when samples carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_score: Option<Stats>,
    /// Participant entries whose `user_qos` was one object, not a list (an old published
    /// shape), each read as one sample.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub user_qos_objects: u64,
    /// Degraded samples.
    pub degraded: Degraded,
    /// Per-sample MOS estimates of the audio streams.
    pub mos: MosReport,
    /// Participants per grade.
    pub grades: GradeCounts,
    /// One entry per participant, in input order.
    pub participant_details: Vec<ParticipantDetail>,
    /// Why: the meeting's samples per participant network, data center, device and
    /// client version.
    pub breakdowns: Breakdowns,
    /// When: runs of degraded minutes per participant entry, longest first.
    pub episodes: Vec<Episode>,
    /// The meeting's `qos_summary` pages, when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryReport>,
    /// Minute by minute, when asked for ([`Analysis::timeline`](crate::Analysis::timeline)):
    /// what the HTML report draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
}

/// An invalid value and where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct LocatedValue {
    /// The file holding the page, when the input came from files (set by the caller that
    /// read them: the command does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The page's index among the meeting's pages, from 0.
    pub page: u32,
    /// The participant's index in the page's `participants`, from 0.
    pub participant: u32,
    /// The sample's index in the participant's `user_qos`, from 0.
    pub sample: u32,
    /// The field, like `video_input.resolution`.
    pub field: String,
    /// The value as found (cut to 64 bytes).
    pub found: String,
    /// Why it was rejected.
    pub reason: String,
}

/// Named [`Stats`] in a fixed order, serialised as a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricStats(Vec<(Cow<'static, str>, Stats)>);

impl MetricStats {
    /// These stats, by their report names.
    pub(crate) fn from_named(named: Vec<(&'static str, Stats)>) -> Self {
        MetricStats(
            named
                .into_iter()
                .map(|(n, s)| (Cow::Borrowed(n), s))
                .collect(),
        )
    }

    /// The stats of a column: a stream's [`Metric`] or a [`CpuMetric`](crate::CpuMetric),
    /// found by its report name.
    pub fn of<K: ColumnKey>(&self, key: K) -> Option<&Stats> {
        self.get(key.descriptor().report_name)
    }

    /// The stats of a report name (`latency_ms`, `system_max_cpu_pct`; a summary's
    /// `loss_pct`).
    pub fn get(&self, name: &str) -> Option<&Stats> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, s)| s)
    }

    /// Adds the stats of a report name, after the others.
    pub(crate) fn push(&mut self, name: &'static str, stats: Stats) {
        self.0.push((Cow::Borrowed(name), stats));
    }

    /// Each name and its stats, in report order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Stats)> + '_ {
        self.0.iter().map(|(n, s)| (n.as_ref(), s))
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for MetricStats {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries: Vec<(String, Stats)> = keyed::entries(deserializer)?;
        Ok(MetricStats(
            entries
                .into_iter()
                .map(|(n, s)| (Cow::Owned(n), s))
                .collect(),
        ))
    }
}

impl Serialize for MetricStats {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, stats) in &self.0 {
            map.serialize_entry(name, stats)?;
        }
        map.end()
    }
}

/// Per-stream metric stats, in [`Stream::ALL`] order, serialised as a JSON object keyed
/// by the API stream name and the report metric name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamStats(Vec<(Stream, MetricStats)>);

impl<'de> Deserialize<'de> for StreamStats {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries: Vec<(String, MetricStats)> = keyed::entries(deserializer)?;
        let streams = entries
            .into_iter()
            .map(|(name, metrics)| match Stream::from_api_name(&name) {
                Some(stream) => Ok((stream, metrics)),
                None => Err(de::Error::custom(format!("unknown stream `{name}`"))),
            })
            .collect::<Result<_, _>>()?;
        Ok(StreamStats(streams))
    }
}

impl StreamStats {
    /// Each stream and its metrics' stats, in [`Stream::ALL`] order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Stream, &MetricStats)> + '_ {
        self.0.iter().map(|(s, m)| (*s, m))
    }

    /// How many streams.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stats of a stream's metric.
    pub fn get(&self, stream: Stream, metric: Metric) -> Option<&Stats> {
        self.0
            .iter()
            .find(|(s, _)| *s == stream)
            .and_then(|(_, m)| m.get(metric.report_name()))
    }

    pub(crate) fn insert(&mut self, stream: Stream, metric: Metric, stats: Stats) {
        let entry = match self.0.iter().position(|(s, _)| *s == stream) {
            Some(i) => &mut self.0[i].1,
            None => {
                self.0.push((stream, MetricStats::default()));
                let last = self.0.len() - 1;
                &mut self.0[last].1
            }
        };
        entry.0.push((Cow::Borrowed(metric.report_name()), stats));
    }
}

impl Serialize for StreamStats {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (stream, metrics) in &self.0 {
            map.serialize_entry(stream.api_name(), metrics)?;
        }
        map.end()
    }
}

/// Degraded samples: with at least one flag, and per flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Degraded {
    /// Samples with at least one flag.
    pub samples: u64,
    /// Samples per flag.
    pub by_flag: FlagCounts,
}

/// Defines an enum of named report keys with `ALL`, `COUNT`, `index` and `name`, and a
/// count per variant that serialises as a JSON object in `ALL` order.
macro_rules! named_counts {
    (
        $(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal,)* }
        $(#[$cmeta:meta])* pub struct $counts:ident;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every variant, in report order.
            pub const ALL: [$name; [$($name::$variant),*].len()] = [$($name::$variant),*];
            /// The number of variants.
            pub const COUNT: usize = Self::ALL.len();

            /// Position in [`Self::ALL`].
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The name used in reports.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)*
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <Cow<'de, str>>::deserialize(deserializer)?;
                $name::from_name(&name)
                    .ok_or_else(|| de::Error::custom(format!("unknown name `{name}`")))
            }
        }

        impl $name {
            /// The one with this report name.
            pub fn from_name(name: &str) -> Option<Self> {
                $name::ALL.into_iter().find(|key| key.name() == name)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl core::str::FromStr for $name {
            type Err = crate::schema::UnknownName;

            /// The one with this report name (`"good".parse::<Grade>()`).
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                $name::from_name(name).ok_or(crate::schema::UnknownName(stringify!($name)))
            }
        }

        $(#[$cmeta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $counts([u64; $name::COUNT]);

        impl<'de> Deserialize<'de> for $counts {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let entries: Vec<(String, u64)> = keyed::entries(deserializer)?;
                let mut counts = $counts::default();
                for (name, n) in entries {
                    let key = $name::from_name(&name)
                        .ok_or_else(|| de::Error::custom(format!("unknown key `{name}`")))?;
                    counts.0[key.index()] = n;
                }
                Ok(counts)
            }
        }

        impl $counts {
            /// These counts, in [`ALL`]($name::ALL) order.
            pub const fn new(counts: [u64; $name::COUNT]) -> Self {
                $counts(counts)
            }

            /// Every count, in [`ALL`]($name::ALL) order.
            pub const fn counts(&self) -> [u64; $name::COUNT] {
                self.0
            }

            /// The count of one.
            pub fn get(&self, key: $name) -> u64 {
                self.0[key.index()]
            }

            /// Adds `n` to one.
            pub fn add(&mut self, key: $name, n: u64) {
                self.0[key.index()] += n;
            }

            /// Each one's name and count, in report order.
            pub fn named(&self) -> [(&'static str, u64); $name::COUNT] {
                $name::ALL.map(|key| (key.name(), self.get(key)))
            }
        }

        impl Serialize for $counts {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some($name::COUNT))?;
                for (name, n) in self.named() {
                    map.serialize_entry(name, &n)?;
                }
                map.end()
            }
        }
    };
}

named_counts! {
    /// A degradation flag of a sample (see [`Thresholds`](crate::Thresholds)).
    pub enum Flag {
        /// Latency over its threshold on a flagged stream.
        Latency = "latency",
        /// Jitter over its threshold.
        Jitter = "jitter",
        /// Average loss over its threshold.
        Loss = "loss",
        /// Frame rate under its threshold on a video stream with a picture.
        FrameRate = "frame_rate",
        /// System CPU over its threshold.
        Cpu = "cpu",
        /// A Wi-Fi signal weaker than its threshold (counted; part of `degraded` only with
        /// [`Thresholds::weak_wifi_degrades`](crate::Thresholds::weak_wifi_degrades)).
        WeakWifi = "weak_wifi",
    }
    /// Samples per degradation flag, serialised as `{"latency": n, ...}`.
    pub struct FlagCounts;
}

/// Per-sample MOS of the two audio streams, rounded to [`MosReport::DECIMALS`] decimals.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct MosReport {
    /// What the participants send.
    pub audio_input: Stats,
    /// What the participants receive.
    pub audio_output: Stats,
}

impl MosReport {
    /// The decimals MOS values keep: the E-model is an estimate, and more digits would
    /// only show floating-point noise.
    pub const DECIMALS: i32 = 3;

    /// A MOS value rounded to [`Self::DECIMALS`].
    pub fn round(mos: f64) -> f64 {
        let scale = 10f64.powi(Self::DECIMALS);
        (mos * scale).round() / scale
    }
}

named_counts! {
    /// A participant's grade: the band of the lower of its two audio MOS medians.
    pub enum Grade {
        /// Worst median MOS 4 or more.
        Good = "good",
        /// Worst median MOS from 3 to under 4.
        Fair = "fair",
        /// Worst median MOS from 2 to under 3.
        Poor = "poor",
        /// Worst median MOS below 2.
        Bad = "bad",
        /// No MOS sample on either audio stream.
        Unclassified = "unclassified",
    }
    /// Participants per grade, best first, serialised as `{"good": n, ...}`.
    pub struct GradeCounts;
}

impl Grade {
    /// The grade of the lower of the medians that exist.
    pub fn of_worst(a: Option<f64>, b: Option<f64>) -> Grade {
        let worst = match (a, b) {
            (Some(a), Some(b)) => a.min(b),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return Grade::Unclassified,
        };
        if worst >= 4.0 {
            Grade::Good
        } else if worst >= 3.0 {
            Grade::Fair
        } else if worst >= 2.0 {
            Grade::Poor
        } else {
            Grade::Bad
        }
    }
}

/// One participant entry of a meeting.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ParticipantDetail {
    /// `user_id` (`""` when absent).
    pub user_id: String,
    /// `user_name` (`""` when absent or hidden).
    pub user_name: String,
    /// Its samples.
    pub samples: u64,
    /// Its samples with at least one flag.
    pub degraded_samples: u64,
    /// Its samples per flag: what made them degraded.
    #[serde(default)]
    pub degraded_by_flag: FlagCounts,
    /// Median MOS of `audio_input`, by nearest rank.
    pub mos_audio_input_p50: Option<f64>,
    /// Median MOS of `audio_output`, by nearest rank.
    pub mos_audio_output_p50: Option<f64>,
    /// Its grade.
    pub grade: Grade,
    /// Runs of consecutive degraded samples, in time order.
    pub degraded_episodes: u64,
    /// The longest such run, in samples (about minutes).
    pub longest_degraded_episode: u64,
    /// Its own STATS per stream and metric, with
    /// [`Analysis::participant_stats`](crate::Analysis::participant_stats); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub streams: Option<StreamStats>,
    /// Its `os`, `client` and `device_name` (absent when not sent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub os: String,
    /// Its `client`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client: String,
    /// Its `device_name`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device_name: String,
    /// Its Wi-Fi signal STATS, as the meeting's [`wifi`](MeetingReport::wifi).
    #[serde(default, skip_serializing_if = "MetricStats::is_empty")]
    pub wifi: MetricStats,
    /// Its samples per CPU pressure level.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cpu_pressure: BTreeMap<String, u64>,
    /// Its samples per Zoom quality word.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quality: BTreeMap<String, u64>,
    /// The median of its `quality_score`s, by nearest rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_score_p50: Option<f64>,
}

/// Serde's default of [`MeetingReport::complete`].
fn whole() -> bool {
    true
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
