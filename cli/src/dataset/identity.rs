//! Which meeting an input is, and whether its source changed since it was exported.
//!
//! A meeting's identity (`meeting_key`) is its UUID where its `meeting.json` gives one
//! (what `fetch` writes), else `source:` and the canonical path of its folder or file:
//! two meetings with one display name are two meetings, and the same folder exported
//! again is the same meeting. Its digest is XXH3-128 over each of its page files and its
//! `meeting.json` in order (the file's length and its own XXH3-128): equal digests, same
//! content. A source whose bytes and latest modification time are those recorded with
//! its digest is taken as unchanged without being read (the quick check `rsync` and
//! `make` make); `--full` reads and writes everything.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use rayon::prelude::*;
use twox_hash::XxHash3_128;
use zoom_qos::report::MeetingError;

use crate::discover::{MeetingInput, Source};
use crate::runner::{Description, description};

/// A meeting's identity and the digest of its source (`None` for standard input, or a
/// source that could not be read: the run then reports why).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// `meeting_key`.
    pub key: String,
    /// XXH3-128 of the source, in hex.
    pub digest: Option<String>,
    /// The source's bytes, and the latest modification time of its files (ns since the
    /// epoch), when its digest was taken.
    pub source: Option<(u64, Option<i64>)>,
}

/// What the dataset says of a meeting exported before.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    /// Its digest.
    pub digest: Option<String>,
    /// Its source's bytes and latest modification time, when the digest was taken.
    pub source: Option<(u64, Option<i64>)>,
}

/// The meetings to export, each identified, and what was left out.
#[derive(Debug, Default)]
pub struct Plan {
    /// The meetings to write.
    pub write: Vec<MeetingInput>,
    /// Meetings whose source is unchanged since they were exported.
    pub unchanged: usize,
    /// Inputs that are the same meeting as one before them in the run (its UUID, or its
    /// path): not exported twice, and said so.
    pub repeated: Vec<MeetingError>,
    identities: HashMap<String, Identity>,
}

impl Plan {
    /// Identifies every input (in parallel), and leaves out those exported before from
    /// the same source (`recorded` says what was recorded of a key), unless `full`.
    pub fn new(
        inputs: Vec<MeetingInput>,
        recorded: impl Fn(&str) -> Option<Recorded> + Sync,
        full: bool,
    ) -> Plan {
        // Each description read once, here: the key and the day come from it.
        let identified: Vec<(MeetingInput, Identity, Option<Option<String>>)> = inputs
            .into_par_iter()
            .map(|input| {
                let described = description(&input).ok().flatten();
                let key = key_of(&input, described.as_ref());
                let before = (!full).then(|| recorded(&key)).flatten();
                let (identity, skip) = identify(&input, key, before.as_ref());
                // `None` for a meeting skipped; the day of one to write.
                let day = (!skip).then(|| day_hint(&input, described.as_ref()));
                (input, identity, day)
            })
            .collect();
        let mut plan = Plan::default();
        let mut first_of: HashMap<String, String> = HashMap::new();
        let mut by_day: Vec<(Option<String>, MeetingInput)> = Vec::new();
        for (input, identity, day) in identified {
            if let Some(first) = first_of.get(&identity.key) {
                let origin = input.origin.as_ref().map(|p| p.display().to_string());
                plan.repeated.push(MeetingError::new(
                    &input.name,
                    origin,
                    None,
                    format!(
                        "the same meeting as {first} ({}): exported once, from {first}",
                        identity.key
                    ),
                ));
                continue;
            }
            first_of.insert(identity.key.clone(), input.name.clone());
            let Some(day) = day else {
                plan.unchanged += 1;
                continue;
            };
            plan.identities.insert(input.name.clone(), identity);
            by_day.push((day, input));
        }
        // By day (as the description or the first page says; unknown last): the threads
        // then write few dates at a time, each partition's rows in few row groups.
        by_day.sort_by(|a, b| (a.0.is_none(), &a.0).cmp(&(b.0.is_none(), &b.0)));
        plan.write = by_day.into_iter().map(|(_, input)| input).collect();
        plan
    }

    /// The identity of a meeting to write, by its name in the run.
    pub fn identity(&self, name: &str) -> Identity {
        self.identities
            .get(name)
            .cloned()
            .unwrap_or_else(|| Identity {
                key: format!("stdin:{name}"),
                ..Identity::default()
            })
    }
}

