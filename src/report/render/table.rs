//! The readable table, for a terminal: every text from the input is escaped and fitted to
//! its column by display width.

use std::io::{self, Write};

use super::super::{
    AccountReport, Breakdown, Breakdowns, Dimension, Flag, Grade, MeetingReport, ParticipantDetail,
    Period, Report, Zone, share,
};
use super::text::{count, escape_controls, fit, weekday_and_day};
use crate::schema::{Metric, Stream};
use crate::units::timestamp_s;

/// Columns for a participant's name.
const NAME_COLUMNS: usize = 24;
/// Invalid values listed per meeting.
const INVALID_SHOWN: usize = 3;
/// Participants listed per meeting.
const WORST_SHOWN: usize = 3;
/// Episodes listed per meeting.
const EPISODES_SHOWN: usize = 5;
/// The account's "why" lines.
const WHY_SHOWN: usize = 8;
/// Samples a value needs for a "why" or "stands out" line.
const WHY_MIN_SAMPLES: u64 = 30;
/// People and meetings listed in the account's "who" and "which".
const ACCOUNT_LISTED: usize = 5;
/// What the grades mean, for the foot of the table.
const GRADE_LEGEND: &str =
    "grade (worse audio MOS median): good ≥4 fair ≥3 poor ≥2 bad <2 none:unclassified";

impl Report {
    /// Writes the readable summary ([`write_table_in`](Self::write_table_in)) in UTC.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_table(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        self.write_table_in(out, Zone::UTC)
    }

    /// Writes a readable summary: the account first, when the report has one (how many
    /// meetings over which dates, when the degraded samples were by day and hour, why by
    /// participant field, who in several meetings, which meetings were worst); then a
    /// section per meeting: samples, grades, degraded share, the median and p95 of
    /// latency, jitter and loss, the worst participants, episodes and the first invalid
    /// values; then the failed meetings and a legend of the grades. Times are in `zone`.
    /// Safe to print to a terminal: control characters from the input are escaped.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_table_in(
        &self,
        out: &mut (impl Write + ?Sized),
        zone: Zone<'_>,
    ) -> io::Result<()> {
        if let Some(account) = &self.account {
            write_account(out, account)?;
            if (self.meetings.len() as u64) < account.meetings {
                writeln!(
                    out,
                    "meetings below: the {} worst of {}, by degraded share\n",
                    self.meetings.len(),
                    account.meetings
                )?;
            }
        }
        let shown = &self.meetings;
        for meeting in shown {
            write_meeting(out, meeting, zone)?;
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
        if !self.meetings.is_empty() {
            // One line that fits 80 columns.
            writeln!(out, "{GRADE_LEGEND}")?;
        }
        Ok(())
    }
}

/// A meeting as a person reads it: its label and, after it, its key; its key alone
/// without a label. Escaped.
fn labelled(label: Option<&str>, key: &str) -> String {
    match label {
        Some(label) => format!("{} ({})", escape_controls(label), escape_controls(key)),
        None => escape_controls(key),
    }
}

