//! Where the pages are: meetings found in paths (the input rules), and the pages inside
//! one file.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// A meeting to analyze: its name and where its pages come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingInput {
    /// The meeting's name in the report, unique among the meetings found.
    pub name: String,
    /// Its page files, in order, or standard input.
    pub source: Source,
    /// The `meeting.json` beside the pages (as `fetch` writes it), if any.
    pub description: Option<PathBuf>,
}

impl MeetingInput {
    /// Bytes on disk (0 for stdin, pipes or unreadable files): for scheduling, not
    /// correctness.
    pub fn size_hint(&self) -> u64 {
        match &self.source {
            Source::Files(paths) => paths
                .iter()
                .filter_map(|p| fs::metadata(p).ok())
                .map(|m| m.len())
                .sum(),
            Source::Stdin | Source::Unreadable { .. } => 0,
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
    /// A folder that could not be listed: it fails as a meeting of its own.
    Unreadable {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// What the paths hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The meetings, in the order found.
    pub meetings: Vec<MeetingInput>,
    /// Files passed over because they are not pages (not `.json` or `.ndjson`), and
    /// hidden folders, to be named to the user.
    pub skipped: Vec<PathBuf>,
    /// Paths reached a second time (given twice, or through a link), read once: to be
    /// named to the user.
    pub repeated: Vec<PathBuf>,
}

/// The input rules, as `--help` and the README state them:
///
/// - `-` is standard input, one meeting named `stdin_name`.
/// - A file (or a pipe, or any path that is not a folder) is one meeting named after its
///   stem; it may hold one page, a JSON array of pages, or NDJSON.
/// - A folder laid out as one meeting (it holds `page-NNN.json` files or a
///   `meeting.json`, as `fetch` and `generate` write them) is one meeting: its `.json` and
///   `.ndjson` files, sorted by name, are the pages.
/// - Any other folder is a corpus: each page file directly inside is a meeting of its own,
///   and each sub-folder, at any depth, that holds page files is a meeting (a sub-folder
///   without them is searched the same way).
/// - Hidden folders (`.name`) are not searched: `fetch` writes a meeting there until it is
///   whole. They are named in [`Discovery::skipped`].
/// - Page files are `.json` and `.ndjson`; `meeting.json` is a meeting's description and
///   `manifest.tsv` is `generate`'s list, not pages. Every other file is named in
///   [`Discovery::skipped`]; nothing is passed over silently.
/// - A folder that cannot be listed fails as a meeting of its own; the others go on.
/// - Names are unique: where two would be equal, each is qualified by its path.
///
/// # Errors
/// A path that does not exist (a usage error), or no meeting at all
/// ([`CliError::NoInput`]).
pub fn discover(paths: &[PathBuf], stdin_name: &str) -> Result<Discovery, CliError> {
    let mut found = Found::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.push(stdin_name.to_owned(), None, Source::Stdin);
            continue;
        }
        let metadata = fs::metadata(path).map_err(|error| {
            CliError::Usage(format!("{}: {}", path.display(), io_reason(&error)))
        })?;
        if metadata.is_dir() {
            found.folder(path, true);
        } else if found.first_visit(path) {
            // Regular files, pipes, process substitution, devices: read as files.
            found.push(
                stem(path),
                Some(path.clone()),
                Source::Files(vec![path.clone()]),
            );
        }
    }
    if found.meetings.is_empty() {
        return Err(CliError::NoInput(paths.to_vec()));
    }
    let skipped = std::mem::take(&mut found.skipped);
    let repeated = std::mem::take(&mut found.repeated);
    Ok(Discovery {
        meetings: found.unique_names(),
        skipped,
        repeated,
    })
}

/// Meetings as found, with the path that names each (to qualify clashing names).
#[derive(Default)]
struct Found {
    meetings: Vec<(MeetingInput, Option<PathBuf>)>,
    skipped: Vec<PathBuf>,
    repeated: Vec<PathBuf>,
    /// Folders and files read, by canonical path: each is read once, and a link loop ends.
    visited: HashSet<PathBuf>,
}

impl Found {
    fn push(&mut self, name: String, path: Option<PathBuf>, source: Source) {
        let description = None;
        self.meetings.push((
            MeetingInput {
                name,
                source,
                description,
            },
            path,
        ));
    }

