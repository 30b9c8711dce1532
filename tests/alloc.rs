//! The zero-copy claim, counted: a global allocator that counts allocations (its own test
//! binary, one test, so nothing else allocates meanwhile).
//!
//! Run with `cargo test --test alloc -- --nocapture` to see the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use zoom_qos::{Decoder, Table, raw, synth};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let value = f();
    (value, ALLOCATIONS.load(Ordering::Relaxed) - before)
}

#[test]
fn decoding_into_a_reused_table_allocates_independently_of_the_sample_count() {
    let short = synth::page(1, 10, 60).into_bytes();
    let long = synth::page(2, 10, 480).into_bytes();
    let mut decoder = Decoder::default();
    let mut table = Table::new();

    // Warm-up: the buffers, the tape and the columns grow to the largest page once.
    decoder
        .decode(&mut long.clone(), &mut table)
        .expect("warm-up");
    let bytes_per_sample = table.bytes_per_sample();
    // The target is for the 6 main streams + cpu + time; Wi-Fi adds 3 × i16 when present.
    assert!(table.has_rssi());
    let main_bytes_per_sample = bytes_per_sample - 6;
    let json_per_sample = long.len() / table.samples();

    let mut runs = Vec::new();
    for (name, page) in [
        ("10 x 60", &short),
        ("10 x 480", &long),
        ("10 x 60", &short),
    ] {
        let mut input = page.clone();
        table.clear();
        let (result, allocations) = counted(|| decoder.decode(&mut input, &mut table));
        result.expect("decodes");
        runs.push((name, table.samples(), allocations));
    }
    for (name, samples, allocations) in &runs {
        println!(
            "decode {name} ({samples} samples) into a reused table: {allocations} allocations"
        );
    }
    println!(
        "table: {main_bytes_per_sample} bytes/sample (6 main streams + cpu + time), \
         {bytes_per_sample} with Wi-Fi; JSON: {json_per_sample} bytes/sample"
    );
    assert_eq!(runs[0].1, 600);
    assert_eq!(runs[1].1, 4800);
    assert!(
        runs.iter().all(|&(_, _, a)| a == runs[0].2),
        "allocations must not depend on the number of samples: {runs:?}"
    );
    assert_eq!(runs[0].2, 0, "after warm-up nothing allocates at all");
    assert!(main_bytes_per_sample <= 128, "{main_bytes_per_sample}");
    assert!(
        json_per_sample >= 10 * main_bytes_per_sample,
        "at least 10x smaller than compact JSON"
    );

    // The borrowed views: one Vec per list, never a String per field.
    let mut input = short.clone();
    let (page, allocations) =
        counted(|| raw::Page::from_slice(&mut input).map(|p| p.participants.len()));
    assert_eq!(page.expect("views"), 10);
    let strings: usize = 600 * 40;
    println!("views of 10 x 60 ({strings}+ strings): {allocations} allocations");
    assert!(
        allocations < 600,
        "views must not allocate per field: {allocations}"
    );
}
