//! When: runs of degraded samples of one participant entry, in time order.

use super::thresholds::SampleFlags;
use crate::record::Table;
use crate::report::{Episode, Flag, FlagCounts, Worst};
use crate::schema::{Metric, Stream};
use crate::units::Rfc3339;

/// A sample with a valid time: where it is and which flags it raised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimedSample {
    pub(crate) time_s: i64,
    pub(crate) row: usize,
    pub(crate) flags: SampleFlags,
}

/// How episodes are cut (see [`Thresholds`](crate::Thresholds)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cut {
    pub(crate) gap_s: u32,
    pub(crate) min_samples: u32,
}

/// The episodes of one participant entry, from its timed samples in any order: sorted by
/// time (then row, so that equal times keep input order), a run of degraded samples
/// each at most `gap_s` after the one before, of at least `min_samples`.
pub(crate) fn find(
    table: &Table,
    timed: &mut [TimedSample],
    cut: Cut,
    participant: u64,
    user_name: &str,
) -> Vec<Episode> {
    timed.sort_unstable_by_key(|s| (s.time_s, s.row));
    let mut episodes = Vec::new();
    let mut start = 0;
    while start < timed.len() {
        if !timed[start].flags.any() {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < timed.len()
            && timed[end].flags.any()
            && timed[end].time_s - timed[end - 1].time_s <= i64::from(cut.gap_s)
        {
            end += 1;
        }
        let run = &timed[start..end];
        if run.len() >= cut.min_samples as usize {
            episodes.push(episode(table, run, participant, user_name));
        }
        start = end;
    }
    episodes
}

fn episode(table: &Table, run: &[TimedSample], participant: u64, user_name: &str) -> Episode {
    let mut by_flag = FlagCounts::default();
    for sample in run {
        for flag in Flag::ALL {
            by_flag.add(flag, u64::from(sample.flags.has(flag)));
        }
    }
    let worst_of = |metric: Metric| {
        run.iter()
            .flat_map(|s| {
                Stream::AUDIO_VIDEO
                    .iter()
                    .filter_map(move |&stream| table.stream(stream)?.value(metric, s.row))
            })
            .fold(None, |worst: Option<f64>, v| {
                Some(worst.map_or(v, |w| w.max(v)))
            })
    };
    let (first, last) = (run[0], run[run.len() - 1]);
    Episode {
        participant,
        user_name: user_name.to_owned(),
        start: Rfc3339(first.time_s).to_string(),
        end: Rfc3339(last.time_s).to_string(),
        samples: run.len() as u64,
        by_flag,
        worst: Worst {
            latency_ms: worst_of(Metric::Latency),
            jitter_ms: worst_of(Metric::Jitter),
            avg_loss_pct: worst_of(Metric::AvgLoss),
        },
    }
}

/// Longest first, then earliest, then by participant.
pub(crate) fn sort(episodes: &mut [Episode]) {
    episodes.sort_by(|a, b| {
        b.samples
            .cmp(&a.samples)
            .then_with(|| a.start.cmp(&b.start))
            .then(a.participant.cmp(&b.participant))
    });
}
