//! The dataset's versions and the one step that commits one.
//!
//! Versions live in `DIR/.zoom-qos/vNNNNNN/` (hidden: engines listing `DIR` skip it), each
//! with its `samples/` and its meetings file. `DIR/.zoom-qos/current` is a symbolic link to
//! the committed version, and what engines read goes through it: `DIR/samples` is a link
//! to `.zoom-qos/current/samples`, `DIR/meetings.parquet` one to
//! `.zoom-qos/current/meetings.parquet`; those two never change. A committed version is
//! never changed either. An export builds the next version beside the current one: hard
//! links to the files of the current version it keeps whole, its own new files, its
//! meetings file. Then:
//!
//! 1. every file and folder of the new version is synced;
//! 2. `current` is pointed at it ([`atomic::link`]: a link made under a temporary name and
//!    renamed over the old one, one atomic step), and its folder synced: **the commit**,
//!    of the samples and the meetings file at once;
//! 3. the older versions are removed (a reader that opened their files keeps reading
//!    them: the data goes when the last name and the last open file go).
//!
//! A reader sees the old version or the new, never both and never neither, and the
//! meetings file always agrees with the samples. Killed before step 2, the old version is
//! the dataset and the new one is debris, which the next export removes
//! ([`Layout::recover`]) before anything else.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::file::FileFormat;
use crate::atomic::{self, WriteError};
use crate::error::DataError;

/// The hidden folder of the versions.
pub const VERSIONS: &str = ".zoom-qos";

/// Where a dataset's links and versions are.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
    format: FileFormat,
}

impl Layout {
    pub fn new(root: &Path, format: FileFormat) -> Layout {
        Layout {
            root: root.to_owned(),
            format,
        }
    }

    /// `DIR/samples`: the link engines read the samples through.
    pub fn samples(&self) -> PathBuf {
        self.root.join("samples")
    }

    /// `DIR/meetings.parquet` (or `.arrow`).
    pub fn meetings(&self) -> PathBuf {
        self.root.join(self.meetings_name())
    }

    fn meetings_name(&self) -> String {
        format!("meetings.{}", self.format.extension())
    }

    /// `DIR/.zoom-qos/current`, the link to the committed version.
    fn current_link(&self) -> PathBuf {
        self.root.join(VERSIONS).join(CURRENT)
    }

    /// What the two links engines read point at (relative to `DIR`).
    fn public_links(&self) -> [(PathBuf, PathBuf); 2] {
        let current = Path::new(VERSIONS).join(CURRENT);
        [
            (self.samples(), current.join("samples")),
            (self.meetings(), current.join(self.meetings_name())),
        ]
    }

    /// A version's folder.
    pub fn version(&self, version: u64) -> PathBuf {
        self.root.join(VERSIONS).join(version_name(version))
    }

    /// A version's samples folder.
    pub fn version_samples(&self, version: u64) -> PathBuf {
        self.version(version).join("samples")
    }

    /// A version's meetings file.
    pub fn version_meetings(&self, version: u64) -> PathBuf {
        self.version(version).join(self.meetings_name())
    }

    /// The committed version (0: none yet).
    ///
    /// # Errors
    /// `samples` or the meetings file is there but not our link (an export by an earlier
    /// zoom-qos, which wrote them as a folder and a file; or someone else's), or cannot be
    /// read.
    pub fn current(&self) -> Result<u64, DataError> {
        for (link, target) in self.public_links() {
            match fs::read_link(&link) {
                Ok(found) if found == target => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Ok(_) => return Err(not_ours()),
                Err(e) if e.kind() == io::ErrorKind::InvalidInput => return Err(not_ours()),
                Err(e) => return Err(DataError::Io(e)),
            }
        }
        match fs::read_link(self.current_link()) {
            Ok(target) => target
                .to_str()
                .and_then(parse_version)
                .ok_or(DataError::Unusable(
                    "DIR/.zoom-qos/current does not name a version: remove the dataset and                      export again",
                )),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(DataError::Io(e)),
        }
    }

    /// Makes the dataset whole after a run that stopped: the links engines read are made
    /// if the first commit stopped before them, and every version folder but the committed
    /// one (uncommitted, or older) is removed.
    ///
    /// # Errors
    /// A link cannot be made, or the versions folder cannot be listed.
    pub fn recover(&self, current: u64) -> Result<(), WriteError> {
        if current > 0 {
            self.make_public_links()?;
        }
        self.remove_all_but(current)
    }

    /// Whether `version` is the committed one.
    pub fn is_current(&self, version: u64) -> bool {
        fs::read_link(self.current_link()).is_ok_and(|t| t == Path::new(&version_name(version)))
    }

    /// The number for a new version: past every folder there, committed or not.
    pub fn next(&self, current: u64) -> u64 {
        let listed = fs::read_dir(self.root.join(VERSIONS))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| parse_version(entry.file_name().to_str()?));
        listed.fold(current, u64::max) + 1
    }

    /// Commits `version` (the protocol above): synced, `current` pointed at it, the links
    /// engines read made if this is the first, the other versions removed.
    ///
    /// # Errors
    /// A sync or a link failed: if `current` was not pointed at the version yet, the
    /// dataset is as it was.
    pub fn commit(&self, version: u64) -> Result<(), WriteError> {
        atomic::sync_tree(&self.version(version))?;
        atomic::sync_folder(&self.root.join(VERSIONS))?;
        atomic::link(&self.current_link(), Path::new(&version_name(version)))?;
        self.make_public_links()?;
        self.remove_all_but(version)
    }

    /// Makes `samples` and the meetings file, each a link through `current`, where
    /// missing.
    fn make_public_links(&self) -> Result<(), WriteError> {
        for (link, target) in self.public_links() {
            if fs::read_link(&link).is_ok_and(|found| found == target) {
                continue;
            }
            atomic::link(&link, &target)?;
        }
        Ok(())
    }

    /// Removes every version folder but `keep`.
    fn remove_all_but(&self, keep: u64) -> Result<(), WriteError> {
        let versions = self.root.join(VERSIONS);
        let listed = match fs::read_dir(&versions) {
            Ok(listed) => listed,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => {
                return Err(WriteError {
                    path: versions,
                    error,
                });
            }
        };
        for entry in listed.flatten() {
            let name = entry.file_name();
            if name
                .to_str()
                .and_then(parse_version)
                .is_some_and(|v| v != keep)
            {
                let path = entry.path();
                fs::remove_dir_all(&path).map_err(|error| WriteError { path, error })?;
            }
        }
        Ok(())
    }
}

/// The link to the committed version, in [`VERSIONS`].
const CURRENT: &str = "current";

/// `vNNNNNN`.
fn version_name(version: u64) -> String {
    format!("v{version:06}")
}

/// `vNNNNNN` as a number.
fn parse_version(name: &str) -> Option<u64> {
    let digits = name.strip_prefix('v')?;
    (digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

fn not_ours() -> DataError {
    DataError::Unusable(
        "it is not a link into DIR/.zoom-qos (an export by an earlier zoom-qos, which wrote \
         one file per meeting): export into a new folder, or remove samples and the meetings \
         file",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_are_ours_only() {
        assert_eq!(parse_version("v000012"), Some(12));
        assert_eq!(parse_version("v1234567"), Some(1_234_567));
        for theirs in ["v12", "w000012", "v00001x", ".v000012", "v000012.tmp"] {
            assert_eq!(parse_version(theirs), None, "{theirs}");
        }
    }
}
