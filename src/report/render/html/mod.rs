//! The HTML report: one self-contained page (inline CSS, SVG and a little JavaScript, no
//! network), to look at and to forward. Written with `maud`: the markup is checked when
//! the crate compiles, and every string from the input is escaped.
//!
//! Each meeting's section carries `data-meeting`, `data-samples`, `data-degraded` and
//! `data-participants`, equal to the JSON report's values, so that a machine can check a
//! page against the report.

mod chart;
mod overview;
mod written;

use std::io::{self, Write};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use self::chart::{
    Boxes, YScale, boxes, cell_runs, clock, date_time, grade_colour, path, tick_columns,
};
use self::written::{clip, flags, fmt1, name, num, opt, percent, share, short_time};
use super::super::{
    Dimension, Episode, Flag, Grade, MeetingError, MeetingReport, Report, Series, Timeline, Zone,
};
use super::text::count;

/// Episodes listed per meeting.
const EPISODES_SHOWN: usize = 10;
/// Invalid values listed per meeting (the report keeps the first few only).
const INVALID_SHOWN: usize = 20;
/// Time labels on a heatmap's axis.
const TICKS: usize = 8;

/// Heatmap geometry, in SVG units (the SVG scales to the page's width).
const LABEL_W: f64 = 150.0;
const ROW_H: f64 = 12.0;
const GRID_W: f64 = 720.0;
const AXIS_H: f64 = 16.0;

/// Time-series chart geometry.
const CHART_W: f64 = 240.0;
const CHART_H: f64 = 90.0;
const CHART_PAD_LEFT: f64 = 34.0;
const CHART_PAD: f64 = 20.0;

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

impl Report {
    /// Writes the report as one self-contained HTML page: an overview when there are
    /// several meetings, then per meeting its grades, a participant × minute heatmap
    /// (when the report has [`timelines`](crate::Analysis::timeline)), latency, jitter and
    /// loss over time, the breakdowns, the episodes and the invalid values; then the
    /// meetings that failed.
    ///
    /// # Errors
    /// The writer's.
    #[cfg_attr(docsrs, doc(cfg(feature = "html")))]
    pub fn write_html(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        self.write_html_in(out, Zone::UTC)
    }

    /// [`write_html`](Self::write_html) with the meetings' times in `zone` (the account's
    /// are in the zone it was [finished in](crate::aggregate::AccountRollup::finish_in)).
    /// For an account, the page opens with its summary: the date range in the title, the
    /// day and hour view, why, who and which.
    ///
    /// # Errors
    /// The writer's.
    #[cfg_attr(docsrs, doc(cfg(feature = "html")))]
    pub fn write_html_in(&self, out: &mut (impl Write + ?Sized), zone: Zone<'_>) -> io::Result<()> {
        let title = match (self.meetings.as_slice(), &self.account) {
            ([one], _) => format!("Zoom QoS: {}", one.label.as_deref().unwrap_or(&one.meeting)),
            (_, Some(account)) => {
                let day = |time: &String| time.get(..10).unwrap_or(time).to_owned();
                let range = match (&account.first_sample, &account.last_sample) {
                    (Some(first), Some(last)) if day(first) == day(last) => {
                        format!(", {} ({})", day(first), account.zone)
                    }
                    (Some(first), Some(last)) => {
                        format!(", {} to {} ({})", day(first), day(last), account.zone)
                    }
                    _ => String::new(),
                };
                format!("Zoom QoS: {} meetings{range}", account.meetings)
            }
            (meetings, None) => format!("Zoom QoS: {} meetings", meetings.len()),
        };
        let head = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light dark";
                    title { (title) }
                    style { (PreEscaped(STYLE)) }
                }
            }
        };
        // `html!` closes what it opens: the head is written up to `</head>`, the body is
        // streamed meeting by meeting.
        let head = head.into_string();
        let head = head.strip_suffix("</html>").unwrap_or(&head);
        out.write_all(head.as_bytes())?;
        out.write_all(b"<body>")?;
        out.write_all(header(self, &title).into_string().as_bytes())?;
        if self.meetings.len() > 1 {
            out.write_all(overview(self).into_string().as_bytes())?;
        }
        for (index, meeting) in self.meetings.iter().enumerate() {
            out.write_all(
                meeting_section(index, meeting, zone)
                    .into_string()
                    .as_bytes(),
            )?;
        }
        if !self.errors.is_empty() {
            out.write_all(errors(&self.errors).into_string().as_bytes())?;
        }
        let foot = html! {
            footer {
                p { "Grades and heatmap bands: the lower of the two audio MOS estimates (simplified ITU-T G.107 E-model): good ≥ 4, fair ≥ 3, poor ≥ 2, bad < 2. A degraded sample raised at least one flag (latency, jitter, loss, frame rate, CPU). Percentiles are nearest-rank." }
            }
            script { (PreEscaped(SCRIPT)) }
        };
        out.write_all(foot.into_string().as_bytes())?;
        out.write_all(b"</body></html>\n")
    }
}

