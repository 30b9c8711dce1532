//! Renderings of a [`Report`]: JSON (the contract), CSV, Prometheus text, a readable table.

use std::io::{self, Write};

use super::Stats;
use super::{MeetingReport, Report};
use crate::schema::{Metric, Stream};

impl Report {
    /// Writes the report v1 JSON document (one object, compact).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }

    /// Writes one CSV row per meeting × stream × metric (plus `cpu` and `mos` rows), with
    /// the STATS columns; an empty cell is `null`.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "meeting,stream,metric,count,missing,{}",
            csv_stat_columns()
        )?;
        for meeting in &self.meetings {
            for (stream, name, stats) in stat_rows(meeting) {
                write!(
                    out,
                    "{},{stream},{name},{},{}",
                    csv_field(&meeting.meeting),
                    stats.count,
                    stats.missing
                )?;
                for value in csv_stat_values(stats) {
                    match value {
                        Some(v) => write!(out, ",{v}")?,
                        None => out.write_all(b",")?,
                    }
                }
                writeln!(out)?;
            }
        }
        Ok(())
    }

    /// Writes the Prometheus text exposition format, for node_exporter's textfile
    /// collector: gauges labelled by `meeting`, `stream`, `metric` and `quantile`.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_prometheus(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "# HELP zoom_qos_metric Quantiles of a QoS metric over a meeting's samples (0 = min, 1 = max)."
        )?;
        writeln!(out, "# TYPE zoom_qos_metric gauge")?;
        for meeting in &self.meetings {
            let m = label(&meeting.meeting);
            for (stream, name, stats) in stat_rows(meeting) {
                for (q, v) in quantiles(stats) {
                    if let Some(v) = v {
                        writeln!(
                            out,
                            "zoom_qos_metric{{meeting=\"{m}\",stream=\"{stream}\",metric=\"{name}\",quantile=\"{q}\"}} {v}"
                        )?;
                    }
                }
            }
        }
        let gauges: [(&str, &str, Count); 4] = [
            (
                "zoom_qos_samples",
                "QoS samples (about one per participant-minute).",
                |m| m.samples,
            ),
            ("zoom_qos_participants", "Participant entries.", |m| {
                m.participants
            }),
            (
                "zoom_qos_invalid_values",
                "Metric strings that could not be parsed.",
                |m| m.invalid_values,
            ),
            (
                "zoom_qos_degraded_samples",
                "Samples with at least one degradation flag.",
                |m| m.degraded.samples,
            ),
        ];
        for (name, help, get) in gauges {
            writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge")?;
            for meeting in &self.meetings {
                writeln!(
                    out,
                    "{name}{{meeting=\"{}\"}} {}",
                    label(&meeting.meeting),
                    get(meeting)
                )?;
            }
        }
        writeln!(
            out,
            "# HELP zoom_qos_degraded_flag_samples Samples raising one degradation flag."
        )?;
        writeln!(out, "# TYPE zoom_qos_degraded_flag_samples gauge")?;
        for meeting in &self.meetings {
            for (flag, n) in meeting.degraded.by_flag.named() {
                writeln!(
                    out,
                    "zoom_qos_degraded_flag_samples{{meeting=\"{}\",flag=\"{flag}\"}} {n}",
                    label(&meeting.meeting)
                )?;
            }
        }
        writeln!(
            out,
            "# HELP zoom_qos_grade_participants Participants per MOS grade."
        )?;
        writeln!(out, "# TYPE zoom_qos_grade_participants gauge")?;
        for meeting in &self.meetings {
            for (grade, n) in meeting.grades.named() {
                writeln!(
                    out,
                    "zoom_qos_grade_participants{{meeting=\"{}\",grade=\"{grade}\"}} {n}",
                    label(&meeting.meeting)
                )?;
            }
        }
        Ok(())
    }

    /// Writes a readable summary per meeting: samples, grades, degraded share, the median
    /// and p95 of latency, jitter and loss of the audio and video streams, and the worst
    /// participants.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_table(&self, out: &mut impl Write) -> io::Result<()> {
        for meeting in &self.meetings {
            let share = percent(meeting.degraded.samples, meeting.samples);
            writeln!(
                out,
                "meeting {}: {} pages, {} participants, {} samples, {} invalid values",
                meeting.meeting,
                meeting.pages,
                meeting.participants,
                meeting.samples,
                meeting.invalid_values
            )?;
            writeln!(out, "  grades      {}", listed(meeting.grades.named()))?;
            writeln!(
                out,
                "  degraded    {} samples ({share}): {}",
                meeting.degraded.samples,
                listed(meeting.degraded.by_flag.named())
            )?;
            writeln!(
                out,
                "  {:<14} {:>16} {:>16} {:>16}",
                "stream", "latency ms", "jitter ms", "avg loss %"
            )?;
            writeln!(
                out,
                "  {:<14} {:>16} {:>16} {:>16}",
                "", "p50 / p95", "p50 / p95", "p50 / p95"
            )?;
            for stream in Stream::AUDIO_VIDEO {
                let cell = |metric| {
                    meeting.streams.get(stream, metric).map_or_else(
                        || "-".to_owned(),
                        |s| format!("{} / {}", num(s.p50), num(s.p95)),
                    )
                };
                if meeting.streams.get(stream, Metric::Latency).is_some() {
                    writeln!(
                        out,
                        "  {:<14} {:>16} {:>16} {:>16}",
                        stream.api_name(),
                        cell(Metric::Latency),
                        cell(Metric::Jitter),
                        cell(Metric::AvgLoss)
                    )?;
                }
            }
            let mut worst: Vec<_> = meeting
                .participant_details
                .iter()
                .filter(|p| p.mos_audio_input_p50.is_some() || p.mos_audio_output_p50.is_some())
                .collect();
            let key = |p: &&super::ParticipantDetail| {
                p.mos_audio_input_p50
                    .into_iter()
                    .chain(p.mos_audio_output_p50)
                    .fold(f64::INFINITY, f64::min)
            };
            worst.sort_by(|a, b| {
                key(a)
                    .total_cmp(&key(b))
                    .then(b.degraded_samples.cmp(&a.degraded_samples))
            });
            if !worst.is_empty() {
                writeln!(out, "  worst participants (lowest median MOS):")?;
            }
            for p in worst.iter().take(3) {
                let name = if p.user_name.is_empty() {
                    "(no name)"
                } else {
                    &p.user_name
                };
                writeln!(
                    out,
                    "    {name:<24} {:<5} MOS {:.2}, {} of {} samples degraded",
                    p.grade.name(),
                    key(p),
                    p.degraded_samples,
                    p.samples
                )?;
            }
            writeln!(out)?;
        }
        for error in &self.errors {
            writeln!(out, "meeting {} FAILED: {}", error.meeting, error.message)?;
        }
        Ok(())
    }
}