fn write_meeting(
    out: &mut (impl Write + ?Sized),
    meeting: &MeetingReport,
    zone: Zone<'_>,
) -> io::Result<()> {
    // What people call it first, its key after: the key is what JSON, CSV and the
    // folder use.
    let name = labelled(meeting.label.as_deref(), &meeting.meeting);
    writeln!(
        out,
        "meeting {name}: {}, {}, {}, {}",
        count(u64::from(meeting.pages), "page", "pages"),
        count(meeting.participants, "participant", "participants"),
        count(meeting.samples, "sample", "samples"),
        count(meeting.invalid_values, "invalid value", "invalid values"),
    )?;
    // A fetched meeting's folder name is a number and a digest: say which meeting it is.
    if let (None, Some(topic)) = (&meeting.label, &meeting.topic) {
        let start = meeting.start_time.as_deref().unwrap_or("");
        writeln!(out, "  topic       {} {start}", escape_controls(topic))?;
    }
    if let Some(missing) = meeting.missing.as_deref().filter(|_| !meeting.complete) {
        writeln!(
            out,
            "  INCOMPLETE  pages are missing: {}",
            escape_controls(missing)
        )?;
    }
    writeln!(out, "  grades      {}", listed(meeting.grades.named()))?;
    // Weak Wi-Fi is a cause, shown on its own line, not one of what degraded the samples.
    let degrading: Vec<(&str, u64)> = meeting
        .degraded
        .by_flag
        .named()
        .into_iter()
        .filter(|&(flag, _)| flag != Flag::WeakWifi.name())
        .collect();
    writeln!(
        out,
        "  degraded    {} ({}): {}",
        count(meeting.degraded.samples, "sample", "samples"),
        percent(meeting.degraded.samples, meeting.samples),
        listed_pairs(&degrading)
    )?;
    write_extras(out, meeting)?;
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
    write_episodes(out, meeting, zone)?;
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
        writeln!(
            out,
            "  worst participants (lowest median audio MOS; degraded: any flag, by flag):"
        )?;
    }
    for p in worst.iter().take(WORST_SHOWN) {
        let name = if p.user_name.is_empty() {
            "(no name)"
        } else {
            &p.user_name
        };
        let drivers = flag_list(p.degraded_by_flag.named());
        writeln!(
            out,
            "    {} {:<5} MOS {:.2}, {} of {} degraded{}",
            fit(name, NAME_COLUMNS),
            p.grade.name(),
            worst_mos(p),
            p.degraded_samples,
            count(p.samples, "sample", "samples"),
            if drivers.is_empty() {
                String::new()
            } else {
                format!(": {drivers}")
            }
        )?;
    }
    Ok(())
}

/// The longest runs of degraded samples, in `zone`.
fn write_episodes(
    out: &mut (impl Write + ?Sized),
    meeting: &MeetingReport,
    zone: Zone<'_>,
) -> io::Result<()> {
    if meeting.episodes.is_empty() {
        return Ok(());
    }
    let shown = &meeting.episodes[..meeting.episodes.len().min(EPISODES_SHOWN)];
    let times: Vec<(String, String)> = shown
        .iter()
        .map(|e| (zone.shift(&e.start), zone.shift(&e.end)))
        .collect();
    // One date for all, in the heading, when they share it: the lines stay short.
    let day = split_time(&times[0].0).0.to_owned();
    let one_day = times
        .iter()
        .all(|(start, end)| split_time(start).0 == day && split_time(end).0 == day);
    let when = if one_day {
        format!("{day}, {}", zone.name())
    } else {
        zone.name().to_owned()
    };
    writeln!(
        out,
        "  longest degraded episodes ({} in all; {when}; degraded samples by flag):",
        meeting.episodes.len()
    )?;
    for (episode, (start, end)) in shown.iter().zip(&times) {
        let name = if episode.user_name.is_empty() {
            "(no name)"
        } else {
            &episode.user_name
        };
        // `2021-06-24T20:03:00Z` -> `2021-06-24 20:03`; the end's date only when it differs.
        let (start_day, start_clock) = split_time(start);
        let (end_day, end_clock) = split_time(end);
        let span = if one_day {
            format!("{start_clock}-{end_clock}")
        } else if end_day == start_day {
            format!("{start_day} {start_clock}-{end_clock}")
        } else {
            format!("{start_day} {start_clock}-{end_day} {end_clock}")
        };
        let samples = count(episode.samples, "sample", "samples");
        let epoch = |rfc3339: &str| timestamp_s(rfc3339.as_bytes()).ok().flatten();
        let length = match epoch(&episode.start).zip(epoch(&episode.end)) {
            Some((first, last)) => format!("{} min, {samples}", (last - first) / 60 + 1),
            None => samples,
        };
        writeln!(
            out,
            "    {} {span} ({length}): {}",
            fit(name, NAME_COLUMNS),
            flag_list(episode.by_flag.named())
        )?;
    }
    Ok(())
}

