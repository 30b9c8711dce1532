//! Prometheus text exposition format (0.0.4), for node_exporter's textfile collector and
//! for `zoom-qos serve`'s `/metrics`.
//!
//! Conventions, so that `promtool check metrics` has nothing to say: each metric's values
//! are a summary in its base unit (`_seconds`, `_ratio`, `_bytes_per_second`) with the
//! quantiles 0 (min), 0.5, 0.9, 0.95, 0.99 and 1 (max) and its `_sum` and `_count`; every
//! other family is a gauge whose name does not end in `_count`, `_sum`, `_bucket` or
//! `_total`; every family has HELP and TYPE. The families a metric goes into are rows of
//! [`FAMILIES`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::super::{
    AccountReport, Breakdown, Breakdowns, Dimension, MeetingReport, Report, Stats, share,
};
use super::{MEETING_COUNTS, meeting_counts, stat_rows, word_counts};

/// How a value in the report's unit becomes the family's base unit.
#[derive(Clone, Copy)]
enum Unit {
    /// Already in it (fps, pixels, dBm, scores).
    Same,
    /// kbps to bytes per second (promtool's base unit: bytes, not bits): exact, as the
    /// table keeps whole bit/s.
    Kilobits,
    /// ms to seconds.
    Milli,
    /// Percent to a ratio (0 to 1).
    Percent,
}

impl Unit {
    fn base(self, value: f64) -> f64 {
        match self {
            Unit::Same => value,
            Unit::Kilobits => {
                let bits = value * 1000.0;
                // A stored value is whole bit/s (so eighths of a byte, exact in binary);
                // a mean is not, and stays as computed.
                let whole = bits.round();
                (if (bits - whole).abs() < 1e-6 {
                    whole
                } else {
                    bits
                }) / 8.0
            }
            Unit::Milli => value / 1000.0,
            Unit::Percent => value / 100.0,
        }
    }
}

/// The label that tells a family's rows apart.
#[derive(Clone, Copy)]
enum Label {
    /// `stream`: the API stream (`audio_input`, `video_output_rwg`, ...).
    Stream,
    /// `measure`: the report's metric name without the family's ending (`zoom_min` for
    /// `zoom_min_cpu_pct`, `avg` for `avg_rssi_dbm`).
    Measure,
    /// None: one row per meeting.
    None,
}

/// One family of summaries: the report's metric it carries, and how.
struct Family {
    /// The report's metric name, or its ending when `label` is [`Label::Measure`].
    metric: &'static str,
    /// The family's name after `zoom_qos_` (or `zoom_qos_account_`).
    name: &'static str,
    help: &'static str,
    unit: Unit,
    label: Label,
}

/// Every STATS of a report, by family. A metric the report gains without a row here is
/// not exposed (and a test says so).
static FAMILIES: [Family; 11] = [
    Family {
        metric: "bitrate_kbps",
        name: "bitrate_bytes_per_second",
        help: "Bitrate of a stream per sample, in bytes per second (Zoom sends kbps).",
        unit: Unit::Kilobits,
        label: Label::Stream,
    },
    Family {
        metric: "latency_ms",
        name: "latency_seconds",
        help: "Latency of a stream per sample (Zoom's five-second average).",
        unit: Unit::Milli,
        label: Label::Stream,
    },
    Family {
        metric: "jitter_ms",
        name: "jitter_seconds",
        help: "Jitter of a stream per sample.",
        unit: Unit::Milli,
        label: Label::Stream,
    },
    Family {
        metric: "avg_loss_pct",
        name: "average_loss_ratio",
        help: "Average packet loss of a stream per sample, 0 to 1.",
        unit: Unit::Percent,
        label: Label::Stream,
    },
    Family {
        metric: "max_loss_pct",
        name: "max_loss_ratio",
        help: "Largest packet loss of a stream within a sample, 0 to 1.",
        unit: Unit::Percent,
        label: Label::Stream,
    },
    Family {
        metric: "frame_rate_fps",
        name: "frame_rate_frames_per_second",
        help: "Frame rate of a video or screen-share stream per sample.",
        unit: Unit::Same,
        label: Label::Stream,
    },
    Family {
        metric: "resolution_height_px",
        name: "resolution_height_pixels",
        help: "Picture height of a video or screen-share stream per sample.",
        unit: Unit::Same,
        label: Label::Stream,
    },
    Family {
        metric: "mos",
        name: "mos",
        help: "Estimated MOS (1 to 5, the simplified E-model) per sample of an audio stream.",
        unit: Unit::Same,
        label: Label::Stream,
    },
    Family {
        metric: "_cpu_pct",
        name: "cpu_usage_ratio",
        help: "CPU usage per sample, 0 to 1: Zoom's (min, avg, max) and the system's (max).",
        unit: Unit::Percent,
        label: Label::Measure,
    },
    Family {
        metric: "_rssi_dbm",
        name: "wifi_signal_dbm",
        help: "Wi-Fi signal strength (RSSI) per sample, in dBm: min, avg, max.",
        unit: Unit::Same,
        label: Label::Measure,
    },
    Family {
        metric: "score",
        name: "quality_score",
        help: "Zoom's own quality score per sample.",
        unit: Unit::Same,
        label: Label::None,
    },
];

