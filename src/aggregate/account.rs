//! Who, across meetings: the account rollup. Fed one meeting at a time (its table and its
//! report) by whoever runs the meetings, mergeable across threads, so that its memory
//! grows with meetings and people, not with samples: account-wide percentiles come from
//! log-linear histograms (each at most 0.1 % above the exact nearest-rank value, see
//! [`super::histogram`]); counts, minima, maxima and means are exact.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use super::breakdowns::{BREAKDOWN_METRICS, groups};
use super::histogram::{Histogram, Key, gcd, grid};
use super::nearest_rank_index;
use super::stats::Extent;
use super::{Collected, Gathered, When};
use crate::record::Table;
use crate::report::{
    AccountReport, Breakdown, Breakdowns, Dimension, Grade, GradeCounts, MeetingReport, Period,
    RepeatParticipant, Stats, StreamStats, WorstMeeting, Zone, share,
};
use crate::schema::{Metric, ParticipantField, Stream};

/// Decimal digits the account's percentiles are exact to: each is at most 10^-3 (0.1 %)
/// above the exact nearest-rank value.
pub const PERCENTILE_DIGITS: u8 = 3;
/// Meetings listed as the worst, by degraded share.
const WORST_MEETINGS: usize = 10;
/// People listed as seen in several meetings, by degraded samples.
const REPEAT_PARTICIPANTS: usize = 20;

/// The account rollup being built. [`add`](Self::add) each meeting, [`merge`](Self::merge)
/// rollups built on other threads, then [`finish`](Self::finish).
///
/// ```
/// use zoom_qos::aggregate::AccountRollup;
/// use zoom_qos::{Analysis, Decoder, Report, Table};
///
/// let page = br#"{"participants": [{"user_name": "Ana", "user_qos": [{"date_time": "2021-06-24T20:00:00Z", "audio_input": {"latency": "126 ms", "jitter": "6 ms", "avg_loss": "0.3%"}}, {"date_time": "2021-06-24T20:01:00Z", "audio_input": {"latency": "210 ms"}}]}]}"#;
/// let analysis = Analysis::new();
/// let (mut here, mut there) = (AccountRollup::new(), AccountRollup::new());
/// let mut meetings = Vec::new();
/// for (name, rollup) in [("monday", &mut here), ("tuesday", &mut there)] {
///     let mut table = Table::new();
///     Decoder::default().decode(&mut page.to_vec(), &mut table)?;
///     meetings.push(analysis.meeting_into(name, &table, rollup)); // as two threads would
/// }
/// here.merge(there);
/// let mut report = Report::new(meetings, Vec::new());
/// report.account = Some(here.finish());
/// let account = report.account.as_ref().expect("set");
/// assert_eq!((account.meetings, account.samples), (2, 4));
/// # Ok::<(), zoom_qos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct AccountRollup {
    meetings: Vec<WorstMeeting>,
    participants: u64,
    samples: u64,
    degraded: u64,
    people: HashMap<String, Person>,
    breakdowns: [BTreeMap<String, Pooled>; Dimension::COUNT],
    streams: BTreeMap<(Stream, Metric), Values>,
    grades: GradeCounts,
    when: When,
}

/// How the account's report is cut: the time zone of its times, days and hours, and the
/// size a meeting needs to be listed among the worst.
#[derive(Clone, Copy, Debug)]
pub struct AccountView<'a> {
    zone: Zone<'a>,
    worst_min_participants: u64,
    worst_min_samples: u64,
}

impl Default for AccountView<'_> {
    /// UTC, and meetings of at least 3 participant entries or 30 samples.
    fn default() -> Self {
        AccountView {
            zone: Zone::UTC,
            worst_min_participants: 3,
            worst_min_samples: 30,
        }
    }
}

impl<'a> AccountView<'a> {
    /// Times, days and hours in `zone`.
    pub fn zone(mut self, zone: Zone<'a>) -> Self {
        self.zone = zone;
        self
    }

    /// Meetings listed among the worst need at least `participants` participant entries
    /// or at least `samples` samples (default 3 or 30).
    pub fn worst_meetings_of_at_least(mut self, participants: u64, samples: u64) -> Self {
        self.worst_min_participants = participants;
        self.worst_min_samples = samples;
        self
    }
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
    values: [Capped; 3],
}

