//! When, minute by minute: a meeting's samples by participant entry and time, for the
//! pictures of a report (the HTML heatmap and charts). Built on request by
//! [`Analysis::timeline`](crate::Analysis::timeline); absent from the JSON report
//! otherwise.

use crate::report::Grade;
use crate::schema::{Metric, Stream};

/// A meeting's samples by participant entry and time column. Columns are a minute wide,
/// or a whole number of minutes when the meeting is longer than [`Timeline::MAX_COLUMNS`]
/// minutes: a long meeting is drawn at a coarser step, its numbers are not changed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Timeline {
    /// The first column's start, seconds since 1970-01-01 UTC (the earliest sample's time,
    /// down to the minute).
    pub start_s: i64,
    /// Seconds per column: 60, or a multiple of it.
    pub column_s: u64,
    /// Columns.
    pub columns: usize,
    /// One row per participant entry, in input order.
    pub rows: Vec<TimelineRow>,
    /// Seconds per column of the series: 60 or a multiple of it, so that they have at
    /// most [`Timeline::MAX_SERIES_COLUMNS`] columns (a chart is narrower than the
    /// heatmap).
    pub series_column_s: u64,
    /// Per audio and video stream present, and per latency, jitter and loss: the p50 and
    /// p95 across the participants' samples in each series column (from `start_s`).
    pub series: Vec<Series>,
    /// Samples without a valid `date_time`: counted in the report, not drawn.
    pub untimed_samples: u64,
}

impl Timeline {
    /// The most columns the heatmap has.
    pub const MAX_COLUMNS: usize = 120;
    /// The most columns a series has.
    pub const MAX_SERIES_COLUMNS: usize = 60;

    /// When heatmap column `column` starts, seconds since 1970-01-01 UTC.
    pub fn column_start_s(&self, column: usize) -> i64 {
        self.start_s.saturating_add(offset_s(column, self.column_s))
    }

    /// When series column `column` starts, seconds since 1970-01-01 UTC.
    pub fn series_column_start_s(&self, column: usize) -> i64 {
        self.start_s
            .saturating_add(offset_s(column, self.series_column_s))
    }
}

fn offset_s(column: usize, column_s: u64) -> i64 {
    i64::try_from((column as u64).saturating_mul(column_s)).unwrap_or(i64::MAX / 2)
}

/// One participant entry across the columns.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct TimelineRow {
    /// The entry's index in the meeting (input order across pages), from 0.
    pub participant: u64,
    /// Its `user_name`.
    pub user_name: String,
    /// One per column.
    pub cells: Vec<Cell>,
}

/// The samples of one participant entry in one column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Cell {
    /// The worst MOS band of the samples (of the lower of the two audio MOS estimates);
    /// [`Grade::Unclassified`] when they had no MOS; `None` when there was no sample.
    pub grade: Option<Grade>,
    /// Whether any of the samples was degraded (raised a flag).
    pub degraded: bool,
}

/// A metric of a stream over the columns.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Series {
    /// The stream.
    #[serde(serialize_with = "stream_name", deserialize_with = "stream_of_name")]
    pub stream: Stream,
    /// Latency, jitter or average loss.
    #[serde(serialize_with = "metric_name", deserialize_with = "metric_of_name")]
    pub metric: Metric,
    /// Nearest-rank median across the column's values, in the report unit; `None` when
    /// the column has none.
    pub p50: Vec<Option<f64>>,
    /// Nearest-rank 95th percentile, likewise.
    pub p95: Vec<Option<f64>>,
    /// The degradation threshold of the metric, in the same unit.
    pub threshold: f64,
}

fn stream_name<S: serde::Serializer>(stream: &Stream, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(stream.api_name())
}

fn metric_name<S: serde::Serializer>(metric: &Metric, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(metric.report_name())
}

fn stream_of_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Stream, D::Error> {
    let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    Stream::from_api_name(&name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown stream `{name}`")))
}

fn metric_of_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Metric, D::Error> {
    let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    Metric::ALL
        .iter()
        .copied()
        .find(|m| m.report_name() == name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown metric `{name}`")))
}
