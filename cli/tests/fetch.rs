//! `zoom-qos fetch` against a fake Zoom API on 127.0.0.1, then `zoom-qos analyze` on what
//! it wrote: the same report as the fixture pages it was served from.
#![cfg(feature = "fetch")]

mod common;
#[path = "../../tests/fake_zoom/mod.rs"]
mod fake_zoom;

use std::process::{Command, Output};

use common::{data, scratch};

use fake_zoom::{FakeZoom, Response};

fn zoom_qos(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zoom-qos"));
    command.args(args);
    for name in [
        "ZOOM_ACCESS_TOKEN",
        "ZOOM_ACCOUNT_ID",
        "ZOOM_CLIENT_ID",
        "ZOOM_CLIENT_SECRET",
    ] {
        command.env_remove(name);
    }
    command
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

/// `fetch --meeting MEETING --out OUT` against the fake API, with a token.
fn fetch_meeting(meeting: &str, out: &std::path::Path, server: &FakeZoom, token: &str) -> Output {
    let api = format!("{}/v2", server.base);
    let out = out.to_str().expect("utf-8");
    let args = [
        "fetch",
        "--meeting",
        meeting,
        "--out",
        out,
        "--api-base",
        &api,
    ];
    zoom_qos(&args, &[("ZOOM_ACCESS_TOKEN", token)])
}

/// The description Zoom gives of an instance (`GET /metrics/meetings/{id}`) when
/// `request` asks for one: the instance `uuid` of meeting `id`.
fn description(request: &fake_zoom::Request, uuid: &str, id: u64) -> Option<Response> {
    let described = request.path().starts_with("/v2/metrics/meetings/")
        && !request.path().contains("/participants");
    described.then(|| {
        let entry = serde_json::json!({
            "uuid": uuid, "id": id, "topic": "Weekly sync",
            "start_time": "2026-11-30T10:00:00Z", "end_time": "2026-11-30T10:30:00Z",
        });
        Response::json(200, entry.to_string())
    })
}

/// The visible entries of `out` (the command's lock file and hidden staging aside).
fn visible(out: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn fetch_writes_pages_that_analyze_reads() {
    let fixture = data("meetings/standup");
    let pages: Vec<Vec<u8>> = ["page-000.json", "page-001.json"]
        .iter()
        .map(|p| std::fs::read(fixture.join(p)).expect("fixture"))
        .collect();
    // The fixture's first page carries next_page_token "abc"; the second, "".
    let served = pages.clone();
    let server = FakeZoom::start(move |request| {
        if let Some(description) = description(request, "/uuid//x==", 85746065432) {
            return description;
        }
        match request.query("next_page_token") {
            None => Response::json(200, served[0].clone()),
            Some("abc") => Response::json(200, served[1].clone()),
            Some(_) => Response::json(400, r#"{"code":300,"message":"invalid token"}"#),
        }
    });
    let out = scratch("ok");
    let api = format!("{}/v2", server.base);
    let args = [
        "fetch",
        "--meeting",
        "85746065432",
        "--out",
        out.to_str().expect("utf-8"),
        "--api-base",
        &api,
        "--page-size",
        "2",
    ];
    let output = zoom_qos(&args, &[("ZOOM_ACCESS_TOKEN", "cli-secret")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("cli-secret"));

    // The instance's folder, named by its UUID as the account mode names it.
    let folder = out.join(folder_name("/uuid//x==", 85746065432));
    assert_eq!(
        std::fs::read(folder.join("page-000.json")).expect("written"),
        pages[0],
        "unchanged bytes"
    );
    assert_eq!(
        std::fs::read(folder.join("page-001.json")).expect("written"),
        pages[1]
    );
    let described: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("meeting.json")).expect("described"))
            .expect("JSON");
    assert_eq!(described["uuid"], "/uuid//x==");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].target,
        "/v2/metrics/meetings/85746065432?type=past"
    );
    // The QoS is asked by the instance's UUID, never by the meeting number.
    assert_eq!(
        requests[1].path(),
        "/v2/metrics/meetings/%252Fuuid%252F%252Fx%253D%253D/participants/qos"
    );
    assert_eq!(
        (requests[1].query("type"), requests[1].query("page_size")),
        (Some("past"), Some("2"))
    );
    assert_eq!(
        requests[2].header("authorization"),
        Some("Bearer cli-secret")
    );
}

/// A meeting number names its latest instance: fetched once a week, a recurring meeting's
/// instances each keep their own folder, and nothing the command did not write is
/// deleted or replaced (a user's `OUT/85746065432/notes.txt`, a note put into an
/// instance's folder).
#[test]
fn a_recurring_meetings_instances_each_keep_their_own_folder() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let week = std::sync::Arc::new(AtomicUsize::new(0));
    let weeks = ["Wk1+aa/bb==", "Wk2+aa/bb=="];
    let served = week.clone();
    let server = FakeZoom::start(move |request| {
        let uuid = weeks[served.load(Ordering::SeqCst)];
        if let Some(description) = description(request, uuid, 85746065432) {
            return description;
        }
        let page = serde_json::json!({
            "participants": [{"id": uuid, "user_name": uuid, "user_qos": []}],
            "next_page_token": "",
        });
        Response::json(200, page.to_string())
    });
    let out = scratch("recurring");
    let theirs = out.join("85746065432");
    std::fs::create_dir_all(&theirs).expect("a user's folder");
    std::fs::write(theirs.join("notes.txt"), "mine").expect("a user's file");

    for (index, uuid) in weeks.iter().enumerate() {
        week.store(index, Ordering::SeqCst);
        let output = fetch_meeting("85746065432", &out, &server, "t");
        assert!(output.status.success(), "{output:?}");
        let page = out
            .join(folder_name(uuid, 85746065432))
            .join("page-000.json");
        let text = std::fs::read_to_string(&page).expect("its own folder");
        assert!(text.contains(uuid), "{text}");
    }
    let first = out.join(folder_name(weeks[0], 85746065432));
    assert!(
        std::fs::read_to_string(first.join("page-000.json"))
            .expect("last week's instance is still there")
            .contains(weeks[0])
    );
    assert_eq!(
        std::fs::read(theirs.join("notes.txt")).expect("untouched"),
        b"mine"
    );
    assert_eq!(visible(&out).len(), 3, "{:?}", visible(&out));

    // Fetched again, an instance's folder is replaced only when it holds nothing else.
    std::fs::write(first.join("notes.txt"), "also mine").expect("a note");
    week.store(0, Ordering::SeqCst);
    let output = fetch_meeting("85746065432", &out, &server, "t");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert_eq!(
        std::fs::read(first.join("notes.txt")).expect("untouched"),
        b"also mine"
    );
    assert!(first.join("page-000.json").exists());
}

