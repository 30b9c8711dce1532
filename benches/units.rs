//! `units`: each unit parser beside `str::parse` after stripping the suffix, on the same
//! strings (the generator's spellings). Both sides must agree on the checksum.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use zoom_qos::synth::Rng;
use zoom_qos::units;

type Parser = fn(&[u8]) -> Option<u64>;

fn spellings(kind: &str, count: usize) -> Vec<String> {
    let mut rng = Rng::new(7);
    (0..count)
        .map(|_| match kind {
            "bitrate" => format!("{} kbps", rng.range(20, 2500)),
            "millis" => format!("{} ms", rng.range(0, 900)),
            "loss" => format!("{}.{}%", rng.range(0, 10), rng.range(0, 10)),
            _ => format!("{} fps", rng.range(0, 31)),
        })
        .collect()
}

fn units(c: &mut Criterion) {
    let mut group = c.benchmark_group("units");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let kinds: [(&str, &str, u64, Parser); 4] = [
        ("bitrate", " kbps", 1000, |b| {
            units::bitrate_bps(b).ok().flatten().map(u64::from)
        }),
        ("millis", " ms", 100, |b| {
            units::millis_10us(b).ok().flatten().map(u64::from)
        }),
        ("loss", "%", 100, |b| {
            units::loss_bp(b).ok().flatten().map(u64::from)
        }),
        ("frame_rate", " fps", 100, |b| {
            units::frame_rate_cfps(b).ok().flatten().map(u64::from)
        }),
    ];
    for (kind, suffix, scale, parse) in kinds {
        let inputs = spellings(kind, 4096);
        group.throughput(Throughput::Elements(inputs.len() as u64));
        let want: u64 = inputs
            .iter()
            .map(|s| {
                (s.trim_end_matches(suffix).parse::<f64>().unwrap_or(0.0) * scale as f64).round()
                    as u64
            })
            .sum();
        group.bench_function(BenchmarkId::new("zoom_qos", kind), |b| {
            b.iter(|| {
                let sum: u64 = inputs
                    .iter()
                    .map(|s| parse(s.as_bytes()).unwrap_or(0))
                    .sum();
                assert_eq!(sum, want);
            })
        });
        group.bench_function(BenchmarkId::new("str_parse_f64", kind), |b| {
            b.iter(|| {
                let sum: f64 = inputs
                    .iter()
                    .map(|s| s.trim_end_matches(suffix).parse::<f64>().unwrap_or(0.0))
                    .sum();
                assert_eq!((sum * scale as f64).round() as u64, want);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, units);
criterion_main!(benches);