/// Values of one metric for percentiles: their histogram, and the exact maximum that caps
/// what a bucket reads back.
#[derive(Clone, Debug, Default)]
struct Capped {
    histogram: Histogram,
    max: u32,
    /// The grid the values lie on (see [`grid`]).
    grid: u32,
}

impl Capped {
    fn merge(&mut self, other: &Capped) {
        self.histogram.merge(&other.histogram);
        self.max = self.max.max(other.max);
        self.grid = gcd(self.grid, other.grid);
    }

    fn percentile(&self, percent: u32) -> Option<u64> {
        percentile(&self.histogram, self.max, self.grid, percent)
    }
}

/// Values of one metric: exact count, sum, minimum and maximum, and a histogram for the
/// percentiles.
#[derive(Clone, Debug)]
struct Values {
    histogram: Histogram,
    extent: Extent,
    samples: u64,
    /// The grid the values lie on (see [`grid`]).
    grid: u32,
}

impl Values {
    fn new() -> Self {
        Values {
            histogram: Histogram::default(),
            extent: Extent::EMPTY,
            samples: 0,
            grid: 0,
        }
    }

    fn record(&mut self, collected: &Collected) {
        self.histogram.record_all(&collected.values);
        self.extent.merge(&collected.extent);
        self.grid = grid(&collected.values, self.grid);
    }

    fn merge(&mut self, other: &Values) {
        self.histogram.merge(&other.histogram);
        self.extent.merge(&other.extent);
        self.samples += other.samples;
        self.grid = gcd(self.grid, other.grid);
    }

    /// STATS in report units (`per_report_unit` stored units make one).
    fn stats(&self, per_report_unit: u32) -> Stats {
        let scale = f64::from(per_report_unit);
        let Extent {
            count,
            sum,
            min,
            max,
        } = self.extent;
        let present = count > 0;
        let [p50, p90, p95, p99] = Stats::PERCENTILES
            .map(|p| percentile(&self.histogram, max, self.grid, p).map(|v| v as f64 / scale));
        Stats {
            count,
            missing: self.samples.saturating_sub(count),
            min: present.then(|| f64::from(min) / scale),
            mean: present.then(|| sum as f64 / count as f64 / scale),
            p50,
            p90,
            p95,
            p99,
            max: present.then(|| f64::from(max) / scale),
        }
    }
}

/// The value at a nearest rank (integer arithmetic, as the meetings' STATS): the largest
/// point of the values' `grid` in its bucket, never above the exact maximum. While the
/// bucket is narrower than the grid's step (values below 2,048 steps: latency to 2 s in
/// whole milliseconds, any loss in tenths of a percent), that point is the only one
/// there, so the value exactly; above, it is within the histogram's 0.1 % and on the
/// grid. Without a grid, the bucket's top.
fn percentile(histogram: &Histogram, max: u32, grid: u32, percent: u32) -> Option<u64> {
    let count = usize::try_from(histogram.count()).ok()?;
    let rank = nearest_rank_index(count, percent)? as u64 + 1;
    let key = histogram.at_rank(rank)?;
    let top = key.top().min(u64::from(max));
    let step = u64::from(grid.max(1));
    let on_grid = top - top % step;
    Some(if on_grid >= key.bottom() {
        on_grid
    } else {
        top
    })
}

impl AccountRollup {
    /// An empty rollup.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a meeting: its table and its report, made by `analysis` (whose thresholds
    /// decide which samples are degraded in the day and hour view). This reads the
    /// table's values again; [`Analysis::meeting_into`](crate::Analysis::meeting_into)
    /// makes the report and adds it at once, without that second pass.
    pub fn add(&mut self, analysis: &crate::Analysis, table: &Table, report: &MeetingReport) {
        let facts = analysis.facts(table);
        let (_, gathered) = analysis.meeting_and_values(&report.meeting, table, true, &facts);
        self.add_gathered(table, report, &gathered);
    }

