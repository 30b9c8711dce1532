//! Why: a meeting's samples broken down by the participants' network, data center, device
//! and client version, and by each sample's Wi-Fi band and CPU pressure.

use std::collections::BTreeMap;

use super::nearest_rank_index;
use crate::record::{ParticipantRef, Table};
use crate::report::{Breakdown, Breakdowns, Dimension};
use crate::schema::{Metric, ParticipantField, Stream};

/// The streams whose values the breakdowns pool: what a participant sends and receives.
const AUDIO: [Stream; 2] = Stream::AUDIO;
/// The metrics a breakdown's p95s are over.
pub(crate) const BREAKDOWN_METRICS: [Metric; 3] = Metric::QUALITY;

/// A participant's latency, jitter and loss over `AUDIO`, stored values, pooled: read once,
/// then shared by the four dimensions.
pub(crate) fn audio_values(table: &Table, participant: ParticipantRef<'_>) -> [Vec<u32>; 3] {
    BREAKDOWN_METRICS.map(|metric| {
        let mut values = Vec::new();
        for stream in AUDIO {
            if let Some(columns) = table.stream(stream) {
                columns.for_each_present(metric, participant.rows(), |v| values.push(v));
            }
        }
        values
    })
}

/// The samples of one participant with one value of a dimension of each sample's value
/// (Wi-Fi band, CPU pressure): how many, how many degraded, and their rows.
#[derive(Debug, Default)]
pub(crate) struct SampleTally {
    pub(crate) samples: u64,
    pub(crate) degraded: u64,
    pub(crate) rows: Vec<u32>,
}

/// A participant's samples by their value of the sample dimensions (a band's index, a
/// word's code), in the order met.
#[derive(Debug, Default)]
pub(crate) struct SampleGroups {
    pub(crate) groups: Vec<(Dimension, u16, SampleTally)>,
}

impl SampleGroups {
    /// Counts the sample at `row` into its group of a dimension.
    pub(crate) fn tally(
        &mut self,
        (dimension, value): (Dimension, u16),
        degraded: bool,
        row: usize,
    ) {
        let is_it = |(d, v, _): &(Dimension, u16, SampleTally)| *d == dimension && *v == value;
        // The last group is the likeliest: a minute is most often like the one before.
        let last = self.groups.len().checked_sub(1);
        let at = match last
            .filter(|&last| is_it(&self.groups[last]))
            .or_else(|| self.groups.iter().position(is_it))
        {
            Some(at) => at,
            None => {
                self.groups.push((dimension, value, SampleTally::default()));
                self.groups.len() - 1
            }
        };
        let tally = &mut self.groups[at].2;
        tally.samples += 1;
        tally.degraded += u64::from(degraded);
        tally.rows.push(u32::try_from(row).unwrap_or(u32::MAX));
    }
}

/// The name of a sample dimension's value: a Wi-Fi band's, or a CPU pressure word.
fn sample_value_name(table: &Table, dimension: Dimension, value: u16) -> &str {
    match dimension {
        Dimension::WifiSignal => super::SIGNAL_BANDS
            .get(usize::from(value))
            .map_or(Dimension::UNKNOWN, |band| band.name),
        _ => table.word(usize::from(value)).unwrap_or(Dimension::UNKNOWN),
    }
}

/// A participant with samples of one value of a sample dimension: all its samples (its
/// audio values are the ones gathered for the participant dimensions), or some, with
/// their own audio values.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) participant: usize,
    pub(crate) some: Option<[Vec<u32>; 3]>,
}

/// A participant's value of a dimension of participant fields: blank or absent is
/// `unknown`.
pub(crate) fn dimension_value<'t>(
    participant: ParticipantRef<'t>,
    field: ParticipantField,
) -> &'t str {
    let value = participant.field(field).trim();
    if value.is_empty() {
        Dimension::UNKNOWN
    } else {
        value
    }
}

/// The participants (indices into `participants`) by their value of a dimension of
/// participant fields (none for a dimension of each sample's value).
pub(crate) fn groups<'t>(
    participants: &[ParticipantRef<'t>],
    dimension: Dimension,
) -> BTreeMap<&'t str, Vec<usize>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let Some(field) = dimension.field() else {
        return groups;
    };
    for (index, &participant) in participants.iter().enumerate() {
        groups
            .entry(dimension_value(participant, field))
            .or_default()
            .push(index);
    }
    groups
}