/// The family a STATS row goes into, and its row label's name and value.
fn family_of<'r>(
    stream: &'r str,
    metric: &'r str,
) -> Option<(&'static Family, Option<(&'static str, &'r str)>)> {
    FAMILIES.iter().find_map(|family| match family.label {
        Label::Measure => metric
            .strip_suffix(family.metric)
            .map(|measure| (family, Some(("measure", measure)))),
        Label::Stream => (metric == family.metric).then_some((family, Some(("stream", stream)))),
        Label::None => (metric == family.metric && stream == "quality").then_some((family, None)),
    })
}

/// The quantile labels of a summary, with the STATS field each reads: 0 is the minimum and
/// 1 the maximum (both exact), the others nearest-rank percentiles.
const QUANTILES: [(&str, StatValue); 6] = [
    ("0", |s| s.min),
    ("0.5", |s| s.p50),
    ("0.9", |s| s.p90),
    ("0.95", |s| s.p95),
    ("0.99", |s| s.p99),
    ("1", |s| s.max),
];

/// Whose series a block carries: every meeting's (labelled `meeting`, families
/// `zoom_qos_*`) or the account's (no label of its own, families `zoom_qos_account_*`).
struct Scope<'r> {
    prefix: &'static str,
    /// Each member's own labels, written (`meeting="..."`, or nothing), and its STATS rows.
    members: Vec<(String, Vec<StatRow<'r>>)>,
    breakdowns: Vec<(String, &'r Breakdowns)>,
}

impl Report {
    /// Writes the report in the Prometheus text format, `promtool check metrics` clean:
    ///
    /// - per metric, a summary in its base unit labelled by `meeting` and `stream` (or
    ///   `measure`), quantiles 0 (min), 0.5, 0.9, 0.95, 0.99 and 1 (max):
    ///   `zoom_qos_bitrate_bytes_per_second`, `zoom_qos_latency_seconds`,
    ///   `zoom_qos_jitter_seconds`, `zoom_qos_average_loss_ratio`,
    ///   `zoom_qos_max_loss_ratio`, `zoom_qos_frame_rate_frames_per_second`,
    ///   `zoom_qos_resolution_height_pixels`, `zoom_qos_mos`, `zoom_qos_cpu_usage_ratio`,
    ///   `zoom_qos_wifi_signal_dbm`, `zoom_qos_quality_score`; the samples without a value
    ///   in `zoom_qos_missing_samples{metric}` (`metric` the family's name after
    ///   `zoom_qos_`);
    /// - per meeting, gauges: `zoom_qos_pages`, `zoom_qos_participants`,
    ///   `zoom_qos_samples`, `zoom_qos_invalid_values`, `zoom_qos_degraded_samples`,
    ///   `zoom_qos_degraded_ratio`, `zoom_qos_complete` (1 when the pages are the whole
    ///   chain), `zoom_qos_episodes`, and per flag, grade, CPU pressure level and Zoom
    ///   quality word: `zoom_qos_degraded_flag_samples`, `zoom_qos_grade_participants`,
    ///   `zoom_qos_cpu_pressure_samples`, `zoom_qos_quality_samples`;
    /// - per meeting and breakdown value (the 10 with the most samples per dimension, the
    ///   rest summed as `other`): `zoom_qos_breakdown_{participants,samples,degraded_samples}`
    ///   and the p95s `zoom_qos_breakdown_p95_{latency_seconds,jitter_seconds,average_loss_ratio}`;
    /// - `zoom_qos_meeting_info{meeting, label} 1`: the meeting's label (topic and start)
    ///   on one series of its own, to join on `meeting`, so that free text does not
    ///   multiply every other series; `zoom_qos_errors{meeting, file} 1` per meeting that
    ///   could not be read;
    /// - with an account rollup: the same summaries and breakdowns as
    ///   `zoom_qos_account_*` without a `meeting` label, and
    ///   `zoom_qos_account_{meetings,participants,people,samples,degraded_samples,degraded_ratio}`.
    ///
    /// Label values escape `\`, `"` and line feeds as the format says, and write out every
    /// other control character (`\u{1b}`).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_prometheus(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        let meetings = Scope {
            prefix: "zoom_qos",
            members: self
                .meetings
                .iter()
                .map(|m| (meeting_label(m), stat_rows(m)))
                .collect(),
            breakdowns: self
                .meetings
                .iter()
                .map(|m| (meeting_label(m), &m.breakdowns))
                .collect(),
        };
        write_info(out, self)?;
        write_summaries(out, &meetings)?;
        write_meeting_gauges(out, &self.meetings)?;
        write_breakdowns(out, &meetings)?;
        if let Some(account) = &self.account {
            let rows = account
                .streams
                .iter()
                .flat_map(|(stream, metrics)| {
                    metrics
                        .iter()
                        .map(move |(name, stats)| (stream.api_name(), name, stats))
                })
                .collect();
            let scope = Scope {
                prefix: "zoom_qos_account",
                members: vec![(String::new(), rows)],
                breakdowns: vec![(String::new(), &account.breakdowns)],
            };
            write_account_gauges(out, account)?;
            write_summaries(out, &scope)?;
            write_breakdowns(out, &scope)?;
        }
        family(
            out,
            "zoom_qos_errors",
            "gauge",
            "Meetings that could not be read: 1 each, labelled by the failing file.",
        )?;
        for error in &self.errors {
            let labels = format!(
                "meeting=\"{}\",file=\"{}\"",
                label(&error.meeting),
                label(error.file.as_deref().unwrap_or(""))
            );
            series(out, "zoom_qos_errors", &labels, 1)?;
        }
        Ok(())
    }
}

