//! Stage 4: pure functions from a meeting [`Table`] to a [`MeetingReport`]: exact
//! nearest-rank percentiles, degradation flags, MOS estimates and grades. Never sees a
//! string of the input; rayon splits the work across columns and participants. Each
//! sample's flags and MOS are computed once per meeting (`facts`), a column at a time, and
//! read by the participants' passes, the timeline and the export's sample rows.

mod account;
mod breakdowns;
mod episodes;
mod extras;
mod facts;
mod histogram;
mod stats;
mod summary;
mod thresholds;
mod timeline;
mod wifi;

use rayon::prelude::*;

pub use account::{AccountRollup, AccountView, PERCENTILE_DIGITS};
pub(crate) use facts::SampleFacts;
use stats::Extent;
pub use stats::nearest_rank_index;
pub use thresholds::{Comparison, FLAG_RULES, FlagRule, Reads, Thresholds};
pub use wifi::{SIGNAL_BANDS, SignalBand, signal_band, signal_dbm};

use crate::descriptor::Descriptor;
use crate::error::InvalidValue;
use crate::record::{ParticipantRef, Table};
use crate::report::{
    Degraded, Episode, Flag, FlagCounts, Grade, GradeCounts, LocatedValue, MeetingReport,
    MetricStats, MosReport, ParticipantDetail, Stats, StreamStats,
};
use crate::schema::{CpuMetric, Metric, ParticipantField, Stream};
use extras::Extras;

/// What to compute, and how.
///
/// ```
/// use zoom_qos::report::Flag;
/// use zoom_qos::{Analysis, Decoder, Metric, Stream, Table, Thresholds};
///
/// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms", "jitter": "6 ms", "avg_loss": "0.3%"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": "210 ms"}}]}]}"#;
/// let mut table = Table::new();
/// Decoder::default().decode(&mut page.to_vec(), &mut table)?;
/// let thresholds = Thresholds::default().with_limit(Flag::Latency, 200.0)?;
/// let report = Analysis::new().thresholds(thresholds).meeting("standup", &table);
/// assert_eq!(report.degraded.by_flag.get(Flag::Latency), 1); // 210 ms > 200 ms
/// let latency = report.streams.get(Stream::AudioInput, Metric::Latency).expect("stats");
/// assert_eq!((latency.count, latency.p50, latency.max), (2, Some(126.0), Some(210.0)));
/// # Ok::<(), zoom_qos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    thresholds: Thresholds,
    sequential: bool,
    participant_stats: bool,
    timeline: bool,
    headline_only: bool,
}

impl Analysis {
    /// Default thresholds, parallel.
    pub fn new() -> Self {
        Self::default()
    }

    /// Degradation thresholds (see [`Thresholds`], which refuses a NaN or negative value
    /// wherever one is set or read).
    pub fn thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// The thresholds this analysis flags samples with: what anything beside the report
    /// (an export of the same samples, say) must use to agree with it.
    pub fn flag_thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Computes on the calling thread only. The report is the same either way; this is
    /// for callers that parallelise across meetings themselves, and for tests.
    pub fn sequential(mut self, sequential: bool) -> Self {
        self.sequential = sequential;
        self
    }

    /// Adds per-participant STATS of every stream metric to `participant_details`
    /// (off by default: it multiplies the report's size by the number of participants).
    pub fn participant_stats(mut self, on: bool) -> Self {
        self.participant_stats = on;
        self
    }

    /// Adds each meeting's [`Timeline`](crate::report::Timeline) to its report: samples
    /// by participant and minute, for pictures (off by default: the JSON report does not
    /// need it).
    pub fn timeline(mut self, on: bool) -> Self {
        self.timeline = on;
        self
    }

    /// Computes only what a meeting's headline numbers need (off by default): of the
    /// stream statistics only those of [`Metric::QUALITY`], and no CPU statistics and no
    /// breakdowns, which are left empty. The flags, grades, MOS, episodes and participant
    /// details are all there: what the export's meetings file reads (its
    /// `MeetingRow`, feature `arrow`). [`meeting_into`](Self::meeting_into) computes
    /// everything anyway: the rollup needs it.
    pub fn headline_only(mut self, on: bool) -> Self {
        self.headline_only = on;
        self
    }