/// The nearest-rank p95 of stored values of a breakdown metric, in its report unit
/// (reorders `values`).
fn p95(which: usize, values: &mut [u32]) -> Option<f64> {
    let rank = nearest_rank_index(values.len(), 95)?;
    let (_, stored, _) = values.select_nth_unstable(rank);
    BREAKDOWN_METRICS[which]
        .descriptor()
        .to_report_unit(*stored)
}

/// A value's breakdown of a sample dimension, and its members, while merged.
type Merged = (Breakdown, Vec<Member>);

/// A meeting's members per value of a sample dimension (for a rollup).
pub(crate) type SampleValues = Vec<(Dimension, String, Vec<Member>)>;

/// Per dimension and value: participants, samples, degraded samples (`degraded[i]` is
/// participant `i`'s) and the p95 of latency, jitter and loss pooled over `AUDIO`; and each
/// participant's pooled values, for a rollup. `sample_groups[i]` is participant `i`'s
/// samples by their values of the sample dimensions.
pub(crate) fn breakdowns(
    table: &Table,
    degraded: &[u64],
    sample_groups: Vec<SampleGroups>,
) -> (Breakdowns, Vec<[Vec<u32>; 3]>, SampleValues) {
    let mut out = Breakdowns::default();
    let participants: Vec<_> = table.participants().collect();
    let gathered: Vec<[Vec<u32>; 3]> = participants
        .iter()
        .map(|&p| audio_values(table, p))
        .collect();
    let mut pooled: Vec<u32> = Vec::new();
    for dimension in Dimension::ALL {
        let values = out.get_mut(dimension);
        for (value, members) in groups(&participants, dimension) {
            let mut p95 = |which: usize| {
                pooled.clear();
                for &index in &members {
                    pooled.extend_from_slice(&gathered[index][which]);
                }
                p95(which, &mut pooled)
            };
            let (latency_ms_p95, jitter_ms_p95, avg_loss_pct_p95) = (p95(0), p95(1), p95(2));
            let breakdown = Breakdown {
                participants: members.len() as u64,
                samples: members
                    .iter()
                    .map(|&i| participants[i].rows().len() as u64)
                    .sum(),
                degraded: members
                    .iter()
                    .map(|&i| degraded.get(i).copied().unwrap_or(0))
                    .sum(),
                latency_ms_p95,
                jitter_ms_p95,
                avg_loss_pct_p95,
            };
            values.insert(value.to_owned(), breakdown);
        }
    }
    // The sample dimensions: each participant's groups pooled by value. A participant
    // whose samples all have one value (the usual case) brings the audio values gathered
    // above; only the others are read row by row.
    let mut merged: BTreeMap<(usize, &str), Merged> = BTreeMap::new();
    for (participant, groups) in sample_groups.into_iter().enumerate() {
        let all_rows = participants
            .get(participant)
            .map_or(0, |p| p.rows().len() as u64);
        for (dimension, value, tally) in groups.groups {
            let value = sample_value_name(table, dimension, value);
            let (breakdown, members) = merged.entry((dimension as usize, value)).or_default();
            breakdown.participants += 1;
            breakdown.samples += tally.samples;
            breakdown.degraded += tally.degraded;
            // Only a value holding some of the participant's samples reads them again, a
            // column at a time.
            let some = (tally.samples != all_rows).then(|| {
                BREAKDOWN_METRICS.map(|metric| {
                    let mut values = Vec::with_capacity(tally.rows.len() * AUDIO.len());
                    for stream in AUDIO {
                        if let Some(columns) = table.stream(stream) {
                            columns.gather(metric, &tally.rows, |v| values.extend(v));
                        }
                    }
                    values
                })
            });
            members.push(Member { participant, some });
        }
    }
    let mut sample_values = Vec::with_capacity(merged.len());
    for ((dimension, value), (mut breakdown, members)) in merged {
        let dimension = Dimension::ALL[dimension];
        let mut p95 = |which: usize| {
            pooled.clear();
            for member in &members {
                let values = match &member.some {
                    Some(audio) => &audio[which],
                    None => &gathered[member.participant][which],
                };
                pooled.extend_from_slice(values);
            }
            p95(which, &mut pooled)
        };
        breakdown.latency_ms_p95 = p95(0);
        breakdown.jitter_ms_p95 = p95(1);
        breakdown.avg_loss_pct_p95 = p95(2);
        out.get_mut(dimension).insert(value.to_owned(), breakdown);
        sample_values.push((dimension, value.to_owned(), members));
    }
    (out, gathered, sample_values)
}