fn header(report: &Report, title: &str) -> Markup {
    html! {
        // The hatch of degraded cells, defined once for every heatmap and legend.
        svg.defs width="0" height="0" aria-hidden="true" {
            defs {
                pattern #hatch patternUnits="userSpaceOnUse" width="4" height="4" {
                    path d="M-1 1l2-2M0 4l4-4M3 5l2-2" stroke="var(--ink)" stroke-width="1.3" {}
                }
            }
        }
        header {
            h1 { (title) }
            p.sub {
                (count(report.meetings.len() as u64, "meeting", "meetings")) " reported"
                @if !report.errors.is_empty() { ", " (report.errors.len()) " failed" }
                ". Report version " (report.version) "."
            }
        }
    }
}

fn overview(report: &Report) -> Markup {
    let participants: u64 = report.meetings.iter().map(|m| m.participants).sum();
    let samples: u64 = report.meetings.iter().map(|m| m.samples).sum();
    let degraded: u64 = report.meetings.iter().map(|m| m.degraded.samples).sum();
    let mut grades = [0u64; Grade::COUNT];
    for meeting in &report.meetings {
        for grade in Grade::ALL {
            grades[grade.index()] += meeting.grades.get(grade);
        }
    }
    let mut order: Vec<usize> = (0..report.meetings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&report.meetings[a], &report.meetings[b]);
        share(b.degraded.samples, b.samples)
            .total_cmp(&share(a.degraded.samples, a.samples))
            .then_with(|| a.meeting.cmp(&b.meeting))
    });
    html! {
        section.overview aria-labelledby="overview" {
            h2 #overview { "Overview" }
            @if let Some(account) = &report.account {
                (overview::account(account))
            } @else {
                div.cards {
                    div.card { span.n { (report.meetings.len()) } " meetings" }
                    div.card { span.n { (participants) } " participant entries" }
                    div.card { span.n { (samples) } " samples" }
                    div.card { span.n { (percent(degraded, samples)) } " of samples degraded" }
                    div.card.wide { (grade_bar(&grades)) }
                }
            }
            table.sortable {
                caption { "Meetings, most degraded first. Select a column heading to sort." }
                thead { tr {
                    th scope="col" { "Meeting" }
                    th.num scope="col" { "Participants" }
                    th.num scope="col" { "Samples" }
                    th.num scope="col" aria-sort="descending" { "Degraded" }
                    th.num scope="col" { "Bad or poor" }
                } }
                tbody {
                    @for &index in &order {
                        @let m = &report.meetings[index];
                        @let label = m.label.as_deref().unwrap_or(&m.meeting);
                        tr {
                            td data-value=(label) {
                                a href=(format!("#m-{index}")) { (label) }
                                @if !m.complete { " " span.sub { "(incomplete: pages missing)" } }
                            }
                            td.num data-value=(m.participants) { (m.participants) }
                            td.num data-value=(m.samples) { (m.samples) }
                            td.num data-value=(share(m.degraded.samples, m.samples)) { (percent(m.degraded.samples, m.samples)) }
                            td.num data-value=(m.grades.get(Grade::Bad) + m.grades.get(Grade::Poor)) { (m.grades.get(Grade::Bad) + m.grades.get(Grade::Poor)) }
                        }
                    }
                }
            }
        }
    }
}