    /// The report of one meeting.
    pub fn meeting(&self, name: &str, table: &Table) -> MeetingReport {
        let facts = self.facts(table);
        self.meeting_and_values(name, table, !self.headline_only, &facts)
            .0
    }

    /// The report of one meeting, and its samples to export: both read one computation of
    /// each sample's flags and MOS. The same as [`meeting`](Self::meeting) and
    /// [`Samples::new`](crate::export::Samples::new) with this analysis' thresholds.
    #[cfg(feature = "arrow")]
    #[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
    pub fn meeting_and_samples<'t>(
        &self,
        name: &'t str,
        table: &'t Table,
    ) -> (MeetingReport, crate::export::Samples<'t>) {
        let facts = self.facts(table);
        let (report, _) = self.meeting_and_values(name, table, !self.headline_only, &facts);
        (
            report,
            crate::export::Samples::with_facts(name, table, facts),
        )
    }

    /// The report of one meeting, added to an account rollup too. The same as
    /// [`meeting`](Self::meeting) then [`AccountRollup::add`], but the values the report
    /// gathered are counted into the rollup instead of being read from the table again.
    pub fn meeting_into(
        &self,
        name: &str,
        table: &Table,
        rollup: &mut AccountRollup,
    ) -> MeetingReport {
        let facts = self.facts(table);
        let (report, values) = self.meeting_and_values(name, table, true, &facts);
        rollup.add_gathered(table, &report, &values);
        report
    }

    /// Each sample's flags (by this analysis' thresholds) and MOS.
    pub(crate) fn facts(&self, table: &Table) -> SampleFacts {
        SampleFacts::of(table, &self.thresholds.fixed())
    }

    /// The report, and the values it gathered (for a rollup), from the samples' `facts`.
    /// With `whole` false, only the headline (see [`headline_only`](Self::headline_only)).
    pub(crate) fn meeting_and_values(
        &self,
        name: &str,
        table: &Table,
        whole: bool,
        facts: &SampleFacts,
    ) -> (MeetingReport, Gathered) {
        let cut = episodes::Cut {
            gap_s: self.thresholds.episode_gap_s,
            min_samples: self.thresholds.episode_min_samples,
        };
        let entries: Vec<(usize, ParticipantRef<'_>)> = table.participants().enumerate().collect();
        let participants: Vec<ParticipantPass> = self.map(&entries, |&(index, participant)| {
            let mut pass = ParticipantPass::run(table, index, participant, facts, cut, whole);
            if self.participant_stats {
                pass.streams = Some(stream_stats(table, participant.rows()));
            }
            pass
        });
        let stream_jobs: Vec<(Stream, Metric)> = table
            .streams()
            .flat_map(|(stream, _)| stream.metrics().iter().map(move |m| (stream, *m)))
            .filter(|(_, metric)| whole || Metric::QUALITY.contains(metric))
            .collect();
        let samples = table.samples() as u64;
        let all = 0..table.samples();
        let metric_stats = self.map(&stream_jobs, |&(stream, metric)| {
            gathered_metric_stats(table, stream, metric, all.clone())
        });
        let cpu_metrics: &[CpuMetric] = if whole { &CpuMetric::ALL } else { &[] };
        let cpu = self.map(cpu_metrics, |&metric| {
            let descriptor = metric.descriptor();
            let stats = stats_of(descriptor, all.len(), |values| {
                if let Some(cpu) = table.cpu() {
                    cpu.for_each_present(metric, all.clone(), |v| values.push(v));
                }
            });
            (descriptor.report_name, stats)
        });

        let mut streams = StreamStats::default();
        let mut stream_values = Vec::with_capacity(stream_jobs.len());
        for (&(stream, metric), (stats, values)) in stream_jobs.iter().zip(metric_stats) {
            streams.insert(stream, metric, stats);
            stream_values.push(((stream, metric), values));
        }

        let mut mos_in: Vec<f64> = Vec::new();
        let mut mos_out: Vec<f64> = Vec::new();
        let mut degraded = Degraded::default();
        let mut grades = GradeCounts::default();
        let mut details = Vec::with_capacity(participants.len());
        let mut found = Vec::new();
        let degraded_per_participant: Vec<u64> = participants.iter().map(|p| p.degraded).collect();
        let mut when = When::default();
        let mut extras = Extras::default();
        let mut sample_groups = Vec::with_capacity(participants.len());
        for (mut pass, participant) in participants.into_iter().zip(table.participants()) {
            let own_samples = participant.rows().len() as u64;
            extras.merge(&pass.extras);
            let text = |field| participant.field(field).to_owned();
            when.add(&pass.quarters, pass.untimed, pass.span_s);
            found.append(&mut pass.found);
            degraded.samples += pass.degraded;
            for flag in Flag::ALL {
                degraded.by_flag.add(flag, pass.flags.get(flag));
            }
            grades.add(pass.grade, 1);
            details.push(ParticipantDetail {
                user_id: participant.user_id().to_owned(),
                user_name: participant.user_name().to_owned(),
                samples: participant.rows().len() as u64,
                degraded_samples: pass.degraded,
                degraded_by_flag: pass.flags,
                mos_audio_input_p50: pass.mos_in_p50,
                mos_audio_output_p50: pass.mos_out_p50,
                grade: pass.grade,
                degraded_episodes: pass.episodes,
                longest_degraded_episode: pass.longest_episode,
                streams: pass.streams,
                os: text(ParticipantField::Os),
                client: text(ParticipantField::Client),
                device_name: text(ParticipantField::DeviceName),
                wifi: pass.extras.wifi_stats(own_samples),
                cpu_pressure: pass.extras.pressure(table),
                quality: pass.extras.quality(table),
                quality_score_p50: pass.extras.score_stats(own_samples).and_then(|s| s.p50),
            });
            sample_groups.push(core::mem::take(&mut pass.extras.groups));
            mos_in.extend(pass.mos_in);
            mos_out.extend(pass.mos_out);
        }

        let (breakdowns, audio, sample_values) = if whole {
            breakdowns::breakdowns(table, &degraded_per_participant, sample_groups)
        } else {
            Default::default()
        };
        let chain = table.chain();
        let summary = summary::summary(table);
        // A meeting of summary pages only counts its summary entries; with no per-minute
        // sample they have no MOS, so their grade is unclassified (the grades still add up
        // to the participants).
        let per_minute = table.participant_count() as u64;
        let participants =
            per_minute.max(summary.as_ref().map_or(0, |s| s.participants.len() as u64));
        grades.add(Grade::Unclassified, participants - per_minute);
        let first_invalid_values = table
            .diagnostics()
            .first_invalid()
            .iter()
            .map(located)
            .collect();
        let mos_stats = |values: &mut Vec<f64>| {
            let mut stats = Stats::from_f64(values, samples);
            stats.mean = stats.mean.map(MosReport::round);
            stats
        };
        let report = MeetingReport {
            meeting: name.to_owned(),
            uuid: None,
            topic: None,
            start_time: None,
            label: None,
            pages: table.pages(),
            complete: chain.is_complete(),
            missing: chain.missing(),
            participants,
            samples,
            invalid_values: table.diagnostics().invalid_values(),
            first_invalid_values,
            streams,
            cpu: MetricStats::from_named(cpu),
            wifi: extras.wifi_stats(samples),
            cpu_pressure: extras.pressure(table),
            quality: extras.quality(table),
            quality_score: extras.score_stats(samples),
            user_qos_objects: table.diagnostics().user_qos_objects(),
            degraded,
            mos: MosReport {
                audio_input: mos_stats(&mut mos_in),
                audio_output: mos_stats(&mut mos_out),
            },
            grades,
            participant_details: details,
            breakdowns,
            episodes: {
                episodes::sort(&mut found);
                found
            },
            summary,
            timeline: self
                .timeline
                .then(|| timeline::build(table, facts, &self.thresholds)),
        };
        let gathered = Gathered {
            streams: stream_values,
            audio,
            sample_values,
            when,
        };
        (report, gathered)
    }

    fn map<J: Sync, T: Send>(&self, jobs: &[J], f: impl Fn(&J) -> T + Sync + Send) -> Vec<T> {
        if self.sequential {
            jobs.iter().map(f).collect()
        } else {
            jobs.par_iter().map(f).collect()
        }
    }
}