/// `flag n, flag n` for the flags that counted any.
fn flag_list<const N: usize>(counts: [(&str, u64); N]) -> String {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(flag, n)| format!("{flag} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A time of the report as (date, `HH:MM`).
fn split_time(rfc3339: &str) -> (&str, &str) {
    (
        rfc3339.get(..10).unwrap_or(rfc3339),
        rfc3339.get(11..16).unwrap_or(""),
    )
}

/// Per dimension, the value whose samples are degraded most often, when that is well
/// above the meeting's share: at least 1.5 times it and 5 points more, over at least 30
/// samples; each line with its participant entries (one entry is one person).
fn write_standouts(out: &mut (impl Write + ?Sized), meeting: &MeetingReport) -> io::Result<()> {
    let whole = share(meeting.degraded.samples, meeting.samples);
    let lines: Vec<WhyLine<'_>> = most_degraded(&meeting.breakdowns)
        .into_iter()
        .filter(|line| line.share >= 1.5 * whole && line.share >= whole + 0.05)
        .collect();
    if !lines.is_empty() {
        writeln!(
            out,
            "  stands out (meeting {:.1}% degraded):",
            whole * 100.0
        )?;
        for line in lines {
            writeln!(out, "    {}", line.text())?;
        }
    }
    Ok(())
}

/// A value of a dimension and how often its samples were degraded.
struct WhyLine<'a> {
    dimension: Dimension,
    value: &'a str,
    breakdown: &'a Breakdown,
    share: f64,
}

impl WhyLine<'_> {
    /// `device Linux: 97.4% of 76 samples degraded, 2 participant entries`.
    fn text(&self) -> String {
        let who = match self.breakdown.participants {
            1 => "1 participant entry: one person".to_owned(),
            n => format!("{n} participant entries"),
        };
        format!(
            "{} {}: {:.1}% of {} degraded, {who}",
            self.dimension.name(),
            escape_controls(self.value),
            self.share * 100.0,
            count(self.breakdown.samples, "sample", "samples"),
        )
    }
}

/// Per dimension, its most degraded known value of 30 samples or more; the most degraded
/// first.
fn most_degraded(breakdowns: &Breakdowns) -> Vec<WhyLine<'_>> {
    let mut lines: Vec<WhyLine<'_>> = Dimension::ALL
        .into_iter()
        .filter_map(|dimension| {
            breakdowns
                .get(dimension)
                .iter()
                .filter(|(value, b)| {
                    b.samples >= WHY_MIN_SAMPLES && value.as_str() != Dimension::UNKNOWN
                })
                .map(|(value, breakdown)| WhyLine {
                    dimension,
                    value,
                    breakdown,
                    share: share(breakdown.degraded, breakdown.samples),
                })
                .max_by(|a, b| a.share.total_cmp(&b.share))
        })
        .collect();
    lines.sort_by(|a, b| b.share.total_cmp(&a.share));
    lines
}