fn meeting_label(meeting: &MeetingReport) -> String {
    format!("meeting=\"{}\"", label(&meeting.meeting))
}

fn write_info(out: &mut (impl Write + ?Sized), report: &Report) -> io::Result<()> {
    if report.meetings.iter().all(|m| m.label.is_none()) {
        return Ok(());
    }
    family(
        out,
        "zoom_qos_meeting_info",
        "gauge",
        "A meeting's label (topic and start): 1, to join on meeting.",
    )?;
    for meeting in &report.meetings {
        if let Some(text) = &meeting.label {
            let labels = format!("{},label=\"{}\"", meeting_label(meeting), label(text));
            series(out, "zoom_qos_meeting_info", &labels, 1)?;
        }
    }
    Ok(())
}

/// One summary family per [`FAMILIES`] row that has values, then the missing counts.
fn write_summaries(out: &mut (impl Write + ?Sized), scope: &Scope<'_>) -> io::Result<()> {
    let prefix = scope.prefix;
    let rows_of = |family: &'static Family| {
        scope.members.iter().flat_map(move |(own, rows)| {
            rows.iter().filter_map(move |&(stream, metric, stats)| {
                let (found, row) = family_of(stream, metric)?;
                let labels = join(
                    own,
                    row.map(|(name, value)| format!("{name}=\"{}\"", label(value))),
                );
                core::ptr::eq(found, family).then_some((labels, stats))
            })
        })
    };
    for family in &FAMILIES {
        let mut rows = rows_of(family).peekable();
        if rows.peek().is_none() {
            continue;
        }
        let name = format!("{prefix}_{}", family.name);
        self::family(out, &name, "summary", family.help)?;
        for (labels, stats) in rows {
            for (quantile, get) in QUANTILES {
                if let Some(value) = get(stats) {
                    let labels = join(&labels, Some(format!("quantile=\"{quantile}\"")));
                    series(out, &name, &labels, family.unit.base(value))?;
                }
            }
            let sum = stats
                .mean
                .map_or(0.0, |mean| family.unit.base(mean) * stats.count as f64);
            series(out, &format!("{name}_sum"), &labels, sum)?;
            series(out, &format!("{name}_count"), &labels, stats.count)?;
        }
    }
    let name = format!("{prefix}_missing_samples");
    family(
        out,
        &name,
        "gauge",
        "Samples without a value of a metric (absent, blank or invalid); metric is the summary's name.",
    )?;
    for family in &FAMILIES {
        for (labels, stats) in rows_of(family) {
            let labels = join(&labels, Some(format!("metric=\"{}\"", family.name)));
            series(out, &name, &labels, stats.missing)?;
        }
    }
    Ok(())
}