/// What a meeting's report gathered, for a rollup: each stream metric's stat keys, and
/// each participant's pooled audio values (as [`breakdowns::audio_values`]).
pub(crate) struct Gathered {
    pub(crate) streams: Vec<((Stream, Metric), Collected)>,
    pub(crate) audio: Vec<[Vec<u32>; 3]>,
    /// The meeting's samples by their value of the sample dimensions (Wi-Fi band, CPU
    /// pressure), with their audio values.
    pub(crate) sample_values: breakdowns::SampleValues,
    pub(crate) when: When,
}

/// When a meeting's samples were, for the account: per quarter-hour of UTC time, and how
/// many had no time.
#[derive(Clone, Debug, Default)]
pub(crate) struct When {
    pub(crate) quarters: std::collections::BTreeMap<i64, Quarter>,
    pub(crate) untimed: u64,
    /// The first and last sample times (epoch seconds).
    pub(crate) span_s: Option<(i64, i64)>,
}

impl When {
    pub(crate) fn add<'q>(
        &mut self,
        quarters: impl IntoIterator<Item = &'q Quarter>,
        untimed: u64,
        span_s: Option<(i64, i64)>,
    ) {
        if let Some((first, last)) = span_s {
            self.span_s = Some(match self.span_s {
                Some((a, b)) => (a.min(first), b.max(last)),
                None => (first, last),
            });
        }
        for quarter in quarters {
            let total = self.quarters.entry(quarter.start_s).or_insert(Quarter {
                start_s: quarter.start_s,
                ..Quarter::default()
            });
            total.samples += quarter.samples;
            total.degraded += quarter.degraded;
        }
        self.untimed += untimed;
    }

    pub(crate) fn merge(&mut self, other: &When) {
        self.add(other.quarters.values(), other.untimed, other.span_s);
    }
}

