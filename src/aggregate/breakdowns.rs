//! Why: a meeting's samples broken down by the participants' network, data center, device
//! and client version.

use std::collections::BTreeMap;

use super::nearest_rank_index;
use crate::record::{ParticipantRef, Table};
use crate::report::{Breakdown, Breakdowns, Dimension};
use crate::schema::{Metric, Stream};

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

/// A participant's value of a dimension: blank or absent is `unknown`.
pub(crate) fn dimension_value<'t>(
    participant: ParticipantRef<'t>,
    dimension: Dimension,
) -> &'t str {
    let value = participant.field(dimension.field()).trim();
    if value.is_empty() {
        Dimension::UNKNOWN
    } else {
        value
    }
}

/// The participants (indices into `participants`) by their value of a dimension.
pub(crate) fn groups<'t>(
    participants: &[ParticipantRef<'t>],
    dimension: Dimension,
) -> BTreeMap<&'t str, Vec<usize>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, &participant) in participants.iter().enumerate() {
        groups
            .entry(dimension_value(participant, dimension))
            .or_default()
            .push(index);
    }
    groups
}

/// Per dimension and value: participants, samples, degraded samples (`degraded[i]` is
/// participant `i`'s) and the p95 of latency, jitter and loss pooled over `AUDIO`; and each
/// participant's pooled values, for a rollup.
pub(crate) fn breakdowns(table: &Table, degraded: &[u64]) -> (Breakdowns, Vec<[Vec<u32>; 3]>) {
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
                let rank = nearest_rank_index(pooled.len(), 95)?;
                let (_, stored, _) = pooled.select_nth_unstable(rank);
                BREAKDOWN_METRICS[which]
                    .descriptor()
                    .to_report_unit(*stored)
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
    (out, gathered)
}