#[test]
fn fetch_needs_credentials_and_reports_api_errors() {
    let out = scratch("errors");
    let output = zoom_qos(
        &[
            "fetch",
            "--meeting",
            "1",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ZOOM_ACCESS_TOKEN"));

    let server = FakeZoom::start(|_| {
        Response::json(
            404,
            r#"{"code":3001,"message":"Meeting does not exist: 1."}"#,
        )
    });
    let output = fetch_meeting("1", &out, &server, "cli-secret");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("code 3001") && stderr.contains("page 0"),
        "{stderr}"
    );
    assert!(!stderr.contains("cli-secret"));
    assert!(
        visible(&out).is_empty(),
        "nothing written for a failed chain"
    );

    let output = zoom_qos(
        &["fetch", "--meeting", "1", "--out", "x", "--page-size", "11"],
        &[("ZOOM_ACCESS_TOKEN", "t")],
    );
    assert_eq!(
        output.status.code(),
        Some(64),
        "page size is bounded by the API's 10"
    );
}

/// Undoes percent-encoding until nothing changes (Zoom's UUIDs are encoded twice when
/// they begin with `/` or hold `//`).
fn decode_fully(text: &str) -> String {
    let mut text = text.to_owned();
    loop {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        let decoded = String::from_utf8(out).expect("UTF-8");
        if decoded == text {
            return text;
        }
        text = decoded;
    }
}

/// The account the fake serves: 55 instances listed over two month windows (three list
/// pages, one instance listed in both), UUIDs that differ only by letter case or by `/`
/// and `+`, and each instance's QoS chain, generated.
struct Account {
    /// (uuid, id, topic, pages)
    instances: Vec<(String, u64, String, Vec<String>)>,
    /// The range to fetch: from the 20th of last month to today, two month windows.
    from: String,
    to: String,
}

impl Account {
    fn new() -> Self {
        Account::with(55, None)
    }

    /// `count` instances; each of `participants` entries (3 pages of 10 for 21 to 30), or
    /// of 2 to 14.
    fn with(count: u64, participants: Option<usize>) -> Self {
        let instances = (0..count)
            .map(|i| {
                let uuid = match i % 4 {
                    0 => format!("aB{i}cD+eF=="),
                    1 => format!("Ab{i}Cd+eF=="),
                    2 => format!("/aB{i}cD/eF=="),
                    _ => format!("aB{i}cD//eF=="),
                };
                let shape = zoom_qos::synth::MeetingShape {
                    participants: participants.unwrap_or(2 + (i as usize % 13)),
                    minutes: 10 + (i as usize % 7),
                };
                let pages = zoom_qos::synth::meeting_pages(1000 + i, shape);
                (uuid, 900_000 + i % 40, format!("Weekly sync {i}"), pages)
            })
            .collect();
        let (from, to) = two_windows();
        Account {
            instances,
            from,
            to,
        }
    }

    fn entry(&self, index: usize) -> String {
        let (uuid, id, topic, _) = &self.instances[index];
        serde_json::json!({
            "uuid": uuid, "id": id, "topic": topic, "host": "Ana", "email": "ana@example.com",
            "user_type": "Licensed", "start_time": "2026-10-20T10:00:00Z",
            "end_time": "2026-10-20T10:48:02Z", "duration": "48:02", "participants": 3,
            "has_pstn": false, "has_video": true, "dept": "IT", "custom_keys": [],
        })
        .to_string()
    }

    fn list_page(&self, range: std::ops::Range<usize>, token: &str) -> String {
        let entries: Vec<String> = range.map(|i| self.entry(i)).collect();
        format!(
            r#"{{"from":"x","to":"y","page_size":300,"next_page_token":"{token}","meetings":[{}]}}"#,
            entries.join(",")
        )
    }

    /// The instance and page a QoS request asks for.
    fn asked(&self, request: &fake_zoom::Request) -> Option<(usize, usize)> {
        let uuid = served_uuid(request)?;
        let instance = self.instances.iter().position(|i| i.0 == uuid)?;
        let page = match request.query("next_page_token") {
            None => 0,
            Some(token) => token.rsplit('p').next()?.parse().ok()?,
        };
        Some((instance, page))
    }

    /// The answer to any request of the fake.
    fn answer(&self, request: &fake_zoom::Request) -> Response {
        let path = request.path();
        if path == "/v2/metrics/meetings" && request.query("from").is_none() {
            // The live instances: every one, on one page.
            return Response::json(200, self.list_page(0..self.instances.len(), ""));
        }
        if path == "/v2/metrics/meetings" {
            let first_window = request.query("from") == Some(self.from.as_str());
            let body = match (first_window, request.query("next_page_token")) {
                (true, None) => self.list_page(0..25, "w1p2"),
                (true, Some("w1p2")) => self.list_page(25..30, ""),
                // Instance 29 ran across the month's end: listed again.
                (false, None) => self.list_page(29..45, "w2p2"),
                (false, Some("w2p2")) => self.list_page(45..55, ""),
                _ => return Response::json(400, r#"{"code":300,"message":"bad token"}"#),
            };
            return Response::json(200, body);
        }
        let Some((instance, page)) = self.asked(request) else {
            return Response::json(404, r#"{"code":3001,"message":"Meeting does not exist."}"#);
        };
        match self.instances[instance].3.get(page) {
            Some(page) => Response::json(200, page.clone()),
            None => Response::json(400, r#"{"code":300,"message":"bad token"}"#),
        }
    }

    /// The UUID of the instance `fetch` writes to folder `name`.
    fn uuid_of_folder(&self, name: &str) -> Option<&str> {
        self.instances
            .iter()
            .find(|(uuid, id, _, _)| folder_name(uuid, *id) == name)
            .map(|(uuid, ..)| uuid.as_str())
    }

    /// The UUIDs of the instances complete in `out` (every folder a reader sees must be
    /// one: the others are hidden).
    fn complete_in(&self, out: &std::path::Path) -> Vec<String> {
        let mut complete = Vec::new();
        for entry in std::fs::read_dir(out).expect("written").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let uuid = self.uuid_of_folder(&name).expect("a listed instance");
            assert!(
                zoom_qos_cli::fetch::is_complete(
                    zoom_qos::client::Kind::Meeting,
                    &entry.path(),
                    uuid
                ),
                "{name} is visible but not complete"
            );
            complete.push(uuid.to_owned());
        }
        complete
    }
}

/// The folder `fetch` writes an instance to.
fn folder_name(uuid: &str, id: u64) -> String {
    let listed = zoom_qos::client::ListedMeeting {
        uuid: uuid.to_owned(),
        id,
        ..Default::default()
    };
    zoom_qos_cli::fetch::instance_folder_name(zoom_qos::client::Kind::Meeting, &listed)
}

/// `fetch`'s arguments for an account from `from` to `to` into `out`, and `more`.
fn account_args(
    from: &str,
    to: &str,
    out: &std::path::Path,
    api: &str,
    more: &[&str],
) -> Vec<String> {
    let mut args: Vec<String> = [
        "fetch",
        "--from",
        from,
        "--to",
        to,
        "--out",
        out.to_str().expect("utf-8"),
        "--api-base",
        api,
        "--rate",
        "500",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(more.iter().map(|a| (*a).to_owned()));
    args
}

fn run_with(args: &[String], env: &[(&str, &str)]) -> Output {
    zoom_qos(&args.iter().map(String::as_str).collect::<Vec<_>>(), env)
}

fn day_string((year, month, day): (i64, u32, u32)) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

#[test]
fn an_account_is_listed_by_month_fetched_whole_and_resumed_without_requests() {
    let account = std::sync::Arc::new(Account::new());
    let (from, to) = (account.from.clone(), account.to.clone());
    let served = account.clone();
    let server = FakeZoom::start(move |request| served.answer(request));
    let dir = scratch("account");
    let out = dir.join("pulled");
    let api = format!("{}/v2", server.base);
    let args = account_args(&from, &to, &out, &api, &[]);
    let token = [("ZOOM_ACCESS_TOKEN", "cli-secret")];
    let run = run_with(&args, &token);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("55 instances listed: 55 fetched, 0 already complete, 0 failed"),
        "{stderr}"
    );
    let requests = server.requests();
    let lists: Vec<_> = requests
        .iter()
        .filter(|r| r.path() == "/v2/metrics/meetings")
        .collect();
    assert_eq!(lists.len(), 4, "two windows of two pages");
    assert_eq!(lists[0].query("from"), Some(from.as_str()));
    assert_eq!(lists[0].query("page_size"), Some("300"));
    assert_eq!(
        lists[2].query("from").map(|f| f.ends_with("-01")),
        Some(true)
    );
    let chains = account.instances.iter().map(|i| i.3.len()).sum::<usize>();
    assert_eq!(requests.len(), 4 + chains, "each instance fetched once");

    // One folder per instance: UUIDs that differ only by case stay apart, also for a
    // file system that ignores case.
    let folders: Vec<String> = std::fs::read_dir(&out)
        .expect("written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != zoom_qos_cli::lock::LOCK_FILE)
        .collect();
    assert_eq!(folders.len(), 55, "{folders:?}");
    let folded: std::collections::HashSet<String> =
        folders.iter().map(|f| f.to_lowercase()).collect();
    assert_eq!(folded.len(), 55);

    // The source pages, laid out under the same names, report the same; the topics
    // come from meeting.json.
    let source = dir.join("source");
    write_source(&account, &source, &[]);
    let topics = std::process::Command::new(env!("CARGO_BIN_EXE_zoom-qos"))
        .args(["analyze", out.to_str().expect("utf-8"), "--format", "json"])
        .output()
        .expect("analyze");
    let report: serde_json::Value = serde_json::from_slice(&topics.stdout).expect("JSON");
    for meeting in report["meetings"].as_array().expect("meetings") {
        assert!(
            meeting["topic"]
                .as_str()
                .is_some_and(|t| t.starts_with("Weekly sync"))
        );
        assert!(meeting["uuid"].is_string() && meeting["start_time"].is_string());
    }
    assert_eq!(
        analyze_without_descriptions(&out),
        analyze_without_descriptions(&source)
    );
    // The table names a fetched meeting by its topic and start, beside its folder.
    let (uuid, id, topic, _) = &account.instances[0];
    let table = zoom_qos(
        &[
            "analyze",
            out.join(folder_name(uuid, *id)).to_str().expect("utf-8"),
        ],
        &[],
    );
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains(&format!(
            "meeting {topic}, Tue 2026-10-20 10:00 UTC ({}): ",
            folder_name(uuid, *id)
        )),
        "{table}"
    );
    answer_first(&out);

    // Again: every instance is complete, so only the listing is requested.
    let before = server.requests().len();
    let run = run_with(&args, &token);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("0 fetched, 55 already complete"),
        "{stderr}"
    );
    let again = &server.requests()[before..];
    assert!(
        again.iter().all(|r| r.path() == "/v2/metrics/meetings"),
        "no completed instance is requested again"
    );

    // A folder lost, and a stale page in another: the lost one is fetched again; with
    // --refetch every folder is replaced whole, and the stale page is gone.
    let lost = out.join(&folders[0]);
    std::fs::remove_dir_all(&lost).expect("remove");
    let stale = out.join(&folders[1]).join("page-099.json");
    std::fs::write(&stale, "{}").expect("stale page");
    let run = run_with(&args, &token);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        stderr.contains("1 fetched, 54 already complete"),
        "{stderr}"
    );
    assert!(lost.join("meeting.json").is_file());
    let mut refetch = args.clone();
    refetch.push("--refetch".to_owned());
    let run = run_with(&refetch, &token);
    assert_eq!(run.status.code(), Some(0));
    assert!(!stale.exists(), "a re-fetched folder is replaced whole");
    let hidden: Vec<_> = std::fs::read_dir(&out)
        .expect("listed")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_name() != zoom_qos_cli::lock::LOCK_FILE)
        .collect();
    assert!(hidden.is_empty(), "no temporary folder left");
}

