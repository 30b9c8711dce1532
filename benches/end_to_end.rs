//! `end_to_end`: a generated corpus of at least 100 MB through the whole pipeline (pages to
//! tables to reports), with one thread and with all threads.

use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use zoom_qos::synth::{self, MeetingShape, Rng};
use zoom_qos::{Analysis, Decoder, MeetingReport, Table};

const CORPUS_BYTES: usize = 100_000_000;

/// Meetings of pages, generated until the corpus holds `CORPUS_BYTES`.
fn corpus() -> Vec<Vec<Vec<u8>>> {
    let mut rng = Rng::new(11);
    let mut meetings = Vec::new();
    let mut bytes = 0;
    while bytes < CORPUS_BYTES {
        let pages: Vec<Vec<u8>> =
            synth::meeting_pages(rng.next_u64(), MeetingShape::random(&mut rng))
                .into_iter()
                .map(String::into_bytes)
                .collect();
        bytes += pages.iter().map(Vec::len).sum::<usize>();
        meetings.push(pages);
    }
    // Largest first, as the command schedules them: no big meeting is left for last.
    meetings.sort_by_key(|pages| std::cmp::Reverse(pages.iter().map(Vec::len).sum::<usize>()));
    meetings
}

/// The whole job: each meeting's pages into a table, then its report; meetings in
/// parallel, each worker reusing one table and decoder, each report computed on its
/// worker (the meetings already keep every thread busy).
fn pipeline(meetings: &mut [Vec<Vec<u8>>], analysis: &Analysis) -> Vec<MeetingReport> {
    meetings
        .par_iter_mut()
        .map_init(
            || (Table::new(), Decoder::default()),
            |(table, decoder), pages| {
                table.clear();
                for page in pages.iter_mut() {
                    decoder.decode(page, table).expect("decodes");
                }
                analysis.meeting("m", table)
            },
        )
        .collect()
}

fn end_to_end(c: &mut Criterion) {
    let meetings = corpus();
    let bytes: usize = meetings.iter().flatten().map(Vec::len).sum();
    let analysis = Analysis::new().sequential(true);
    let expected: u64 = pipeline(&mut meetings.clone(), &analysis)
        .iter()
        .map(|r| r.samples)
        .sum();

    let mut group = c.benchmark_group("end_to_end");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::BytesDecimal(bytes as u64));
    let all = std::thread::available_parallelism().map_or(2, |n| n.get());
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter_batched_ref(
                || meetings.clone(),
                |corpus| {
                    let reports = pool.install(|| pipeline(corpus, &analysis));
                    assert_eq!(reports.iter().map(|r| r.samples).sum::<u64>(), expected);
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
