//! The report of `qos_summary` pages.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::MetricStats;

/// What `qos_summary` pages say: per participant, per type (a stream, or `cpu_usage`) and
/// metric, the minimum, average and maximum over the meeting; and STATS over the
/// participants' averages.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SummaryReport {
    /// One per summary entry, in input order.
    pub participants: Vec<SummaryParticipant>,
    /// Per type and metric, STATS over the entries' `avg` values (`missing`: entries
    /// without one).
    pub streams: BTreeMap<String, MetricStats>,
    /// Per type and metric, over the entries: the least `min`, the mean of the `avg`s and
    /// the greatest `max`, so that one participant's worst minute shows at meeting level
    /// (and a field sent only as a max, like `system_cpu_pct`, is kept).
    #[serde(default)]
    pub pooled: BTreeMap<String, BTreeMap<Cow<'static, str>, MinAvgMax>>,
    /// Entries per CPU pressure level (`system_max_cpu_pressure_level`, else the avg, else
    /// the min level). Empty when no entry has one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cpu_pressure: BTreeMap<String, u64>,
}

/// A participant's `qos_summary` entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SummaryParticipant {
    /// Its `user_name`.
    pub user_name: String,
    /// Per type, per metric (`bitrate_kbps`, `latency_ms`, `jitter_ms`, `loss_pct`,
    /// `frame_rate_fps`, `resolution_height_px`; `zoom_cpu_pct`, `system_cpu_pct`).
    pub streams: BTreeMap<String, BTreeMap<Cow<'static, str>, MinAvgMax>>,
    /// Its CPU pressure levels as sent, by key (`system_max_cpu_pressure_level`: `normal`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cpu_pressure_level: BTreeMap<String, String>,
}

/// A summary's three values of one metric, in report units; `null` when not sent (a
/// resolution has only `avg`, `system_cpu_pct` only `max`).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct MinAvgMax {
    /// The minimum over the meeting.
    pub min: Option<f64>,
    /// The average.
    pub avg: Option<f64>,
    /// The maximum.
    pub max: Option<f64>,
}