/// Fixed-point values (in any order) and their extent, computed once.
pub(crate) struct Collected {
    pub(crate) values: Vec<u32>,
    pub(crate) extent: Extent,
}

impl Collected {
    pub(crate) fn new(values: Vec<u32>) -> Self {
        let extent = Extent::of(&values);
        Collected { values, extent }
    }
}

/// STATS of the stream metrics over some rows (one participant's).
fn stream_stats(table: &Table, rows: core::ops::Range<usize>) -> StreamStats {
    let mut streams = StreamStats::default();
    for (stream, _) in table.streams() {
        for metric in stream.metrics() {
            streams.insert(
                stream,
                *metric,
                metric_stats(table, stream, *metric, rows.clone()),
            );
        }
    }
    streams
}

/// STATS of one stream metric over `rows`.
fn metric_stats(
    table: &Table,
    stream: Stream,
    metric: Metric,
    rows: core::ops::Range<usize>,
) -> Stats {
    gathered_metric_stats(table, stream, metric, rows).0
}

/// [`metric_stats`], and the stat keys gathered.
fn gathered_metric_stats(
    table: &Table,
    stream: Stream,
    metric: Metric,
    rows: core::ops::Range<usize>,
) -> (Stats, Collected) {
    let samples = rows.len();
    gathered_stats(metric.descriptor(), samples, |values| {
        if let Some(columns) = table.stream(stream) {
            columns.for_each_present(metric, rows, |stored| values.push(stored));
        }
    })
}

/// STATS of the stored values `fill` pushes, over `samples` samples: each mapped to the
/// descriptor's statistic key (which may drop it), reported in its report unit.
fn stats_of(descriptor: &Descriptor, samples: usize, fill: impl FnOnce(&mut Vec<u32>)) -> Stats {
    gathered_stats(descriptor, samples, fill).0
}

