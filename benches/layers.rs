//! `layers`: where the pipeline's time goes, by adding one layer at a time on the same
//! page: simd-json's tape; then walking every stream metric of the tape; then looking the
//! keys up; then parsing the unit strings; then the whole decode (which writes columns).

use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simd_json::prelude::*;
use simd_json::tape::Value;
use simd_json::{Buffers, Tape};
use zoom_qos::{Decoder, Metric, Stream, Table};

/// How far the walk goes.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Layer {
    Walk,
    Keys,
    Units,
}

/// Walks every metric of every stream of every sample; returns a count so that the work
/// is kept (and checked).
fn walk(root: Value<'_, '_>, layer: Layer) -> u64 {
    let mut seen = 0;
    let participants = root.as_object().and_then(|page| page.get("participants"));
    for participant in participants
        .and_then(|p| p.as_array())
        .iter()
        .flat_map(|a| a.iter())
    {
        let samples = participant.as_object().and_then(|p| p.get("user_qos"));
        for sample in samples
            .and_then(|s| s.as_array())
            .iter()
            .flat_map(|a| a.iter())
        {
            for (key, block) in sample.as_object().iter().flat_map(|s| s.iter()) {
                let stream = if layer >= Layer::Keys {
                    Stream::from_api_name(key)
                } else {
                    Some(Stream::AudioInput)
                };
                let (Some(_), Some(block)) = (stream, block.as_object()) else {
                    continue;
                };
                for (key, value) in block.iter() {
                    let metric = if layer >= Layer::Keys {
                        Metric::from_api_name(key)
                    } else {
                        Some(Metric::Bitrate)
                    };
                    let (Some(metric), Some(text)) = (metric, value.into_string()) else {
                        continue;
                    };
                    seen += 1;
                    if layer >= Layer::Units {
                        // The parser the metric's descriptor names, as the decoder calls it.
                        let parsed = metric.descriptor().parse_stored(text.as_bytes());
                        seen += u64::from(parsed.is_ok());
                    }
                }
            }
        }
    }
    seen
}

fn layers(c: &mut Criterion) {
    let input = zoom_qos::synth::page(42, 10, 480).into_bytes();
    let mut group = c.benchmark_group("layers");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::BytesDecimal(input.len() as u64));
    let mut buffers = Buffers::default();
    let mut store: Tape<'static> = Tape(Vec::new());
    for (name, layer) in [
        ("1_tape", None),
        ("2_walk", Some(Layer::Walk)),
        ("3_keys", Some(Layer::Keys)),
        ("4_units", Some(Layer::Units)),
    ] {
        group.bench_function(BenchmarkId::new(name, "10x480"), |b| {
            b.iter_batched_ref(
                || input.clone(),
                |buf| {
                    let mut tape = std::mem::replace(&mut store, Tape(Vec::new())).reset();
                    simd_json::fill_tape(buf, &mut buffers, &mut tape).expect("parses");
                    if let Some(layer) = layer {
                        assert!(walk(tape.as_value(), layer) > 4800);
                    }
                    store = tape.reset();
                },
                BatchSize::LargeInput,
            )
        });
    }
    let mut decoder = Decoder::default();
    let mut table = Table::new();
    group.bench_function(BenchmarkId::new("5_decode", "10x480"), |b| {
        b.iter_batched_ref(
            || input.clone(),
            |buf| {
                table.clear();
                decoder.decode(buf, &mut table).expect("decodes");
                assert_eq!(table.samples(), 4800);
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, layers);
criterion_main!(benches);