fn meeting_section(index: usize, meeting: &MeetingReport, zone: Zone<'_>) -> Markup {
    let start = meeting
        .timeline
        .as_ref()
        .filter(|t| t.columns > 0)
        .map(|t| date_time(zone, t.start_s));
    let mut grades = [0u64; Grade::COUNT];
    for grade in Grade::ALL {
        grades[grade.index()] = meeting.grades.get(grade);
    }
    html! {
        section.meeting id=(format!("m-{index}"))
            data-meeting=(meeting.meeting)
            data-samples=(meeting.samples)
            data-degraded=(meeting.degraded.samples)
            data-participants=(meeting.participants)
            data-complete=(meeting.complete) {
            h2 {
                (meeting.label.as_deref().unwrap_or(&meeting.meeting))
                @if meeting.label.is_some() { " " span.sub { (meeting.meeting) } }
            }
            p.sub {
                @if let Some(start) = &start { "From " (start) ". " }
                (count(meeting.participants, "participant entry", "participant entries")) ", "
                (count(meeting.samples, "sample", "samples")) ", "
                (count(u64::from(meeting.pages), "page", "pages")) "; "
                (percent(meeting.degraded.samples, meeting.samples)) " of samples degraded"
                @if meeting.invalid_values > 0 { "; " (count(meeting.invalid_values, "invalid value", "invalid values")) }
                "."
            }
            @if let Some(missing) = meeting.missing.as_deref().filter(|_| !meeting.complete) {
                p.incomplete role="alert" {
                    strong { "Incomplete: " } "pages are missing (" (missing) "). "
                    "The numbers below are of the pages read only."
                }
            }
            @if !meeting.wifi.is_empty() || !meeting.cpu_pressure.is_empty() || !meeting.quality.is_empty() {
                p.sub.extras {
                    @if let Some(signal) = meeting.wifi.get("avg_rssi_dbm") {
                        "Wi-Fi signal p50 " (opt(signal.p50)) " dBm, weakest "
                        (opt(meeting.wifi.get("min_rssi_dbm").and_then(|s| s.min))) " dBm; weak in "
                        (count(meeting.degraded.by_flag.get(Flag::WeakWifi), "sample", "samples")) ". "
                    }
                    @if !meeting.cpu_pressure.is_empty() {
                        "CPU pressure: " (words(&meeting.cpu_pressure)) ". "
                    }
                    @if !meeting.quality.is_empty() {
                        "Zoom quality: " (words(&meeting.quality)) "."
                    }
                }
            }
            (grade_bar(&grades))
            @if let Some(timeline) = &meeting.timeline {
                (heatmap(timeline, meeting, zone))
                (series_charts(timeline, zone))
            }
            (breakdowns(meeting))
            (episodes(&meeting.episodes, zone))
            (invalid_values(meeting))
        }
    }
}

/// Participants per grade as one stacked bar, with the counts in words beside it.
pub(super) fn grade_bar(grades: &[u64; Grade::COUNT]) -> Markup {
    let total: u64 = grades.iter().sum();
    let words: Vec<String> = Grade::ALL
        .iter()
        .map(|g| format!("{} {}", grades[g.index()], g.name()))
        .collect();
    // (grade, count, x, width) of each segment, left to right.
    let mut segments = Vec::new();
    let mut x = 0.0;
    for grade in Grade::ALL {
        let n = grades[grade.index()];
        if n > 0 {
            let width = 300.0 * n as f64 / total as f64;
            segments.push((grade, n, x, width));
            x += width;
        }
    }
    html! {
        div.grades {
            svg.bar viewBox="0 0 300 14" width="300" height="14" role="img" aria-label=(format!("participants by grade: {}", words.join(", "))) {
                @for (grade, n, x, width) in segments {
                    rect x=(fmt1(x)) y="0" width=(fmt1(width)) height="14" fill=(grade_colour(Some(grade))) {
                        title { (n) " " (grade.name()) }
                    }
                }
            }
            span.legend { "Participants by grade: " (words.join(", ")) }
        }
    }
}

