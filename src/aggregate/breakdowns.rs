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

/// The latency, jitter and loss of one sample over `AUDIO`, stored values, into `values`.
pub(crate) fn push_sample_audio(table: &Table, row: usize, values: &mut [Vec<u32>; 3]) {
    for stream in AUDIO {
        if let Some(columns) = table.stream(stream) {
            for (which, metric) in BREAKDOWN_METRICS.into_iter().enumerate() {
                values[which].extend(columns.stored(metric, row));
            }
        }
    }
}

/// The samples of one participant with one value of a dimension of each sample's value
/// (Wi-Fi band, CPU pressure): how many, how many degraded, and their audio values.
#[derive(Debug, Default)]
pub(crate) struct SampleTally {
    pub(crate) samples: u64,
    pub(crate) degraded: u64,
    pub(crate) audio: [Vec<u32>; 3],
}

/// A participant's samples by their value of the sample dimensions, in the order met.
pub(crate) type SampleGroups<'t> = Vec<(Dimension, &'t str, SampleTally)>;

/// Counts a sample into its group of `groups`.
pub(crate) fn tally<'t>(
    groups: &mut SampleGroups<'t>,
    table: &Table,
    row: usize,
    (dimension, value): (Dimension, &'t str),
    degraded: bool,
) {
    let at = match groups
        .iter()
        .position(|(d, v, _)| *d == dimension && *v == value)
    {
        Some(at) => at,
        None => {
            groups.push((dimension, value, SampleTally::default()));
            groups.len() - 1
        }
    };
    let tally = &mut groups[at].2;
    tally.samples += 1;
    tally.degraded += u64::from(degraded);
    push_sample_audio(table, row, &mut tally.audio);
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

/// A value's breakdown of a sample dimension, and its audio values, while merged.
type Merged = (Breakdown, [Vec<u32>; 3]);

/// A meeting's audio values per value of a sample dimension, pooled over its participants
/// (for a rollup).
pub(crate) type SampleValues = Vec<(Dimension, String, [Vec<u32>; 3])>;

/// Per dimension and value: participants, samples, degraded samples (`degraded[i]` is
/// participant `i`'s) and the p95 of latency, jitter and loss pooled over `AUDIO`; and each
/// participant's pooled values, for a rollup. `sample_groups[i]` is participant `i`'s
/// samples by their values of the sample dimensions.
pub(crate) fn breakdowns(
    table: &Table,
    degraded: &[u64],
    sample_groups: Vec<SampleGroups<'_>>,
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
    // The sample dimensions: each participant's groups pooled by value.
    let mut merged: BTreeMap<(usize, &str), Merged> = BTreeMap::new();
    for groups in sample_groups {
        for (dimension, value, tally) in groups {
            let (breakdown, audio) = merged.entry((dimension as usize, value)).or_default();
            breakdown.participants += 1;
            breakdown.samples += tally.samples;
            breakdown.degraded += tally.degraded;
            for (all, mine) in audio.iter_mut().zip(tally.audio) {
                all.extend(mine);
            }
        }
    }
    let mut sample_values = Vec::with_capacity(merged.len());
    for ((dimension, value), (mut breakdown, mut audio)) in merged {
        let dimension = Dimension::ALL[dimension];
        breakdown.latency_ms_p95 = p95(0, &mut audio[0]);
        breakdown.jitter_ms_p95 = p95(1, &mut audio[1]);
        breakdown.avg_loss_pct_p95 = p95(2, &mut audio[2]);
        out.get_mut(dimension).insert(value.to_owned(), breakdown);
        sample_values.push((dimension, value.to_owned(), audio));
    }
    (out, gathered, sample_values)
}
