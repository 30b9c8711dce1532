//! Renderings of a [`Report`]: JSON (the contract), CSV, Prometheus text, a readable table.
//! One file per format; the helpers they share are here.

mod csv;
#[cfg(feature = "html")]
mod html;
mod prometheus;
mod table;
mod text;

pub use text::escape_controls;

use std::io::{self, Write};

use super::{MeetingReport, Report, Stats};

impl Report {
    /// Writes the report v1 JSON document (one object, compact).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_json(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }
}

/// Every STATS of a meeting with its stream and metric names, in report order: the
/// streams' metrics, the CPU fields (stream `cpu`), MOS (metric `mos`), the Wi-Fi signal
/// (stream `wifi`) and Zoom's quality score (stream `quality`, metric `score`), the last
/// two when the meeting has them.
fn stat_rows(meeting: &MeetingReport) -> Vec<(&'static str, &str, &Stats)> {
    let mut rows = Vec::new();
    for (stream, metrics) in meeting.streams.iter() {
        for (name, stats) in metrics.iter() {
            rows.push((stream.api_name(), name, stats));
        }
    }
    for (name, stats) in meeting.cpu.iter() {
        rows.push(("cpu", name, stats));
    }
    rows.push(("audio_input", "mos", &meeting.mos.audio_input));
    rows.push(("audio_output", "mos", &meeting.mos.audio_output));
    for (name, stats) in meeting.wifi.iter() {
        rows.push(("wifi", name, stats));
    }
    if let Some(score) = &meeting.quality_score {
        rows.push(("quality", "score", score));
    }
    rows
}

/// A meeting's samples per word, by kind: `cpu_pressure` (per level) and `quality` (per
/// Zoom quality word).
fn word_counts(meeting: &MeetingReport) -> impl Iterator<Item = (&'static str, &str, u64)> {
    let pressure = meeting
        .cpu_pressure
        .iter()
        .map(|(level, &n)| ("cpu_pressure", level.as_str(), n));
    let quality = meeting
        .quality
        .iter()
        .map(|(word, &n)| ("quality", word.as_str(), n));
    pressure.chain(quality)
}

/// The names of a meeting's counts, in report order: what the CSV and Prometheus outputs
/// carry besides STATS. `complete` is 1 when the pages are the whole chain, else 0.
const MEETING_COUNTS: [&str; 6] = [
    "pages",
    "participants",
    "samples",
    "invalid_values",
    "degraded_samples",
    "complete",
];

/// A meeting's counts, named as [`MEETING_COUNTS`].
fn meeting_counts(meeting: &MeetingReport) -> [(&'static str, u64); 6] {
    let values = [
        u64::from(meeting.pages),
        meeting.participants,
        meeting.samples,
        meeting.invalid_values,
        meeting.degraded.samples,
        u64::from(meeting.complete),
    ];
    core::array::from_fn(|i| (MEETING_COUNTS[i], values[i]))
}