/// Participants down the side, time across, each cell coloured by the worst MOS band of
/// its samples and hatched when one of them was degraded. Drawn as one path per colour
/// (and one for the hatch), not a box per cell: a report of hundreds of meetings stays
/// small and quick to open.
fn heatmap(timeline: &Timeline, meeting: &MeetingReport, zone: Zone<'_>) -> Markup {
    if timeline.columns == 0 || timeline.rows.is_empty() {
        return html! { p.note { "No sample has a time: nothing to draw over time." } };
    }
    let cell_w = GRID_W / timeline.columns as f64;
    let height = AXIS_H + ROW_H * timeline.rows.len() as f64;
    let width = LABEL_W + GRID_W;
    let minutes = timeline.column_s / 60;
    let step = count(minutes, "minute", "minutes");
    // The most degraded entries first; names that repeat are told apart by their entry.
    let mut rows: Vec<&crate::report::TimelineRow> = timeline.rows.iter().collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.cells.iter().filter(|c| c.degraded).count()));
    let label = |row: &crate::report::TimelineRow| {
        let twins = timeline
            .rows
            .iter()
            .filter(|r| r.user_name == row.user_name)
            .count();
        if twins > 1 {
            format!("{} #{}", clip(name(&row.user_name), 17), row.participant)
        } else {
            clip(name(&row.user_name), 22)
        }
    };
    // The entry's own samples, for its tooltip.
    let own = |row: &crate::report::TimelineRow| {
        meeting
            .participant_details
            .get(row.participant as usize)
            .map_or((0, 0), |d| (d.degraded_samples, d.samples))
    };
    let mut by_grade: Vec<(Grade, Boxes)> = Grade::ALL.iter().map(|&g| (g, Vec::new())).collect();
    let mut hatch = String::new();
    let mut degraded_cells = 0;
    for (r, row) in rows.iter().enumerate() {
        let (bands, degraded) = cell_runs(&row.cells);
        for (start, length, grade) in bands {
            if let Some((_, runs)) = by_grade.iter_mut().find(|(g, _)| Some(*g) == grade) {
                runs.push((r, start, length));
            }
        }
        for (start, length) in degraded {
            degraded_cells += length;
            let (x, y) = (LABEL_W + start as f64 * cell_w, AXIS_H + r as f64 * ROW_H);
            let w = length as f64 * cell_w;
            hatch.push_str(&format!("M{x:.1} {y}h{w:.1}v{:.1}h-{w:.1}z", 0.9 * ROW_H));
        }
    }
    let description = format!(
        "{} participant entries over {} columns of {step} from {}; {degraded_cells} cells with a degraded sample.",
        timeline.rows.len(),
        timeline.columns,
        date_time(zone, timeline.start_s)
    );
    let grid = format!("translate({LABEL_W} {AXIS_H}) scale({cell_w:.3} {ROW_H})");
    html! {
        figure.heatmap {
            figcaption { "When: each participant entry (down, the most degraded first) minute by minute (across, " (zone.name()) "), coloured by the worst MOS band of its samples; hatched where a sample was degraded. Point at a name for its own samples." }
            svg viewBox=(format!("0 0 {width} {height}")) role="img" preserveAspectRatio="xMinYMin meet" {
                title { "Participants by time" }
                desc { (description) }
                @for column in tick_columns(timeline.columns, TICKS) {
                    @let x = LABEL_W + column as f64 * cell_w;
                    text.tick x=(fmt1(x)) y="11" { (clock(zone, timeline.column_start_s(column))) }
                }
                @for (r, row) in rows.iter().enumerate() {
                    @let (bad, samples) = own(row);
                    text x="0" y=(fmt1(AXIS_H + r as f64 * ROW_H + ROW_H - 3.0)) {
                        (label(row))
                        title { (row.user_name) " (entry " (row.participant) "): " (bad) " of " (count(samples, "sample", "samples")) " degraded" }
                    }
                }
                rect x=(LABEL_W) y=(AXIS_H) width=(GRID_W) height=(fmt1(height - AXIS_H)) fill=(grade_colour(None)) {}
                g transform=(grid) {
                    @for (grade, runs) in &by_grade {
                        @if !runs.is_empty() {
                            path fill=(grade_colour(Some(*grade))) d=(boxes(runs, 0.9)) {}
                        }
                    }
                }
                @if !hatch.is_empty() { path fill="url(#hatch)" d=(hatch) {} }
            }
            (heatmap_legend(timeline))
        }
    }
}

fn heatmap_legend(timeline: &Timeline) -> Markup {
    let entries = [
        (Some(Grade::Good), "good"),
        (Some(Grade::Fair), "fair"),
        (Some(Grade::Poor), "poor"),
        (Some(Grade::Bad), "bad"),
        (Some(Grade::Unclassified), "no MOS"),
        (None, "no sample"),
    ];
    html! {
        ul.legend {
            @for (grade, label) in entries {
                li { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill=(grade_colour(grade)) {} } " " (label) }
            }
            li { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill="url(#hatch)" stroke="var(--ink)" {} } " degraded" }
            @if timeline.untimed_samples > 0 {
                li { (timeline.untimed_samples) " samples without a time are not drawn" }
            }
        }
    }
}

