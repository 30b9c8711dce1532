//! The page's first screen for an account: the answer first. How many meetings over
//! which dates, how degraded; when (by day and by hour of the day); why (by network,
//! data center, device and version); who (people in several meetings); which meetings.
//! Each day, hour and breakdown row carries `data-*` values equal to the JSON report's.

use maud::{Markup, html};

use super::super::text::weekday_and_day;
use super::written::{fmt1, percent, share};
use super::{grade_bar, head};
use crate::report::{AccountReport, Breakdown, Dimension, Grade, Period};

/// The when-charts' geometry, in SVG units (the SVG scales to the page's width).
const WHEN_W: f64 = 1000.0;
const WHEN_H: f64 = 120.0;
const WHEN_AXIS: f64 = 46.0;
const WHEN_TOP: f64 = 16.0;
const WHEN_LABELS: f64 = 30.0;

/// Samples a breakdown value needs to be ranked (fewer are listed, marked).
const RANKED_SAMPLES: u64 = 30;

/// The account summary: headline cards, grades, when, why, who and which.
pub(super) fn account(account: &AccountReport) -> Markup {
    let mut grades = [0u64; Grade::COUNT];
    for grade in Grade::ALL {
        grades[grade.index()] = account.grades.get(grade);
    }
    html! {
        div.cards {
            div.card { span.n { (account.meetings) } " meetings" }
            div.card { span.n { (account.people) } " people" span.sub { " (" (account.participants) " participant entries)" } }
            div.card { span.n { (account.samples) } " samples" }
            div.card { span.n { (percent(account.degraded, account.samples)) } " of samples degraded" }
            div.card.wide { (grade_bar(&grades)) }
        }
        @if !account.days.is_empty() {
            h3 { "When: degraded share of samples by day (" (account.zone) ")" }
            (when_chart("days", &account.days, account.days.len(), |i, _| i, |p| weekday_and_day(&p.period)))
        }
        @if !account.hours.is_empty() {
            h3 { "When: by hour of the day (" (account.zone) ")" }
            // All 24 hours on the axis, those without samples empty.
            (when_chart("hours", &account.hours, 24, |_, p| p.period.parse().unwrap_or(0), |p| format!("{}h", p.period)))
        }
        (why(account))
        (who(account))
        (which(account))
    }
}

