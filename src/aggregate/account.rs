//! Who, across meetings: the account rollup. Fed one meeting at a time (its table and its
//! report) by whoever runs the meetings, mergeable across threads, so that its memory
//! grows with meetings and people, not with samples: account-wide percentiles come from
//! histograms of 3 significant digits (each at most 0.1 % above the exact nearest-rank
//! value), counts, minima, maxima and means are exact.

use std::collections::{BTreeMap, HashMap};

use hdrhistogram::Histogram;

use super::nearest_rank_index;
use crate::record::Table;
use crate::report::{
    AccountReport, Breakdown, Breakdowns, Dimension, Grade, GradeCounts, MeetingReport,
    RepeatParticipant, Stats, StreamStats, WorstMeeting,
};
use crate::schema::{Metric, ParticipantField, Stream};

/// Significant digits of the account's histograms: values are kept to 1 part in 1000.
pub const HISTOGRAM_DIGITS: u8 = 3;
/// Meetings listed as the worst, by degraded share.
const WORST_MEETINGS: usize = 10;
/// People listed as seen in several meetings, by degraded samples.
const REPEAT_PARTICIPANTS: usize = 20;

/// The account rollup being built. [`add`](Self::add) each meeting, [`merge`](Self::merge)
/// rollups built on other threads, then [`finish`](Self::finish).
#[derive(Clone, Debug, Default)]
pub struct AccountRollup {
    meetings: Vec<WorstMeeting>,
    participants: u64,
    samples: u64,
    degraded: u64,
    people: HashMap<String, Person>,
    breakdowns: [BTreeMap<String, Pooled>; 4],
    streams: BTreeMap<(Stream, Metric), Values>,
}

/// One person across meetings.
#[derive(Clone, Debug, Default)]
struct Person {
    key: &'static str,
    user_name: String,
    /// The meeting `user_name` comes from: the first by name, so that the result does not
    /// depend on the order meetings are added or merged in.
    named_in: String,
    meetings: u64,
    samples: u64,
    degraded: u64,
    grades: GradeCounts,
}

/// A dimension value across meetings: counts, and the audio values for the p95s.
#[derive(Clone, Debug, Default)]
struct Pooled {
    breakdown: Breakdown,
    values: [Option<Values>; 3],
}

/// Values of one metric: exact count, sum, minimum and maximum, and a histogram for the
/// percentiles.
#[derive(Clone, Debug)]
struct Values {
    /// `None` only if the histogram could not be made (it always can with 3 digits):
    /// then the percentiles are `None`, never made up.
    histogram: Option<Histogram<u64>>,
    count: u64,
    samples: u64,
    sum: u128,
    min: u32,
    max: u32,
}

impl Values {
    fn new() -> Self {
        Values {
            // Auto-resizing, 3 digits: valid arguments.
            histogram: Histogram::new(HISTOGRAM_DIGITS).ok(),
            count: 0,
            samples: 0,
            sum: 0,
            min: u32::MAX,
            max: 0,
        }
    }

