//! The HTML report in a real browser: headless Chromium opens the page the command wrote,
//! runs its script, lays it out and hands back the resulting DOM, its console and a
//! screenshot.
//!
//! Ignored by default, because they need Chromium (`.ci/run` installs Debian's package
//! and runs them): `cargo test -p zoom-qos-cli --test browser -- --ignored`. Set
//! `CHROMIUM` to use another binary.
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{json, scratch, zoom_qos};
use serde_json::Value;

/// The browser, or a failure that says how to get one.
fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "no Chromium at {}: install Debian's package `chromium` (as .ci/run does) or set CHROMIUM",
        path.display()
    );
    path
}

/// What the browser made of a page.
struct Page {
    /// The DOM after the page loaded and its script ran, serialised.
    dom: String,
    /// Everything the page wrote to the console, errors included.
    console: Vec<String>,
}

/// Headless Chromium as the probe of this workplace runs it: no sandbox (root in a
/// container), no GPU, and none of the background connections a closed network refuses.
/// Under `timeout` (coreutils): a page that opens a dialog (an `alert` that got through)
/// would otherwise hold the browser for ever; it fails the test instead.
fn browser(profile: &Path) -> Command {
    let mut command = Command::new("timeout");
    command.args(["--kill-after=5", "120"]).arg(chromium());
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

fn url(path: &Path) -> String {
    format!(
        "file://{}",
        path.canonicalize().expect("the page exists").display()
    )
}

fn open(html: &Path, profile: &Path) -> Page {
    let output = browser(profile)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(url(html))
        .output()
        .expect("Chromium runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    Page {
        dom: String::from_utf8(output.stdout).expect("utf-8"),
        console,
    }
}

/// A screenshot of the page's top, under `target/browser/` for a person to look at.
fn screenshot(html: &Path, profile: &Path, name: &str, size: &str) -> PathBuf {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser");
    fs::create_dir_all(&folder).expect("target/browser");
    let png = folder.join(name);
    let _ = fs::remove_file(&png);
    let status = browser(profile)
        .arg(format!("--window-size={size}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url(html))
        .output()
        .expect("Chromium runs")
        .status;
    assert!(status.success());
    let bytes = fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    png
}

/// The value of attribute `name` in a serialised start tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// Every start tag that begins with `start`, whole.
fn tags<'d>(dom: &'d str, start: &str) -> Vec<&'d str> {
    dom.match_indices(start)
        .map(|(at, _)| &dom[at..at + dom[at..].find('>').expect("a whole tag")])
        .collect()
}

/// A numeric attribute of a tag.
fn number(tag: &str, name: &str) -> u64 {
    attribute(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {tag}"))
}

/// The DOM contract: each meeting section's data-* attributes, in page order.
fn sections(dom: &str) -> Vec<(String, u64, u64, u64)> {
    tags(dom, "<section class=\"meeting\"")
        .into_iter()
        .map(|tag| {
            let meeting = attribute(tag, "data-meeting").expect("data-meeting");
            (
                unescape(meeting),
                number(tag, "data-samples"),
                number(tag, "data-degraded"),
                number(tag, "data-participants"),
            )
        })
        .collect()
}

/// The five entities an HTML serialiser writes in attribute values and text.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The same numbers from the JSON report of the same input.
fn from_json(report: &Value) -> Vec<(String, u64, u64, u64)> {
    common::per_meeting(report, |m| {
        (
            m["meeting"].as_str().expect("name").to_owned(),
            m["samples"].as_u64().expect("samples"),
            m["degraded"]["samples"].as_u64().expect("degraded"),
            m["participants"].as_u64().expect("participants"),
        )
    })
}

/// The HTML and the JSON report of `input`, checked against each other in the browser.
fn check_against_json(input: &Path, dir: &Path) -> (PathBuf, Page) {
    let html = dir.join("report.html");
    let input = input.to_str().expect("utf-8");
    let written = zoom_qos(&[
        "analyze",
        input,
        "--format",
        "html",
        "--out",
        html.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let report = json(&zoom_qos(&["analyze", input, "--format", "json"]));
    let page = open(&html, &dir.join("profile"));
    assert_eq!(
        page.console,
        Vec::<String>::new(),
        "the page wrote to the console"
    );
    let expected = from_json(&report);
    assert!(!expected.is_empty());
    assert_eq!(sections(&page.dom), expected);
    // The script ran (it sorts tables and times the load).
    assert!(
        page.dom.contains("data-load-ms=\""),
        "the page's script did not run"
    );
    (html, page)
}

#[test]
#[ignore = "needs headless Chromium: cargo test -p zoom-qos-cli --test browser -- --ignored"]
fn the_sample_report_matches_the_json_report_in_the_browser() {
    let dir = scratch("browser-sample");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample");
    let (html, page) = check_against_json(&sample, &dir);
    // What a person sees first: the overview, then each meeting with its heatmap.
    assert!(page.dom.contains("<h2 id=\"overview\">Overview</h2>"));
    assert!(page.dom.matches("<figure class=\"heatmap\">").count() >= 3);
    let png = screenshot(
        &html,
        &dir.join("profile"),
        "sample-report.png",
        "1000,1400",
    );
    eprintln!("screenshot: {}", png.display());
}

#[test]
#[ignore = "needs headless Chromium: cargo test -p zoom-qos-cli --test browser -- --ignored"]
fn a_generated_corpus_matches_the_json_report_in_the_browser() {
    let dir = scratch("browser-generated");
    let corpus = dir.join("corpus");
    let generated = zoom_qos(&[
        "generate",
        corpus.to_str().expect("utf-8"),
        "--meetings",
        "12",
        "--seed",
        "5",
    ]);
    assert!(generated.status.success());
    let (html, page) = check_against_json(&corpus, &dir);
    assert!(page.dom.contains("degraded episodes"));
    // The overview is the account's summary: its day and hour view and its breakdowns
    // carry the JSON report's numbers.
    let report = json(&zoom_qos(&[
        "analyze",
        corpus.to_str().expect("utf-8"),
        "--format",
        "json",
    ]));
    let account = &report["account"];
    let periods = |kind: &str| -> Vec<(String, u64, u64)> {
        tags(&page.dom, "<g class=\"period\"")
            .into_iter()
            .filter(|tag| attribute(tag, "data-kind") == Some(kind))
            .map(|tag| {
                (
                    unescape(attribute(tag, "data-period").expect("period")),
                    number(tag, "data-samples"),
                    number(tag, "data-degraded"),
                )
            })
            .collect()
    };
    let json_periods = |key: &str| -> Vec<(String, u64, u64)> {
        account[key]
            .as_array()
            .expect("periods")
            .iter()
            .map(|p| {
                (
                    p["period"].as_str().expect("period").to_owned(),
                    p["samples"].as_u64().expect("samples"),
                    p["degraded"].as_u64().expect("degraded"),
                )
            })
            .collect()
    };
    assert!(!json_periods("days").is_empty());
    assert_eq!(periods("days"), json_periods("days"));
    assert_eq!(periods("hours"), json_periods("hours"));
    let mut rows: Vec<(String, String, u64, u64, u64)> = tags(&page.dom, "<tr data-dimension=")
        .into_iter()
        .map(|tag| {
            (
                attribute(tag, "data-dimension")
                    .expect("dimension")
                    .to_owned(),
                unescape(attribute(tag, "data-value").expect("value")),
                number(tag, "data-participants"),
                number(tag, "data-samples"),
                number(tag, "data-degraded"),
            )
        })
        .collect();
    let mut expected = Vec::new();
    for (dimension, values) in account["breakdowns"].as_object().expect("breakdowns") {
        for (value, b) in values.as_object().expect("values") {
            expected.push((
                dimension.clone(),
                value.clone(),
                b["participants"].as_u64().expect("n"),
                b["samples"].as_u64().expect("n"),
                b["degraded"].as_u64().expect("n"),
            ));
        }
    }
    rows.sort();
    expected.sort();
    assert_eq!(rows, expected);
    // The title says the dates and the zone.
    let first = account["first_sample"].as_str().expect("first");
    assert!(
        page.dom
            .contains(&format!("meetings, {} to ", &first[..10]))
            && page.dom.contains("(UTC)</title>"),
        "the title"
    );
    screenshot(
        &html,
        &dir.join("profile"),
        "generated-report.png",
        "1200,1600",
    );
}

#[test]
#[ignore = "needs headless Chromium: cargo test -p zoom-qos-cli --test browser -- --ignored"]
fn hostile_names_show_as_text_and_run_nothing() {
    let dir = scratch("browser-hostile");
    let names = [
        "<script>alert(1)</script>",
        "<script>document.title='pwned'</script>",
        "\"><img src=x onerror=\"document.title='pwned'\">",
        "</title></svg><script>document.title='pwned'</script>",
        "Ines 🎧 Ruiz & <b>Bo</b>",
    ];
    let participants: Vec<Value> = names
        .iter()
        .map(|name| {
            serde_json::json!({
                "user_name": name,
                "device": name,
                "user_qos": [
                    {"date_time": "2024-03-01T10:00:00Z",
                     "audio_input": {"latency": "300 ms", "jitter": "2 ms", "avg_loss": "0.1%"}},
                    {"date_time": "2024-03-01T10:01:00Z",
                     "audio_input": {"latency": "300 ms", "jitter": "2 ms", "avg_loss": "0.1%"}}
                ]
            })
        })
        .collect();
    let input = dir.join("m<b>eeting.json");
    fs::write(
        &input,
        serde_json::json!({ "participants": participants }).to_string(),
    )
    .expect("written");
    let (_, page) = check_against_json(&input, &dir);
    // Nothing ran: the title is the report's own, no image was made, no alert was shown
    // (an alert dialog would have been logged).
    assert!(
        page.dom
            .contains("<title>Zoom QoS: m&lt;b&gt;eeting</title>"),
        "title changed"
    );
    assert!(!page.dom.contains("pwned</title>"));
    assert!(!page.dom.contains("<img"), "an image element was made");
    assert_eq!(
        page.dom.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    // Every name shows as text, in the heatmap, the breakdowns and the episodes.
    for name in names {
        let escaped = name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            page.dom.matches(&escaped).count() >= 2,
            "{name} is not shown as text"
        );
    }
}

/// The 500-meeting report: how big the file is and how long Chromium takes to load and
/// lay it out (the page measures itself: `data-load-ms`, from navigation start to after
/// the layout that follows the load event).
#[test]
#[ignore = "needs headless Chromium: cargo test -p zoom-qos-cli --test browser -- --ignored"]
fn a_500_meeting_report_is_small_and_loads_quickly() {
    let dir = scratch("browser-500");
    let corpus = dir.join("corpus");
    let generated = zoom_qos(&[
        "generate",
        corpus.to_str().expect("utf-8"),
        "--meetings",
        "500",
        "--seed",
        "7",
    ]);
    assert!(generated.status.success());
    let html = dir.join("report.html");
    let written = zoom_qos(&[
        "analyze",
        corpus.to_str().expect("utf-8"),
        "--format",
        "html",
        "--out",
        html.to_str().expect("utf-8"),
    ]);
    assert_eq!(written.status.code(), Some(0));
    let bytes = fs::metadata(&html).expect("written").len();
    let mut load_ms = Vec::new();
    for _ in 0..3 {
        let page = open(&html, &dir.join("profile"));
        assert_eq!(page.console, Vec::<String>::new());
        assert_eq!(sections(&page.dom).len(), 500);
        let at = page.dom.find("data-load-ms=\"").expect("timed") + "data-load-ms=\"".len();
        let ms: u64 = page.dom[at..at + page.dom[at..].find('"').expect("quoted")]
            .parse()
            .expect("a number");
        load_ms.push(ms);
    }
    load_ms.sort_unstable();
    eprintln!("500 meetings: {bytes} bytes; loaded and laid out in {load_ms:?} ms");
    assert!(bytes < 20_000_000, "{bytes} bytes");
    assert!(load_ms[1] < 2000, "median {} ms", load_ms[1]);
}