/// The identity of one input (see the module's documentation), known by `key`, and
/// whether it is unchanged since `before` was recorded of it.
fn identify(input: &MeetingInput, key: String, before: Option<&Recorded>) -> (Identity, bool) {
    let source = quick_check(input);
    if let Some(before) = before
        && source.is_some()
        && before.source == source
        && before.digest.is_some()
    {
        let identity = Identity {
            key,
            digest: before.digest.clone(),
            source,
        };
        return (identity, true);
    }
    // Read now only to compare with what was recorded; a meeting to be written has its
    // digest taken from the bytes read to decode it (`Decoded::hashes`).
    let digest = before.and_then(|_| digest(input).ok().flatten());
    let unchanged = before.is_some_and(|b| digest.is_some() && b.digest == digest);
    (
        Identity {
            key,
            digest,
            source,
        },
        unchanged,
    )
}

/// The day a meeting is on, for ordering only: its description's `start_time`, else the
/// first `date_time` in the first 4 KiB of its first file (a guess; a wrong one costs
/// only a smaller row group).
fn day_hint(input: &MeetingInput, described: Option<&Description>) -> Option<String> {
    if let Some(start) = described.and_then(|d| d.start_time.as_deref()) {
        return start.get(..10).map(str::to_owned);
    }
    let Source::Files(paths) = &input.source else {
        return None;
    };
    let mut head = vec![0; 4096];
    let n = File::open(paths.first()?)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let at = text.find("\"date_time\"")?;
    let rest = text[at + 11..].trim_start_matches([' ', ':', '"']);
    let day = rest.get(..10)?;
    day.bytes()
        .all(|b| b.is_ascii_digit() || b == b'-')
        .then(|| day.to_owned())
}

/// `meeting_key`: the UUID its `meeting.json` gives, else its source's path.
fn key_of(input: &MeetingInput, described: Option<&Description>) -> String {
    let uuid = described.and_then(|d| d.uuid.as_deref());
    match (uuid, &input.origin) {
        (Some(uuid), _) => uuid.to_owned(),
        (None, Some(origin)) => {
            let path = fs::canonicalize(origin).unwrap_or_else(|_| origin.clone());
            format!("source:{}", path.display())
        }
        (None, None) => format!("stdin:{}", input.name),
    }
}

/// The bytes of an input's files and description, and their latest modification time;
/// `None` for standard input or a file that cannot be looked at.
fn quick_check(input: &MeetingInput) -> Option<(u64, Option<i64>)> {
    let Source::Files(paths) = &input.source else {
        return None;
    };
    let (mut bytes, mut latest) = (0, None);
    for path in paths.iter().chain(&input.description) {
        let metadata = fs::metadata(path).ok()?;
        bytes += metadata.len();
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_nanos()).ok());
        latest = latest.max(modified);
    }
    Some((bytes, latest))
}

/// The digest of an input's files and description, read now; `None` for standard input.
fn digest(input: &MeetingInput) -> io::Result<Option<String>> {
    let Source::Files(paths) = &input.source else {
        return Ok(None);
    };
    let mut buffer = vec![0; 1 << 16];
    let hashes = paths
        .iter()
        .map(|path| hash_file(path, &mut buffer))
        .collect::<io::Result<Vec<_>>>()?;
    combine(&hashes, input.description.as_deref()).map(Some)
}

/// The digest of a meeting whose files have the lengths and XXH3-128 `hashes` (in order),
/// with its description (read now): XXH3-128 over each file's length and hash.
pub fn combine(hashes: &[(u64, u128)], description: Option<&Path>) -> io::Result<String> {
    let mut all = XxHash3_128::new();
    let described = match description {
        Some(path) => Some(hash_file(path, &mut vec![0; 1 << 16])?),
        None => None,
    };
    for (length, hash) in hashes.iter().chain(&described) {
        all.write(&length.to_le_bytes());
        all.write(&hash.to_le_bytes());
    }
    Ok(format!("{:032x}", all.finish_128()))
}

/// A file's length and XXH3-128, read in pieces.
fn hash_file(path: &Path, buffer: &mut [u8]) -> io::Result<(u64, u128)> {
    let mut file = File::open(path)?;
    let mut length: u64 = 0;
    let mut content = XxHash3_128::new();
    loop {
        let n = match file.read(buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        length += n as u64;
        content.write(&buffer[..n]);
    }
    Ok((length, content.finish_128()))
}