    fn record(&mut self, value: u32) {
        if let Some(histogram) = &mut self.histogram {
            // An auto-resizing histogram records any value: no error to handle.
            let _ = histogram.record(u64::from(value));
        }
        self.count += 1;
        self.sum += u128::from(value);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    fn merge(&mut self, other: &Values) {
        match (&mut self.histogram, &other.histogram) {
            (Some(mine), Some(theirs)) => {
                // Auto-resizing: adding never fails.
                let _ = mine.add(theirs);
            }
            _ => self.histogram = None,
        }
        self.count += other.count;
        self.samples += other.samples;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The value at a nearest rank (integer arithmetic, as the meetings' STATS), to the
    /// histogram's precision: the highest value of its bucket, but never above the exact
    /// maximum.
    fn percentile(&self, percent: u32) -> Option<u64> {
        let rank = nearest_rank_index(usize::try_from(self.count).ok()?, percent)? as u64 + 1;
        let mut seen = 0;
        for bucket in self.histogram.as_ref()?.iter_recorded() {
            seen += bucket.count_at_value();
            if seen >= rank {
                return Some(bucket.value_iterated_to().min(u64::from(self.max)));
            }
        }
        None
    }

    /// STATS in report units (`per_report_unit` stored units make one).
    fn stats(&self, per_report_unit: u32) -> Stats {
        let scale = f64::from(per_report_unit);
        let present = self.count > 0;
        let [p50, p90, p95, p99] =
            Stats::PERCENTILES.map(|p| self.percentile(p).map(|v| v as f64 / scale));
        Stats {
            count: self.count,
            missing: self.samples.saturating_sub(self.count),
            min: present.then(|| f64::from(self.min) / scale),
            mean: present.then(|| self.sum as f64 / self.count as f64 / scale),
            p50,
            p90,
            p95,
            p99,
            max: present.then(|| f64::from(self.max) / scale),
        }
    }
}

/// The metrics a breakdown's p95s are over, and the streams pooled.
const BREAKDOWN_METRICS: [Metric; 3] = [Metric::Latency, Metric::Jitter, Metric::AvgLoss];
const AUDIO: [Stream; 2] = [Stream::AudioInput, Stream::AudioOutput];

impl AccountRollup {
    /// An empty rollup.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a meeting: its table (for the values) and its report (for what it decided).
    pub fn add(&mut self, table: &Table, report: &MeetingReport) {
        let samples_before = self.samples;
        self.meetings.push(WorstMeeting {
            meeting: report.meeting.clone(),
            samples: report.samples,
            degraded: report.degraded.samples,
            degraded_share: share(report.degraded.samples, report.samples),
        });
        self.participants += report.participants;
        self.samples += report.samples;
        self.degraded += report.degraded.samples;

        // People: each counted once per meeting however often they rejoined.
        let mut here: HashMap<String, Person> = HashMap::new();
        for (participant, detail) in table.participants().zip(&report.participant_details) {
            let Some((key_kind, key)) = person_key(participant) else {
                continue;
            };
            let person = here.entry(key).or_insert_with(|| Person {
                key: key_kind,
                user_name: detail.user_name.clone(),
                named_in: report.meeting.clone(),
                ..Person::default()
            });
            person.samples += detail.samples;
            person.degraded += detail.degraded_samples;
            person.grades.add(detail.grade, 1);
        }
        for (key, mut person) in here {
            person.meetings = 1;
            self.add_person(key, person);
        }

        // Breakdowns: the meeting's counts, and its audio values into histograms.
        let participants: Vec<_> = table.participants().collect();
        for dimension in Dimension::ALL {
            for (value, breakdown) in report.breakdowns.get(dimension) {
                let pooled = self.breakdowns[dimension as usize]
                    .entry(value.clone())
                    .or_default();
                pooled.breakdown.participants += breakdown.participants;
                pooled.breakdown.samples += breakdown.samples;
                pooled.breakdown.degraded += breakdown.degraded;
            }
            for participant in &participants {
                let value = participant.field(dimension.field()).trim();
                let value = if value.is_empty() {
                    Dimension::UNKNOWN
                } else {
                    value
                };
                let Some(pooled) = self.breakdowns[dimension as usize].get_mut(value) else {
                    continue;
                };
                for (slot, metric) in pooled.values.iter_mut().zip(BREAKDOWN_METRICS) {
                    for stream in AUDIO {
                        if let Some(columns) = table.stream(stream) {
                            let values = slot.get_or_insert_with(Values::new);
                            columns.for_each_present(metric, participant.rows(), |v| {
                                values.record(v);
                            });
                        }
                    }
                }
            }
        }

        // Streams: every present value of every stream metric.
        for (stream, columns) in table.streams() {
            for &metric in stream.metrics() {
                let descriptor = metric.descriptor();
                // A stream first seen now was missing from every earlier sample.
                let values = self.streams.entry((stream, metric)).or_insert_with(|| {
                    let mut values = Values::new();
                    values.samples = samples_before;
                    values
                });
                values.samples += table.samples() as u64;
                columns.for_each_present(metric, 0..table.samples(), |stored| {
                    if let Some(key) = descriptor.stat_key(stored) {
                        values.record(key);
                    }
                });
            }
        }
        // A stream absent from this meeting still counts its samples as missing.
        for ((stream, _), values) in self.streams.iter_mut() {
            if table.stream(*stream).is_none() {
                values.samples += table.samples() as u64;
            }
        }
    }

    /// Adds what another rollup holds (built from other meetings).
    pub fn merge(&mut self, other: AccountRollup) {
        // Streams first seen in `other` were missing from every meeting of `self`.
        let self_samples = self.samples;
        let other_samples = other.samples;
        for (key, values) in self.streams.iter_mut() {
            if !other.streams.contains_key(key) {
                values.samples += other_samples;
            }
        }
        for (key, values) in &other.streams {
            match self.streams.get_mut(key) {
                Some(mine) => mine.merge(values),
                None => {
                    let mut values = values.clone();
                    values.samples += self_samples;
                    self.streams.insert(*key, values);
                }
            }
        }
        self.meetings.extend(other.meetings);
        self.participants += other.participants;
        self.samples += other.samples;
        self.degraded += other.degraded;
        for (key, person) in other.people {
            self.add_person(key, person);
        }
        for (mine, theirs) in self.breakdowns.iter_mut().zip(other.breakdowns) {
            for (value, pooled) in theirs {
                let total = mine.entry(value).or_default();
                total.breakdown.participants += pooled.breakdown.participants;
                total.breakdown.samples += pooled.breakdown.samples;
                total.breakdown.degraded += pooled.breakdown.degraded;
                for (slot, values) in total.values.iter_mut().zip(pooled.values) {
                    match (slot.as_mut(), values) {
                        (Some(mine), Some(values)) => mine.merge(&values),
                        (None, Some(values)) => *slot = Some(values),
                        (_, None) => {}
                    }
                }
            }
        }
    }

    /// Adds one person's totals (from one meeting, or from another rollup).
    fn add_person(&mut self, key: String, person: Person) {
        let total = self.people.entry(key).or_insert_with(|| Person {
            key: person.key,
            user_name: person.user_name.clone(),
            named_in: person.named_in.clone(),
            ..Person::default()
        });
        if person.named_in < total.named_in {
            total.user_name.clone_from(&person.user_name);
            total.named_in.clone_from(&person.named_in);
        }
        total.meetings += person.meetings;
        total.samples += person.samples;
        total.degraded += person.degraded;
        for grade in Grade::ALL {
            total.grades.add(grade, person.grades.get(grade));
        }
    }

    /// The account's report.
    pub fn finish(mut self) -> AccountReport {
        self.meetings.sort_by(|a, b| {
            b.degraded_share
                .total_cmp(&a.degraded_share)
                .then_with(|| a.meeting.cmp(&b.meeting))
        });
        let meetings = self.meetings.len() as u64;
        self.meetings.truncate(WORST_MEETINGS);
        let mut repeat: Vec<RepeatParticipant> = self
            .people
            .into_iter()
            .filter(|(_, p)| p.meetings >= 2)
            .map(|(key, p)| RepeatParticipant {
                key,
                key_field: p.key,
                user_name: p.user_name,
                meetings: p.meetings,
                samples: p.samples,
                degraded: p.degraded,
                grades: p.grades,
            })
            .collect();
        repeat.sort_by(|a, b| b.degraded.cmp(&a.degraded).then_with(|| a.key.cmp(&b.key)));
        repeat.truncate(REPEAT_PARTICIPANTS);
        let mut breakdowns = Breakdowns::default();
        for dimension in Dimension::ALL {
            for (value, pooled) in &self.breakdowns[dimension as usize] {
                let p95 = |i: usize| {
                    let values = pooled.values[i].as_ref()?;
                    let per = f64::from(BREAKDOWN_METRICS[i].descriptor().per_report_unit);
                    values.percentile(95).map(|v| v as f64 / per)
                };
                let breakdown = Breakdown {
                    latency_ms_p95: p95(0),
                    jitter_ms_p95: p95(1),
                    avg_loss_pct_p95: p95(2),
                    ..pooled.breakdown
                };
                breakdowns
                    .get_mut(dimension)
                    .insert(value.clone(), breakdown);
            }
        }
        let mut streams = StreamStats::default();
        for ((stream, metric), values) in &self.streams {
            let scale = metric.descriptor().per_report_unit;
            streams.insert(*stream, *metric, values.stats(scale));
        }
        AccountReport {
            meetings,
            participants: self.participants,
            samples: self.samples,
            degraded: self.degraded,
            worst_meetings: self.meetings,
            repeat_participants: repeat,
            breakdowns,
            streams,
            percentile_digits: HISTOGRAM_DIGITS,
        }
    }
}

/// Who a participant entry is across meetings: `user_id`, else `email`, else `user_name`;
/// `None` when all are blank.
fn person_key(participant: crate::record::ParticipantRef<'_>) -> Option<(&'static str, String)> {
    [
        ParticipantField::UserId,
        ParticipantField::Email,
        ParticipantField::UserName,
    ]
    .into_iter()
    .find_map(|field| {
        let value = participant.field(field).trim();
        (!value.is_empty()).then(|| (field.api_name(), format!("{}:{value}", field.api_name())))
    })
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
