//! The command's file splitting (one page, an array of pages, NDJSON) on arbitrary bytes:
//! ranges are in bounds, ordered, non-empty and non-overlapping; and the command's reading
//! of a file (tried whole first) gives the same table and error as splitting alone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoom_qos::{DecodeConfig, Decoder, Table};
use zoom_qos_cli::runner::{FileError, Progress, Reading, Worker};
use zoom_qos_cli::pages::split_pages;

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
    // Oracle for the command's whole-file try: splitting alone, page by page up to the
    // first failure. Both must leave the same table and the same error.
    let mut decoder = Decoder::default();
    let mut table = Table::new();
    let mut split_only = if pages.is_empty() {
        Err(FileError {
            offset: 0,
            message: "no JSON document in the file (it is empty or blank)".to_owned(),
        })
    } else {
        Ok(())
    };
    for range in pages {
        let mut page = data[range.clone()].to_vec();
        if let Err(error) = decoder.decode(&mut page, &mut table) {
            split_only = Err(FileError::page(&error, range.start));
            break;
        }
    }
    table.check_invariants().expect("invariants");
    let mut worker = Worker::new(Reading {
        decode: DecodeConfig::default(),
        max_file_bytes: u64::MAX,
        hash_files: false,
    });
    let command = worker.decode_bytes("fuzz.json", data, &Progress::default());
    assert_eq!(command, split_only);
    assert_eq!(worker.table(), &table);
    // A JSON error's offset lies in the file.
    if let Err(error) = &command {
        assert!(error.offset <= data.len(), "{error:?}");
    }
});
