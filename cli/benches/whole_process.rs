//! `whole_process`: what a user runs, timed from outside the process, on one generated
//! corpus, against two peers: a tape-only reader (`qos-tape-only`: read each file, build
//! simd-json's tape, nothing else; with no copy, and with `fill_tape`'s copy as the issue
//! first measured it) and the naive whole job (`qos-naive`: serde_json into
//! owned strings, `str::parse`, sort-based percentiles). The commands run in turns, round
//! after round, so that a slow spell of this shared machine hits all of them; the ratios
//! are of medians.
//!
//! `cargo bench -p zoom-qos-cli --bench whole_process` (environment:
//! `WHOLE_PROCESS_MEETINGS`, default 80 (about 100 MB); `WHOLE_PROCESS_ROUNDS`, default 7).
//! With `--test` (as `cargo bench -- --test` runs it) it makes a small corpus, runs each
//! command once and checks that they all read the same samples.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ZOOM_QOS: &str = env!("CARGO_BIN_EXE_zoom-qos");
const TAPE_ONLY: &str = env!("CARGO_BIN_EXE_qos-tape-only");
const NAIVE: &str = env!("CARGO_BIN_EXE_qos-naive");

fn main() {
    let test = std::env::args().any(|a| a == "--test");
    let setting = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let meetings = if test {
        4
    } else {
        setting("WHOLE_PROCESS_MEETINGS", 80)
    };
    let rounds = if test {
        1
    } else {
        setting("WHOLE_PROCESS_ROUNDS", 7)
    };
    let corpus =
        std::env::temp_dir().join(format!("zoom-qos-whole-process-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&corpus);
    let generated = run(
        ZOOM_QOS,
        &[
            "generate",
            path(&corpus),
            "--meetings",
            &meetings.to_string(),
            "--seed",
            "1",
        ],
    );
    assert!(generated.status.success(), "generate failed");
    let bytes = corpus_bytes(&corpus);

    check_answers(&corpus);
    let corpus_arg = path(&corpus);
    let commands: [(&str, &str, Vec<&str>); 5] = [
        ("tape-only reader", TAPE_ONLY, vec![corpus_arg]),
        (
            "tape-only, fill_tape (copies)",
            TAPE_ONLY,
            vec!["--copy", corpus_arg],
        ),
        (
            "zoom-qos analyze --threads 1",
            ZOOM_QOS,
            vec!["analyze", corpus_arg, "--format", "json", "--threads", "1"],
        ),
        (
            "zoom-qos analyze (all threads)",
            ZOOM_QOS,
            vec!["analyze", corpus_arg, "--format", "json"],
        ),
        ("naive whole job", NAIVE, vec![corpus_arg]),
    ];
    // One warm-up run each: the corpus is then in the page cache for every command.
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); commands.len()];
    for round in 0..=rounds {
        for (index, (_, program, args)) in commands.iter().enumerate() {
            let start = Instant::now();
            let status = Command::new(program)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("runs");
            let elapsed = start.elapsed();
            assert!(status.success(), "{program} {args:?} failed");
            if round > 0 {
                times[index].push(elapsed);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&corpus);
    if test {
        println!("whole_process: every command ran once on {bytes} bytes; answers agree");
        return;
    }
    let medians: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
    println!(
        "whole process, {:.1} MB corpus ({meetings} meetings), {rounds} rounds, medians:",
        bytes as f64 / 1e6
    );
    for ((name, _, _), seconds) in commands.iter().zip(&medians) {
        println!(
            "  {name:<32} {seconds:>8.3} s  {:>7.1} MB/s",
            bytes as f64 / 1e6 / seconds
        );
    }
    let [tape, tape_copy, one, all, naive] =
        [medians[0], medians[1], medians[2], medians[3], medians[4]];
    println!(
        "  cost: zoom-qos 1 thread / tape-only reader   {:.2}  (target <= 1.5)",
        one / tape
    );
    println!(
        "  cost: zoom-qos 1 thread / fill_tape reader   {:.2}",
        one / tape_copy
    );
    println!(
        "  speed-up: all threads / 1 thread             {:.2}x (target >= 1.8)",
        one / all
    );
    println!(
        "  naive whole job / zoom-qos 1 thread          {:.2}x (target >= 4)",
        naive / one
    );
}

/// Every command reads the same samples: zoom-qos's report, the naive job's count and the
/// tape-only reader's file count against generate's manifest.
fn check_answers(corpus: &Path) {
    let manifest = std::fs::read_to_string(corpus.join("manifest.tsv")).expect("manifest");
    let (mut files, mut samples) = (0u64, 0u64);
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        files += columns[1].parse::<u64>().expect("pages");
        samples += columns[3].parse::<u64>().expect("samples");
    }
    let report = run(ZOOM_QOS, &["analyze", path(corpus), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("a report");
    let reported: u64 = report["meetings"]
        .as_array()
        .expect("meetings")
        .iter()
        .map(|m| m["samples"].as_u64().expect("samples"))
        .sum();
    assert_eq!(reported, samples, "zoom-qos reads every sample");
    let naive = run(NAIVE, &[path(corpus)]);
    let naive = String::from_utf8_lossy(&naive.stderr);
    assert_eq!(
        naive.trim(),
        format!("{samples} samples"),
        "the naive job too"
    );
    let tape = run(TAPE_ONLY, &[path(corpus)]);
    let tape = String::from_utf8_lossy(&tape.stdout);
    assert!(
        tape.starts_with(&format!("{files} files")) && tape.trim_end().ends_with(" 0 failed"),
        "the tape-only reader parses every page: {tape}"
    );
}

fn run(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program).args(args).output().expect("runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

fn corpus_bytes(corpus: &Path) -> u64 {
    let mut total = 0;
    let mut stack: Vec<PathBuf> = vec![corpus.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                total += entry.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total
}

fn median(times: &mut [Duration]) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64()
}
