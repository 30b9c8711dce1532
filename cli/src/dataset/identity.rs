//! Which meeting an input is, and whether its source changed since it was exported.
//!
//! A meeting's identity (`meeting_key`) is its UUID where its `meeting.json` gives one
//! (what `fetch` writes), else `source:` and the canonical path of its folder or file:
//! two meetings with one display name are two meetings, and the same folder exported
//! again is the same meeting. Its digest is XXH3-128 over each of its page files and its
//! `meeting.json` in order (the file's length and its own XXH3-128): equal digests, same
//! content.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use rayon::prelude::*;
use twox_hash::XxHash3_128;
use zoom_qos::report::MeetingError;

use crate::discover::{MeetingInput, Source};
use crate::runner::description;

/// A meeting's identity and the digest of its source (`None` for standard input, or a
/// source that could not be read: the run then reports why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// `meeting_key`.
    pub key: String,
    /// XXH3-128 of the source, in hex.
    pub digest: Option<String>,
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
    /// Identifies every input (in parallel: each source is read and hashed), and leaves
    /// out those `unchanged` says were exported with the same digest.
    pub fn new(inputs: Vec<MeetingInput>, unchanged: impl Fn(&str, &str) -> bool + Sync) -> Plan {
        let identified: Vec<(MeetingInput, Identity, bool)> = inputs
            .into_par_iter()
            .map(|input| {
                let identity = identify(&input);
                let skip = identity
                    .digest
                    .as_deref()
                    .is_some_and(|digest| unchanged(&identity.key, digest));
                (input, identity, skip)
            })
            .collect();
        let mut plan = Plan::default();
        let mut first_of: HashMap<String, String> = HashMap::new();
        for (input, identity, skip) in identified {
            if let Some(first) = first_of.get(&identity.key) {
                plan.repeated.push(MeetingError::new(
                    &input.name,
                    None,
                    None,
                    format!(
                        "the same meeting as {first} ({}): exported once, from {first}",
                        identity.key
                    ),
                ));
                continue;
            }
            first_of.insert(identity.key.clone(), input.name.clone());
            if skip {
                plan.unchanged += 1;
                continue;
            }
            plan.identities.insert(input.name.clone(), identity);
            plan.write.push(input);
        }
        plan
    }

    /// The identity of a meeting to write, by its name in the run.
    pub fn identity(&self, name: &str) -> Identity {
        self.identities
            .get(name)
            .cloned()
            .unwrap_or_else(|| Identity {
                key: format!("stdin:{name}"),
                digest: None,
            })
    }
}

/// The identity of one input: see the module's documentation.
pub fn identify(input: &MeetingInput) -> Identity {
    let uuid = description(input).ok().flatten().and_then(|d| d.uuid);
    let key = match (uuid, &input.origin) {
        (Some(uuid), _) => uuid,
        (None, Some(origin)) => {
            let path = fs::canonicalize(origin).unwrap_or_else(|_| origin.clone());
            format!("source:{}", path.display())
        }
        (None, None) => format!("stdin:{}", input.name),
    };
    Identity {
        key,
        digest: digest(input).ok().flatten(),
    }
}

/// The digest of an input's files and description; `None` for standard input.
fn digest(input: &MeetingInput) -> io::Result<Option<String>> {
    let Source::Files(paths) = &input.source else {
        return Ok(None);
    };
    let mut hasher = XxHash3_128::new();
    let mut buffer = vec![0; 1 << 16];
    for path in paths.iter().chain(&input.description) {
        hash_file(&mut hasher, path, &mut buffer)?;
    }
    Ok(Some(format!("{:032x}", hasher.finish_128())))
}

/// Adds a file's length, then its bytes, to `hasher`.
fn hash_file(hasher: &mut XxHash3_128, path: &Path, buffer: &mut [u8]) -> io::Result<()> {
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
    hasher.write(&length.to_le_bytes());
    hasher.write(&content.finish_128().to_le_bytes());
    Ok(())
}