    /// Adds a meeting whose values are already gathered.
    pub(crate) fn add_gathered(
        &mut self,
        table: &Table,
        report: &MeetingReport,
        gathered: &Gathered,
    ) {
        let samples_before = self.samples;
        self.meetings.push(WorstMeeting {
            meeting: report.meeting.clone(),
            label: None,
            participants: report.participants,
            samples: report.samples,
            degraded: report.degraded.samples,
            degraded_share: share(report.degraded.samples, report.samples),
        });
        self.participants += report.participants;
        self.samples += report.samples;
        self.degraded += report.degraded.samples;
        for grade in Grade::ALL {
            self.grades.add(grade, report.grades.get(grade));
        }
        self.when.merge(&gathered.when);

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

        // Breakdowns: the meeting's counts, and its audio values into histograms; each
        // participant's values gathered once for the four dimensions.
        for dimension in Dimension::ALL {
            for (value, breakdown) in report.breakdowns.get(dimension) {
                let pooled = self.breakdowns[dimension as usize]
                    .entry(value.clone())
                    .or_default();
                pooled.breakdown.participants += breakdown.participants;
                pooled.breakdown.samples += breakdown.samples;
                pooled.breakdown.degraded += breakdown.degraded;
            }
        }
        // Each value is located once, then counted for the four dimensions, one histogram
        // at a time (all of a group's members in a row, so that its counters stay in cache).
        let located: Vec<[(Vec<Key>, u32, u32); 3]> = gathered
            .audio
            .iter()
            .map(|values| {
                values.each_ref().map(|values| {
                    let keys = values.iter().map(|&v| Key::of(v)).collect();
                    (
                        keys,
                        values.iter().copied().fold(0, u32::max),
                        grid(values, 0),
                    )
                })
            })
            .collect();
        let participants: Vec<_> = table.participants().collect();
        for dimension in Dimension::ALL {
            for (value, members) in groups(&participants, dimension) {
                let Some(pooled) = self.breakdowns[dimension as usize].get_mut(value) else {
                    continue;
                };
                for (which, capped) in pooled.values.iter_mut().enumerate() {
                    for &member in &members {
                        if let Some((keys, max, grid)) = located.get(member).map(|l| &l[which]) {
                            capped.histogram.record_keys(keys);
                            capped.max = capped.max.max(*max);
                            capped.grid = gcd(capped.grid, *grid);
                        }
                    }
                }
            }
        }

        // The sample dimensions (Wi-Fi band, CPU pressure): a participant with all its
        // samples in a value brings the keys located above; the others their own values.
        for (dimension, value, members) in &gathered.sample_values {
            let Some(pooled) = self.breakdowns[*dimension as usize].get_mut(value) else {
                continue;
            };
            for member in members {
                for (which, capped) in pooled.values.iter_mut().enumerate() {
                    match &member.some {
                        None => {
                            if let Some((keys, max, grid)) =
                                located.get(member.participant).map(|l| &l[which])
                            {
                                capped.histogram.record_keys(keys);
                                capped.max = capped.max.max(*max);
                                capped.grid = gcd(capped.grid, *grid);
                            }
                        }
                        Some(audio) => {
                            let values = &audio[which];
                            capped.histogram.record_all(values);
                            capped.max = capped.max.max(values.iter().copied().fold(0, u32::max));
                            capped.grid = gcd(capped.grid, grid(values, 0));
                        }
                    }
                }
            }
        }

        // Streams: every present value of every stream metric.
        for ((stream, metric), values) in &gathered.streams {
            // A stream first seen now was missing from every earlier sample.
            let entry = self.streams.entry((*stream, *metric)).or_insert_with(|| {
                let mut values = Values::new();
                values.samples = samples_before;
                values
            });
            entry.samples += table.samples() as u64;
            entry.record(values);
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
        if self.meetings.is_empty() {
            // Nothing here yet (every meeting added leaves a line): take `other` whole,
            // rather than copying its histograms.
            *self = other;
            return;
        }
        // Streams first seen in `other` were missing from every meeting of `self`.
        let self_samples = self.samples;
        let other_samples = other.samples;
        for (key, values) in self.streams.iter_mut() {
            if !other.streams.contains_key(key) {
                values.samples += other_samples;
            }
        }
        for (key, mut values) in other.streams {
            match self.streams.get_mut(&key) {
                Some(mine) => mine.merge(&values),
                None => {
                    values.samples += self_samples;
                    self.streams.insert(key, values);
                }
            }
        }
        self.meetings.extend(other.meetings);
        for grade in Grade::ALL {
            self.grades.add(grade, other.grades.get(grade));
        }
        self.when.merge(&other.when);
        self.participants += other.participants;
        self.samples += other.samples;
        self.degraded += other.degraded;
        for (key, person) in other.people {
            self.add_person(key, person);
        }
        for (mine, theirs) in self.breakdowns.iter_mut().zip(other.breakdowns) {
            for (value, pooled) in theirs {
                match mine.entry(value) {
                    Entry::Vacant(entry) => {
                        entry.insert(pooled);
                    }
                    Entry::Occupied(mut entry) => {
                        let total = entry.get_mut();
                        total.breakdown.participants += pooled.breakdown.participants;
                        total.breakdown.samples += pooled.breakdown.samples;
                        total.breakdown.degraded += pooled.breakdown.degraded;
                        for (mine, theirs) in total.values.iter_mut().zip(&pooled.values) {
                            mine.merge(theirs);
                        }
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

    /// The account's report, in UTC, with the default minimum size of a worst meeting.
    pub fn finish(self) -> AccountReport {
        self.finish_in(&AccountView::default())
    }

    /// The account's report as `view` cuts it.
    pub fn finish_in(mut self, view: &AccountView<'_>) -> AccountReport {
        let (days, hours) = periods(&self.when, view);
        let meetings = self.meetings.len() as u64;
        self.meetings.retain(|m| {
            m.participants >= view.worst_min_participants || m.samples >= view.worst_min_samples
        });
        self.meetings.sort_by(|a, b| {
            b.degraded_share
                .total_cmp(&a.degraded_share)
                .then_with(|| a.meeting.cmp(&b.meeting))
        });
        self.meetings.truncate(WORST_MEETINGS);
        let people = self.people.len() as u64;
        let mut repeat: Vec<RepeatParticipant> = self
            .people
            .into_iter()
            .filter(|(_, p)| p.meetings >= 2)
            .map(|(key, p)| RepeatParticipant {
                key,
                key_field: std::borrow::Cow::Borrowed(p.key),
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
                    let per = f64::from(BREAKDOWN_METRICS[i].descriptor().per_report_unit);
                    pooled.values[i].percentile(95).map(|v| v as f64 / per)
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
            people,
            grades: self.grades,
            zone: view.zone.name().to_owned(),
            first_sample: self.when.span_s.map(|(first, _)| view.zone.rfc3339(first)),
            last_sample: self.when.span_s.map(|(_, last)| view.zone.rfc3339(last)),
            days,
            hours,
            untimed_samples: self.when.untimed,
            worst_min_participants: view.worst_min_participants,
            worst_min_samples: view.worst_min_samples,
            worst_meetings: self.meetings,
            repeat_participants: repeat,
            breakdowns,
            streams,
            percentile_digits: PERCENTILE_DIGITS,
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

/// The quarter-hour tallies as days and hours of the day in the view's zone.
fn periods(when: &When, view: &AccountView<'_>) -> (Vec<Period>, Vec<Period>) {
    let mut days: BTreeMap<i64, Period> = BTreeMap::new();
    let mut hours: BTreeMap<i64, Period> = BTreeMap::new();
    for quarter in when.quarters.values() {
        let local_s = view.zone.local_s(quarter.start_s);
        let day = local_s.div_euclid(86_400);
        let hour = local_s.rem_euclid(86_400) / 3600;
        for (map, key, name) in [
            (&mut days, day, None),
            (&mut hours, hour, Some(format!("{hour:02}"))),
        ] {
            let period = map.entry(key).or_insert_with(|| Period {
                period: name.unwrap_or_else(|| {
                    let (y, m, d) = crate::units::civil_from_days(day);
                    format!("{y:04}-{m:02}-{d:02}")
                }),
                ..Period::default()
            });
            period.samples += quarter.samples;
            period.degraded += quarter.degraded;
        }
    }
    (days.into_values().collect(), hours.into_values().collect())
}