#[test]
fn a_range_reaching_past_six_months_is_refused_before_any_request() {
    let server = FakeZoom::start(|_| Response::json(500, "{}"));
    let api = format!("{}/v2", server.base);
    let out = scratch("old-range");
    let run = zoom_qos(
        &[
            "fetch",
            "--from",
            "2020-01-01",
            "--to",
            "2020-02-01",
            "--out",
            out.to_str().expect("utf-8"),
            "--api-base",
            &api,
        ],
        &[("ZOOM_ACCESS_TOKEN", "t")],
    );
    assert_eq!(run.status.code(), Some(64), "a usage error");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("6 months before today"), "{stderr}");
    assert!(server.requests().is_empty());
}

/// The source pages of `account`'s instances (all but `except`), laid out as `fetch`
/// names them, and the JSON report `analyze` makes of a folder.
fn write_source(account: &Account, source: &std::path::Path, except: &[usize]) {
    for (index, (uuid, id, _, pages)) in account.instances.iter().enumerate() {
        if except.contains(&index) {
            continue;
        }
        let folder = source.join(folder_name(uuid, *id));
        std::fs::create_dir_all(&folder).expect("source folder");
        for (page_index, page) in pages.iter().enumerate() {
            std::fs::write(folder.join(format!("page-{page_index:03}.json")), page).expect("page");
        }
    }
}