/// [`stats_of`], and the values gathered (reordered), for a caller that counts them again.
fn gathered_stats(
    descriptor: &Descriptor,
    samples: usize,
    fill: impl FnOnce(&mut Vec<u32>),
) -> (Stats, Collected) {
    let mut values: Vec<u32> = Vec::with_capacity(samples);
    fill(&mut values);
    descriptor.to_stat_keys(&mut values);
    let mut collected = Collected::new(values);
    let scale = f64::from(descriptor.per_report_unit);
    let stats = Stats::from_fixed_extent(
        &mut collected.values,
        collected.extent,
        scale,
        samples as u64,
    );
    (stats, collected)
}

/// One pass over one participant's rows: flags, MOS values, grade, episodes, and the
/// per-sample fields beside the streams.
struct ParticipantPass {
    extras: Extras,
    flags: FlagCounts,
    /// Samples and degraded samples per quarter-hour of UTC time, in time order (for the
    /// account's day and hour view); `untimed` counts those without a time.
    quarters: Vec<Quarter>,
    untimed: u64,
    /// The first and last sample times (epoch seconds).
    span_s: Option<(i64, i64)>,
    found: Vec<Episode>,
    degraded: u64,
    episodes: u64,
    longest_episode: u64,
    mos_in: Vec<f64>,
    mos_out: Vec<f64>,
    mos_in_p50: Option<f64>,
    mos_out_p50: Option<f64>,
    grade: Grade,
    streams: Option<StreamStats>,
}

impl ParticipantPass {
    fn run(
        table: &Table,
        index: usize,
        participant: ParticipantRef<'_>,
        facts: &SampleFacts,
        cut: episodes::Cut,
        whole: bool,
    ) -> Self {
        let rows = participant.rows();
        let mut flags = FlagCounts::default();
        let mut degraded = 0;
        let mut mos_in = Vec::new();
        let mut mos_out = Vec::new();
        // Episodes follow time order; samples are not guaranteed to arrive sorted. Samples
        // without a time come after the timed ones, in input order.
        let mut timed: Vec<episodes::TimedSample> = Vec::with_capacity(rows.len());
        let mut untimed: Vec<bool> = Vec::new();
        // The samples' groups by Wi-Fi band and CPU pressure are for the breakdowns only.
        let mut extras = Extras::new(whole);
        for row in rows.clone() {
            let sample = facts.flags.get(row).copied().unwrap_or_default();
            for flag in Flag::ALL {
                flags.add(flag, u64::from(sample.has(flag)));
            }
            let any = sample.any();
            degraded += u64::from(any);
            match table.time_s(row) {
                Some(time_s) => timed.push(episodes::TimedSample {
                    time_s,
                    row,
                    flags: sample,
                }),
                None => untimed.push(any),
            }
            mos_in.extend(facts.mos[0].get(row).copied().flatten());
            mos_out.extend(facts.mos[1].get(row).copied().flatten());
        }
        let flags_of_rows = facts.flags.get(rows.clone()).unwrap_or_default();
        extras.add_rows(&facts.extras, rows.clone(), flags_of_rows);
        // `find` sorts `timed` by time (then row): with the untimed after it, that is the
        // order report v1's runs are counted in.
        let found = episodes::find(
            table,
            &mut timed,
            cut,
            index as u64,
            participant.user_name(),
        );
        let quarters = quarters(&timed);
        let span_s = timed
            .first()
            .zip(timed.last())
            .map(|(a, b)| (a.time_s, b.time_s));
        let untimed_samples = untimed.len() as u64;
        let in_time_order = timed.iter().map(|s| s.flags.any()).chain(untimed);
        let (episodes, longest_episode) = degraded_runs(in_time_order);
        let mos_in_p50 = median(&mut mos_in);
        let mos_out_p50 = median(&mut mos_out);
        ParticipantPass {
            extras,
            flags,
            quarters,
            untimed: untimed_samples,
            span_s,
            found,
            degraded,
            episodes,
            longest_episode,
            grade: Grade::of_worst(mos_in_p50, mos_out_p50),
            mos_in,
            mos_out,
            mos_in_p50,
            mos_out_p50,
            streams: None,
        }
    }
}