/// Per audio and video stream, latency, jitter and loss over time: the p50 and p95
/// across participants per column, with the threshold.
fn series_charts(timeline: &Timeline, zone: Zone<'_>) -> Markup {
    if timeline.columns == 0 {
        return html! {};
    }
    let streams: Vec<_> = {
        let mut seen = Vec::new();
        for series in &timeline.series {
            if !seen.contains(&series.stream) {
                seen.push(series.stream);
            }
        }
        seen
    };
    html! {
        div.charts {
            @for stream in streams {
                div.stream {
                    h3 { (stream.api_name()) }
                    span.note { " solid: p50 across participants; dashed: p95; dotted: the threshold" }
                    div.row {
                        @for series in timeline.series.iter().filter(|s| s.stream == stream) {
                            (series_chart(timeline, series, zone))
                        }
                    }
                }
            }
        }
    }
}

fn series_chart(timeline: &Timeline, series: &Series, zone: Zone<'_>) -> Markup {
    let descriptor = series.metric.descriptor();
    let (name, unit) = (descriptor.label, descriptor.unit);
    let values = series.p50.iter().chain(&series.p95).flatten().copied();
    let scale = YScale::fitting(values, series.threshold, CHART_H);
    let plot_w = CHART_W - CHART_PAD_LEFT - CHART_PAD;
    let points = series.p95.len();
    let x_step = if points > 1 {
        plot_w / (points - 1) as f64
    } else {
        0.0
    };
    let threshold_y = scale.y(series.threshold);
    let peak = series
        .p95
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let over = series
        .p95
        .iter()
        .filter(|v| v.is_some_and(|v| v > series.threshold))
        .count();
    let with_values = series.p95.iter().filter(|v| v.is_some()).count();
    let description = match peak {
        Some((column, value)) => format!(
            "p95 peaks at {} {unit} at {}; above the {} {unit} threshold in {over} of {with_values} columns with values.",
            num(value),
            clock(zone, timeline.series_column_start_s(column)),
            num(series.threshold)
        ),
        None => "No values.".to_owned(),
    };
    let last = points.saturating_sub(1);
    html! {
        svg.chart viewBox=(format!("0 0 {CHART_W} {}", CHART_H + 2.0 * CHART_PAD + 4.0)) role="img" {
            title { (series.stream.api_name()) " " (name) " (" (unit) "), p50 and p95 per column" }
            desc { (description) }
            text.axis x="0" y=(fmt1(CHART_PAD + 4.0)) { (num(scale.top)) }
            text.axis x="0" y=(fmt1(CHART_PAD + CHART_H / 2.0 + 4.0)) { (num(scale.top / 2.0)) }
            text.axis x="0" y=(fmt1(CHART_PAD + CHART_H)) { "0" }
            text.label x=(fmt1(CHART_PAD_LEFT)) y="11" { (name) " " (unit) }
            g transform=(format!("translate({CHART_PAD_LEFT} {CHART_PAD})")) {
                line.frame x1="0" y1=(fmt1(CHART_H)) x2=(fmt1(plot_w)) y2=(fmt1(CHART_H)) {}
                line.threshold x1="0" y1=(fmt1(threshold_y)) x2=(fmt1(plot_w)) y2=(fmt1(threshold_y)) {}
                path.p95 d=(path(&series.p95, x_step, scale)) {}
                path.p50 d=(path(&series.p50, x_step, scale)) {}
            }
            text.axis x=(fmt1(CHART_PAD_LEFT)) y=(fmt1(CHART_H + 2.0 * CHART_PAD)) { (clock(zone, timeline.start_s)) }
            @if last >= 2 {
                text.axis.middle x=(fmt1(CHART_PAD_LEFT + x_step * (last / 2) as f64)) y=(fmt1(CHART_H + 2.0 * CHART_PAD)) { (clock(zone, timeline.series_column_start_s(last / 2))) }
            }
            text.axis.end x=(fmt1(CHART_W - CHART_PAD)) y=(fmt1(CHART_H + 2.0 * CHART_PAD)) { (clock(zone, timeline.series_column_start_s(last))) }
        }
    }
}

