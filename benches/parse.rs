//! `parse`: bytes to numbers. This crate's pipeline (tape walk + unit parsing + columns)
//! beside the parse floor and the peers' borrowed-struct parses, on the same bytes.

mod common;

use std::time::Duration;

use common::{OwnedPage, PeerPage};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simd_json::{Buffers, Tape};
use zoom_qos::{Decoder, Table, view};

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (participants, minutes) in common::PAGES {
        let input = common::page(participants, minutes);
        let samples = participants * minutes;
        let size = format!("{participants}x{minutes}");
        group.throughput(Throughput::BytesDecimal(input.len() as u64));
        // simd-json unescapes in place, so every run gets a fresh copy (not timed).
        let fresh = || input.clone();

        let mut decoder = Decoder::default();
        let mut table = Table::new();
        group.bench_function(BenchmarkId::new("zoom_qos_pipeline", &size), |b| {
            b.iter_batched_ref(
                fresh,
                |buf| {
                    table.clear();
                    decoder.decode(buf, &mut table).expect("decodes");
                    assert_eq!(table.samples(), samples);
                },
                BatchSize::LargeInput,
            )
        });

        let mut buffers = Buffers::default();
        let mut tape_store: Tape<'static> = Tape(Vec::new());
        group.bench_function(BenchmarkId::new("simd_json_to_tape", &size), |b| {
            b.iter_batched_ref(
                fresh,
                |buf| {
                    let mut tape = std::mem::replace(&mut tape_store, Tape(Vec::new())).reset();
                    simd_json::fill_tape(buf, &mut buffers, &mut tape).expect("parses");
                    assert!(tape.0.len() > samples);
                    tape_store = tape.reset();
                },
                BatchSize::LargeInput,
            )
        });

        group.bench_function(BenchmarkId::new("simd_json_serde_borrowed", &size), |b| {
            b.iter_batched_ref(
                fresh,
                |buf| {
                    let page: PeerPage =
                        simd_json::serde::from_slice_with_buffers(buf, &mut buffers)
                            .expect("parses");
                    assert_eq!(page.samples(), samples);
                },
                BatchSize::LargeInput,
            )
        });

        group.bench_function(BenchmarkId::new("zoom_qos_views", &size), |b| {
            b.iter_batched_ref(
                fresh,
                |buf| {
                    let page = view::Page::from_slice(buf).expect("parses");
                    assert_eq!(
                        page.participants
                            .iter()
                            .map(|p| p.user_qos.len())
                            .sum::<usize>(),
                        samples
                    );
                },
                BatchSize::LargeInput,
            )
        });

        group.bench_function(BenchmarkId::new("sonic_rs_borrowed", &size), |b| {
            b.iter(|| {
                let page: PeerPage = sonic_rs::from_slice(&input).expect("parses");
                assert_eq!(page.samples(), samples);
            })
        });

        group.bench_function(BenchmarkId::new("serde_json_borrowed", &size), |b| {
            b.iter(|| {
                let page: PeerPage = serde_json::from_slice(&input).expect("parses");
                assert_eq!(page.samples(), samples);
            })
        });

        group.bench_function(BenchmarkId::new("naive_owned_str_parse", &size), |b| {
            b.iter(|| {
                let page: OwnedPage = serde_json::from_slice(&input).expect("parses");
                let (n, sum) = common::naive_numbers(&page);
                assert_eq!(n, samples);
                assert!(sum > 0.0);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
