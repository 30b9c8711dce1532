//! The readable table, for a terminal: every text from the input is escaped and fitted to
//! its column by display width.

use std::io::{self, Write};

use super::super::{AccountReport, Dimension, Grade, MeetingReport, ParticipantDetail, Report};
use super::text::{count, escape_controls, fit};
use crate::schema::{Metric, Stream};

/// Columns for a participant's name.
const NAME_COLUMNS: usize = 24;
/// Invalid values listed per meeting.
const INVALID_SHOWN: usize = 3;
/// Participants listed per meeting.
const WORST_SHOWN: usize = 3;
/// Episodes listed per meeting.
const EPISODES_SHOWN: usize = 5;
/// What the grades mean, for the foot of the table.
const GRADE_LEGEND: &str =
    "grade (worse audio MOS median): good ≥4 fair ≥3 poor ≥2 bad <2 none:unclassified";

impl Report {
    /// Writes a readable summary per meeting: samples, grades, degraded share, the median
    /// and p95 of latency, jitter and loss of the audio and video streams, the worst
    /// participants and the first invalid values; then the failed meetings and a legend of
    /// the grades. Safe to print to a terminal: control characters from the input are
    /// escaped.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_table(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        for meeting in &self.meetings {
            write_meeting(out, meeting)?;
        }
        for error in &self.errors {
            let file = error
                .file
                .as_deref()
                .map(|f| format!("{}: ", escape_controls(f)))
                .unwrap_or_default();
            writeln!(
                out,
                "meeting {} FAILED: {file}{}",
                escape_controls(&error.meeting),
                escape_controls(&error.message)
            )?;
        }
        if let Some(account) = &self.account {
            write_account(out, account)?;
        }
        if !self.meetings.is_empty() {
            // One line that fits 80 columns.
            writeln!(out, "{GRADE_LEGEND}")?;
        }
        Ok(())
    }
}

fn write_meeting(out: &mut (impl Write + ?Sized), meeting: &MeetingReport) -> io::Result<()> {
    writeln!(
        out,
        "meeting {}: {}, {}, {}, {}",
        escape_controls(&meeting.meeting),
        count(u64::from(meeting.pages), "page", "pages"),
        count(meeting.participants, "participant", "participants"),
        count(meeting.samples, "sample", "samples"),
        count(meeting.invalid_values, "invalid value", "invalid values"),
    )?;
    // A fetched meeting's folder name is a number and a digest: say which meeting it is.
    if let Some(topic) = &meeting.topic {
        let start = meeting.start_time.as_deref().unwrap_or("");
        writeln!(out, "  topic       {} {start}", escape_controls(topic))?;
    }
    writeln!(out, "  grades      {}", listed(meeting.grades.named()))?;
    writeln!(
        out,
        "  degraded    {} ({}): {}",
        count(meeting.degraded.samples, "sample", "samples"),
        percent(meeting.degraded.samples, meeting.samples),
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
    write_worst(out, meeting)?;
    write_episodes(out, meeting)?;
    write_standouts(out, meeting)?;
    if !meeting.first_invalid_values.is_empty() {
        let shown = meeting.first_invalid_values.len().min(INVALID_SHOWN);
        writeln!(
            out,
            "  invalid values (first {shown} of {}):",
            meeting.invalid_values
        )?;
        let mut file_shown = None;
        for invalid in meeting.first_invalid_values.iter().take(INVALID_SHOWN) {
            // Each file once, above its values, so that the lines stay short.
            if invalid.file.is_some() && invalid.file != file_shown {
                let file = invalid.file.as_deref().unwrap_or_default();
                writeln!(out, "    {}", escape_controls(file))?;
                file_shown.clone_from(&invalid.file);
            }
            writeln!(
                out,
                "      page {}, participant {}, sample {}, {}: {:?} ({})",
                invalid.page,
                invalid.participant,
                invalid.sample,
                invalid.field,
                invalid.found,
                invalid.reason
            )?;
        }
    }
    writeln!(out)
}

/// The participants with the lowest median MOS, most degraded first among equals.
fn write_worst(out: &mut (impl Write + ?Sized), meeting: &MeetingReport) -> io::Result<()> {
    let worst_mos = |p: &ParticipantDetail| {
        p.mos_audio_input_p50
            .into_iter()
            .chain(p.mos_audio_output_p50)
            .fold(f64::INFINITY, f64::min)
    };
    let mut worst: Vec<&ParticipantDetail> = meeting
        .participant_details
        .iter()
        .filter(|p| p.grade != Grade::Unclassified)
        .collect();
    worst.sort_by(|a, b| {
        worst_mos(a)
            .total_cmp(&worst_mos(b))
            .then(b.degraded_samples.cmp(&a.degraded_samples))
    });
    if !worst.is_empty() {
        writeln!(out, "  worst participants (lowest median MOS):")?;
    }
    for p in worst.iter().take(WORST_SHOWN) {
        let name = if p.user_name.is_empty() {
            "(no name)"
        } else {
            &p.user_name
        };
        writeln!(
            out,
            "    {} {:<5} MOS {:.2}, {} of {} degraded",
            fit(name, NAME_COLUMNS),
            p.grade.name(),
            worst_mos(p),
            p.degraded_samples,
            count(p.samples, "sample", "samples"),
        )?;
    }
    Ok(())
}

/// The longest runs of degraded samples.
fn write_episodes(out: &mut (impl Write + ?Sized), meeting: &MeetingReport) -> io::Result<()> {
    if meeting.episodes.is_empty() {
        return Ok(());
    }
    let shown = &meeting.episodes[..meeting.episodes.len().min(EPISODES_SHOWN)];
    // One date for all, in the heading, when they share it: the lines stay short.
    let day = split_time(&shown[0].start).0;
    let one_day = shown
        .iter()
        .all(|e| split_time(&e.start).0 == day && split_time(&e.end).0 == day);
    let when = if one_day {
        format!("{day}, UTC")
    } else {
        "UTC".to_owned()
    };
    writeln!(
        out,
        "  longest degraded episodes ({} in all; {when}):",
        meeting.episodes.len()
    )?;
    for episode in shown {
        let flags: Vec<String> = episode
            .by_flag
            .named()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(flag, n)| format!("{flag} {n}"))
            .collect();
        let name = if episode.user_name.is_empty() {
            "(no name)"
        } else {
            &episode.user_name
        };
        // `2021-06-24T20:03:00Z` -> `2021-06-24 20:03`; the end's date only when it differs.
        let (start_day, start_clock) = split_time(&episode.start);
        let (end_day, end_clock) = split_time(&episode.end);
        let span = if one_day {
            format!("{start_clock}-{end_clock}")
        } else if end_day == start_day {
            format!("{start_day} {start_clock}-{end_clock}")
        } else {
            format!("{start_day} {start_clock}-{end_day} {end_clock}")
        };
        writeln!(
            out,
            "    {} {span} ({}): {}",
            fit(name, NAME_COLUMNS),
            episode.samples,
            flags.join(", ")
        )?;
    }
    Ok(())
}

