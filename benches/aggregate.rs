//! `aggregate`: one meeting's report, sequential and with rayon, beside a sort-everything
//! baseline, and beside the parse of the same meeting (the report should cost a fraction).

use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use zoom_qos::synth::{self, MeetingShape};
use zoom_qos::{Analysis, Decoder, Metric, Table};

/// A large meeting: 100 participants for 3 hours (10 pages of the API's largest size).
const SHAPE: MeetingShape = MeetingShape {
    participants: 100,
    minutes: 180,
};

fn decode_all(pages: &[Vec<u8>], table: &mut Table) {
    let mut decoder = Decoder::default();
    for page in pages {
        decoder.decode(&mut page.clone(), table).expect("decodes");
    }
}

/// The baseline: every metric's values gathered as f64, sorted with `partial_cmp`, and the
/// percentiles read off; MOS per sample likewise. No flags, no grades: a lower bound.
fn sort_everything(table: &Table) -> f64 {
    let mut checksum = 0.0;
    for (stream, columns) in table.streams() {
        for metric in stream.metrics() {
            let mut values: Vec<f64> = (0..table.samples())
                .filter_map(|row| columns.value(*metric, row))
                .collect();
            values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            if let Some(last) = values.last() {
                checksum += values[values.len() / 2] + last;
            }
        }
        if let Some(audio) = table.stream(stream).filter(|_| !stream.has_picture()) {
            let mut mos: Vec<f64> = (0..table.samples())
                .filter_map(|row| {
                    let l = audio.value(Metric::Latency, row)?;
                    let j = audio.value(Metric::Jitter, row)?;
                    let p = audio.value(Metric::AvgLoss, row)?;
                    Some(zoom_qos::aggregate::mos_estimate(l, j, p))
                })
                .collect();
            mos.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            checksum += mos.first().copied().unwrap_or(0.0);
        }
    }
    checksum
}

fn aggregate(c: &mut Criterion) {
    let pages: Vec<Vec<u8>> = synth::meeting_pages(5, SHAPE)
        .into_iter()
        .map(String::into_bytes)
        .collect();
    let mut table = Table::new();
    decode_all(&pages, &mut table);
    let samples = table.samples();
    assert_eq!(samples, SHAPE.participants * SHAPE.minutes);

    let mut group = c.benchmark_group("aggregate");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(samples as u64));
    let size = format!("{}x{}", SHAPE.participants, SHAPE.minutes);

    let sequential = Analysis::new().sequential(true);
    group.bench_function(BenchmarkId::new("report_sequential", &size), |b| {
        b.iter(|| assert_eq!(sequential.meeting("m", &table).samples, samples as u64))
    });
    let parallel = Analysis::new();
    group.bench_function(BenchmarkId::new("report_rayon", &size), |b| {
        b.iter(|| assert_eq!(parallel.meeting("m", &table).samples, samples as u64))
    });
    group.bench_function(BenchmarkId::new("sort_everything_baseline", &size), |b| {
        b.iter(|| assert!(sort_everything(&table) > 0.0))
    });
    // The same meeting's parse, for the report-to-parse ratio (single thread both).
    let mut scratch = Table::new();
    let mut decoder = Decoder::default();
    group.bench_function(BenchmarkId::new("parse_same_meeting", &size), |b| {
        b.iter_batched_ref(
            || pages.clone(),
            |pages| {
                scratch.clear();
                for page in pages.iter_mut() {
                    decoder.decode(page, &mut scratch).expect("decodes");
                }
                assert_eq!(scratch.samples(), samples);
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, aggregate);
criterion_main!(benches);
