//! A benchmark peer of `zoom-qos analyze` (see `benches/whole_process.rs`): reads every
//! `.json` file under the folders given and builds simd-json's tape of it, nothing else.
//! The floor of any command that parses with simd-json: files read into one reused,
//! padded buffer and parsed where they lie, as `zoom-qos` does. With `--copy` it calls
//! `simd_json::fill_tape` instead, which copies each file into a padded buffer of its own
//! first: the reader the first measurement used.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use simd_json::{Buffers, INPUT_PADDING, Tape, fill_tape_padded};

fn main() -> ExitCode {
    let mut files = Vec::new();
    let mut copy = false;
    for arg in std::env::args_os().skip(1) {
        if arg == "--copy" {
            copy = true;
        } else {
            collect(Path::new(&arg), &mut files);
        }
    }
    files.sort();
    let mut buffer = Vec::new();
    let mut buffers = Buffers::default();
    let mut tape: Tape<'static> = Tape::null();
    let (mut nodes, mut bytes, mut failed) = (0usize, 0usize, 0usize);
    for file in &files {
        buffer.clear();
        if File::open(file)
            .and_then(|mut f| f.read_to_end(&mut buffer))
            .is_err()
        {
            failed += 1;
            continue;
        }
        let len = buffer.len();
        bytes += len;
        let mut filled = tape.reset();
        let result = if copy {
            simd_json::fill_tape(&mut buffer, &mut buffers, &mut filled)
        } else {
            buffer.resize(len + INPUT_PADDING, b' ');
            fill_tape_padded(&mut buffer, len, &mut buffers, &mut filled)
        };
        match result {
            Ok(()) => nodes += filled.0.len(),
            Err(_) => failed += 1,
        }
        tape = filled.reset();
    }
    println!(
        "{} files, {bytes} bytes, {nodes} tape nodes, {failed} failed",
        files.len()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            collect(&entry.path(), files);
        }
    } else if path.extension().is_some_and(|e| e == "json") {
        files.push(path.to_owned());
    }
}
