//! The zero-copy claim, counted: a global allocator that counts allocations and tracks the
//! peak of live heap bytes (its own test binary, one test, so nothing else allocates
//! meanwhile).
//!
//! Run with `cargo test --test alloc -- --nocapture` to see the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use zoom_qos::{DecodeConfig, Decoder, ErrorKind, Table, synth, view};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE_BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // Counted as the allocator may do it: the new block while the old one is live.
        grew(new_size);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
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

/// The most heap bytes live above the level at the start, while `f` runs.
fn peak_above_start<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(start, Ordering::Relaxed);
    let value = f();
    (value, PEAK_BYTES.load(Ordering::Relaxed) - start)
}

#[test]
fn decoding_allocates_nothing_per_sample_and_memory_is_proportional_to_the_page() {
    let short = synth::page(1, 10, 60).into_bytes();
    let long = synth::page(2, 10, 480).into_bytes();

    // Cold: a new decoder and table, so the peak includes every buffer growing once.
    let mut peaks = Vec::new();
    for page in [&short, &long] {
        let mut input = page.clone();
        let (samples, peak) = peak_above_start(|| {
            let mut table = Table::new();
            Decoder::default()
                .decode(&mut input, &mut table)
                .expect("decodes");
            table.samples()
        });
        let ratio = peak as f64 / page.len() as f64;
        println!(
            "decode {samples} samples ({} bytes of JSON) cold: peak heap {peak} bytes, \
             {ratio:.1}x the page",
            page.len()
        );
        peaks.push(ratio);
    }
    // Mostly simd-json's: it reserves a 24-byte tape node per structural character (about
    // 5x the page here), and keeps a padded copy of the page, a string buffer as large, and
    // 4-byte structural indexes. The columns add about a tenth.
    assert!(
        peaks.iter().all(|&ratio| ratio < 10.0),
        "peak heap over 10x the page: {peaks:?}"
    );
    assert!(
        (peaks[1] / peaks[0] - 1.0).abs() < 0.25,
        "peak heap per page byte should not depend on the page's size: {peaks:?}"
    );

    let mut decoder = Decoder::default();
    let mut table = Table::new();

    // Warm-up: the buffers, the tape and the columns grow to the largest page once, and
    // every column widens to what either page needs (a value with decimals, say).
    decoder
        .decode(&mut short.clone(), &mut table)
        .expect("warm-up");
    table.clear();
    decoder
        .decode(&mut long.clone(), &mut table)
        .expect("warm-up");
    let bytes_per_sample = table.bytes_per_sample();
    // The target is for the 6 main streams + cpu + time: the same page with its Wi-Fi
    // blocks, CPU pressure levels and quality fields renamed (to keys the decoder skips,
    // of the same length) gives that figure.
    assert!(table.has_rssi());
    let main_bytes_per_sample = {
        let text = String::from_utf8(long.clone()).expect("utf-8");
        let mut without_wifi = text
            .replace("\"wifi_rssi\"", "\"wifi_xxxx\"")
            .replace("\"cpu_pressure_level\"", "\"cpu_pressure_xxxxx\"")
            .replace("\"quality", "\"qualitx")
            .into_bytes();
        let mut main = Table::new();
        Decoder::default()
            .decode(&mut without_wifi, &mut main)
            .expect("decodes");
        assert!(!main.has_rssi() && main.samples() == table.samples());
        main.bytes_per_sample()
    };
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
         {bytes_per_sample} with Wi-Fi, CPU pressure and quality; JSON: {json_per_sample} bytes/sample"
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
        counted(|| view::Page::from_slice(&mut input).map(|p| p.participants.len()));
    assert_eq!(page.expect("views"), 10);
    let strings: usize = 600 * 40;
    println!("views of 10 x 60 ({strings}+ strings): {allocations} allocations");
    assert!(
        allocations < 600,
        "views must not allocate per field: {allocations}"
    );

    // The parse-memory limit bounds the parser's real peak: for pages of every density,
    // the least limit that lets a page through (found by bisection) is at least what a
    // new decoder then takes to decode it (into a table already grown to the page: the
    // table is the output, not the parser's working memory).
    let dense = |unit: &str, count: usize, open: &str, close: &str| {
        let mut page = String::from(open);
        page.push_str(&unit.repeat(count));
        page.push_str(close);
        page.into_bytes()
    };
    let pages = [
        ("10 x 480 synthetic", long.clone()),
        ("1 MiB of [", dense("[", 1 << 20, "", "")),
        (
            "empty lists",
            dense("[],", 1 << 18, r#"{"participants":["#, "[]]}"),
        ),
        (
            "empty samples",
            dense(
                "{},",
                1 << 18,
                r#"{"participants":[{"user_qos":["#,
                "{}]}]}",
            ),
        ),
    ];
    for (name, page) in pages {
        let accepts = |limit: u64| {
            let config = DecodeConfig::new().max_parse_bytes(limit);
            let result = Decoder::new(config).decode(&mut page.clone(), &mut Table::new());
            !matches!(result, Err(e) if matches!(e.kind(), ErrorKind::ParseMemory { .. }))
        };
        let (mut refused, mut accepted) = (0u64, 64 * page.len() as u64);
        assert!(accepts(accepted), "{name}");
        while accepted - refused > 1 {
            let mid = refused + (accepted - refused) / 2;
            if accepts(mid) {
                accepted = mid;
            } else {
                refused = mid;
            }
        }
        let mut grown = Table::new();
        // (`[[[...` is no JSON a parser accepts: it fails, deep down, once parsed.)
        let _ = Decoder::default().decode(&mut page.clone(), &mut grown);
        grown.clear();
        let mut input = page.clone();
        let (_, peak) = peak_above_start(|| {
            let config = DecodeConfig::new().max_parse_bytes(accepted);
            Decoder::new(config).decode(&mut input, &mut grown)
        });
        println!(
            "{name}: {} bytes, limit needed {accepted} ({:.1}x), peak {peak} ({:.1}x)",
            page.len(),
            accepted as f64 / page.len() as f64,
            peak as f64 / page.len() as f64
        );
        assert!(
            peak as u64 <= accepted,
            "{name}: peak {peak} > limit {accepted}"
        );
    }
}
