//! Where the pages are: meetings found in paths, and the pages inside one file.

use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A meeting to analyze: its name and where its pages come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingInput {
    /// The meeting's name in the report.
    pub name: String,
    /// Its page files, in order, or standard input.
    pub source: Source,
}

impl MeetingInput {
    /// Bytes on disk (0 for stdin or unreadable files): for scheduling, not correctness.
    pub fn size_hint(&self) -> u64 {
        match &self.source {
            Source::Files(paths) => paths
                .iter()
                .filter_map(|p| fs::metadata(p).ok())
                .map(|m| m.len())
                .sum(),
            Source::Stdin => 0,
        }
    }
}

/// Where a meeting's bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Files, each holding one or more pages, read in this order.
    Files(Vec<PathBuf>),
    /// Standard input.
    Stdin,
}

/// Why the paths could not be turned into meetings: a usage error.
#[derive(Debug)]
pub struct PathError(pub String);

/// The meetings named by command-line paths.
///
/// - `-`: standard input, one meeting named `stdin_name`;
/// - a file: one meeting named after its stem;
/// - a folder: each sub-folder is a meeting named after it, its `*.json` / `*.ndjson` files
///   sorted by name are its pages; each such file directly inside is a meeting of its own.
pub fn discover(paths: &[PathBuf], stdin_name: &str) -> Result<Vec<MeetingInput>, PathError> {
    let mut meetings = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            meetings.push(MeetingInput {
                name: stdin_name.to_owned(),
                source: Source::Stdin,
            });
        } else if path.is_dir() {
            folder(path, &mut meetings)?;
        } else if path.is_file() {
            meetings.push(MeetingInput {
                name: stem(path),
                source: Source::Files(vec![path.clone()]),
            });
        } else {
            return Err(PathError(format!(
                "{}: no such file or folder",
                path.display()
            )));
        }
    }
    Ok(meetings)
}

fn folder(path: &Path, meetings: &mut Vec<MeetingInput>) -> Result<(), PathError> {
    for entry in sorted_entries(path)? {
        if entry.is_dir() {
            let pages: Vec<PathBuf> = sorted_entries(&entry)?
                .into_iter()
                .filter(|p| is_page_file(p))
                .collect();
            if !pages.is_empty() {
                meetings.push(MeetingInput {
                    name: file_name(&entry),
                    source: Source::Files(pages),
                });
            }
        } else if is_page_file(&entry) {
            meetings.push(MeetingInput {
                name: stem(&entry),
                source: Source::Files(vec![entry]),
            });
        }
    }
    Ok(())
}

fn sorted_entries(path: &Path) -> Result<Vec<PathBuf>, PathError> {
    let read = |e: io::Error| PathError(format!("{}: {e}", path.display()));
    let mut entries = fs::read_dir(path)
        .map_err(read)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read)?;
    entries.sort();
    Ok(entries)
}

fn is_page_file(path: &Path) -> bool {
    path.is_file()
        && matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "ndjson")
        )
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Where a file that may be one page object starts: its first byte that is not white
/// space, when that byte is `{`.
pub fn object_start(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&byte| !is_space(byte))
        .filter(|&at| bytes[at] == b'{')
}

/// The byte ranges of the page documents in a file's contents.
///
/// A file holds one page, newline-delimited (or simply concatenated) pages, or one JSON
/// array whose items are pages. The scan only tracks strings and nesting depth, with a
/// counter rather than recursion, so hostile nesting costs nothing here; each range is
/// then parsed (and validated) on its own. A range that never closes runs to the end of
/// the input, where the parser reports the truncation.
pub fn split_pages(bytes: &[u8]) -> Vec<Range<usize>> {
    let top = top_level_values(bytes, 0..bytes.len());
    match top.as_slice() {
        [only] if bytes.get(only.start) == Some(&b'[') => array_items(bytes, only.clone()),
        _ => top,
    }
}

/// Top-level values in `range`, separated by white space.
fn top_level_values(bytes: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut values = Vec::new();
    let mut at = range.start;
    while at < range.end {
        if is_space(bytes[at]) {
            at += 1;
            continue;
        }
        let end = value_end(bytes, at, range.end, false);
        values.push(at..end);
        at = end;
    }
    values
}

