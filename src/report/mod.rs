//! The report v1 contract: what [`Analysis`](crate::aggregate::Analysis) produces, as
//! serde-serialisable types, and its renderings (JSON, CSV, Prometheus text, a table).
//! Field names and meanings are a public interface; new fields may be added.

mod render;

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::schema::{Metric, ParticipantField, Stream};

/// Summary of one metric over a meeting (report v1 `STATS`). Every field but `count` and
/// `missing` is `None` (JSON `null`) when no value is present. Built by
/// [`Stats::from_fixed`] and [`Stats::from_f64`] (in [`crate::aggregate`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
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

/// The whole report: `{"version": 1, "meetings": [...], "errors": [...]}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
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

/// Who, across meetings: the account's totals, its worst meetings, the people seen in
/// several meetings, and breakdowns and STATS over every sample of every meeting.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AccountReport {
    /// Meetings reported.
    pub meetings: u64,
    /// Participant entries.
    pub participants: u64,
    /// Samples.
    pub samples: u64,
    /// Degraded samples.
    pub degraded: u64,
    /// The 10 meetings with the largest share of degraded samples (then by name).
    pub worst_meetings: Vec<WorstMeeting>,
    /// The 20 people seen in 2 meetings or more with the most degraded samples.
    pub repeat_participants: Vec<RepeatParticipant>,
    /// As a meeting's, over all meetings; the p95s from histograms (see
    /// `percentile_digits`).
    pub breakdowns: Breakdowns,
    /// STATS over every sample of every meeting: count, missing, min, mean and max exact;
    /// the percentiles from histograms (see `percentile_digits`).
    pub streams: StreamStats,
    /// Significant digits of the account's percentiles: each is at most 10^-digits (0.1 %)
    /// above the exact nearest-rank value.
    pub percentile_digits: u8,
}

/// A meeting in the account's list of worst.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WorstMeeting {
    /// Its name.
    pub meeting: String,
    /// Its samples.
    pub samples: u64,
    /// Its degraded samples.
    pub degraded: u64,
    /// `degraded / samples` (0 for a meeting without samples).
    pub degraded_share: f64,
}

/// A person seen in several meetings.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RepeatParticipant {
    /// Who: `user_id:...`, else `email:...`, else `user_name:...`.
    pub key: String,
    /// Which field the key is.
    pub key_field: &'static str,
    /// Their `user_name` in the meeting that sorts first by name.
    pub user_name: String,
    /// Meetings with an entry of theirs.
    pub meetings: u64,
    /// Their samples.
    pub samples: u64,
    /// Their degraded samples.
    pub degraded: u64,
    /// Their entries per grade.
    pub grades: GradeCounts,
}

impl Report {
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
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
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
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MeetingReport {
    /// The meeting's key (its folder or file name).
    pub meeting: String,
    /// Pages read.
    pub pages: u32,
    /// Participant entries across all pages.
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
}

/// What `qos_summary` pages say: per participant, per type (a stream, or `cpu_usage`) and
/// metric, the minimum, average and maximum over the meeting; and STATS over the
/// participants' averages.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SummaryReport {
    /// One per summary entry, in input order.
    pub participants: Vec<SummaryParticipant>,
    /// Per type and metric, STATS over the entries' `avg` values (`missing`: entries
    /// without one).
    pub streams: BTreeMap<String, MetricStats>,
}

/// A participant's `qos_summary` entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SummaryParticipant {
    /// Its `user_name`.
    pub user_name: String,
    /// Per type, per metric (`bitrate_kbps`, `latency_ms`, `jitter_ms`, `loss_pct`,
    /// `frame_rate_fps`, `resolution_height_px`; `zoom_cpu_pct`, `system_cpu_pct`).
    pub streams: BTreeMap<String, BTreeMap<&'static str, MinAvgMax>>,
}

/// A summary's three values of one metric, in report units; `null` when not sent (a
/// resolution has only `avg`, `system_cpu_pct` only `max`).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct MinAvgMax {
    /// The minimum over the meeting.
    pub min: Option<f64>,
    /// The average.
    pub avg: Option<f64>,
    /// The maximum.
    pub max: Option<f64>,
}

