//! Prometheus text exposition format, for node_exporter's textfile collector.

use std::io::{self, Write};

use std::collections::BTreeMap;

use super::super::{Breakdown, Dimension, Report, Stats};
use super::{MEETING_COUNTS, meeting_counts, stat_rows, word_counts};

impl Report {
    /// Writes gauges labelled by `meeting` (unique per report: the command qualifies
    /// clashing names), `stream`, `metric` and `quantile`:
    ///
    /// - `zoom_qos_metric`: quantiles of each STATS (0 = min, 1 = max), MOS included;
    /// - `zoom_qos_metric_count` and `zoom_qos_metric_missing`: its present and missing
    ///   values;
    /// - `zoom_qos_pages`, `zoom_qos_participants`, `zoom_qos_samples`,
    ///   `zoom_qos_invalid_values`, `zoom_qos_degraded_samples`, `zoom_qos_complete` (1
    ///   when the pages are the whole chain): per meeting;
    /// - `zoom_qos_cpu_pressure_samples` per level and `zoom_qos_quality_samples` per Zoom
    ///   quality word, when meetings have them;
    /// - `zoom_qos_degraded_flag_samples` per flag and `zoom_qos_grade_participants` per
    ///   grade;
    /// - `zoom_qos_errors`: 1 per meeting that could not be read, labelled by its file;
    /// - `zoom_qos_meeting_info`: 1 per meeting with a label (its topic and start), the
    ///   label as a label of this one series only (an info metric: join on `meeting`),
    ///   so that the free text does not multiply every other series.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_prometheus(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        if self.meetings.iter().any(|m| m.label.is_some()) {
            gauge(
                out,
                "zoom_qos_meeting_info",
                "A meeting's label (topic and start): 1, to join on meeting.",
            )?;
            for meeting in &self.meetings {
                if let Some(text) = &meeting.label {
                    writeln!(
                        out,
                        "zoom_qos_meeting_info{{meeting=\"{}\",label=\"{}\"}} 1",
                        label(&meeting.meeting),
                        label(text)
                    )?;
                }
            }
        }
        gauge(
            out,
            "zoom_qos_metric",
            "Quantiles of a QoS metric over a meeting's samples (0 = min, 1 = max).",
        )?;
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
        let per_stat: [(&str, &str, StatCount); 2] = [
            (
                "zoom_qos_metric_count",
                "Samples with a value of a QoS metric.",
                |s| s.count,
            ),
            (
                "zoom_qos_metric_missing",
                "Samples without a value of a QoS metric (absent, blank or invalid).",
                |s| s.missing,
            ),
        ];
        for (gauge_name, help, get) in per_stat {
            gauge(out, gauge_name, help)?;
            for meeting in &self.meetings {
                let m = label(&meeting.meeting);
                for (stream, name, stats) in stat_rows(meeting) {
                    writeln!(
                        out,
                        "{gauge_name}{{meeting=\"{m}\",stream=\"{stream}\",metric=\"{name}\"}} {}",
                        get(stats)
                    )?;
                }
            }
        }
        let helps = [
            "Pages read.",
            "Participant entries.",
            "QoS samples (about one per participant-minute).",
            "Metric strings that could not be parsed.",
            "Samples with at least one degradation flag.",
            "1 when the pages are the whole chain the API sent, 0 when some are missing.",
        ];
        for (index, (count, help)) in MEETING_COUNTS.iter().zip(helps).enumerate() {
            let gauge_name = format!("zoom_qos_{count}");
            gauge(out, &gauge_name, help)?;
            for meeting in &self.meetings {
                let n = meeting_counts(meeting)[index].1;
                writeln!(
                    out,
                    "{gauge_name}{{meeting=\"{}\"}} {n}",
                    label(&meeting.meeting)
                )?;
            }
        }
        gauge(
            out,
            "zoom_qos_degraded_flag_samples",
            "Samples raising one degradation flag.",
        )?;
        for meeting in &self.meetings {
            for (flag, n) in meeting.degraded.by_flag.named() {
                writeln!(
                    out,
                    "zoom_qos_degraded_flag_samples{{meeting=\"{}\",flag=\"{flag}\"}} {n}",
                    label(&meeting.meeting)
                )?;
            }
        }
        gauge(
            out,
            "zoom_qos_grade_participants",
            "Participants per MOS grade.",
        )?;
        for meeting in &self.meetings {
            for (grade, n) in meeting.grades.named() {
                writeln!(
                    out,
                    "zoom_qos_grade_participants{{meeting=\"{}\",grade=\"{grade}\"}} {n}",
                    label(&meeting.meeting)
                )?;
            }
        }
        for (kind, help) in [
            ("cpu_pressure", "Samples per CPU pressure level."),
            ("quality", "Samples per Zoom quality word."),
        ] {
            if self
                .meetings
                .iter()
                .all(|m| word_counts(m).all(|(k, ..)| k != kind))
            {
                continue;
            }
            let gauge_name = format!("zoom_qos_{kind}_samples");
            gauge(out, &gauge_name, help)?;
            for meeting in &self.meetings {
                for (_, word, n) in word_counts(meeting).filter(|(k, ..)| *k == kind) {
                    writeln!(
                        out,
                        "{gauge_name}{{meeting=\"{}\",{kind}=\"{}\"}} {n}",
                        label(&meeting.meeting),
                        label(word)
                    )?;
                }
            }
        }
        write_breakdowns(out, self)?;
        gauge(
            out,
            "zoom_qos_episodes",
            "Runs of degraded samples (episodes).",
        )?;
        for meeting in &self.meetings {
            writeln!(
                out,
                "zoom_qos_episodes{{meeting=\"{}\"}} {}",
                label(&meeting.meeting),
                meeting.episodes.len()
            )?;
        }
        gauge(
            out,
            "zoom_qos_errors",
            "Meetings that could not be read (1 per meeting, labelled by the failing file).",
        )?;
        for error in &self.errors {
            writeln!(
                out,
                "zoom_qos_errors{{meeting=\"{}\",file=\"{}\"}} 1",
                label(&error.meeting),
                label(error.file.as_deref().unwrap_or(""))
            )?;
        }
        Ok(())
    }
}

