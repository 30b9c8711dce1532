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

#[test]
fn fetch_writes_pages_that_analyze_reads() {
    let fixture = data("meetings/standup");
    let pages: Vec<Vec<u8>> = ["page-000.json", "page-001.json"]
        .iter()
        .map(|p| std::fs::read(fixture.join(p)).expect("fixture"))
        .collect();
    // The fixture's first page carries next_page_token "abc"; the second, "".
    let served = pages.clone();
    let server = FakeZoom::start(move |request| match request.query("next_page_token") {
        None => Response::json(200, served[0].clone()),
        Some("abc") => Response::json(200, served[1].clone()),
        Some(_) => Response::json(400, r#"{"code":300,"message":"invalid token"}"#),
    });
    let out = scratch("ok");
    let api = format!("{}/v2", server.base);
    let args = [
        "fetch",
        "--meeting",
        "/uuid//x==",
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

    let folder = out.join("_uuid__x__");
    assert_eq!(
        std::fs::read(folder.join("page-000.json")).expect("written"),
        pages[0],
        "unchanged bytes"
    );
    assert_eq!(
        std::fs::read(folder.join("page-001.json")).expect("written"),
        pages[1]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].path(),
        "/v2/metrics/meetings/%252Fuuid%252F%252Fx%253D%253D/participants/qos"
    );
    assert_eq!(
        (requests[0].query("type"), requests[0].query("page_size")),
        (Some("past"), Some("2"))
    );
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer cli-secret")
    );
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
    let api = format!("{}/v2", server.base);
    let args = [
        "fetch",
        "--meeting",
        "1",
        "--out",
        out.to_str().expect("utf-8"),
        "--api-base",
        &api,
    ];
    let output = zoom_qos(&args, &[("ZOOM_ACCESS_TOKEN", "cli-secret")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("code 3001") && stderr.contains("page 0"),
        "{stderr}"
    );
    assert!(!stderr.contains("cli-secret"));
    assert!(
        !out.join("1").exists(),
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