/// The account answer first: `analyze` of a fetched account as a table (in Berlin time)
/// shows on its first screen what the JSON report says of the account: the date range,
/// the day and hour view, the why lines with their participant entries, the worst
/// meetings by topic, and people told apart.
fn answer_first(out: &std::path::Path) {
    let path = out.to_str().expect("utf-8");
    let zone = ["--tz", "Europe/Berlin"];
    let json = zoom_qos(
        &[&["analyze", path, "--format", "json"][..], &zone].concat(),
        &[],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let account = &report["account"];
    let table = zoom_qos(&[&["analyze", path][..], &zone].concat(), &[]);
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    let first_screen: String = table.lines().take(50).collect::<Vec<_>>().join("\n");
    let seen = |text: &str| {
        assert!(
            first_screen.contains(text),
            "{text:?} not on the first screen:\n{first_screen}"
        );
    };
    assert_eq!(account["zone"], "Europe/Berlin");
    let when = |key: &str| {
        let time = account[key].as_str().expect("a time");
        assert!(
            time.ends_with("+01:00") || time.ends_with("+02:00"),
            "{time}"
        );
        format!("{} {}", &time[..10], &time[11..16])
    };
    seen(&format!(
        "{} to {} (Europe/Berlin)",
        when("first_sample"),
        when("last_sample")
    ));
    let share = |p: &serde_json::Value| {
        let (samples, degraded) = (
            p["samples"].as_u64().expect("n"),
            p["degraded"].as_u64().expect("n"),
        );
        format!(
            "{:.1}% of {samples}",
            degraded as f64 * 100.0 / samples as f64
        )
    };
    let days = account["days"].as_array().expect("days");
    assert!(!days.is_empty());
    for day in days {
        let date = day["period"].as_str().expect("date");
        seen(&format!("{} {}", &date[5..], share(day)));
    }
    for hour in account["hours"].as_array().expect("hours") {
        seen(&format!(
            "{}h {}",
            hour["period"].as_str().expect("hour"),
            share(hour)
        ));
    }
    // Why: per field, its most degraded value of 30 samples or more, with its entries.
    let mut why = 0;
    for (field, values) in account["breakdowns"].as_object().expect("breakdowns") {
        let worst = values
            .as_object()
            .expect("values")
            .iter()
            .filter(|(value, b)| *value != "unknown" && b["samples"].as_u64() >= Some(30))
            .max_by(|a, b| {
                let share = |b: &serde_json::Value| {
                    b["degraded"].as_f64().expect("n") / b["samples"].as_f64().expect("n")
                };
                share(a.1).total_cmp(&share(b.1))
            });
        if let Some((value, b)) = worst {
            why += 1;
            let entries = b["participants"].as_u64().expect("n");
            let who = if entries == 1 {
                "1 participant entry: one person".to_owned()
            } else {
                format!("{entries} participant entries")
            };
            seen(&format!(
                "{field} {value}: {:.1}% of {} samples degraded, {who}",
                b["degraded"].as_f64().expect("n") * 100.0 / b["samples"].as_f64().expect("n"),
                b["samples"]
            ));
        }
    }
    assert!(why >= 2, "{first_screen}");
    // Which: the worst meetings by their topic, and each big enough.
    let worst = account["worst_meetings"].as_array().expect("worst");
    assert!(!worst.is_empty());
    for meeting in worst.iter().take(5) {
        let label = meeting["label"].as_str().expect("labelled");
        assert!(label.starts_with("Weekly sync "), "{label}");
        seen(&format!(
            "{label} ({})",
            meeting["meeting"].as_str().expect("key")
        ));
        assert!(
            meeting["participants"].as_u64() >= Some(3) || meeting["samples"].as_u64() >= Some(30)
        );
    }
    // Prometheus: the label on one info series per meeting, joined on `meeting`.
    let prometheus = zoom_qos(
        &[&["analyze", path, "--format", "prometheus"][..], &zone].concat(),
        &[],
    );
    let prometheus = String::from_utf8_lossy(&prometheus.stdout);
    for meeting in report["meetings"].as_array().expect("meetings") {
        let series = format!(
            "zoom_qos_meeting_info{{meeting=\"{}\",label=\"{}\"}} 1",
            meeting["meeting"].as_str().expect("key"),
            meeting["label"].as_str().expect("labelled")
        );
        assert!(prometheus.contains(&series), "{series}");
    }
    // Who: rows with the same name are told apart by who they are.
    let people = account["repeat_participants"].as_array().expect("people");
    let shown = &people[..people.len().min(5)];
    for person in shown {
        let name = person["user_name"].as_str().expect("name");
        let twins = shown
            .iter()
            .filter(|p| p["user_name"] == person["user_name"])
            .count();
        if twins > 1 || name.is_empty() {
            let id = person["key"]
                .as_str()
                .expect("key")
                .split_once(':')
                .expect("kind:value")
                .1;
            seen(&format!("({id})"));
        } else {
            seen(&format!("    {name}"));
        }
    }
    answer_first_in_html(path, &zone, account);
}

/// The same account as an HTML page: its overview opens with the dates in the title, the
/// day and hour view, every breakdown row, the worst meetings by topic and the people,
/// each as the JSON report says (the DOM in a browser: `cli/tests/browser.rs`).
fn answer_first_in_html(path: &str, zone: &[&str], account: &serde_json::Value) {
    // As the page writes text and attribute values.
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = zoom_qos(
        &[&["analyze", path, "--format", "html"][..], zone].concat(),
        &[],
    );
    let html = String::from_utf8_lossy(&html.stdout).into_owned();
    // The overview, before the first meeting's section.
    let overview = &html[..html.find("<section class=\"meeting\"").expect("a meeting")];
    let day = |key: &str| account[key].as_str().expect("a time")[..10].to_owned();
    let title = format!(
        "<title>Zoom QoS: {} meetings, {} to {} (Europe/Berlin)</title>",
        account["meetings"],
        day("first_sample"),
        day("last_sample")
    );
    assert!(overview.contains(&title), "{title}");
    for (kind, key) in [("days", "days"), ("hours", "hours")] {
        for period in account[key].as_array().expect("periods") {
            let bar = format!(
                "data-kind=\"{kind}\" data-period=\"{}\" data-samples=\"{}\" data-degraded=\"{}\"",
                period["period"].as_str().expect("period"),
                period["samples"],
                period["degraded"]
            );
            assert!(overview.contains(&bar), "{bar}");
        }
    }
    for (field, values) in account["breakdowns"].as_object().expect("breakdowns") {
        for (value, b) in values.as_object().expect("values") {
            let row = format!(
                "data-dimension=\"{field}\" data-value=\"{}\" data-participants=\"{}\" data-samples=\"{}\" data-degraded=\"{}\"",
                escape(value),
                b["participants"],
                b["samples"],
                b["degraded"]
            );
            assert!(overview.contains(&row), "{row}");
        }
    }
    for meeting in account["worst_meetings"].as_array().expect("worst") {
        let row = format!(
            "<tr data-meeting=\"{}\"><td>{}",
            escape(meeting["meeting"].as_str().expect("key")),
            escape(meeting["label"].as_str().expect("labelled"))
        );
        assert!(overview.contains(&row), "{row}");
    }
    for person in account["repeat_participants"].as_array().expect("people") {
        let key = person["key"].as_str().expect("key");
        assert!(
            overview.contains(&format!("<tr data-key=\"{key}\">")),
            "{key}"
        );
    }
}

/// What was written is what was served: `analyze` of `out` equals `analyze` of the
/// source pages of every instance but `except` (laid out under `dir/source`), the
/// descriptions aside.
fn assert_reports_as_served(
    account: &Account,
    out: &std::path::Path,
    dir: &std::path::Path,
    except: &[usize],
) {
    let source = dir.join("source");
    write_source(account, &source, except);
    assert_eq!(
        analyze_without_descriptions(out),
        analyze_without_descriptions(&source),
        "what was written is what was served"
    );
}

fn analyze_without_descriptions(path: &std::path::Path) -> serde_json::Value {
    let run = zoom_qos(
        &["analyze", path.to_str().expect("utf-8"), "--format", "json"],
        &[],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    for meeting in report["meetings"].as_array_mut().expect("meetings") {
        // A fetched chain is always whole: what fetch writes is never marked incomplete.
        assert_eq!(meeting["complete"], true, "{}", meeting["meeting"]);
        let object = meeting.as_object_mut().expect("object");
        for key in ["uuid", "topic", "start_time", "label"] {
            object.remove(key);
        }
    }
    // The worst meetings' labels too: the source has no meeting.json.
    if let Some(worst) = report["account"]["worst_meetings"].as_array_mut() {
        for meeting in worst {
            meeting.as_object_mut().expect("object").remove("label");
        }
    }
    report
}

/// The listing's dates, from the 20th of last month to today (two windows).
fn two_windows() -> (String, String) {
    use zoom_qos::client::Day;
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    let today = Day::of_unix_s(now_s);
    let (year, month, _) = today.months_before(1).civil();
    (day_string((year, month, 20)), today.to_string())
}

#[test]
fn faults_on_the_wire_are_retried_and_one_lost_meeting_does_not_stop_the_others() {
    use fake_zoom::Fault;
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let account = std::sync::Arc::new(Account::new());
    let (from, to) = (account.from.clone(), account.to.clone());
    let served = account.clone();
    let attempts: Mutex<HashMap<String, u32>> = Mutex::new(HashMap::new());
    let tokens = AtomicUsize::new(0);
    let api_requests = AtomicUsize::new(0);
    let server = FakeZoom::start(move |request| {
        if request.path() == "/oauth/token" {
            let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
            return Response::json(
                200,
                format!(r#"{{"access_token":"tok-{n}","token_type":"bearer","expires_in":3600}}"#),
            );
        }
        let count = api_requests.fetch_add(1, Ordering::SeqCst);
        // The first token is revoked after 20 requests (401, code 124).
        if count >= 20 && request.header("authorization") == Some("Bearer tok-1") {
            return Response::json(401, r#"{"code":124,"message":"Invalid access token."}"#);
        }
        let attempt = {
            let mut attempts = attempts.lock().expect("lock");
            let n = attempts.entry(request.target.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let answer = served.answer(request);
        match (served.asked(request), attempt) {
            (Some((3, 0)), 1) => answer.with_fault(Fault::EndMidBody),
            (Some((5, 0)), 1) => answer.with_fault(Fault::CutBody),
            (Some((7, 0)), 1 | 2) => Response::json(503, "upstream busy"),
            (Some((9, 0)), 1) => {
                Response::json(429, r#"{"code":429,"message":"Too many requests."}"#)
                    .with_header("Retry-After", "1")
            }
            (Some((11, 0)), 1) => {
                Response::json(429, r#"{"code":429,"message":"Too many requests."}"#)
            }
            (Some((13, _)), _) => {
                Response::json(404, r#"{"code":3001,"message":"Meeting does not exist."}"#)
            }
            _ => answer,
        }
    });
    let dir = scratch("faults");
    let out = dir.join("pulled");
    let api = format!("{}/v2", server.base);
    let args = account_args(
        &from,
        &to,
        &out,
        &api,
        &["--oauth-base", &server.base, "--jobs", "6"],
    );
    let credentials = [
        ("ZOOM_ACCOUNT_ID", "acct"),
        ("ZOOM_CLIENT_ID", "id"),
        ("ZOOM_CLIENT_SECRET", "s3cret"),
        // The retries are what is tested, not their waits (1, 2, 4 s and Retry-After).
        (zoom_qos_cli::commands::fetch::TEST_RETRY_MS, "20"),
    ];
    let run = run_with(&args, &credentials);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(1), "one meeting failed: {stderr}");
    assert!(
        stderr.contains("54 fetched, 0 already complete, 1 failed"),
        "{stderr}"
    );
    let lost = &account.instances[13];
    assert!(
        stderr.contains(&lost.0) && stderr.contains("code 3001"),
        "the failure is listed: {stderr}"
    );
    assert!(stderr.contains("2 rate-limited"), "{stderr}");
    assert!(!stderr.contains("s3cret"));
    // The first token, and one renewal when it was revoked, for all 6 jobs that had
    // requests refused with it.
    let requests = server.requests();
    let oauth = requests
        .iter()
        .filter(|r| r.path() == "/oauth/token")
        .count();
    assert_eq!(oauth, 2, "one renewal serves every job");
    let refused = requests
        .iter()
        .filter(|r| r.path() != "/oauth/token" && r.header("authorization") == Some("Bearer tok-1"))
        .count();
    assert!(
        refused > 20,
        "the revoked token was refused ({refused} requests carried it)"
    );

    assert_reports_as_served(&account, &out, &dir, &[13]);
}

/// `fetch --meeting` that meets Zoom's daily limit exits 75 (try again later), as the
/// account mode does, and writes nothing. A planted bug, the typed error turned into text
/// on the way up (as before issue 22), made this exit 1.
#[test]
fn fetch_meeting_exits_75_on_the_daily_limit() {
    let server = FakeZoom::start(|_| {
        Response::json(
            429,
            r#"{"code":429,"message":"You have reached the maximum daily rate limit for this API."}"#,
        )
        .with_header("X-RateLimit-Type", "Daily-limit")
        .with_header("Retry-After", "2026-11-27T00:00:00Z")
    });
    let out = scratch("daily-meeting");
    let output = fetch_meeting("85746065432", &out, &server, "t");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(75), "{stderr}");
    assert!(
        stderr.contains("daily rate limit") && stderr.contains("2026-11-27T00:00:00Z"),
        "{stderr}"
    );
    assert_eq!(server.requests().len(), 1, "no retry after the daily limit");
    assert!(visible(&out).is_empty(), "nothing written");
}

#[test]
fn the_daily_limit_stops_the_run_with_75_and_the_next_run_resumes() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let account = std::sync::Arc::new(Account::new());
    let (from, to) = (account.from.clone(), account.to.clone());
    let served = account.clone();
    let qos_requests = AtomicUsize::new(0);
    let reset = std::sync::Arc::new(AtomicBool::new(false));
    let reset_seen = reset.clone();
    let server = FakeZoom::start(move |request| {
        if served.asked(request).is_some()
            && !reset_seen.load(Ordering::SeqCst)
            && qos_requests.fetch_add(1, Ordering::SeqCst) >= 30
        {
            return Response::json(
                429,
                r#"{"code":429,"message":"You have reached the maximum daily rate limit for this API."}"#,
            )
            .with_header("X-RateLimit-Type", "Daily-limit")
            .with_header("Retry-After", "2026-11-27T00:00:00Z");
        }
        served.answer(request)
    });
    let dir = scratch("daily");
    let out = dir.join("pulled");
    let api = format!("{}/v2", server.base);
    let args = account_args(&from, &to, &out, &api, &["--jobs", "4"]);
    let token = [("ZOOM_ACCESS_TOKEN", "t")];
    let run = run_with(&args, &token);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(75), "{stderr}");
    assert!(
        stderr.contains("daily rate limit is reached")
            && stderr.contains("2026-11-27T00:00:00Z")
            && stderr.contains("run the same command again"),
        "{stderr}"
    );
    // It stopped at once: a 429 each for the jobs in flight, nothing after.
    let after_cap = server.requests().len();
    assert!(after_cap <= 4 + 30 + 4, "{after_cap} requests");
    let complete = account.complete_in(&out);
    assert!(
        !complete.is_empty() && complete.len() < 55,
        "{}",
        complete.len()
    );

    // After the reset, the same command fetches the rest, and nothing complete again.
    reset.store(true, Ordering::SeqCst);
    let run = run_with(&args, &token);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let again = &server.requests()[after_cap..];
    assert_not_requested(again, &complete);
    assert_reports_as_served(&account, &out, &dir, &[]);
}

/// No request of `requests` asks for one of the `complete` instances.
fn assert_not_requested(requests: &[fake_zoom::Request], complete: &[String]) {
    for uuid in complete {
        assert!(
            requests
                .iter()
                .all(|r| served_uuid(r).as_deref() != Some(uuid.as_str())),
            "{uuid} was complete and requested again"
        );
    }
}

/// The UUID a QoS request asks for.
fn served_uuid(request: &fake_zoom::Request) -> Option<String> {
    request
        .path()
        .strip_prefix("/v2/metrics/meetings/")
        .and_then(|rest| rest.strip_suffix("/participants/qos"))
        .map(decode_fully)
}

/// An account served 20 ms late, whose fake API tells the test (through `hear`) when
/// the QoS request numbered `at` (from 0) arrives: where a test stops the run.
struct Signalling {
    account: std::sync::Arc<Account>,
    server: FakeZoom,
    hear: std::sync::mpsc::Receiver<()>,
    out: std::path::PathBuf,
    args: Vec<String>,
    _dir: common::Scratch,
}

fn signalling(name: &str, at: usize) -> Signalling {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let account = std::sync::Arc::new(Account::new());
    let (from, to) = (account.from.clone(), account.to.clone());
    let served = account.clone();
    let (told, hear) = std::sync::mpsc::channel();
    let told = Mutex::new(told);
    let qos_requests = AtomicUsize::new(0);
    let server = FakeZoom::start(move |request| {
        if served.asked(request).is_some() {
            // Some latency, so that the stop finds meetings in flight.
            std::thread::sleep(std::time::Duration::from_millis(20));
            if qos_requests.fetch_add(1, Ordering::SeqCst) == at {
                let _ = told.lock().expect("lock").send(());
            }
        }
        served.answer(request)
    });
    let dir = scratch(name);
    let out = dir.join("pulled");
    let api = format!("{}/v2", server.base);
    let args = account_args(&from, &to, &out, &api, &["--jobs", "4"]);
    Signalling {
        account,
        server,
        hear,
        out,
        args,
        _dir: dir,
    }
}

impl Signalling {
    /// Starts `fetch` on the account with `token`, its stderr piped, and hands it back
    /// once the fake has seen the QoS request the test stops it at.
    fn start_until_heard(&self, token: &str) -> std::process::Child {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_zoom-qos"))
            .args(&self.args)
            .env("ZOOM_ACCESS_TOKEN", token)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("started");
        self.hear
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the fetch got that far");
        child
    }
}

#[test]
fn a_run_killed_mid_way_loses_only_the_meetings_in_flight() {
    let run = signalling("killed", 40);
    // The 41st QoS request has arrived: kill it there (SIGKILL: no clean-up runs).
    let mut child = run.start_until_heard("t");
    child.kill().expect("killed");
    let Signalling {
        account,
        server,
        out,
        args,
        _dir: dir,
        ..
    } = run;
    let status = child.wait().expect("reaped");
    assert!(!status.success());
    let killed_at = server.requests().len();

    // What a reader sees now: complete folders only (the rest is hidden).
    let complete = account.complete_in(&out);
    assert!(
        !complete.is_empty() && complete.len() < 55,
        "{}",
        complete.len()
    );

    let run = run_with(&args, &[("ZOOM_ACCESS_TOKEN", "t")]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("{} already complete", complete.len())),
        "{stderr}"
    );
    let again = &server.requests()[killed_at..];
    assert_not_requested(again, &complete);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .expect("listed")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Hidden, and not the folder's lock (which stays, released with its process).
        .filter(|n| n.starts_with('.') && n != zoom_qos_cli::lock::LOCK_FILE)
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_reports_as_served(&account, &out, &dir, &[]);
}

/// Throughput against the rate: with every answer 100 ms late, 200 meetings of 3 pages at
/// `--rate 40 --jobs 8` take about requests / 40 seconds, not requests × 0.1 s. A ratio,
/// printed and bounded (≤ 1.3); ignored by default for its 15 s, run by `.ci/run`.
#[test]
#[ignore = "takes 15 s; run by .ci/run"]
fn throughput_follows_the_rate_not_the_latency() {
    let account = std::sync::Arc::new(Account::with(200, Some(25)));
    assert!(account.instances.iter().all(|i| i.3.len() == 3));
    let served = account.clone();
    let server = FakeZoom::start(move |request| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        served.answer(request)
    });
    let dir = scratch("throughput");
    let out = dir.join("pulled");
    let api = format!("{}/v2", server.base);
    let args = [
        "fetch",
        "--type",
        "live",
        "--out",
        out.to_str().expect("utf-8"),
        "--api-base",
        &api,
        "--rate",
        "40",
        "--jobs",
        "8",
    ];
    let started = std::time::Instant::now();
    let run = zoom_qos(&args, &[("ZOOM_ACCESS_TOKEN", "t")]);
    let elapsed_s = started.elapsed().as_secs_f64();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let requests = server.requests().len();
    assert_eq!(requests, 1 + 200 * 3);
    let floor_s = requests as f64 / 40.0;
    let ratio = elapsed_s / floor_s;
    println!(
        "throughput: {requests} requests in {elapsed_s:.2} s at --rate 40 --jobs 8, 100 ms each: \
         {ratio:.3} x (requests / 40 = {floor_s:.2} s; one at a time would take {:.1} s)",
        requests as f64 * 0.1
    );
    assert!(ratio <= 1.3, "{ratio:.3}");
    // Nor faster than the rate: the last request cannot go before 600 / 40 s.
    assert!(ratio >= 0.99, "{ratio:.3}: over the rate");
}

/// One run per folder: while another run holds the output folder (the test holds its
/// lock, as a first `fetch` would), a second `fetch` makes no request and changes nothing
/// there (not even the leftovers it would otherwise clean: a live run's staging folder),
/// and exits 75.
#[test]
fn a_second_fetch_into_a_folder_in_use_is_refused_before_any_request() {
    let server = FakeZoom::start(|_| Response::json(500, r#"{"code":500,"message":"unused"}"#));
    let out = scratch("locked-fetch");
    let owner = zoom_qos_cli::lock::FolderLock::take(&out).expect("the folder is free");
    // What the first run is writing just now.
    let staging = out.join(".85746065432.zoom-qos-1.partial");
    std::fs::create_dir_all(&staging).expect("staging");
    let output = fetch_meeting("85746065432", &out, &server, "t");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(75), "{stderr}");
    assert!(stderr.contains("one run per folder"), "{stderr}");
    assert!(server.requests().is_empty(), "no request before the lock");
    assert!(
        staging.exists(),
        "the other run's staging folder is left alone"
    );
    drop(owner);
}

/// Two real runs on one folder: while a fetch is mid-way, a second (a `--refetch` cron
/// job, say, with its own token) is refused with 75 before any request, and the first
/// finishes complete and exact.
#[test]
fn two_fetches_at_once_the_second_is_refused_and_the_first_is_exact() {
    let run = signalling("two-runs", 20);
    let first = run.start_until_heard("first");
    let Signalling {
        account,
        server,
        out,
        args,
        _dir: dir,
        ..
    } = run;
    let mut refetch = args.clone();
    refetch.push("--refetch".to_owned());
    let second = run_with(&refetch, &[("ZOOM_ACCESS_TOKEN", "second")]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(75), "{stderr}");
    assert!(stderr.contains("one run per folder"), "{stderr}");

    let first = first.wait_with_output().expect("finished");
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization") != Some("Bearer second")),
        "the second run made no request"
    );
    assert_eq!(account.complete_in(&out).len(), 55);
    assert_reports_as_served(&account, &out, &dir, &[]);
}

/// Only a QoS page is a page: Zoom's error body sent with a 200 is that error, and
/// nothing is written as if it were a meeting (a re-run would have skipped it forever).
#[test]
fn an_error_body_sent_with_a_200_is_never_saved_as_a_meeting() {
    let server = FakeZoom::start(|_| {
        Response::json(200, r#"{"code":124,"message":"Invalid access token."}"#)
    });
    let out = scratch("error-200");
    let output = fetch_meeting("85746065432", &out, &server, "t");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("124"), "{stderr}");
    assert!(visible(&out).is_empty(), "nothing saved as complete");
}

/// A rate that would overflow the clock (1e-20 requests a second: one every 3e12 years)
/// is a usage error, not a panic.
#[test]
fn an_absurd_rate_is_a_usage_error() {
    let out = scratch("rate");
    let args = [
        "fetch",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-02",
        "--rate",
        "1e-20",
        "--out",
        out.to_str().expect("utf-8"),
    ];
    let output = zoom_qos(&args, &[("ZOOM_ACCESS_TOKEN", "t")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("from 0.01 to 1000"), "{stderr}");
}

/// Server text reaches the terminal escaped: a 404 whose message holds escape sequences
/// (a window title, a clear screen) is printed with them written out, never obeyed.
#[test]
fn server_text_in_an_error_is_escaped_for_the_terminal() {
    let server = FakeZoom::start(|_| {
        Response::json(
            404,
            "{\"code\":3001,\"message\":\"\\u001b]0;TITLE\\u0007\\u001b[2J gone\"}",
        )
    });
    let out = scratch("escaped");
    let output = fetch_meeting("85746065432", &out, &server, "t");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !output.stderr.iter().any(|&b| b == 0x1b || b == 0x07),
        "{:?}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("gone"));
}

/// Credentials inside --api-base are refused, and never echoed; a `.` or `..` meeting is
/// no meeting (it would be sent as a dot-segment of the path).
#[test]
fn odd_bases_and_meeting_ids_are_usage_errors() {
    let out = scratch("odd-args");
    let out = out.to_str().expect("utf-8");
    let token = [("ZOOM_ACCESS_TOKEN", "t")];
    let args = [
        "fetch",
        "--meeting",
        "1",
        "--out",
        out,
        "--api-base",
        "https://me:hunter2@api.zoom.us/v2",
    ];
    let output = zoom_qos(&args, &token);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(64), "{stderr}");
    assert!(
        stderr.contains("credentials") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    for meeting in [".", ".."] {
        let output = zoom_qos(&["fetch", "--meeting", meeting, "--out", out], &token);
        assert_eq!(output.status.code(), Some(64), "{meeting}");
    }
}

/// Ctrl-C (SIGINT) stops starting meetings, lets those in flight finish, says how far the
/// run got and exits 130; every folder in place is complete, and the same command
/// resumes. (A watchdog kills the run if it does not end by itself.)
#[test]
fn ctrl_c_finishes_what_is_in_flight_and_says_how_to_resume() {
    use std::sync::mpsc;

    let run = signalling("interrupted", 20);
    let child = run.start_until_heard("t");
    let pid = child.id().to_string();
    let Signalling {
        account,
        server: _server,
        out,
        args,
        _dir,
        ..
    } = run;
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let (watchdog, done) = mpsc::channel::<()>();
    let guard = std::thread::spawn(move || {
        if done
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_err()
        {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status();
        }
    });
    let output = child.wait_with_output().expect("reaped");
    let _ = watchdog.send(());
    let _ = guard.join();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let complete = account.complete_in(&out);
    assert!(
        !complete.is_empty() && complete.len() < 55,
        "{}",
        complete.len()
    );
    assert!(
        stderr.contains(&format!(
            "interrupted: {} of 55 meetings complete",
            complete.len()
        )) && stderr.contains("run the same command again to resume"),
        "{stderr}"
    );
    let run = run_with(&args, &[("ZOOM_ACCESS_TOKEN", "t")]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("{} already complete", complete.len())),
        "{stderr}"
    );
}

/// Pages are written as they come: a chain of 40 pages of 8 MB (320 MB) is fetched by a
/// process whose address space is capped at 200 MB (`prlimit --as`), and lands whole.
/// Held in memory, as it once was, the chain could not fit.
#[test]
fn a_long_chain_is_streamed_to_disk_not_held_in_memory() {
    const PAGES: usize = 40;
    let pad = "x".repeat(8 << 20);
    let server = FakeZoom::start(move |request| {
        if let Some(description) = description(request, "Big+chain/1==", 85746065432) {
            return description;
        }
        let index: usize = request
            .query("next_page_token")
            .and_then(|t| t.strip_prefix('t')?.parse().ok())
            .unwrap_or(0);
        let next = if index + 1 < PAGES {
            format!("t{}", index + 1)
        } else {
            String::new()
        };
        let page = format!(
            r#"{{"page_count":{PAGES},"participants":[{{"id":"p{index}","user_qos":[],"pad":"{pad}"}}],"next_page_token":"{next}"}}"#
        );
        Response::json(200, page)
    });
    let out = scratch("streamed");
    let api = format!("{}/v2", server.base);
    let output = Command::new("prlimit")
        .arg(format!("--as={}", 200u64 << 20))
        .arg(env!("CARGO_BIN_EXE_zoom-qos"))
        .args([
            "fetch",
            "--meeting",
            "85746065432",
            "--api-base",
            &api,
            "--out",
        ])
        .arg(&out)
        .env("ZOOM_ACCESS_TOKEN", "t")
        .output()
        .expect("prlimit runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let folder = out.join(folder_name("Big+chain/1==", 85746065432));
    let pages = std::fs::read_dir(&folder)
        .expect("written")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("page-"))
        .count();
    assert_eq!(pages, PAGES);
}

/// Video SDK sessions: listed by date under `/videosdk/sessions`, each session's `users`
/// pages fetched whole into `session-<base32 id>` beside its description, and read by
/// `analyze` as meetings of participants (the user's `name`, the session's id and name);
/// a second run skips the sessions already whole; `--session ID` fetches one.
#[test]
fn video_sdk_sessions_are_listed_fetched_whole_resumed_and_analyzed() {
    let sessions = ["Ses1+a/b==", "Ses2//cd=="];
    let server = FakeZoom::start(move |request| {
        let path = request.path();
        let entry = |id: &str| {
            serde_json::json!({"id": id, "session_name": format!("Support {id}"),
                "start_time": "2026-11-30T10:00:00Z", "duration": "30:00", "user_count": 2})
        };
        if path == "/v2/videosdk/sessions" {
            let list = serde_json::json!({"next_page_token": "",
                "sessions": sessions.map(entry)});
            return Response::json(200, list.to_string());
        }
        let Some(rest) = path.strip_prefix("/v2/videosdk/sessions/") else {
            return Response::json(404, r#"{"code":3001,"message":"not here"}"#);
        };
        let Some((id, _)) = rest.split_once("/users/qos") else {
            // The session's description, for --session.
            let id = decode_fully(rest);
            return Response::json(200, entry(&id).to_string());
        };
        let id = decode_fully(id);
        let second = request.query("next_page_token") == Some("p2");
        let (name, token) = if second { ("Dee", "") } else { ("Cy", "p2") };
        let page = serde_json::json!({
            "page_size": 1, "total_records": 2, "next_page_token": token,
            "users": [{"id": format!("{id}-{name}"), "name": name, "user_key": name,
              "user_qos": [{"date_time": "2026-11-30T10:00:00Z",
                "audio_input": {"latency": "40 ms", "jitter": "3 ms", "avg_loss": "0.1%"}}]}],
        });
        Response::json(200, page.to_string())
    });
    let api = format!("{}/v2", server.base);
    let out = scratch("sessions");
    let (from, to) = two_windows();
    let args = account_args(&from, &to, &out, &api, &["--sessions"]);
    let output = run_with(&args, &[("ZOOM_ACCESS_TOKEN", "t")]);
    assert!(output.status.success(), "{output:?}");
    let folder = |id: &str| format!("session-{}", zoom_qos_cli::fetch::base32(id.as_bytes()));
    assert_eq!(visible(&out), sessions.map(folder).to_vec());
    for id in sessions {
        let dir = out.join(folder(id));
        assert!(dir.join("page-000.json").exists() && dir.join("page-001.json").exists());
        let described: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("meeting.json")).expect("its description"),
        )
        .expect("JSON");
        assert_eq!(described["id"], id, "the entry as Zoom sent it");
    }
    let qos_requests = |server: &FakeZoom| {
        server
            .requests()
            .iter()
            .filter(|r| r.path().contains("/users/qos"))
            .count()
    };
    assert_eq!(qos_requests(&server), 4, "two pages of each session");

    // Resumed: both are whole, so no QoS is asked for again.
    let output = run_with(&args, &[("ZOOM_ACCESS_TOKEN", "t")]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(qos_requests(&server), 4, "nothing fetched twice");

    let analyzed = zoom_qos(
        &["analyze", out.to_str().expect("utf-8"), "--format", "json"],
        &[],
    );
    assert!(analyzed.status.success(), "{analyzed:?}");
    let report: serde_json::Value = serde_json::from_slice(&analyzed.stdout).expect("JSON");
    let meetings = report["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 2);
    for meeting in meetings {
        let id = meeting["uuid"].as_str().expect("the session's id");
        assert!(sessions.contains(&id), "{id}");
        assert_eq!(meeting["topic"], format!("Support {id}"));
        assert_eq!(
            (&meeting["participants"], &meeting["complete"]),
            (&2.into(), &true.into())
        );
        let names: Vec<&str> = meeting["participant_details"]
            .as_array()
            .expect("details")
            .iter()
            .filter_map(|p| p["user_name"].as_str())
            .collect();
        assert_eq!(names, ["Cy", "Dee"]);
    }

    // One session by its ID.
    let one = scratch("one-session");
    let output = zoom_qos(
        &[
            "fetch",
            "--session",
            sessions[1],
            "--out",
            one.to_str().expect("utf-8"),
            "--api-base",
            &api,
        ],
        &[("ZOOM_ACCESS_TOKEN", "t")],
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(visible(&one), [folder(sessions[1])]);
}