/// Reads one count off a meeting.
type Count = fn(&MeetingReport) -> u64;

/// Every STATS of a meeting with its stream and metric names, in report order.
fn stat_rows(meeting: &MeetingReport) -> Vec<(&'static str, &'static str, &Stats)> {
    let mut rows = Vec::new();
    for (stream, metrics) in &meeting.streams.0 {
        for (name, stats) in &metrics.0 {
            rows.push((stream.api_name(), *name, stats));
        }
    }
    for (name, stats) in &meeting.cpu.0 {
        rows.push(("cpu", *name, stats));
    }
    rows.push(("audio_input", "mos", &meeting.mos.audio_input));
    rows.push(("audio_output", "mos", &meeting.mos.audio_output));
    rows
}

/// `name n, name n, ...`.
fn listed<const N: usize>(counts: [(&str, u64); N]) -> String {
    counts.map(|(name, n)| format!("{name} {n}")).join(", ")
}

/// The CSV columns after `count,missing`: `min,mean,p50,...,max`.
fn csv_stat_columns() -> String {
    let percentiles: Vec<String> = Stats::PERCENTILES.iter().map(|p| format!("p{p}")).collect();
    format!("min,mean,{},max", percentiles.join(","))
}

/// `min, mean, the percentiles, max`: the CSV columns' values.
fn csv_stat_values(stats: &Stats) -> impl Iterator<Item = Option<f64>> {
    [stats.min, stats.mean]
        .into_iter()
        .chain(stats.percentiles())
        .chain([stats.max])
}

/// Prometheus quantiles: min is 0, the percentiles, max is 1; with their values.
fn quantiles(stats: &Stats) -> impl Iterator<Item = (String, Option<f64>)> {
    let percentiles = Stats::PERCENTILES
        .iter()
        .map(|&p| format!("{}", f64::from(p) / 100.0))
        .zip(stats.percentiles());
    core::iter::once(("0".to_owned(), stats.min))
        .chain(percentiles)
        .chain([("1".to_owned(), stats.max)])
}

fn num(value: Option<f64>) -> String {
    value.map_or_else(
        || "-".to_owned(),
        |v| format!("{}", (v * 100.0).round() / 100.0),
    )
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A Prometheus label value, escaped.
fn label(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
