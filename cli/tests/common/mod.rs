//! Helpers of the command's end-to-end tests: run the built binary, read its outputs.
#![allow(dead_code)] // each test file uses its own subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

// The scratch folders of the command's unit tests, the same file.
#[path = "../../src/scratch.rs"]
mod scratch_folder;
#[allow(unused_imports)] // each test file uses its own subset
pub(crate) use scratch_folder::{Scratch, scratch};

pub fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

pub fn zoom_qos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zoom-qos"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zoom-qos"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input)
        .expect("stdin");
    child.wait_with_output().expect("finishes")
}

pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `pick` of each meeting of a JSON report, in report order.
pub fn per_meeting<T>(report: &Value, pick: impl Fn(&Value) -> T) -> Vec<T> {
    report["meetings"]
        .as_array()
        .expect("meetings")
        .iter()
        .map(pick)
        .collect()
}
