//! The command never answers something wrong with exit status 0: input rules, pages that
//! are not pages, located invalid values, stale output, resources, terminal safety and
//! complete machine outputs. Each fixture is made in the test.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{data, json, scratch, stderr, zoom_qos};
use serde_json::Value;

/// A one-participant page whose name and audio values are given.
fn page(name: &str, latency: &str) -> String {
    serde_json::json!({
        "participants": [{
            "user_name": name,
            "user_qos": [
                {"date_time": "2024-03-01T10:00:00Z",
                 "audio_input": {"latency": latency, "jitter": "2 ms", "avg_loss": "0.1%"}},
                {"date_time": "2024-03-01T10:01:00Z",
                 "audio_input": {"latency": "30 ms", "jitter": "2 ms", "avg_loss": "0.1%"}}
            ]
        }]
    })
    .to_string()
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
    fs::write(path, text).expect("written");
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8")
}

fn meetings(report: &Value) -> Vec<(String, u64)> {
    common::per_meeting(report, |m| {
        (
            m["meeting"].as_str().expect("name").to_owned(),
            m["pages"].as_u64().expect("pages"),
        )
    })
}

#[test]
fn a_folder_laid_out_as_one_meeting_is_one_meeting() {
    let output = zoom_qos(&[
        "analyze",
        path_str(&data("meetings/standup")),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(meetings(&json(&output)), [("standup".to_owned(), 2)]);

    // The committed sample: the folder fetch and generate write for one meeting.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample/meeting-0001");
    let output = zoom_qos(&["analyze", path_str(&sample), "--format", "json"]);
    assert_eq!(meetings(&json(&output)), [("meeting-0001".to_owned(), 3)]);
}

#[test]
fn corpora_are_searched_at_any_depth_and_other_files_are_named() {
    let dir = scratch("nest");
    let pages = data("meetings/standup");
    for (to, from) in [
        ("nest/a/standup/page-000.json", "page-000.json"),
        ("nest/a/standup/page-001.json", "page-001.json"),
    ] {
        fs::create_dir_all(dir.join(to).parent().expect("parent")).expect("folder");
        fs::copy(pages.join(from), dir.join(to)).expect("copied");
    }
    write(
        &dir.join("nest/b/deeper/still/one.json"),
        &page("Ana", "20 ms"),
    );
    write(&dir.join("nest/top.json"), &page("Bo", "20 ms"));
    write(&dir.join("nest/notes.txt"), "not a page");
    let output = zoom_qos(&["analyze", path_str(&dir.join("nest")), "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        meetings(&json(&output)),
        [
            ("standup".to_owned(), 2),
            ("still".to_owned(), 1),
            ("top".to_owned(), 1)
        ],
        "a sub-folder holding pages is a meeting, at any depth"
    );
    assert!(
        stderr(&output).contains("notes.txt"),
        "a file that is not a page is named: {}",
        stderr(&output)
    );
}

#[test]
fn no_pages_at_all_is_an_error() {
    let dir = scratch("empty");
    let output = zoom_qos(&["analyze", path_str(&dir)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no QoS pages found under"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn pipes_and_devices_are_read_as_files() {
    // /dev/null is a device, not a missing file: it is read, and holds no page.
    let output = zoom_qos(&["analyze", "/dev/null", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("no such file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(json(&output)["errors"][0]["file"], "/dev/null");

    // A named pipe, as process substitution gives: written by another process.
    let dir = scratch("fifo");
    let fifo = dir.join("pages");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let text = page("Ana", "20 ms");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(&fifo, text).expect("written into the pipe"))
    };
    let output = zoom_qos(&["analyze", path_str(&fifo), "--format", "json"]);
    writer.join().expect("writer");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json(&output)["meetings"][0]["samples"], 2);
}

/// A hostile file fails alone, within bounds: 64 MiB of `[` (about 2.4 GB to parse) beside
/// a good meeting, in a process whose address space is capped at 1.5 GiB (`prlimit`),
/// is refused before the parse takes the memory, and the good meeting is reported. A
/// file over `--max-file-mib`, and a device that never ends given by name, are read no
/// further than the limit.
#[test]
fn a_bracket_bomb_and_an_endless_device_fail_alone_within_bounds() {
    let dir = scratch("bomb");
    let good = dir.join("good");
    fs::create_dir_all(&good).expect("folder");
    for page in ["page-000.json", "page-001.json"] {
        fs::copy(data("meetings/standup").join(page), good.join(page)).expect("fixture");
    }
    fs::write(dir.join("bomb.json"), vec![b'['; 64 << 20]).expect("written");
    let output = Command::new("prlimit")
        .arg(format!("--as={}", 1536u64 << 20))
        .arg(env!("CARGO_BIN_EXE_zoom-qos"))
        .args(["analyze", path_str(&dir), "--format", "json"])
        .output()
        .expect("prlimit runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["meetings"][0]["meeting"], "good");
    assert_eq!(report["meetings"][0]["samples"], 5);
    let message = report["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("MiB of memory") && message.contains("--max-parse-mib"),
        "{message}"
    );

    // The same file over --max-file-mib is not read at all; /dev/zero given by name is
    // read no further than the limit.
    let output = zoom_qos(&[
        "analyze",
        path_str(&dir),
        "--max-file-mib",
        "32",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = json(&output)["errors"][0]["message"].to_string();
    assert!(
        message.contains("64 MiB, larger than the limit of 32 MiB"),
        "{message}"
    );
    let output = zoom_qos(&[
        "analyze",
        "/dev/zero",
        "--max-file-mib",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = json(&output)["errors"][0]["message"].to_string();
    assert!(
        message.contains("larger than the limit of 1 MiB"),
        "{message}"
    );
}

#[test]
fn a_zoom_error_body_is_not_a_page() {
    let dir = scratch("error-body");
    let file = dir.join("m.json");
    write(&file, r#"{"code":124,"message":"Invalid access token."}"#);
    let output = zoom_qos(&["analyze", path_str(&file), "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    assert_eq!(report["meetings"], Value::Array(vec![]));
    let message = report["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("error answer") && message.contains("code 124"),
        "{message}"
    );
    assert!(message.contains("Invalid access token."), "{message}");
    assert!(stderr(&output).contains("m.json"), "the file is named");

    // Any other object that is not a page is a shape error.
    write(&file, r#"{"hello": "world"}"#);
    let output = zoom_qos(&["analyze", path_str(&file), "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let message = json(&output)["errors"][0]["message"].to_string();
    assert!(message.contains("expected a QoS page"), "{message}");

    // With --strict the run stops there, and says so.
    write(&file, r#"{"code":124,"message":"Invalid access token."}"#);
    let output = zoom_qos(&["analyze", path_str(&file), "--strict"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--strict"), "{}", stderr(&output));
}

#[test]
fn strict_mode_reports_what_finished_and_names_the_failing_value() {
    let dir = scratch("strict");
    write(&dir.join("bad.json"), &page("Ana", "N/A"));
    let output = zoom_qos(&[
        "analyze",
        path_str(&dir),
        "--strict",
        "--threads",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let message = report["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("participant 0, sample 0, audio_input.latency") && message.contains("N/A"),
        "{message}"
    );
}

#[test]
fn invalid_values_are_located_in_the_json_and_the_table() {
    let dir = scratch("located");
    let meeting = dir.join("m");
    write(&meeting.join("page-000.json"), &page("Ana", "20 ms"));
    write(&meeting.join("page-001.json"), &page("Bo", "N/A"));
    let output = zoom_qos(&["analyze", path_str(&meeting), "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    let first = &report["meetings"][0]["first_invalid_values"][0];
    let file = meeting.join("page-001.json");
    assert_eq!(first["file"], path_str(&file));
    assert_eq!(
        (
            &first["page"],
            &first["participant"],
            &first["sample"],
            &first["field"],
            &first["found"]
        ),
        (
            &Value::from(1),
            &Value::from(0),
            &Value::from(0),
            &Value::from("audio_input.latency"),
            &Value::from("N/A")
        )
    );
    let table = zoom_qos(&["analyze", path_str(&meeting)]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("1 invalid value"), "plural: {text}");
    let file_line = format!("    {}\n", file.display());
    let value_line = "      page 1, participant 0, sample 0, audio_input.latency: \"N/A\"";
    assert!(
        text.contains(&format!("{file_line}{value_line}")),
        "the file, then its value: {text}"
    );
}

#[test]
fn generate_refuses_to_mix_runs_unless_forced() {
    let dir = scratch("generate-twice");
    let out = dir.join("g1");
    let run = |extra: &[&str]| {
        let mut args = vec!["generate", path_str(&out)];
        args.extend_from_slice(extra);
        zoom_qos(&args)
    };
    assert!(run(&["--meetings", "2", "--seed", "3"]).status.success());
    let again = run(&["--meetings", "1", "--seed", "4"]);
    assert_eq!(again.status.code(), Some(64));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    let forced = run(&["--meetings", "1", "--seed", "4", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    let fresh = dir.join("fresh");
    assert!(
        zoom_qos(&[
            "generate",
            path_str(&fresh),
            "--meetings",
            "1",
            "--seed",
            "4"
        ])
        .status
        .success()
    );
    let report = |path: &Path| json(&zoom_qos(&["analyze", path_str(path), "--format", "json"]));
    assert_eq!(
        report(&out)["meetings"],
        report(&fresh)["meetings"],
        "nothing of the first run is left"
    );

    // Files generate did not write are never removed.
    write(&out.join("mine.txt"), "keep me");
    let forced = run(&["--meetings", "1", "--force"]);
    assert_eq!(forced.status.code(), Some(64));
    assert!(out.join("mine.txt").exists());
}

#[test]
fn generate_refuses_sizes_it_cannot_build() {
    let dir = scratch("generate-huge");
    let output = zoom_qos(&[
        "generate",
        path_str(&dir.join("g")),
        "--participants",
        "40",
        "--minutes",
        "4000000000",
    ]);
    assert_eq!(output.status.code(), Some(64));
    assert!(stderr(&output).contains("--minutes"), "{}", stderr(&output));
    assert!(!dir.join("g").exists(), "nothing written");
}

#[test]
fn duplicate_meeting_names_are_qualified_and_series_unique() {
    let dir = scratch("duplicates");
    for folder in ["a", "b"] {
        let pages = data("meetings/standup");
        for file in ["page-000.json", "page-001.json"] {
            let to = dir.join(folder).join("standup").join(file);
            fs::create_dir_all(to.parent().expect("parent")).expect("folder");
            fs::copy(pages.join(file), &to).expect("copied");
        }
    }
    let output = zoom_qos(&["analyze", path_str(&dir), "--format", "prometheus"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let series = prometheus_series(&text);
    assert!(series.len() > 100);
    let unique: HashSet<&String> = series.iter().collect();
    assert_eq!(unique.len(), series.len(), "every series once");
    let a = dir.join("a/standup");
    assert!(
        text.contains(&format!("meeting=\"{}\"", a.display())),
        "qualified by path"
    );
}

/// Oracle: the Prometheus text exposition format (0.0.4) read strictly, independent of the
/// writer: every sample line is `name{label="value",...} number` (or `name number`), label
/// values escape only `\\`, `"` and `\n`, each metric family is announced by `# HELP` and
/// `# TYPE` before its samples and never comes back after another family, a `quantile`
/// label only on a summary, and `_sum` and `_count` only beside one. Returns each series as
/// `name` + its sorted labels.
fn prometheus_series(text: &str) -> Vec<String> {
    let mut typed = std::collections::HashMap::new();
    let mut current = String::new();
    let mut series = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut words = rest.split(' ');
            let name = words.next().expect("a name");
            let kind = words.next().expect("a type");
            assert!(matches!(kind, "gauge" | "summary"), "{line}");
            assert!(
                typed.insert(name.to_owned(), kind.to_owned()).is_none(),
                "a family typed twice: {line}"
            );
            current = name.to_owned();
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let brace = line.find(['{', ' ']).expect("a name");
        let name = &line[..brace];
        let family = ["_sum", "_count"]
            .iter()
            .find_map(|end| {
                name.strip_suffix(end)
                    .filter(|f| typed.get(*f).is_some_and(|k| k == "summary"))
            })
            .unwrap_or(name);
        assert_eq!(
            family, current,
            "a sample outside its family's block: {line}"
        );
        assert!(
            typed.contains_key(family),
            "a sample before its TYPE: {line}"
        );
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':'),
            "{line}"
        );
        if line.as_bytes()[brace] == b' ' {
            line[brace + 1..]
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("a number: {line}"));
            series.push(name.to_owned());
            continue;
        }
        let mut labels = Vec::new();
        let mut rest = &line[brace + 1..];
        loop {
            let eq = rest.find("=\"").expect("label=\"value\"");
            let label = &rest[..eq];
            let mut value = String::new();
            let mut chars = rest[eq + 2..].char_indices();
            let end = loop {
                match chars.next().expect("a closed value") {
                    (i, '"') => break eq + 2 + i,
                    (_, '\\') => match chars.next().expect("an escape").1 {
                        c @ ('\\' | '"') => value.push(c),
                        'n' => value.push('\n'),
                        other => panic!("bad escape \\{other} in {line}"),
                    },
                    (_, c) => {
                        assert_ne!(c, '\n');
                        value.push(c)
                    }
                }
            };
            labels.push(format!("{label}={value:?}"));
            rest = &rest[end + 1..];
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else {
                rest = rest.strip_prefix("} ").expect("the end of the labels");
                break;
            }
        }
        rest.parse::<f64>()
            .unwrap_or_else(|_| panic!("a number: {line}"));
        let summary = typed[family] == "summary";
        assert_eq!(
            labels.iter().any(|l| l.starts_with("quantile=")),
            summary && family == name,
            "a quantile label on, and only on, a summary's quantiles: {line}"
        );
        labels.sort();
        series.push(format!("{name}{{{}}}", labels.join(",")));
    }
    series
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let dir = scratch("ansi");
    let file = dir.join("m.json");
    write(
        &file,
        &page("\u{1b}[2J\u{1b}[31mEvil\nName\twith tabs", "900 ms"),
    );
    let output = zoom_qos(&["analyze", path_str(&file)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!output.stdout.contains(&0x1b), "no raw ESC byte");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(text.contains("\\u{1b}[2J"), "{text}");
    assert!(!text.contains("Evil\nName"), "no line break from the input");
}

#[test]
fn names_are_aligned_by_display_width() {
    let dir = scratch("widths");
    let file = dir.join("m.json");
    let participants: Vec<Value> = [
        "Hiro 田中",
        "Ines 🎧 Ruiz",
        "A very long name that does not fit its column",
    ]
    .iter()
    .map(|name| {
        serde_json::json!({"user_name": name, "user_qos": [
                {"audio_input": {"latency": "300 ms", "jitter": "2 ms", "avg_loss": "0.1%"}}]})
    })
    .collect();
    write(
        &file,
        &serde_json::json!({ "participants": participants }).to_string(),
    );
    let output = zoom_qos(&["analyze", path_str(&file)]);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("    ") && l.contains(" MOS "))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    // Where "MOS" starts, in terminal columns (CJK and emoji take two).
    let column = |row: &str| {
        let before = &row[..row.find(" MOS ").expect("MOS")];
        before
            .chars()
            .map(|c| {
                if ('\u{1100}'..='\u{FFFF}').contains(&c) && c != '…' || c >= '\u{1F300}' {
                    2
                } else {
                    1
                }
            })
            .sum::<usize>()
    };
    let first = column(rows[0]);
    assert!(rows.iter().all(|r| column(r) == first), "{rows:#?}");
    assert!(text.contains('…'), "a long name is cut: {text}");
}

#[test]
fn a_cut_file_names_the_byte_where_it_ends() {
    let dir = scratch("cut");
    let file = dir.join("m.json");
    let full = fs::read(data("meetings/standup/page-000.json")).expect("fixture");
    fs::write(&file, &full[..500]).expect("written");
    let output = zoom_qos(&["analyze", path_str(&file), "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let error = &json(&output)["errors"][0];
    assert_eq!(error["offset"], 500);
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains("byte 500") && message.contains("unexpected end of input"),
        "{message}"
    );

    let text = dir.join("t.json");
    fs::write(&text, "hello, this is not JSON\n").expect("written");
    let output = zoom_qos(&["analyze", path_str(&text), "--format", "json"]);
    let message = json(&output)["errors"][0]["message"].to_string();
    assert!(
        message.contains("byte 0") && !message.contains("InternalError"),
        "{message}"
    );

    let trailing = dir.join("trailing.json");
    let mut bytes = full.clone();
    bytes.extend_from_slice(b" garbage");
    fs::write(&trailing, &bytes).expect("written");
    let output = zoom_qos(&["analyze", path_str(&trailing), "--format", "json"]);
    let error = &json(&output)["errors"][0];
    assert_eq!(error["offset"], full.len() + 1, "{error}");
}

#[test]
fn threads_are_clamped_with_a_warning() {
    let output = zoom_qos(&[
        "analyze",
        path_str(&data("meetings")),
        "--threads",
        "65535",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("more than 4 per core"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreadable_sub_folder_fails_its_meeting_only() {
    let dir = scratch("unreadable");
    for name in ["ok", "locked"] {
        write(&dir.join(name).join("page-000.json"), &page("Ana", "20 ms"));
    }
    // Root reads any folder: run the command as nobody (setpriv, util-linux) when root.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let mut command;
    if root {
        // nobody reaches the scratch folder (under the temporary folder, created 0755)
        // and a copy of the binary in it: no permission outside it changes.
        let binary = dir.join("zoom-qos");
        fs::copy(env!("CARGO_BIN_EXE_zoom-qos"), &binary).expect("copied");
        command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        command.arg(&binary);
    } else {
        command = Command::new(env!("CARGO_BIN_EXE_zoom-qos"));
    }
    let _ = Command::new("chmod")
        .arg("000")
        .arg(dir.join("locked"))
        .status();
    let output = command
        .args(["analyze", path_str(&dir), "--format", "json"])
        .output()
        .expect("runs");
    let _ = Command::new("chmod")
        .arg("755")
        .arg(dir.join("locked"))
        .status();
    if root && stderr(&output).contains("setpriv") {
        eprintln!("skipped: setpriv could not drop root: {}", stderr(&output));
        return;
    }
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(meetings(&report), [("ok".to_owned(), 1)]);
    assert_eq!(report["errors"][0]["meeting"], "locked");
    let message = report["errors"][0]["message"].as_str().expect("message");
    assert!(message.contains("cannot read the folder"), "{message}");
}

#[test]
fn machine_outputs_are_complete() {
    let dir = scratch("complete");
    write(&dir.join("good.json"), &page("Ana", "200 ms"));
    write(&dir.join("bad.json"), "{ not json");
    let csv = zoom_qos(&["analyze", path_str(&dir), "--format", "csv"]);
    assert_eq!(csv.status.code(), Some(2));
    let csv = String::from_utf8(csv.stdout).expect("utf-8");
    let header = csv.lines().next().expect("header");
    let columns = header.split(',').count();
    for line in csv.lines().take_while(|l| !l.is_empty()) {
        assert_eq!(line.split(',').count(), columns, "{line}");
    }
    for row in [
        "good,audio_input,mos,2,0,",
        "good,meeting,samples,2,",
        "good,degraded,latency,1,",
        "good,grade,good,",
        "bad,error,failed,1,",
    ] {
        assert!(csv.lines().any(|l| l.starts_with(row)), "{row} in {csv}");
    }
    let prometheus = zoom_qos(&["analyze", path_str(&dir), "--format", "prometheus"]);
    let text = String::from_utf8(prometheus.stdout).expect("utf-8");
    prometheus_series(&text);
    for series in [
        "zoom_qos_latency_seconds_count{meeting=\"good\",stream=\"audio_input\"} 2",
        "zoom_qos_missing_samples{meeting=\"good\",stream=\"audio_input\",metric=\"latency_seconds\"} 0",
        "zoom_qos_errors{meeting=\"bad\",file=",
        "zoom_qos_grade_participants{meeting=\"good\",grade=\"good\"} 1",
        "quantile=\"0.5\"",
    ] {
        assert!(text.contains(series), "{series} in {text}");
    }
    let refused = zoom_qos(&[
        "analyze",
        path_str(&dir),
        "--format",
        "csv",
        "--participant-stats",
    ]);
    assert_eq!(refused.status.code(), Some(64));
}

#[test]
fn mos_values_are_rounded_to_three_decimals() {
    let output = zoom_qos(&[
        "analyze",
        path_str(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample")),
        "--format",
        "json",
    ]);
    let report = json(&output);
    let mut seen = 0;
    for meeting in report["meetings"].as_array().expect("meetings") {
        for stream in ["audio_input", "audio_output"] {
            for (key, value) in meeting["mos"][stream].as_object().expect("stats") {
                if let (Some(v), false) = (value.as_f64(), key == "count" || key == "missing") {
                    assert_eq!((v * 1000.0).round() / 1000.0, v, "{key} {v}");
                    seen += 1;
                }
            }
        }
    }
    assert!(seen > 20);
}

#[test]
fn the_thresholds_command_prints_a_file_analyze_reads_back() {
    let dir = scratch("thresholds");
    let output = zoom_qos(&["thresholds"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        text.contains("ITU-T G.114") && text.contains("latency_ms = 150.0"),
        "{text}"
    );
    let file = dir.join("t.toml");
    fs::write(&file, &text).expect("written");
    let sample = data("meetings");
    let with = zoom_qos(&[
        "analyze",
        path_str(&sample),
        "--format",
        "json",
        "--thresholds",
        path_str(&file),
    ]);
    let without = zoom_qos(&["analyze", path_str(&sample), "--format", "json"]);
    assert!(with.status.success(), "{}", stderr(&with));
    assert_eq!(with.stdout, without.stdout, "the defaults, read back");
    // Edited, it changes the flags.
    fs::write(
        &file,
        text.replace("latency_ms = 150.0", "latency_ms = 10.0"),
    )
    .expect("written");
    let edited = zoom_qos(&[
        "analyze",
        path_str(&sample),
        "--format",
        "json",
        "--thresholds",
        path_str(&file),
    ]);
    assert_ne!(
        json(&edited)["meetings"][0]["degraded"],
        json(&without)["meetings"][0]["degraded"]
    );
}

#[test]
fn a_path_reached_twice_is_read_once_and_named() {
    let folder = data("meetings");
    let file = data("standup.ndjson");
    let output = zoom_qos(&[
        "analyze",
        path_str(&folder),
        path_str(&folder),
        path_str(&file),
        path_str(&file),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let names: Vec<String> = meetings(&json(&output))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let text = stderr(&output);
    assert!(
        text.contains("read once, reached again") && text.contains("standup.ndjson"),
        "{text}"
    );
}

/// A FIFO named like a page inside a corpus would block `analyze` for ever: it is named
/// and passed over, and the meeting beside it is reported. (`timeout` turns a hang into
/// a failure, rather than a test that never ends.)
#[test]
fn a_fifo_inside_a_corpus_is_named_and_passed_over() {
    let dir = scratch("fifo");
    fs::copy(data("odd.json"), dir.join("odd.json")).expect("a meeting");
    let fifo = dir.join("x.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = std::process::Command::new("timeout")
        .args([
            "20",
            env!("CARGO_BIN_EXE_zoom-qos"),
            "analyze",
            path_str(&dir),
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not a regular file") && stderr(&output).contains("x.json"),
        "{}",
        stderr(&output)
    );
    assert_eq!(meetings(&json(&output)).len(), 1);
}

/// `--out` may not name a page being read: the report would replace it.
#[test]
fn analyze_out_refuses_one_of_its_inputs() {
    let dir = scratch("out-input");
    let page = dir.join("standup.json");
    fs::copy(data("odd.json"), &page).expect("a page");
    let before = fs::read(&page).expect("read");
    let output = zoom_qos(&["analyze", path_str(&page), "--out", path_str(&page)]);
    assert_eq!(output.status.code(), Some(64), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("one of the pages being read"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read(&page).expect("read"),
        before,
        "the page is untouched"
    );
}

/// A chain stopped after its first page (the next page is named, and one participant of
/// the two announced was read) is said to be incomplete in every output and on stderr,
/// and `--strict` makes that exit 2. A whole meeting beside it is not marked.
#[test]
fn an_incomplete_chain_is_said_everywhere_and_fails_strict() {
    let dir = scratch("incomplete");
    let cut = dir.join("cut");
    let whole = dir.join("whole");
    for folder in [&cut, &whole] {
        std::fs::create_dir_all(folder).expect("folder");
    }
    let page = |token: &str, name: &str| {
        format!(
            r#"{{"total_records": 2, "next_page_token": "{token}", "participants": [
              {{"user_name": "{name}", "user_qos": [{{"date_time": "2025-11-20T10:00:00Z",
                "audio_input": {{"latency": "40 ms"}}}}]}}]}}"#
        )
    };
    std::fs::write(cut.join("page-001.json"), page("nextToken123", "Ana")).expect("write");
    std::fs::write(whole.join("page-001.json"), page("nextToken9", "Ana")).expect("write");
    std::fs::write(whole.join("page-002.json"), page("", "Ben")).expect("write");
    let input = dir.to_str().expect("utf-8");

    let output = zoom_qos(&["analyze", input, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "a warning, not a failure");
    let warning = stderr(&output);
    assert!(
        warning.contains("meeting cut: incomplete: the last page read names a next page; 1 of the 2 participant entries announced were read"),
        "{warning}"
    );
    assert!(!warning.contains("meeting whole"), "{warning}");
    let report = json(&output);
    let by_name = |name: &str| {
        report["meetings"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["meeting"] == name))
            .cloned()
            .expect(name)
    };
    assert_eq!(by_name("cut")["complete"], false);
    assert!(
        by_name("cut")["missing"]
            .as_str()
            .is_some_and(|m| m.contains("1 of the 2"))
    );
    assert_eq!(by_name("whole")["complete"], true);
    assert_eq!(by_name("whole")["participants"], 2);

    let text = |format: &str| {
        let output = zoom_qos(&["analyze", input, "--format", format]);
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let table = text("table");
    assert!(
        table.contains("INCOMPLETE  pages are missing: the last page read names a next page"),
        "{table}"
    );
    assert_eq!(table.matches("INCOMPLETE").count(), 1, "{table}");
    let csv = text("csv");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("cut,meeting,complete,0,")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("whole,meeting,complete,1,")),
        "{csv}"
    );
    let prom = text("prometheus");
    assert!(
        prom.contains(r#"zoom_qos_complete{meeting="cut"} 0"#),
        "{prom}"
    );
    assert!(
        prom.contains(r#"zoom_qos_complete{meeting="whole"} 1"#),
        "{prom}"
    );
    let html = text("html");
    assert!(
        html.contains(r#"data-meeting="cut""#) && html.contains(r#"data-complete="false""#),
        "html"
    );
    assert!(html.contains("Incomplete: "), "the page says it in words");

    let strict = zoom_qos(&["analyze", input, "--strict", "--format", "json"]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
    assert!(stderr(&strict).contains("--strict: incomplete meetings: 1"));
}