/// A participant field a report breaks the samples down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// `network_type` (`Wired`, `Wifi`, ...).
    NetworkType,
    /// `data_center`.
    DataCenter,
    /// `device` (`Mac`, `Windows`, `iOS`, ...).
    Device,
    /// The client `version`.
    Version,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 4] = [
        Dimension::NetworkType,
        Dimension::DataCenter,
        Dimension::Device,
        Dimension::Version,
    ];

    /// The participant field it reads.
    pub const fn field(self) -> ParticipantField {
        match self {
            Dimension::NetworkType => ParticipantField::NetworkType,
            Dimension::DataCenter => ParticipantField::DataCenter,
            Dimension::Device => ParticipantField::Device,
            Dimension::Version => ParticipantField::Version,
        }
    }

    /// Its name in reports (the API's key).
    pub const fn name(self) -> &'static str {
        self.field().api_name()
    }

    /// What a blank or absent value is reported as.
    pub const UNKNOWN: &'static str = "unknown";
}

/// The samples of the participants that share one value of a dimension.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Breakdown {
    /// Participant entries with this value.
    pub participants: u64,
    /// Their samples.
    pub samples: u64,
    /// Their degraded samples.
    pub degraded: u64,
    /// Nearest-rank p95 of latency over their `audio_input` and `audio_output` values.
    pub latency_ms_p95: Option<f64>,
    /// Likewise of jitter.
    pub jitter_ms_p95: Option<f64>,
    /// Likewise of average loss.
    pub avg_loss_pct_p95: Option<f64>,
}

/// Per dimension, per value (sorted), its [`Breakdown`]; serialised as
/// `{"network_type": {"Wifi": {...}, ...}, "data_center": ..., "device": ..., "version": ...}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakdowns(pub [BTreeMap<String, Breakdown>; 4]);

impl Breakdowns {
    /// The values of one dimension.
    pub fn get(&self, dimension: Dimension) -> &BTreeMap<String, Breakdown> {
        &self.0[dimension as usize]
    }

    /// The values of one dimension, to fill.
    pub fn get_mut(&mut self, dimension: Dimension) -> &mut BTreeMap<String, Breakdown> {
        &mut self.0[dimension as usize]
    }
}

impl Serialize for Breakdowns {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Dimension::ALL.len()))?;
        for dimension in Dimension::ALL {
            map.serialize_entry(dimension.name(), self.get(dimension))?;
        }
        map.end()
    }
}

/// A run of degraded samples of one participant entry: consecutive in time order, each at
/// most [`Thresholds::episode_gap_s`](crate::Thresholds::episode_gap_s) after the last.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Episode {
    /// The entry's index in the meeting (input order across pages), from 0.
    pub participant: u64,
    /// Its `user_name`.
    pub user_name: String,
    /// The first sample's time, RFC 3339 UTC.
    pub start: String,
    /// The last sample's time, RFC 3339 UTC.
    pub end: String,
    /// Samples in the run.
    pub samples: u64,
    /// Samples per flag.
    pub by_flag: FlagCounts,
    /// The worst values over its samples and the audio and video streams, sent and
    /// received.
    pub worst: Worst,
}

/// The largest latency, jitter and average loss over some samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Worst {
    /// Milliseconds.
    pub latency_ms: Option<f64>,
    /// Milliseconds.
    pub jitter_ms: Option<f64>,
    /// Percent.
    pub avg_loss_pct: Option<f64>,
}

/// An invalid value and where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
pub struct MetricStats(pub Vec<(&'static str, Stats)>);

impl MetricStats {
    /// The stats of a name.
    pub fn get(&self, name: &str) -> Option<&Stats> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, s)| s)
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
pub struct StreamStats(pub Vec<(Stream, MetricStats)>);

impl StreamStats {
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
        entry.0.push((metric.report_name(), stats));
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
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

        $(#[$cmeta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $counts(pub [u64; $name::COUNT]);

        impl $counts {
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
    }
    /// Samples per degradation flag, serialised as `{"latency": n, ...}`.
    pub struct FlagCounts;
}

/// Per-sample MOS of the two audio streams, rounded to [`MosReport::DECIMALS`] decimals.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
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
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParticipantDetail {
    /// `user_id` (`""` when absent).
    pub user_id: String,
    /// `user_name` (`""` when absent or hidden).
    pub user_name: String,
    /// Its samples.
    pub samples: u64,
    /// Its samples with at least one flag.
    pub degraded_samples: u64,
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
}
