//! The command's file splitting (one page, an array of pages, NDJSON) on arbitrary bytes:
//! ranges are in bounds, ordered, non-empty and non-overlapping; each decodes or errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoom_qos::{Decoder, Table};
use zoom_qos_cli::input::split_pages;

fuzz_target!(|data: &[u8]| {
    let pages = split_pages(data);
    let mut end = 0;
    for range in &pages {
        assert!(range.start >= end && range.start < range.end && range.end <= data.len(), "{range:?}");
        assert!(!matches!(data[range.start], b' ' | b'\t' | b'\r' | b'\n'), "a page starts at a value");
        end = range.end;
    }
    // Bytes outside every range are white space or the array's own punctuation.
    let mut covered = vec![false; data.len()];
    for range in &pages {
        covered[range.clone()].iter_mut().for_each(|c| *c = true);
    }
    let stray = data.iter().zip(&covered).filter(|&(b, c)| !c && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'[' | b']' | b',')).count();
    assert_eq!(stray, 0);
    let mut decoder = Decoder::default();
    let mut table = Table::new();
    for range in pages {
        let mut page = data[range].to_vec();
        let _ = decoder.decode(&mut page, &mut table);
    }
    table.check_invariants().expect("invariants");
});