/// Why: per dimension, each value's share of degraded samples as a bar, with its counts
/// and p95s.
fn breakdowns(meeting: &MeetingReport) -> Markup {
    html! {
        details.breakdowns open {
            summary { h3 { "Why: by network, data center, device, client version, Wi-Fi signal and CPU pressure" } }
            div.dims {
                @for dimension in Dimension::ALL {
                    @let values = meeting.breakdowns.get(dimension);
                    table.breakdown {
                        caption { (dimension.name()) }
                        (head(&[("Value", false), ("Entries", true), ("Degraded samples", false), ("p95 latency ms", true), ("p95 jitter ms", true), ("p95 loss %", true)]))
                        tbody {
                            @for (value, line) in values {
                                @let s = share(line.degraded, line.samples);
                                tr {
                                    td { (value) }
                                    td.num { (line.participants) }
                                    td.bar {
                                        span.meter { span style=(format!("width:{:.1}%", 100.0 * s)) {} }
                                        " " (percent(line.degraded, line.samples)) " of " (line.samples)
                                    }
                                    td.num { (opt(line.latency_ms_p95)) }
                                    td.num { (opt(line.jitter_ms_p95)) }
                                    td.num { (opt(line.avg_loss_pct_p95)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn episodes(episodes: &[Episode], zone: Zone<'_>) -> Markup {
    html! {
        details.episodes open {
            summary { h3 { "When: degraded episodes (" (episodes.len()) ")" } }
            @if episodes.is_empty() {
                p.note { "No run of degraded samples long enough to report." }
            } @else {
                table {
                    caption {
                        "Longest first" @if episodes.len() > EPISODES_SHOWN { "; the first " (EPISODES_SHOWN) " of " (episodes.len()) }
                        ". Times in " (zone.name()) @if let Some(first) = episodes.first() { ", from " (zone.shift(&first.start).get(..10).unwrap_or_default()) } "."
                    }
                    (head(&[("Participant", false), ("From", false), ("To", false), ("Samples", true), ("Flags", false), ("Worst latency ms", true), ("Worst jitter ms", true), ("Worst loss %", true)]))
                    tbody {
                        @for episode in episodes.iter().take(EPISODES_SHOWN) {
                            tr {
                                td { (name(&episode.user_name)) " (" (episode.participant) ")" }
                                td { (short_time(&zone.shift(&episode.start))) }
                                td { (short_time(&zone.shift(&episode.end))) }
                                td.num { (episode.samples) }
                                td { (flags(episode)) }
                                td.num { (opt(episode.worst.latency_ms)) }
                                td.num { (opt(episode.worst.jitter_ms)) }
                                td.num { (opt(episode.worst.avg_loss_pct)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Counts per word, as `normal 12, serious 1`.
fn words(counts: &std::collections::BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(word, n)| format!("{word} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn invalid_values(meeting: &MeetingReport) -> Markup {
    html! {
        @if meeting.invalid_values > 0 {
            details.invalid {
                summary { h3 { "Invalid values (" (meeting.invalid_values) ")" } }
                table {
                    caption { "The first " (meeting.first_invalid_values.len().min(INVALID_SHOWN)) ", where they are." }
                    (head(&[("File", false), ("Page", true), ("Participant", true), ("Sample", true), ("Field", false), ("Found", false), ("Why", false)]))
                    tbody {
                        @for value in meeting.first_invalid_values.iter().take(INVALID_SHOWN) {
                            tr {
                                td { (value.file.as_deref().unwrap_or("")) }
                                td.num { (value.page) }
                                td.num { (value.participant) }
                                td.num { (value.sample) }
                                td { code { (value.field) } }
                                td { code { (value.found) } }
                                td { (value.reason) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn errors(errors: &[MeetingError]) -> Markup {
    html! {
        section.failed aria-labelledby="failed" {
            h2 #failed { "Meetings that could not be read (" (errors.len()) ")" }
            ul {
                @for error in errors {
                    li {
                        strong { (error.meeting) } ": "
                        @if let Some(file) = &error.file { code { (file) } }
                        @if let Some(offset) = error.offset { " at byte " (offset) }
                        ": " (error.message)
                    }
                }
            }
        }
    }
}

/// A table's headings; numeric columns (`true`) are right-aligned.
pub(super) fn head(columns: &[(&str, bool)]) -> Markup {
    html! {
        thead { tr {
            @for &(label, numeric) in columns {
                @if numeric { th.num scope="col" { (label) } } @else { th scope="col" { (label) } }
            }
        } }
    }
}
