//! A benchmark peer of `zoom-qos analyze` (see `benches/whole_process.rs`): the whole job
//! done the naive way people do it today. Each sub-folder of the corpus given is a meeting;
//! its pages are parsed by serde_json into owned `Value`s (every string a `String`), each
//! metric string is cut at its unit and read with `str::parse::<f64>`, and each meeting's
//! values per stream and metric are sorted for min, mean, nearest-rank p50/p90/p95/p99 and
//! max. Blank values are skipped (not counted as zero: the naive job is not wrong, only
//! slow). Prints one JSON line per meeting.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

fn main() -> ExitCode {
    let Some(corpus) = std::env::args_os().nth(1) else {
        eprintln!("usage: qos-naive CORPUS");
        return ExitCode::FAILURE;
    };
    let mut meetings: Vec<_> = match std::fs::read_dir(Path::new(&corpus)) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(error) => {
            eprintln!("qos-naive: {error}");
            return ExitCode::FAILURE;
        }
    };
    meetings.sort();
    let mut total_samples = 0;
    for meeting in meetings {
        let mut pages: Vec<_> = std::fs::read_dir(&meeting)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        pages.sort();
        let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut samples = 0;
        for page in pages {
            let Ok(bytes) = std::fs::read(&page) else {
                continue;
            };
            let Ok(page) = serde_json::from_slice::<Value>(&bytes) else {
                continue;
            };
            for participant in page["participants"].as_array().into_iter().flatten() {
                for sample in participant["user_qos"].as_array().into_iter().flatten() {
                    samples += 1;
                    for (stream, block) in sample.as_object().into_iter().flatten() {
                        for (metric, text) in block.as_object().into_iter().flatten() {
                            if let Some(value) = text.as_str().and_then(naive_number) {
                                values
                                    .entry(format!("{stream}.{metric}"))
                                    .or_default()
                                    .push(value);
                            }
                        }
                    }
                }
            }
        }
        total_samples += samples;
        let stats: BTreeMap<String, Value> = values
            .into_iter()
            .map(|(key, mut v)| {
                v.sort_by(f64::total_cmp);
                let rank = |p: usize| v[(v.len() * p).div_ceil(100).max(1) - 1];
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                let stats = serde_json::json!({
                    "count": v.len(), "min": v[0], "mean": mean, "p50": rank(50),
                    "p90": rank(90), "p95": rank(95), "p99": rank(99), "max": v[v.len() - 1],
                });
                (key, stats)
            })
            .collect();
        let name = meeting
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        println!(
            "{}",
            serde_json::json!({"meeting": name, "samples": samples, "stats": stats})
        );
    }
    eprintln!("{total_samples} samples");
    ExitCode::SUCCESS
}

/// `"27.15 kbps"` -> 27.15: the number before the unit, the way a script does it.
fn naive_number(text: &str) -> Option<f64> {
    let number = text.split(|c: char| c == ' ' || c.is_ascii_alphabetic() || c == '%' || c == '*');
    number.into_iter().next()?.parse().ok()
}