fn write_meeting_gauges(
    out: &mut (impl Write + ?Sized),
    meetings: &[MeetingReport],
) -> io::Result<()> {
    let helps = [
        "Pages read.",
        "Participant entries.",
        "QoS samples (about one per participant-minute).",
        "Metric strings that could not be parsed.",
        "Samples with at least one degradation flag.",
        "1 when the pages are the whole chain the API sent, 0 when some are missing.",
    ];
    for (index, (count, help)) in MEETING_COUNTS.iter().zip(helps).enumerate() {
        let name = format!("zoom_qos_{count}");
        family(out, &name, "gauge", help)?;
        for meeting in meetings {
            series(
                out,
                &name,
                &meeting_label(meeting),
                meeting_counts(meeting)[index].1,
            )?;
        }
    }
    family(
        out,
        "zoom_qos_degraded_ratio",
        "gauge",
        "The share of a meeting's samples with at least one degradation flag, 0 to 1.",
    )?;
    for meeting in meetings {
        let ratio = share(meeting.degraded.samples, meeting.samples);
        series(
            out,
            "zoom_qos_degraded_ratio",
            &meeting_label(meeting),
            ratio,
        )?;
    }
    family(
        out,
        "zoom_qos_episodes",
        "gauge",
        "Runs of degraded samples (episodes).",
    )?;
    for meeting in meetings {
        series(
            out,
            "zoom_qos_episodes",
            &meeting_label(meeting),
            meeting.episodes.len(),
        )?;
    }
    family(
        out,
        "zoom_qos_degraded_flag_samples",
        "gauge",
        "Samples raising one degradation flag.",
    )?;
    for meeting in meetings {
        for (flag, n) in meeting.degraded.by_flag.named() {
            let labels = format!("{},flag=\"{flag}\"", meeting_label(meeting));
            series(out, "zoom_qos_degraded_flag_samples", &labels, n)?;
        }
    }
    family(
        out,
        "zoom_qos_grade_participants",
        "gauge",
        "Participants per MOS grade.",
    )?;
    for meeting in meetings {
        for (grade, n) in meeting.grades.named() {
            let labels = format!("{},grade=\"{grade}\"", meeting_label(meeting));
            series(out, "zoom_qos_grade_participants", &labels, n)?;
        }
    }
    for (kind, help) in [
        ("cpu_pressure", "Samples per CPU pressure level."),
        ("quality", "Samples per Zoom quality word."),
    ] {
        if meetings
            .iter()
            .all(|m| word_counts(m).all(|(k, ..)| k != kind))
        {
            continue;
        }
        let name = format!("zoom_qos_{kind}_samples");
        family(out, &name, "gauge", help)?;
        for meeting in meetings {
            for (_, word, n) in word_counts(meeting).filter(|(k, ..)| *k == kind) {
                let labels = format!("{},{kind}=\"{}\"", meeting_label(meeting), label(word));
                series(out, &name, &labels, n)?;
            }
        }
    }
    Ok(())
}

fn write_account_gauges(
    out: &mut (impl Write + ?Sized),
    account: &AccountReport,
) -> io::Result<()> {
    let counts = [
        (
            "meetings",
            "Meetings in the account rollup.",
            account.meetings,
        ),
        (
            "participants",
            "Participant entries over all meetings.",
            account.participants,
        ),
        (
            "people",
            "Distinct people (by user_id, else email, else name).",
            account.people,
        ),
        ("samples", "Samples over all meetings.", account.samples),
        (
            "degraded_samples",
            "Degraded samples over all meetings.",
            account.degraded,
        ),
    ];
    for (count, help, n) in counts {
        let name = format!("zoom_qos_account_{count}");
        family(out, &name, "gauge", help)?;
        series(out, &name, "", n)?;
    }
    family(
        out,
        "zoom_qos_account_degraded_ratio",
        "gauge",
        "The share of all samples with at least one degradation flag, 0 to 1.",
    )?;
    series(
        out,
        "zoom_qos_account_degraded_ratio",
        "",
        share(account.degraded, account.samples),
    )
}

/// Values per dimension that get series of their own; the rest are summed as `other`,
/// so that label cardinality stays bounded.
const BREAKDOWN_VALUES: usize = 10;