    /// Whether `path` is reached for the first time; else it is noted as repeated.
    fn first_visit(&mut self, path: &Path) -> bool {
        let first = fs::canonicalize(path).map_or(true, |c| self.visited.insert(c));
        if !first {
            self.repeated.push(path.to_owned());
        }
        first
    }

    /// Searches a folder; `given` when the user named it.
    fn folder(&mut self, dir: &Path, given: bool) {
        if !self.first_visit(dir) {
            return;
        }
        let listing = match list(dir) {
            Ok(listing) => listing,
            Err(message) => {
                let source = Source::Unreadable {
                    path: dir.to_owned(),
                    message,
                };
                self.push(folder_name(dir), Some(dir.to_owned()), source);
                return;
            }
        };
        if !listing.pages.is_empty() {
            if !given || listing.laid_out_as_meeting {
                let source = Source::Files(listing.pages);
                self.push(folder_name(dir), Some(dir.to_owned()), source);
                if let Some((meeting, _)) = self.meetings.last_mut() {
                    meeting.description = listing.description;
                }
            } else {
                for page in listing.pages {
                    self.push(stem(&page), Some(page.clone()), Source::Files(vec![page]));
                }
            }
        }
        self.skipped.extend(listing.others);
        for sub in listing.folders {
            self.folder(&sub, false);
        }
    }

    /// The meetings, each name unique: names that clash are replaced by their paths (and
    /// numbered if those clash too).
    fn unique_names(self) -> Vec<MeetingInput> {
        let mut uses: HashMap<String, usize> = HashMap::new();
        for (meeting, _) in &self.meetings {
            *uses.entry(meeting.name.clone()).or_default() += 1;
        }
        let mut taken: HashSet<String> = HashSet::new();
        let mut meetings = Vec::with_capacity(self.meetings.len());
        for (mut meeting, path) in self.meetings {
            if uses[&meeting.name] > 1 {
                if let Some(path) = path {
                    meeting.name = path.display().to_string();
                }
            }
            let base = meeting.name.clone();
            let mut n = 1;
            while !taken.insert(meeting.name.clone()) {
                n += 1;
                meeting.name = format!("{base} ({n})");
            }
            meetings.push(meeting);
        }
        meetings
    }
}

/// A folder's entries, sorted by name and sorted out.
struct Listing {
    pages: Vec<PathBuf>,
    description: Option<PathBuf>,
    folders: Vec<PathBuf>,
    others: Vec<PathBuf>,
    laid_out_as_meeting: bool,
}

fn list(dir: &Path) -> Result<Listing, String> {
    let mut entries = fs::read_dir(dir)
        .and_then(|entries| {
            entries
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|error| format!("cannot read the folder: {}", io_reason(&error)))?;
    entries.sort();
    let mut listing = Listing {
        pages: Vec::new(),
        description: None,
        folders: Vec::new(),
        others: Vec::new(),
        laid_out_as_meeting: false,
    };
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if entry.is_dir() && name.starts_with('.') {
            // Hidden: where fetch keeps a meeting it has not finished (and tools their
            // own, like .git). Named, not searched.
            listing.others.push(entry);
        } else if entry.is_dir() {
            listing.folders.push(entry);
        } else if name == "meeting.json" {
            listing.laid_out_as_meeting = true;
            listing.description = Some(entry);
        } else if name == "manifest.tsv" {
            // generate's list of what it wrote: not a page, and not news to anyone.
        } else if is_page_file(&entry) {
            listing.laid_out_as_meeting |= is_numbered_page(name);
            listing.pages.push(entry);
        } else {
            listing.others.push(entry);
        }
    }
    Ok(listing)
}

/// `page-NNN.json`, as `fetch` and `generate` name pages.
fn is_numbered_page(name: &str) -> bool {
    name.strip_prefix("page-")
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_page_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json" | "ndjson")
    )
}

/// An I/O error's reason without Rust's " (os error N)" suffix.
pub fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// A folder's name; for `.` or `..`, the name of the folder they stand for.
fn folder_name(path: &Path) -> String {
    let named = path.file_name().map(Path::new).map(Path::to_path_buf);
    named
        .or_else(|| fs::canonicalize(path).ok()?.file_name().map(Into::into))
        .map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
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
