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
/// streams' metrics, the CPU fields (stream `cpu`), and MOS (metric `mos`).
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
    rows
}

/// The names of a meeting's counts, in report order: what the CSV and Prometheus outputs
/// carry besides STATS.
const MEETING_COUNTS: [&str; 5] = [
    "pages",
    "participants",
    "samples",
    "invalid_values",
    "degraded_samples",
];

/// A meeting's counts, named as [`MEETING_COUNTS`].
fn meeting_counts(meeting: &MeetingReport) -> [(&'static str, u64); 5] {
    let values = [
        u64::from(meeting.pages),
        meeting.participants,
        meeting.samples,
        meeting.invalid_values,
        meeting.degraded.samples,
    ];
    core::array::from_fn(|i| (MEETING_COUNTS[i], values[i]))
}