/// A time of the report as (date, `HH:MM`).
fn split_time(rfc3339: &str) -> (&str, &str) {
    (
        rfc3339.get(..10).unwrap_or(rfc3339),
        rfc3339.get(11..16).unwrap_or(""),
    )
}

/// Per dimension, the value whose samples are degraded most often, when that is well
/// above the meeting's share: at least 1.5 times it and 5 points more, over at least 10
/// samples.
fn write_standouts(out: &mut (impl Write + ?Sized), meeting: &MeetingReport) -> io::Result<()> {
    if meeting.samples == 0 {
        return Ok(());
    }
    let share = meeting.degraded.samples as f64 / meeting.samples as f64;
    let mut lines = Vec::new();
    for dimension in Dimension::ALL {
        let worst = meeting
            .breakdowns
            .get(dimension)
            .iter()
            .filter(|(_, b)| b.samples >= 10)
            .map(|(value, b)| (value, b, b.degraded as f64 / b.samples as f64))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((value, b, value_share)) = worst
            && value_share >= 1.5 * share
            && value_share >= share + 0.05
        {
            lines.push(format!(
                "    {} {}: {:.1}% of {} degraded (meeting {:.1}%)",
                dimension.name(),
                escape_controls(value),
                value_share * 100.0,
                count(b.samples, "sample", "samples"),
                share * 100.0
            ));
        }
    }
    if !lines.is_empty() {
        writeln!(out, "  stands out:")?;
        for line in lines {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The account: totals, the worst meetings and the people degraded in several meetings.
fn write_account(out: &mut (impl Write + ?Sized), account: &AccountReport) -> io::Result<()> {
    writeln!(
        out,
        "account: {}, {}, {}, {} degraded ({})",
        count(account.meetings, "meeting", "meetings"),
        count(account.participants, "participant", "participants"),
        count(account.samples, "sample", "samples"),
        account.degraded,
        percent(account.degraded, account.samples)
    )?;
    let worst: Vec<String> = account
        .worst_meetings
        .iter()
        .take(WORST_SHOWN)
        .map(|m| {
            format!(
                "{} {:.1}%",
                escape_controls(&m.meeting),
                m.degraded_share * 100.0
            )
        })
        .collect();
    if !worst.is_empty() {
        writeln!(
            out,
            "  worst meetings (degraded share): {}",
            worst.join(", ")
        )?;
    }
    if !account.repeat_participants.is_empty() {
        writeln!(out, "  degraded in several meetings:")?;
    }
    for person in account.repeat_participants.iter().take(WORST_SHOWN) {
        let name = if person.user_name.is_empty() {
            &person.key
        } else {
            &person.user_name
        };
        writeln!(
            out,
            "    {} {}, {} of {} degraded",
            fit(name, NAME_COLUMNS),
            count(person.meetings, "meeting", "meetings"),
            person.degraded,
            count(person.samples, "sample", "samples")
        )?;
    }
    writeln!(out)
}

/// `name n, name n, ...`.
fn listed<const N: usize>(counts: [(&str, u64); N]) -> String {
    counts.map(|(name, n)| format!("{name} {n}")).join(", ")
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