/// One bar per period in one of `slots` places (`place` of its index and itself): its
/// height the degraded share, the axis from 0 to 100 %; each bar with its period, share
/// and samples as text and as `data-*` values.
fn when_chart(
    kind: &str,
    periods: &[Period],
    slots: usize,
    place: impl Fn(usize, &Period) -> usize,
    label: impl Fn(&Period) -> String,
) -> Markup {
    let plot_w = WHEN_W - WHEN_AXIS;
    let slot = plot_w / slots.max(1) as f64;
    // A lone day is a bar, not a wall.
    let bar_w = (slot * 0.8).clamp(1.0, 60.0);
    let base = WHEN_TOP + WHEN_H;
    let description = periods
        .iter()
        .map(|p| {
            format!(
                "{} {} of {}",
                label(p),
                percent(p.degraded, p.samples),
                p.samples
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        figure.when {
            svg viewBox=(format!("0 0 {WHEN_W} {}", base + WHEN_LABELS)) role="img" preserveAspectRatio="xMinYMin meet" {
                title { "Degraded share of samples by " (kind) }
                desc { (description) }
                @for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                    @let y = base - tick * WHEN_H;
                    line.grid x1=(fmt1(WHEN_AXIS)) y1=(fmt1(y)) x2=(fmt1(WHEN_W)) y2=(fmt1(y)) {}
                    text.axis x=(fmt1(WHEN_AXIS - 4.0)) y=(fmt1(y + 4.0)) { (format!("{:.0}%", tick * 100.0)) }
                }
                // Places without a period of their own (hours without samples) still
                // have their label on the axis.
                @if slots != periods.len() {
                    @for i in 0..slots {
                        text.tick x=(fmt1(WHEN_AXIS + (i as f64 + 0.5) * slot)) y=(fmt1(base + 13.0)) { (format!("{i:02}h")) }
                    }
                }
                @for (i, period) in periods.iter().enumerate() {
                    @let value = share(period.degraded, period.samples);
                    @let i = place(i, period);
                    @let x = WHEN_AXIS + i as f64 * slot + (slot - bar_w) / 2.0;
                    @let h = value * WHEN_H;
                    g.period data-kind=(kind) data-period=(period.period) data-samples=(period.samples) data-degraded=(period.degraded) {
                        rect x=(fmt1(x)) y=(fmt1(base - h)) width=(fmt1(bar_w)) height=(fmt1(h)) {
                            title { (label(period)) ": " (percent(period.degraded, period.samples)) " of " (period.samples) " samples degraded" }
                        }
                        @if slot >= 34.0 {
                            text.value x=(fmt1(x + bar_w / 2.0)) y=(fmt1(base - h - 3.0)) { (format!("{:.0}%", value * 100.0)) }
                        }
                        @if slots == periods.len() && (slot >= 34.0 || i.is_multiple_of((34.0 / slot).ceil() as usize)) {
                            text.tick x=(fmt1(x + bar_w / 2.0)) y=(fmt1(base + 13.0)) { (label(period)) }
                        }
                        @if slot >= 70.0 {
                            text.tick x=(fmt1(x + bar_w / 2.0)) y=(fmt1(base + 26.0)) { (period.samples) " samples" }
                        }
                    }
                }
            }
        }
    }
}

/// Why: per dimension, its values most degraded first (those of 30 samples or more
/// ranked; fewer listed after them), each with its participant entries and samples.
fn why(account: &AccountReport) -> Markup {
    let whole = share(account.degraded, account.samples);
    html! {
        h3 { "Why: degraded share by network, data center, device, client version, Wi-Fi signal and CPU pressure (account " (percent(account.degraded, account.samples)) ")" }
        div.dims {
            @for dimension in Dimension::ALL {
                @let values = ranked(account.breakdowns.get(dimension).iter());
                @if !values.is_empty() {
                    table.breakdown.account {
                        caption { (dimension.name()) ", most degraded first" }
                        (head(&[("Value", false), ("Entries", true), ("Samples", true), ("Degraded", false)]))
                        tbody {
                            @for (value, line) in values {
                                @let s = share(line.degraded, line.samples);
                                tr data-dimension=(dimension.name()) data-value=(value) data-participants=(line.participants) data-samples=(line.samples) data-degraded=(line.degraded)
                                    class=[(s >= 1.5 * whole && s >= whole + 0.05 && line.samples >= RANKED_SAMPLES).then_some("stands-out")] {
                                    td {
                                        (value)
                                        @if line.participants == 1 { span.sub { " (one person)" } }
                                        @if line.samples < RANKED_SAMPLES { span.sub { " (few samples)" } }
                                    }
                                    td.num { (line.participants) }
                                    td.num { (line.samples) }
                                    td.bar {
                                        span.meter { span style=(format!("width:{:.1}%", 100.0 * s)) {} }
                                        " " (percent(line.degraded, line.samples))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A dimension's values, most degraded first among those of enough samples, then the
/// others.
fn ranked<'a>(
    values: impl Iterator<Item = (&'a String, &'a Breakdown)>,
) -> Vec<(&'a String, &'a Breakdown)> {
    let mut values: Vec<_> = values.collect();
    values.sort_by(|a, b| {
        (b.1.samples >= RANKED_SAMPLES)
            .cmp(&(a.1.samples >= RANKED_SAMPLES))
            .then_with(|| {
                share(b.1.degraded, b.1.samples).total_cmp(&share(a.1.degraded, a.1.samples))
            })
    });
    values
}

/// Who: people in several meetings, most degraded samples first, names that repeat told
/// apart by their `user_id` or email.
fn who(account: &AccountReport) -> Markup {
    let people = &account.repeat_participants;
    html! {
        @if !people.is_empty() {
            h3 { "Who: people in several meetings (" (people.len()) "), most degraded samples first" }
            table {
                (head(&[("Person", false), ("Meetings", true), ("Samples", true), ("Degraded samples", true), ("Degraded", false)]))
                tbody {
                    @for person in people {
                        @let twins = people.iter().filter(|p| p.user_name == person.user_name).count();
                        @let id = person.key.split_once(':').map_or(person.key.as_str(), |(_, v)| v);
                        tr data-key=(person.key) {
                            td {
                                @if person.user_name.trim().is_empty() { "(no name)" } @else { (person.user_name) }
                                @if twins > 1 || person.user_name.trim().is_empty() { span.sub { " " (id) } }
                            }
                            td.num { (person.meetings) }
                            td.num { (person.samples) }
                            td.num { (person.degraded) }
                            td { (percent(person.degraded, person.samples)) }
                        }
                    }
                }
            }
        }
    }
}

/// Which: the worst meetings of a minimum size, by their labels.
fn which(account: &AccountReport) -> Markup {
    html! {
        @if !account.worst_meetings.is_empty() {
            h3 { "Which: the worst meetings (" (account.worst_min_participants) "+ participant entries or " (account.worst_min_samples) "+ samples), most degraded first" }
            table {
                (head(&[("Meeting", false), ("Entries", true), ("Samples", true), ("Degraded", false)]))
                tbody {
                    @for meeting in &account.worst_meetings {
                        tr data-meeting=(meeting.meeting) {
                            td {
                                (meeting.label.as_deref().unwrap_or(&meeting.meeting))
                                @if meeting.label.is_some() { span.sub { " " (meeting.meeting) } }
                            }
                            td.num { (meeting.participants) }
                            td.num { (meeting.samples) }
                            td { (percent(meeting.degraded, meeting.samples)) }
                        }
                    }
                }
            }
        }
    }
}