/// Samples and degraded samples of one quarter-hour of UTC time (`start_s` a multiple of
/// 900): the account's day and hour view is cut from these in any time zone, every UTC
/// offset in use being a multiple of 15 minutes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Quarter {
    pub(crate) start_s: i64,
    pub(crate) samples: u64,
    pub(crate) degraded: u64,
}

/// Quarter-hour length, in seconds.
pub(crate) const QUARTER_S: i64 = 900;

/// Timed samples, in time order, tallied per quarter-hour.
fn quarters(timed: &[episodes::TimedSample]) -> Vec<Quarter> {
    let mut quarters: Vec<Quarter> = Vec::new();
    for sample in timed {
        let start_s = sample.time_s.div_euclid(QUARTER_S) * QUARTER_S;
        let degraded = u64::from(sample.flags.any());
        match quarters.last_mut() {
            Some(last) if last.start_s == start_s => {
                last.samples += 1;
                last.degraded += degraded;
            }
            _ => quarters.push(Quarter {
                start_s,
                samples: 1,
                degraded,
            }),
        }
    }
    quarters
}

/// The nearest-rank median, selected (reorders `values`).
fn median(values: &mut [f64]) -> Option<f64> {
    let index = nearest_rank_index(values.len(), 50)?;
    Some(*values.select_nth_unstable_by(index, f64::total_cmp).1)
}

/// Runs of consecutive `true`: how many, and the longest (report v1's
/// `degraded_episodes` and `longest_degraded_episode`, which ignore gaps in time).
fn degraded_runs(degraded: impl Iterator<Item = bool>) -> (u64, u64) {
    let (mut count, mut longest, mut run) = (0, 0, 0);
    for d in degraded {
        if d {
            run += 1;
            count += u64::from(run == 1);
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    (count, longest)
}

/// The MOS of a stream at a row, when latency, jitter and average loss are all present,
/// rounded as the report shows it: one row at a time, the reference of [`SampleFacts`].
#[cfg(test)]
pub(crate) fn mos(table: &Table, stream: Stream, row: usize) -> Option<f64> {
    let columns = table.stream(stream)?;
    mos_of_stored(Metric::QUALITY.map(|metric| columns.stored(metric, row)))
}

/// The MOS of stored latency, jitter and average loss, when all three are present,
/// rounded as the report shows it.
#[inline]
pub(crate) fn mos_of_stored([latency, jitter, loss]: [Option<u32>; 3]) -> Option<f64> {
    let value = |metric: Metric, stored: Option<u32>| metric.descriptor().to_report_unit(stored?);
    let latency_ms = value(Metric::Latency, latency)?;
    let jitter_ms = value(Metric::Jitter, jitter)?;
    let loss_pct = value(Metric::AvgLoss, loss)?;
    Some(MosReport::round(mos_estimate(
        latency_ms, jitter_ms, loss_pct,
    )))
}

/// An invalid value of the table, as the report shows it.
fn located(invalid: &InvalidValue) -> LocatedValue {
    let at = &invalid.location;
    LocatedValue {
        file: None,
        page: at.page,
        participant: at.participant,
        sample: at.sample,
        field: at.field.to_string(),
        found: invalid.text.clone(),
        reason: invalid.error.to_string(),
    }
}

/// Simplified ITU-T G.107 E-model, as fixed by report v1:
/// `EL = latency + 2·jitter + 10`; `R = 93.2 − EL/40` if `EL < 160`, else
/// `93.2 − (EL − 120)/10`; `R −= 2.5·loss`; MOS = 1 if `R ≤ 0`, 4.5 if `R ≥ 100`, else
/// `1 + 0.035R + 0.000007·R(R − 60)(100 − R)`.
pub fn mos_estimate(latency_ms: f64, jitter_ms: f64, avg_loss_pct: f64) -> f64 {
    let effective = latency_ms + 2.0 * jitter_ms + 10.0;
    let mut r = if effective < 160.0 {
        93.2 - effective / 40.0
    } else {
        93.2 - (effective - 120.0) / 10.0
    };
    r -= 2.5 * avg_loss_pct;
    if r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        1.0 + 0.035 * r + 0.000_007 * r * (r - 60.0) * (100.0 - r)
    }
}