/// Values per dimension that get series of their own; the rest are summed as `other`,
/// so that a meeting's label cardinality stays bounded.
const BREAKDOWN_VALUES: usize = 10;

/// Breakdown gauges: participants, samples and degraded samples per dimension value, and
/// the p95s (not for `other`, whose p95 the top values' cannot give).
fn write_breakdowns(out: &mut (impl Write + ?Sized), report: &Report) -> io::Result<()> {
    let counts: [(&str, &str, BreakdownCount); 3] = [
        (
            "zoom_qos_breakdown_participants",
            "Participant entries per dimension value.",
            |b| b.participants,
        ),
        (
            "zoom_qos_breakdown_samples",
            "Samples per dimension value.",
            |b| b.samples,
        ),
        (
            "zoom_qos_breakdown_degraded_samples",
            "Degraded samples per dimension value.",
            |b| b.degraded,
        ),
    ];
    for (name, help, get) in counts {
        gauge(out, name, help)?;
        for meeting in &report.meetings {
            for dimension in Dimension::ALL {
                let (top, other) = top_values(meeting.breakdowns.get(dimension));
                let labels = |value: &str| {
                    format!(
                        "meeting=\"{}\",dimension=\"{}\",value=\"{}\"",
                        label(&meeting.meeting),
                        dimension.name(),
                        label(value)
                    )
                };
                for (value, b) in &top {
                    writeln!(out, "{name}{{{}}} {}", labels(value), get(b))?;
                }
                if !other.is_empty() {
                    let sum: u64 = other.iter().map(|(_, b)| get(b)).sum();
                    writeln!(out, "{name}{{{}}} {sum}", labels("other"))?;
                }
            }
        }
    }
    gauge(
        out,
        "zoom_qos_breakdown_p95",
        "p95 of a metric over the audio streams of a dimension value's participants.",
    )?;
    for meeting in &report.meetings {
        for dimension in Dimension::ALL {
            let (top, _) = top_values(meeting.breakdowns.get(dimension));
            for (value, b) in top {
                let p95s = [
                    ("latency_ms", b.latency_ms_p95),
                    ("jitter_ms", b.jitter_ms_p95),
                    ("avg_loss_pct", b.avg_loss_pct_p95),
                ];
                for (metric, v) in p95s {
                    if let Some(v) = v {
                        writeln!(
                            out,
                            "zoom_qos_breakdown_p95{{meeting=\"{}\",dimension=\"{}\",value=\"{}\",metric=\"{metric}\"}} {v}",
                            label(&meeting.meeting),
                            dimension.name(),
                            label(value)
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A dimension's values with the most samples (ties by name), at most
/// [`BREAKDOWN_VALUES`], and the rest. A value literally named `other` joins the rest.
fn top_values(values: &BTreeMap<String, Breakdown>) -> (Vec<Value<'_>>, Vec<Value<'_>>) {
    let mut sorted: Vec<Value<'_>> = values.iter().collect();
    sorted.sort_by(|a, b| b.1.samples.cmp(&a.1.samples).then(a.0.cmp(b.0)));
    let (mut top, mut rest): (Vec<_>, Vec<_>) = sorted
        .into_iter()
        .enumerate()
        .partition(|(i, (value, _))| *i < BREAKDOWN_VALUES && value.as_str() != "other");
    (
        top.drain(..).map(|(_, v)| v).collect(),
        rest.drain(..).map(|(_, v)| v).collect(),
    )
}

/// Reads one count off a breakdown.
type BreakdownCount = fn(&Breakdown) -> u64;

/// A dimension value and its breakdown.
type Value<'b> = (&'b String, &'b Breakdown);

/// Reads one count off a STATS.
type StatCount = fn(&Stats) -> u64;

fn gauge(out: &mut (impl Write + ?Sized), name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge")
}

/// Quantiles: min is 0, the percentiles, max is 1; with their values.
fn quantiles(stats: &Stats) -> impl Iterator<Item = (String, Option<f64>)> {
    let percentiles = Stats::PERCENTILES
        .iter()
        .map(|&p| format!("{}", f64::from(p) / 100.0))
        .zip(stats.percentiles());
    core::iter::once(("0".to_owned(), stats.min))
        .chain(percentiles)
        .chain([("1".to_owned(), stats.max)])
}

/// A Prometheus label value, escaped: the format's escapes for backslash, quote and line
/// feed, and every other control character written out (`\u{1b}`), which the format has
/// no escape for and a terminal showing the scrape would obey.
fn label(text: &str) -> String {
    super::text::escape_controls_but(text, &['\n'])
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_values_escape_the_format_and_write_out_control_characters() {
        assert_eq!(super::label("a\\b \"q\"\nz"), "a\\\\b \\\"q\\\"\\nz");
        // Written out as `\u{1b}`, whose backslash the format then escapes: a reader gets
        // the text `\u{1b}`, never the character.
        assert_eq!(super::label("\u{1b}]0;T\u{7}"), r"\\u{1b}]0;T\\u{7}");
    }
}
