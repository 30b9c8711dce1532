//! One owner per output folder: `fetch` and `export` hold an exclusive advisory lock on
//! `DIR/.zoom-qos.lock` for the whole run. The operating system releases it when the
//! process ends, however it ends (a crash or SIGKILL included), so a lock is never left
//! behind; a second run finds it held, says by which process, and stops before it changes
//! anything. The file stays (removing it would race with the next run); `analyze` and
//! `export` know its name.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::CliError;

/// The lock file's name in the folder it guards.
pub const LOCK_FILE: &str = ".zoom-qos.lock";

/// The lock of a folder, held while this value lives.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Takes the lock of `folder` (created if missing), or says who holds it.
    ///
    /// # Errors
    /// [`CliError::Busy`] when another process holds it; [`CliError::Io`] when the folder
    /// or its lock file cannot be made.
    pub fn take(folder: &Path) -> Result<FolderLock, CliError> {
        let failed = |path: &Path| {
            let what = path.display().to_string();
            move |error| CliError::Io { what, error }
        };
        fs::create_dir_all(folder).map_err(failed(folder))?;
        let path = folder.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed(&path))?;
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for the message a second run prints.
                let pid = format!("{}\n", std::process::id());
                file.set_len(0)
                    .and_then(|()| file.seek(SeekFrom::Start(0)))
                    .and_then(|_| file.write_all(pid.as_bytes()))
                    .map_err(failed(&path))?;
                Ok(FolderLock { _file: file })
            }
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                Err(CliError::Busy {
                    folder: folder.to_owned(),
                    holder: holder.trim().parse().ok(),
                })
            }
            Err(TryLockError::Error(error)) => Err(failed(&path)(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_owner_is_refused_until_the_first_is_gone() {
        let dir = crate::scratch::scratch("lock");
        let first = FolderLock::take(&dir).expect("free");
        match FolderLock::take(&dir) {
            Err(CliError::Busy { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        let again = FolderLock::take(&dir).expect("released when its owner is gone");
        drop(again);
        assert!(
            dir.join(LOCK_FILE).exists(),
            "the file stays; only the lock goes"
        );
    }
}
