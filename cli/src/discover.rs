//! Where the pages are: the meetings found in the paths given (the input rules). What is
//! inside one file is [`crate::pages`]' business.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CliError, io_reason};

/// A meeting to analyze: its name and where its pages come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingInput {
    /// The meeting's name in the report, unique among the meetings found.
    pub name: String,
    /// Its page files, in order, or standard input.
    pub source: Source,
    /// The `meeting.json` beside the pages (as `fetch` writes it), if any.
    pub description: Option<PathBuf>,
    /// The folder or file that is the meeting (`None` for standard input): what
    /// identifies a meeting without a UUID.
    pub origin: Option<PathBuf>,
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
    /// Page-named entries of a folder that are not regular files (FIFOs, sockets,
    /// devices): never read while walking a folder, where one would block the run or never
    /// end, and named to the user. (Given by name on the command line, they are read.)
    pub special: Vec<PathBuf>,
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
///   `manifest.tsv` is `generate`'s list and `.zoom-qos.lock` the lock `fetch` holds, not
///   pages. Every other file is named in
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
    let special = std::mem::take(&mut found.special);
    Ok(Discovery {
        meetings: found.unique_names(),
        skipped,
        repeated,
        special,
    })
}

/// Meetings as found, with the path that names each (to qualify clashing names).
#[derive(Default)]
struct Found {
    meetings: Vec<(MeetingInput, Option<PathBuf>)>,
    skipped: Vec<PathBuf>,
    repeated: Vec<PathBuf>,
    special: Vec<PathBuf>,
    /// Folders and files read, by canonical path: each is read once, and a link loop ends.
    visited: HashSet<PathBuf>,
}

impl Found {
    fn push(&mut self, name: String, path: Option<PathBuf>, source: Source) {
        self.meetings.push((
            MeetingInput {
                name,
                source,
                description: None,
                origin: path.clone(),
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
            Err(error) => {
                let message = format!("cannot read the folder: {}", io_reason(&error));
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
        self.special.extend(listing.special);
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
            if uses[&meeting.name] > 1
                && let Some(path) = path
            {
                meeting.name = path.display().to_string();
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
    special: Vec<PathBuf>,
    laid_out_as_meeting: bool,
}

fn list(dir: &Path) -> std::io::Result<Listing> {
    let mut entries = fs::read_dir(dir).and_then(|entries| {
        entries
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()
    })?;
    entries.sort();
    let mut listing = Listing {
        pages: Vec::new(),
        description: None,
        folders: Vec::new(),
        others: Vec::new(),
        special: Vec::new(),
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
        } else if name == crate::lock::LOCK_FILE {
            // The lock `fetch` and `export` hold on their folder: not a page.
        } else if name == "manifest.tsv" {
            // generate's list of what it wrote: not a page, and not news to anyone.
        } else if is_page_file(&entry) && fs::metadata(&entry).is_ok_and(|m| !m.is_file()) {
            // A FIFO, socket or device named like a page: reading it could block for ever
            // (a FIFO) or never end (/dev/zero).
            listing.special.push(entry);
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