/// The items of the array spanning `range` (which starts at its `[`).
fn array_items(bytes: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let mut at = range.start + 1;
    let end = if bytes.get(range.end - 1) == Some(&b']') {
        range.end - 1
    } else {
        range.end
    };
    while at < end {
        let byte = bytes[at];
        if is_space(byte) || byte == b',' {
            at += 1;
            continue;
        }
        let item_end = value_end(bytes, at, end, true);
        items.push(at..item_end);
        at = item_end;
    }
    items
}

/// Where the value starting at `start` ends: after its closing bracket for a container,
/// at the next delimiter for a scalar (white space, or a comma inside an array).
fn value_end(bytes: &[u8], start: usize, limit: usize, in_array: bool) -> usize {
    let mut depth: u64 = 0;
    let mut at = start;
    while at < limit {
        let byte = bytes[at];
        at += 1;
        match byte {
            b'"' => {
                at = string_end(bytes, at, limit);
                if depth == 0 {
                    return at;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at;
                }
            }
            _ if depth == 0 && (is_space(byte) || (in_array && byte == b',')) => return at - 1,
            _ => {}
        }
    }
    limit
}

/// Where the string whose contents start at `at` ends: after its closing quote, or at
/// `limit` when it does not close before.
fn string_end(bytes: &[u8], mut at: usize, limit: usize) -> usize {
    // Most of a page's bytes are inside strings, where only a quote or a backslash
    // matters: jump from one to the next instead of looking at every byte.
    while let Some(offset) = memchr::memchr2(b'"', b'\\', &bytes[at..limit]) {
        at += offset + 1;
        if bytes[at - 1] == b'"' {
            return at;
        }
        // A backslash: the byte after it is escaped, whatever it is.
        at = (at + 1).min(limit);
    }
    limit
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split_pages(text.as_bytes())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn one_page_ndjson_and_arrays() {
        assert_eq!(pieces(" {\"a\": 1}\n"), ["{\"a\": 1}"]);
        assert_eq!(
            pieces("{\"a\":\"}\"}\n{\"b\":[1,{}]}\n\n{}"),
            ["{\"a\":\"}\"}", "{\"b\":[1,{}]}", "{}"]
        );
        assert_eq!(
            pieces("[{\"a\":1}, {\"b\":\"]\\\"\"}]"),
            ["{\"a\":1}", "{\"b\":\"]\\\"\"}"]
        );
        assert_eq!(pieces("[]"), Vec::<&str>::new());
        assert_eq!(pieces("[1, 2]"), ["1", "2"]);
        assert_eq!(pieces("42"), ["42"]);
        assert_eq!(pieces(""), Vec::<&str>::new());
        assert_eq!(
            pieces("{\"a\": [1, 2"),
            ["{\"a\": [1, 2"],
            "an open value runs to the end"
        );
        assert_eq!(pieces("[{\"a\":1}, {\"b\":"), ["{\"a\":1}", "{\"b\":"]);
        assert_eq!(
            pieces("[{}] [{}]"),
            ["[{}]", "[{}]"],
            "two arrays are two documents"
        );
    }

    use proptest::prelude::*;

    /// A JSON object with strings that hold brackets, quotes, commas and escapes.
    fn document() -> impl Strategy<Value = String> {
        let field = ("[a-z]{1,4}", "[a-z{}\\[\\],: ]{0,6}", any::<bool>());
        prop::collection::vec(field, 0..4).prop_map(|fields| {
            let body: Vec<String> = fields
                .into_iter()
                .map(|(key, text, nested)| {
                    let value = format!("\"{text}\\\"\\\\\"");
                    if nested {
                        format!("\"{key}\":[{value},{{\"n\":[1,2]}}]")
                    } else {
                        format!("\"{key}\":{value}")
                    }
                })
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    proptest! {
        /// Oracle: the documents the test joined. NDJSON, concatenation and an array of
        /// them all split back into exactly those documents.
        #[test]
        fn splitting_returns_the_documents_joined(
            docs in prop::collection::vec(document(), 1..6),
            sep in "[ \n\t]{0,3}",
        ) {
            let want: Vec<&str> = docs.iter().map(String::as_str).collect();
            let (ndjson, glued) = (docs.join("\n"), docs.join(&sep));
            prop_assert_eq!(pieces(&ndjson), want.clone());
            prop_assert_eq!(pieces(&glued), want.clone());
            let array = format!("[{}]", docs.join(&format!(",{sep}")));
            prop_assert_eq!(pieces(&array), want);
            for doc in &docs {
                prop_assert!(serde_json::from_str::<serde_json::Value>(doc).is_ok(), "{}", doc);
            }
        }
    }
}