/// The account, answer first: how many meetings over which dates, how much degraded,
/// when (by day and hour), why (by participant field), who (in several meetings) and
/// which meetings.
fn write_account(out: &mut (impl Write + ?Sized), account: &AccountReport) -> io::Result<()> {
    let zone = escape_controls(&account.zone);
    let range = match (&account.first_sample, &account.last_sample) {
        (Some(first), Some(last)) => format!(
            ", {} to {} ({zone})",
            day_and_clock(first),
            day_and_clock(last)
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "account: {}{range}",
        count(account.meetings, "meeting", "meetings")
    )?;
    writeln!(
        out,
        "  {} ({}), {}, {} degraded ({})",
        count(
            account.participants,
            "participant entry",
            "participant entries"
        ),
        count(account.people, "person", "people"),
        count(account.samples, "sample", "samples"),
        account.degraded,
        percent(account.degraded, account.samples)
    )?;
    writeln!(
        out,
        "  grades      {} (entries)",
        listed(account.grades.named())
    )?;
    if !account.days.is_empty() {
        writeln!(out, "  by day ({zone}), degraded share of samples:")?;
        let cells: Vec<String> = account
            .days
            .iter()
            .map(|day| format!("{} {}", weekday_and_day(&day.period), period_share(day)))
            .collect();
        write_cells(out, &cells, 3)?;
    }
    if !account.hours.is_empty() {
        writeln!(out, "  by hour of day ({zone}):")?;
        let cells: Vec<String> = account
            .hours
            .iter()
            .map(|hour| format!("{}h {}", hour.period, period_share(hour)))
            .collect();
        write_cells(out, &cells, 4)?;
    }
    let whole = share(account.degraded, account.samples);
    let why = most_degraded(&account.breakdowns);
    if !why.is_empty() {
        writeln!(
            out,
            "  why, the most degraded value per field ({WHY_MIN_SAMPLES}+ samples; account {:.1}%):",
            whole * 100.0
        )?;
        for line in why.iter().take(WHY_SHOWN) {
            writeln!(out, "    {}", line.text())?;
        }
    }
    let people = &account.repeat_participants;
    let people = &people[..people.len().min(ACCOUNT_LISTED)];
    if !people.is_empty() {
        writeln!(
            out,
            "  who, people in several meetings (most degraded samples first):"
        )?;
    }
    for person in people {
        // A name shared by several rows, or none, is told apart by its key's value.
        let shared = person.user_name.is_empty()
            || people
                .iter()
                .filter(|p| p.user_name == person.user_name)
                .count()
                > 1;
        let name = if shared {
            let id = person
                .key
                .split_once(':')
                .map_or(person.key.as_str(), |(_, v)| v);
            format!("{} ({id})", person.user_name)
                .trim_start()
                .to_owned()
        } else {
            person.user_name.clone()
        };
        writeln!(
            out,
            "    {} {}, {} of {} degraded",
            fit(&name, NAME_COLUMNS),
            count(person.meetings, "meeting", "meetings"),
            person.degraded,
            count(person.samples, "sample", "samples")
        )?;
    }
    if !account.worst_meetings.is_empty() {
        writeln!(
            out,
            "  which, worst meetings by degraded share ({}+ participant entries or {}+ samples):",
            account.worst_min_participants, account.worst_min_samples
        )?;
    }
    for meeting in account.worst_meetings.iter().take(ACCOUNT_LISTED) {
        writeln!(
            out,
            "    {:>5.1}%  {}, {}",
            meeting.degraded_share * 100.0,
            labelled(meeting.label.as_deref(), &meeting.meeting),
            count(
                meeting.participants,
                "participant entry",
                "participant entries"
            )
        )?;
    }
    writeln!(out)
}

/// Cells laid out `per_line` to a line, in columns.
fn write_cells(
    out: &mut (impl Write + ?Sized),
    cells: &[String],
    per_line: usize,
) -> io::Result<()> {
    let width = cells.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    for line in cells.chunks(per_line) {
        let padded: Vec<String> = line.iter().map(|c| format!("{c:<width$}")).collect();
        writeln!(out, "    {}", padded.join("  ").trim_end())?;
    }
    Ok(())
}

/// `43.0% of 812`.
fn period_share(period: &Period) -> String {
    format!(
        "{:4.1}% of {}",
        period.degraded_share() * 100.0,
        period.samples
    )
}

/// `2021-06-24T20:03:00+02:00` -> `2021-06-24 20:03`.
fn day_and_clock(rfc3339: &str) -> String {
    let (day, clock) = split_time(rfc3339);
    format!("{day} {clock}")
}

/// `name n, name n, ...`.
/// The Wi-Fi signal, CPU pressure and Zoom's quality words, when the meeting has them.
fn write_extras(out: &mut (impl Write + ?Sized), meeting: &MeetingReport) -> io::Result<()> {
    if let Some(weakest) = meeting.wifi.get("min_rssi_dbm") {
        let signal = meeting.wifi.get("avg_rssi_dbm");
        writeln!(
            out,
            "  wi-fi       signal p50 {} dBm, weakest {} dBm; weak_wifi in {}",
            num(signal.and_then(|s| s.p50)),
            num(weakest.min),
            count(
                meeting.degraded.by_flag.get(Flag::WeakWifi),
                "sample",
                "samples"
            ),
        )?;
    }
    let words = |counts: &std::collections::BTreeMap<String, u64>| {
        let pairs: Vec<(&str, u64)> = counts.iter().map(|(w, &n)| (w.as_str(), n)).collect();
        escape_controls(&listed_pairs(&pairs))
    };
    if !meeting.cpu_pressure.is_empty() {
        writeln!(out, "  cpu pressure {}", words(&meeting.cpu_pressure))?;
    }
    if !meeting.quality.is_empty() || meeting.quality_score.is_some() {
        let score = meeting.quality_score.as_ref().and_then(|s| s.p50);
        writeln!(
            out,
            "  zoom quality {}; score p50 {}",
            words(&meeting.quality),
            num(score)
        )?;
    }
    Ok(())
}

fn listed_pairs(counts: &[(&str, u64)]) -> String {
    counts
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn listed<const N: usize>(counts: [(&str, u64); N]) -> String {
    listed_pairs(&counts)
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
