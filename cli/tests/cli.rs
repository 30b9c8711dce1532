//! End-to-end tests of the built `zoom-qos` binary on committed fixtures.

mod common;

use std::path::Path;

use common::{data, json, scratch, stderr, with_stdin, zoom_qos};
use serde_json::Value;

/// The `standup` fixture, worked out by hand: 3 participants over 2 pages, 5 samples.
fn check_standup(meeting: &Value, name: &str) {
    assert_eq!(meeting["meeting"], name);
    assert_eq!(meeting["pages"], 2);
    assert_eq!(meeting["participants"], 3);
    assert_eq!(meeting["samples"], 5);
    assert_eq!(meeting["invalid_values"], 0);
    // audio_input latency: 100, 200, 50, 300 ms and one empty minute.
    let latency = &meeting["streams"]["audio_input"]["latency_ms"];
    assert_eq!(
        (latency["count"].as_u64(), latency["missing"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(latency["min"], 50.0);
    assert_eq!(latency["p50"], 100.0); // rank ceil(0.5·4) = 2
    assert_eq!(latency["p90"], 300.0); // rank ceil(3.6) = 4
    assert_eq!(latency["p99"], 300.0);
    assert_eq!(latency["mean"], 162.5);
    assert_eq!(
        meeting["streams"]["audio_input"]["bitrate_kbps"]["p50"],
        25.0
    ); // 20, 25, 30, 35
    let out = &meeting["streams"]["audio_output"]["latency_ms"];
    assert_eq!(
        (out["count"].as_u64(), out["p50"].as_f64()),
        (Some(3), Some(120.0))
    );
    let video = &meeting["streams"]["video_input"];
    assert_eq!(video["resolution_height_px"]["max"], 720.0);
    assert_eq!(video["frame_rate_fps"]["count"], 1);
    assert!(
        meeting["streams"].get("as_input").is_none(),
        "never an object here"
    );
    assert_eq!(meeting["cpu"]["system_max_cpu_pct"]["max"], 95.0);
    // Ana's 2nd minute: latency 200 and CPU 95 %; Bo: jitter 50 and 8 fps at 720p;
    // Cy: latency 300 and loss 3 %.
    assert_eq!(meeting["degraded"]["samples"], 3);
    let flags = &meeting["degraded"]["by_flag"];
    assert_eq!(
        [
            &flags["latency"],
            &flags["jitter"],
            &flags["loss"],
            &flags["frame_rate"],
            &flags["cpu"]
        ],
        [2, 1, 1, 1, 1]
    );
    // MOS of Cy's input (300 ms, 10 ms, 3.0 %): EL = 330, R = 93.2 - 21 - 7.5 = 64.7, between
    // G.109's R 60 (MOS 3.10) and R 70 (MOS 3.60): fair. Ana and Bo are good.
    assert_eq!(meeting["grades"]["good"], 2);
    assert_eq!(meeting["grades"]["fair"], 1);
    let people = meeting["participant_details"].as_array().expect("list");
    let names: Vec<&str> = people
        .iter()
        .map(|p| p["user_name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["Ana", "Bo \"B\" Åberg", "Cy"], "input order");
    assert_eq!(people[2]["grade"], "fair");
    // 1 + 0.035 R + 0.000007 R (R - 60)(100 - R) = 3.33964..., shown to 3 decimals.
    assert_eq!(people[2]["mos_audio_input_p50"], 3.34);
    assert_eq!(
        people[1]["mos_audio_output_p50"],
        Value::Null,
        "Bo's output is blank"
    );
    assert_eq!(people[0]["degraded_samples"], 1);
}

#[test]
fn json_report_of_a_multi_page_meeting_field_by_field() {
    let output = zoom_qos(&[
        "analyze",
        data("meetings").to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = json(&output);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["errors"], Value::Array(vec![]));
    assert_eq!(doc["meetings"].as_array().map(Vec::len), Some(1));
    check_standup(&doc["meetings"][0], "standup");
}

#[test]
fn ndjson_array_and_stdin_inputs_read_the_same_pages() {
    for file in ["standup.ndjson", "standup-array.json"] {
        let output = zoom_qos(&[
            "analyze",
            data(file).to_str().expect("utf-8"),
            "--format",
            "json",
        ]);
        assert!(output.status.success(), "{file}: {}", stderr(&output));
        let name = file.trim_end_matches(".ndjson").trim_end_matches(".json");
        check_standup(&json(&output)["meetings"][0], name);
    }
    let ndjson = std::fs::read(data("standup.ndjson")).expect("fixture");
    let output = with_stdin(
        &["analyze", "-", "--meeting", "piped", "--format", "json"],
        &ndjson,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    check_standup(&json(&output)["meetings"][0], "piped");
    let output = with_stdin(&["analyze", "-", "--format", "json"], &ndjson);
    assert_eq!(json(&output)["meetings"][0]["meeting"], "stdin");
}

#[test]
fn concatenated_pages_in_a_json_file_read_as_ndjson_does() {
    // A `.json` file starting with `{` is first tried as one page; these two pages fail
    // that try only after page 0's escaped name ("Bo \"B\" Åberg") has been unescaped, so
    // the split that follows must read the file as it was.
    let dir = scratch("concatenated");
    let file = dir.join("standup-glued.json");
    let ndjson = std::fs::read(data("standup.ndjson")).expect("fixture");
    std::fs::write(&file, &ndjson).expect("write");
    let output = zoom_qos(&["analyze", file.to_str().expect("utf-8"), "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    check_standup(&json(&output)["meetings"][0], "standup-glued");
}

#[test]
fn a_folder_of_meetings_is_sorted_by_name() {
    let dir = scratch("folder");
    std::fs::create_dir_all(dir.join("b-standup")).expect("dir");
    for page in ["page-000.json", "page-001.json"] {
        std::fs::copy(
            data("meetings/standup").join(page),
            dir.join("b-standup").join(page),
        )
        .expect("copy");
    }
    std::fs::copy(data("odd.json"), dir.join("a-odd.json")).expect("copy");
    std::fs::write(dir.join("notes.txt"), "not a page").expect("write");
    let output = zoom_qos(&["analyze", dir.to_str().expect("utf-8"), "--format", "json"]);
    assert!(
        output.status.success(),
        "invalid values never fail a run: {}",
        stderr(&output)
    );
    let doc = json(&output);
    let names: Vec<&str> = doc["meetings"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["meeting"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["a-odd", "b-standup"]);
    assert_eq!(
        doc["meetings"][0]["invalid_values"], 1,
        "\"N/A\" is counted"
    );
    assert_eq!(
        doc["meetings"][0]["streams"]["video_input"]["resolution_height_px"]["p50"],
        1080.0
    );
    check_standup(&doc["meetings"][1], "b-standup");
}

#[test]
fn bad_files_fail_their_meeting_only_with_file_and_offset() {
    let (standup, bad) = (data("meetings"), data("bad"));
    let args = [
        "analyze",
        standup.to_str().expect("utf-8"),
        bad.to_str().expect("utf-8"),
        "--format",
        "json",
    ];
    let output = zoom_qos(&args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let doc = json(&output);
    check_standup(&doc["meetings"][0], "standup");
    let errors = doc["errors"].as_array().expect("errors");
    let failed: Vec<&str> = errors
        .iter()
        .map(|e| e["meeting"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(failed, ["not-json", "truncated", "wrong-shape"]);
    for error in errors {
        assert!(
            error["file"].as_str().is_some_and(|f| f.ends_with(".json")),
            "{error}"
        );
        assert!(error["offset"].is_u64(), "{error}");
    }
    assert_eq!(errors[2]["offset"], 0);
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "one line per failed meeting: {text}");
    assert!(
        lines[1].contains("truncated.json") && lines[1].contains("malformed JSON at byte"),
        "{text}"
    );
    assert!(
        lines[2].contains("expected a page object, found a number"),
        "{text}"
    );
}

#[test]
fn strict_mode_stops_on_the_first_invalid_value() {
    let output = zoom_qos(&[
        "analyze",
        data("odd.json").to_str().expect("utf-8"),
        "--strict",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    // The report of what finished (nothing here), with the failure under errors.
    let report = json(&output);
    assert_eq!(report["meetings"], Value::Array(vec![]));
    assert_eq!(report["errors"][0]["meeting"], "odd");
    let text = stderr(&output);
    assert!(text.contains("odd.json"), "{text}");
    assert!(text.contains(r#"page 0, participant 0, sample 0, audio_input.latency: expected a number, found "N/A""#), "{text}");
    assert!(
        text.contains("stopped at the first bad input (--strict)"),
        "{text}"
    );
    let lenient = zoom_qos(&["analyze", data("odd.json").to_str().expect("utf-8")]);
    assert!(lenient.status.success());
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        vec!["analyze", "--no-such-flag", "x"],
        vec!["analyze"],
        vec!["analyze", "/no/such/path"],
        vec!["analyze", "x", "--format", "xml"],
        vec!["analyze", "x", "--threads", "0"],
        vec!["frobnicate"],
    ] {
        let output = zoom_qos(&args);
        assert_eq!(
            output.status.code(),
            Some(64),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
    assert_eq!(zoom_qos(&["--help"]).status.code(), Some(0));
}

#[test]
fn thresholds_files_override_defaults_and_reject_unknown_keys() {
    let dir = scratch("thresholds");
    let meetings = data("meetings");
    let path = meetings.to_str().expect("utf-8");
    let toml = dir.join("t.toml");
    std::fs::write(&toml, "latency_ms = 40\nsystem_cpu_pct = 99\n").expect("write");
    let output = zoom_qos(&[
        "analyze",
        path,
        "--format",
        "json",
        "--thresholds",
        toml.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let flags = &json(&output)["meetings"][0]["degraded"]["by_flag"];
    assert_eq!(
        (&flags["latency"], &flags["cpu"]),
        (&Value::from(4), &Value::from(0))
    );
    let json_file = dir.join("t.json");
    std::fs::write(&json_file, r#"{"jitter_ms": 60}"#).expect("write");
    let output = zoom_qos(&[
        "analyze",
        path,
        "--format",
        "json",
        "--thresholds",
        json_file.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        json(&output)["meetings"][0]["degraded"]["by_flag"]["jitter"],
        0
    );
    std::fs::write(&toml, "latency = 40\n").expect("write");
    let output = zoom_qos(&[
        "analyze",
        path,
        "--thresholds",
        toml.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(64));
    assert!(
        stderr(&output).contains("unknown field"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn table_csv_and_prometheus_formats() {
    let path = data("meetings");
    let path = path.to_str().expect("utf-8");
    let table = String::from_utf8(zoom_qos(&["analyze", path]).stdout).expect("utf-8");
    assert!(
        table.starts_with("meeting standup: 2 pages, 3 participants, 5 samples, 0 invalid values"),
        "{table}"
    );
    assert!(table.contains("degraded    3 samples (60.0%)"), "{table}");
    assert!(
        table.contains("audio_input") && table.contains("100 / 300"),
        "{table}"
    );

    let csv =
        String::from_utf8(zoom_qos(&["analyze", path, "--format", "csv"]).stdout).expect("utf-8");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("meeting,stream,metric,count,missing,min,mean,p50,p90,p95,p99,max,note,label")
    );
    let rows: Vec<&str> = lines.collect();
    // audio_input 5 + audio_output 5 + video_input 7 metrics, 4 cpu, 2 mos; then 6
    // counts, 6 flags and 5 grades. One table: no blank line, no second header.
    assert_eq!(rows.len(), 5 + 5 + 7 + 4 + 2 + 6 + 6 + 5, "{csv}");
    assert!(
        rows.iter()
            .all(|r| !r.is_empty() && !r.starts_with("meeting,"))
    );
    assert!(
        rows.contains(&"standup,audio_input,latency_ms,4,1,50,162.5,100,300,300,300,300,,"),
        "{csv}"
    );
    assert!(
        rows.contains(&"standup,cpu,zoom_avg_cpu_pct,0,5,,,,,,,,,"),
        "{csv}"
    );
    assert!(
        rows.contains(&"standup,meeting,samples,5,,,,,,,,,,"),
        "{csv}"
    );
    assert!(
        rows.contains(&"standup,degraded,latency,2,,,,,,,,,,"),
        "{csv}"
    );
    assert!(rows.contains(&"standup,grade,fair,1,,,,,,,,,,"), "{csv}");
    assert!(
        rows.contains(&"standup,meeting,complete,1,,,,,,,,,,"),
        "{csv}"
    );

    let prom = String::from_utf8(zoom_qos(&["analyze", path, "--format", "prometheus"]).stdout)
        .expect("utf-8");
    assert!(prom.contains("# TYPE zoom_qos_latency_seconds summary"));
    // 100 ms, in the base unit.
    assert!(
        prom.contains(
            r#"zoom_qos_latency_seconds{meeting="standup",stream="audio_input",quantile="0.5"} 0.1"#
        ),
        "{prom}"
    );
    assert!(prom.contains(r#"zoom_qos_degraded_flag_samples{meeting="standup",flag="latency"} 2"#));
    assert!(prom.contains(r#"zoom_qos_grade_participants{meeting="standup",grade="fair"} 1"#));
    assert!(
        prom.contains(r#"zoom_qos_complete{meeting="standup"} 1"#),
        "{prom}"
    );
    for line in prom.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap_or("");
        assert!(
            value.parse::<f64>().is_ok(),
            "every sample line ends in a number: {line}"
        );
    }
}

#[test]
fn generate_then_analyze_round_trips() {
    let dir = scratch("generate");
    let output = zoom_qos(&[
        "generate",
        dir.to_str().expect("utf-8"),
        "--meetings",
        "4",
        "--seed",
        "9",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let again = scratch("generate-again");
    zoom_qos(&[
        "generate",
        again.to_str().expect("utf-8"),
        "--meetings",
        "4",
        "--seed",
        "9",
    ]);
    let page = |root: &Path| std::fs::read(root.join("meeting-0003/page-000.json")).expect("page");
    assert_eq!(page(&dir), page(&again), "deterministic per seed");

    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest");
    let report = zoom_qos(&["analyze", dir.to_str().expect("utf-8"), "--format", "json"]);
    assert!(report.status.success(), "{}", stderr(&report));
    let doc = json(&report);
    let meetings = doc["meetings"].as_array().expect("meetings");
    let rows: Vec<Vec<&str>> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(meetings.len(), rows.len());
    for (meeting, row) in meetings.iter().zip(&rows) {
        assert_eq!(meeting["meeting"], row[0]);
        assert_eq!(meeting["pages"].to_string(), row[1]);
        assert_eq!(meeting["participants"].to_string(), row[2]);
        assert_eq!(meeting["samples"].to_string(), row[3]);
        assert_eq!(
            meeting["invalid_values"], 0,
            "the generator writes valid spellings only"
        );
    }
    let one_thread = zoom_qos(&[
        "analyze",
        dir.to_str().expect("utf-8"),
        "--format",
        "json",
        "--threads",
        "1",
    ]);
    assert_eq!(
        one_thread.stdout, report.stdout,
        "thread count changes nothing"
    );
}

/// The summary fixture, worked out by hand: a `qos_summary` page of two entries. It is a
/// meeting without samples or participants of its own; its values are in `summary`.
#[test]
fn summary_pages_are_decoded_into_the_summary() {
    let output = zoom_qos(&[
        "analyze",
        data("summary/standup-summary.json")
            .to_str()
            .expect("utf-8"),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let meeting = &json(&output)["meetings"][0];
    // Two summary entries: two participants, no per-minute samples.
    assert_eq!(
        (&meeting["participants"], &meeting["samples"]),
        (&Value::from(2), &Value::from(0))
    );
    let summary = &meeting["summary"];
    let ana = &summary["participants"][0];
    assert_eq!(ana["user_name"], "Ana");
    let audio = &ana["streams"]["audio_input"];
    let triple = |v: &Value| (v["min"].as_f64(), v["avg"].as_f64(), v["max"].as_f64());
    assert_eq!(
        triple(&audio["bitrate_kbps"]),
        (Some(20.0), Some(27.15), Some(40.0))
    );
    assert_eq!(
        triple(&audio["latency_ms"]),
        (None, Some(100.0), Some(200.0))
    );
    assert_eq!(triple(&audio["jitter_ms"]), (None, Some(5.0), None));
    assert_eq!(triple(&audio["loss_pct"]), (None, Some(0.5), Some(2.0)));
    let video = &ana["streams"]["video_input"];
    assert_eq!(triple(&video["frame_rate_fps"]), (None, Some(25.0), None));
    assert_eq!(
        triple(&video["resolution_height_px"]),
        (None, Some(720.0), None)
    );
    let cpu = &ana["streams"]["cpu_usage"];
    assert_eq!(
        triple(&cpu["zoom_cpu_pct"]),
        (Some(2.0), Some(10.0), Some(30.0))
    );
    assert_eq!(triple(&cpu["system_cpu_pct"]), (None, None, Some(80.0)));
    assert!(
        ana["streams"].get("x_future_stream").is_none(),
        "unknown types are skipped"
    );
    assert!(
        audio.as_object().expect("metrics").len() == 4,
        "unknown keys are skipped"
    );
    // Bo: a blank bitrate (missing) and an invalid loss (counted, located).
    let bo = &summary["participants"][1]["streams"]["audio_input"];
    assert_eq!(triple(&bo["latency_ms"]), (None, Some(300.0), None));
    assert!(bo.get("bitrate_kbps").is_none() && bo.get("loss_pct").is_none());
    assert_eq!(meeting["invalid_values"], 1);
    let invalid = &meeting["first_invalid_values"][0];
    assert_eq!(
        (
            &invalid["participant"],
            &invalid["sample"],
            &invalid["field"],
            &invalid["found"]
        ),
        (
            &Value::from(1),
            &Value::from(0),
            &Value::from("qos.audio_input.avg_loss"),
            &Value::from("N/A")
        )
    );
    // STATS over the entries' averages: latency 100 and 300 ms; bitrate only Ana's.
    let latency = &summary["streams"]["audio_input"]["latency_ms"];
    assert_eq!(
        (&latency["count"], &latency["missing"]),
        (&Value::from(2), &Value::from(0))
    );
    assert_eq!(
        (
            latency["min"].as_f64(),
            latency["mean"].as_f64(),
            latency["max"].as_f64()
        ),
        (Some(100.0), Some(200.0), Some(300.0))
    );
    assert_eq!(latency["p50"], 100.0, "nearest rank: the first of two");
    let bitrate = &summary["streams"]["audio_input"]["bitrate_kbps"];
    assert_eq!(
        (
            &bitrate["count"],
            &bitrate["missing"],
            bitrate["p95"].as_f64()
        ),
        (&Value::from(1), &Value::from(1), Some(27.15))
    );
}

/// The why/when fixture (`why/page.json`), worked out by hand. Three entries, audio only;
/// a sample is degraded when latency > 150 ms, jitter > 40 ms or loss > 2 %.
/// - 0 Ana (Wifi, SC, Mac, 5.17.0), out of order. In time order: 10:00 100 ms (ok), 10:01
///   300 ms/50 ms/3 % (latency, jitter, loss), 10:02 200 ms (latency), 10:05 160 ms
///   (latency, but 180 s after 10:02: a run of one, not reported).
/// - 1 Bo (Wired, SC, device "", no version): 10:00 ok, 10:02 and 10:04 400 ms (exactly
///   120 s apart: one run), then 500 ms with no `date_time` (degraded, in no episode).
///   Only his first sample has `audio_output` (70 ms, 6 ms, 0 %).
/// - 2 Ana again (Wifi, NY, Mac, 5.17.0): 10:06 100 ms, 10:06 200 ms (the same time: input
///   order), 10:07 250 ms.
///
/// p95 is nearest-rank over the pooled audio values: of n values, the ceil(0.95 n)-th.
/// Wifi pools 200, 100, 300, 160, 100, 200, 250 ms (7 values: the 7th, 300); Wired pools
/// 50, 400, 400, 500 and 70 ms (5: the 5th, 500); SC pools both Ana's first entry and Bo
/// (9 values: the 9th, 500 ms; jitter 50; loss 3).
#[test]
fn breakdowns_and_episodes_of_a_hand_worked_fixture() {
    let path = data("why/page.json");
    let report = json(&zoom_qos(&[
        "analyze",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]));
    let meeting = &report["meetings"][0];
    assert_eq!(meeting["samples"], 11);
    assert_eq!(meeting["degraded"]["samples"], 3 + 3 + 2);

    let episode = |participant: u64,
                   name: &str,
                   start: &str,
                   end: &str,
                   flags: [u64; 3],
                   worst: [f64; 3]| {
        serde_json::json!({
            "participant": participant, "user_name": name,
            "start": format!("2024-03-01T{start}:00Z"), "end": format!("2024-03-01T{end}:00Z"),
            "samples": 2,
            "by_flag": {"latency": flags[0], "jitter": flags[1], "loss": flags[2], "frame_rate": 0, "cpu": 0, "weak_wifi": 0},
            "worst": {"latency_ms": worst[0], "jitter_ms": worst[1], "avg_loss_pct": worst[2]},
        })
    };
    // All of two samples: by start.
    assert_eq!(
        meeting["episodes"],
        serde_json::json!([
            episode(0, "Ana", "10:01", "10:02", [2, 1, 1], [300.0, 50.0, 3.0]),
            episode(1, "Bo", "10:02", "10:04", [2, 0, 0], [400.0, 5.0, 0.0]),
            episode(2, "Ana", "10:06", "10:07", [2, 0, 0], [250.0, 5.0, 0.0]),
        ])
    );

    let line = |participants: u64, samples: u64, degraded: u64, p95: [f64; 3]| {
        serde_json::json!({
            "participants": participants, "samples": samples, "degraded": degraded,
            "latency_ms_p95": p95[0], "jitter_ms_p95": p95[1], "avg_loss_pct_p95": p95[2],
        })
    };
    let anas = line(2, 7, 5, [300.0, 50.0, 3.0]);
    let bos = line(1, 4, 3, [500.0, 6.0, 0.5]);
    assert_eq!(
        meeting["breakdowns"],
        serde_json::json!({
            "network_type": {"Wifi": anas, "Wired": bos},
            "data_center": {"SC": line(2, 8, 6, [500.0, 50.0, 3.0]), "NY": line(1, 3, 2, [250.0, 5.0, 0.0])},
            "device": {"Mac": anas, "unknown": bos},
            "version": {"5.17.0": anas, "unknown": bos},
            // No sample has a Wi-Fi signal or a CPU pressure level.
            "wifi_signal": {},
            "cpu_pressure": {},
        })
    );

    // The table lists the same episodes, in the meeting's day.
    let table = String::from_utf8(zoom_qos(&["analyze", path.to_str().expect("utf-8")]).stdout)
        .expect("utf-8");
    assert!(
        table.contains(
            "longest degraded episodes (3 in all; 2024-03-01, UTC; degraded samples by flag)"
        ),
        "{table}"
    );
    assert!(
        table.contains("10:01-10:02 (2 min, 2 samples): latency 2, jitter 1, loss 1"),
        "{table}"
    );
    // In New York's winter time (UTC-5), by hand: 05:01-05:02.
    let table = String::from_utf8(
        zoom_qos(&[
            "analyze",
            path.to_str().expect("utf-8"),
            "--tz",
            "America/New_York",
        ])
        .stdout,
    )
    .expect("utf-8");
    assert!(
        table.contains("(3 in all; 2024-03-01, America/New_York;")
            && table.contains("05:01-05:02 (2 min, 2 samples)"),
        "{table}"
    );
}

#[test]
fn out_writes_the_same_report_as_stdout_and_names_a_path_it_cannot_write() {
    let dir = scratch("out");
    let path = data("meetings");
    let path = path.to_str().expect("utf-8");
    let file = dir.join("report.json");
    let written = zoom_qos(&[
        "analyze",
        path,
        "--format",
        "json",
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(written.stdout.is_empty(), "nothing on stdout");
    let printed = zoom_qos(&["analyze", path, "--format", "json"]);
    assert_eq!(std::fs::read(&file).expect("written"), printed.stdout);
    // Only the report is left in the folder: the temporary file was renamed.
    let names: Vec<_> = std::fs::read_dir(&*dir)
        .expect("listed")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["report.json"]);

    let missing = dir.join("no/such/folder/report.html");
    let failed = zoom_qos(&[
        "analyze",
        path,
        "--format",
        "html",
        "--out",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("no/such/folder/report.html"),
        "{}",
        stderr(&failed)
    );
}
