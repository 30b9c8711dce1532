//! Why: a meeting's samples broken down by the participants' network, data center, device
//! and client version.

use std::collections::BTreeMap;

use super::nearest_rank_index;
use crate::record::Table;
use crate::report::{Breakdown, Breakdowns, Dimension};
use crate::schema::{Metric, Stream};

/// The streams whose values the breakdowns pool: what a participant sends and receives.
const AUDIO: [Stream; 2] = [Stream::AudioInput, Stream::AudioOutput];

/// Per dimension and value: participants, samples, degraded samples (`degraded[i]` is
/// participant `i`'s) and the p95 of latency, jitter and loss pooled over `AUDIO`.
pub(crate) fn breakdowns(table: &Table, degraded: &[u64]) -> Breakdowns {
    let mut out = Breakdowns::default();
    let participants: Vec<_> = table.participants().collect();
    for dimension in Dimension::ALL {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, participant) in participants.iter().enumerate() {
            let value = participant.field(dimension.field()).trim();
            let value = if value.is_empty() {
                Dimension::UNKNOWN
            } else {
                value
            };
            groups.entry(value).or_default().push(index);
        }
        let values = out.get_mut(dimension);
        for (value, members) in groups {
            let p95 = |metric: Metric| {
                let mut pooled: Vec<u32> = Vec::new();
                for &index in &members {
                    for stream in AUDIO {
                        if let Some(columns) = table.stream(stream) {
                            let rows = participants[index].rows();
                            columns.for_each_present(metric, rows, |v| pooled.push(v));
                        }
                    }
                }
                let rank = nearest_rank_index(pooled.len(), 95)?;
                let (_, stored, _) = pooled.select_nth_unstable(rank);
                metric.descriptor().to_report_unit(*stored)
            };
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
                latency_ms_p95: p95(Metric::Latency),
                jitter_ms_p95: p95(Metric::Jitter),
                avg_loss_pct_p95: p95(Metric::AvgLoss),
            };
            values.insert(value.to_owned(), breakdown);
        }
    }
    out
}
