//! Arbitrary bytes as a page: decode, then report. No panic; on success the table's
//! invariants hold, and every STATS is consistent (count + missing = samples, ordered).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoom_qos::{Analysis, DecodeConfig, Decoder, Stats, Table};

fn check(stats: &Stats, samples: u64) {
    assert_eq!(stats.count + stats.missing, samples);
    let order = [stats.min, stats.p50, stats.p90, stats.p95, stats.p99, stats.max];
    if stats.count == 0 {
        assert!(order.iter().all(Option::is_none) && stats.mean.is_none());
        return;
    }
    let values: Vec<f64> = order.iter().map(|v| v.expect("present with count > 0")).collect();
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
    let mean = stats.mean.expect("mean");
    assert!(values[0] <= mean + 1e-9 && mean <= values[5] + 1e-9);
}

fuzz_target!(|data: &[u8]| {
    for strict in [false, true] {
        let mut table = Table::new();
        let mut input = data.to_vec();
        let result = Decoder::new(DecodeConfig::new().strict(strict)).decode(&mut input, &mut table);
        table.check_invariants().expect("invariants hold, even after a failed page");
        if result.is_err() {
            assert_eq!(table.samples(), 0, "a failed page leaves the table as it was");
            continue;
        }
        let report = Analysis::new().sequential(true).meeting("fuzz", &table);
        let samples = table.samples() as u64;
        assert_eq!(report.samples, samples);
        for (_, metrics) in report.streams.iter() {
            for (_, stats) in metrics.iter() {
                check(stats, samples);
            }
        }
        for (_, stats) in report.cpu.iter() {
            check(stats, samples);
        }
        check(&report.mos.audio_input, samples);
        check(&report.mos.audio_output, samples);
        let g = report.grades;
        assert_eq!(g.counts().iter().sum::<u64>(), report.participants);
        assert!(report.degraded.samples <= samples);
    }
});