/// Breakdown gauges: participants, samples and degraded samples per dimension value, and
/// the p95s (not for `other`, whose p95 the top values' cannot give).
fn write_breakdowns(out: &mut (impl Write + ?Sized), scope: &Scope<'_>) -> io::Result<()> {
    let prefix = scope.prefix;
    let counts: [(&str, &str, BreakdownCount); 3] = [
        (
            "participants",
            "Participant entries per dimension value.",
            |b| b.participants,
        ),
        ("samples", "Samples per dimension value.", |b| b.samples),
        (
            "degraded_samples",
            "Degraded samples per dimension value.",
            |b| b.degraded,
        ),
    ];
    let labels = |own: &str, dimension: Dimension, value: &str| {
        join(
            own,
            Some(format!(
                "dimension=\"{}\",value=\"{}\"",
                dimension.name(),
                label(value)
            )),
        )
    };
    for (count, help, get) in counts {
        let name = format!("{prefix}_breakdown_{count}");
        family(out, &name, "gauge", help)?;
        for (own, breakdowns) in &scope.breakdowns {
            for dimension in Dimension::ALL {
                let (top, other) = top_values(breakdowns.get(dimension));
                for (value, b) in &top {
                    series(out, &name, &labels(own, dimension, value), get(b))?;
                }
                if !other.is_empty() {
                    let sum: u64 = other.iter().map(|(_, b)| get(b)).sum();
                    series(out, &name, &labels(own, dimension, "other"), sum)?;
                }
            }
        }
    }
    let p95s: [(&str, Unit, BreakdownValue); 3] = [
        ("latency_seconds", Unit::Milli, |b| b.latency_ms_p95),
        ("jitter_seconds", Unit::Milli, |b| b.jitter_ms_p95),
        ("average_loss_ratio", Unit::Percent, |b| b.avg_loss_pct_p95),
    ];
    for (metric, unit, get) in p95s {
        let name = format!("{prefix}_breakdown_p95_{metric}");
        let help = "p95 over the audio streams of a dimension value's participants' samples.";
        family(out, &name, "gauge", help)?;
        for (own, breakdowns) in &scope.breakdowns {
            for dimension in Dimension::ALL {
                for (value, b) in top_values(breakdowns.get(dimension)).0 {
                    if let Some(v) = get(b) {
                        series(out, &name, &labels(own, dimension, value), unit.base(v))?;
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
    let (top, rest): (Vec<_>, Vec<_>) = sorted
        .into_iter()
        .enumerate()
        .partition(|(i, (value, _))| *i < BREAKDOWN_VALUES && value.as_str() != "other");
    (
        top.into_iter().map(|(_, v)| v).collect(),
        rest.into_iter().map(|(_, v)| v).collect(),
    )
}

/// Reads one count off a breakdown.
type BreakdownCount = fn(&Breakdown) -> u64;

/// Reads one value off a breakdown.
type BreakdownValue = fn(&Breakdown) -> Option<f64>;

/// Reads one value off a STATS.
type StatValue = fn(&Stats) -> Option<f64>;

/// A STATS row: its stream, its metric's report name, the STATS.
type StatRow<'r> = (&'static str, &'r str, &'r Stats);

/// A dimension value and its breakdown.
type Value<'b> = (&'b String, &'b Breakdown);

/// Labels already written, joined with more.
fn join(own: &str, more: Option<String>) -> String {
    match more {
        Some(more) if own.is_empty() => more,
        Some(more) => format!("{own},{more}"),
        None => own.to_owned(),
    }
}

fn family(out: &mut (impl Write + ?Sized), name: &str, kind: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}")
}

fn series(
    out: &mut (impl Write + ?Sized),
    name: &str,
    labels: &str,
    value: impl core::fmt::Display,
) -> io::Result<()> {
    if labels.is_empty() {
        writeln!(out, "{name} {value}")
    } else {
        writeln!(out, "{name}{{{labels}}} {value}")
    }
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

    #[test]
    fn every_metric_of_the_schema_has_a_family() {
        use crate::{CpuMetric, Metric, RssiMetric};
        // Reference: the report names of every metric the schema has, which are what
        // STATS rows carry; each must land in a family (else it would silently not be
        // exposed).
        let names = Metric::ALL.iter().map(|m| m.report_name());
        let names = names.chain(CpuMetric::ALL.iter().map(|m| m.report_name()));
        for name in names.chain(RssiMetric::ALL.iter().map(|m| m.report_name())) {
            assert!(
                super::family_of("audio_input", name).is_some(),
                "{name} has no family"
            );
        }
        assert!(super::family_of("audio_input", "mos").is_some());
        assert!(super::family_of("quality", "score").is_some());
    }

    #[test]
    fn base_units() {
        use super::Unit;
        assert_eq!(Unit::Kilobits.base(27.15), 3393.75);
        assert_eq!(Unit::Milli.base(126.0), 0.126);
        assert_eq!(Unit::Percent.base(0.3), 0.003);
    }
}
