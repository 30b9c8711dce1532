//! The one atomic writer: every file and folder the command writes goes through here.
//!
//! A file is written under a hidden temporary name beside its place, flushed, synced,
//! renamed over its place, and the folder holding it is synced, so that a reader (or a
//! machine that loses power) sees the old file or the new one, never part of one. A
//! folder is built the same way: a hidden sibling, every file in it synced, the sibling
//! synced, then renamed into place (the old folder stepping aside first, since a folder
//! cannot be renamed over a non-empty one), and the parent synced. Syncing cannot be
//! skipped: [`Staged::commit`] and [`StagedFolder::commit`] are the only ways into place.
//! A symbolic link is put in place the same way ([`link`]): made under a temporary name,
//! renamed over the old link, the folder synced; the dataset's versions are committed so.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a write failed: the path, and the I/O error.
#[derive(Debug)]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// Why.
    pub error: io::Error,
}

impl WriteError {
    fn at(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
        move |error| WriteError {
            path: path.to_owned(),
            error,
        }
    }
}

/// The hidden temporary name of `path`'s file or folder: `.NAME.zoom-qos-PID.tmp`. The
/// process id keeps two runs apart; the `zoom-qos` mark keeps a user's own hidden files
/// out of reach of anything that cleans up after us.
pub fn temporary_path(path: &Path, what: &str) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".zoom-qos-{}.{what}", std::process::id()));
    path.with_file_name(name)
}

/// A file written under its temporary name, not yet in place. Dropped without
/// [`commit`](Self::commit), it is removed.
#[derive(Debug)]
pub struct Staged {
    temporary: PathBuf,
    path: PathBuf,
    bytes: u64,
}

impl Staged {
    /// Writes a file for `path` under its temporary name: `write` fills a buffered
    /// writer, which is then flushed. Nothing is in place until [`commit`](Self::commit).
    ///
    /// # Errors
    /// The temporary file cannot be created or written, or `write` failed (its error,
    /// with the path).
    pub fn write<E: From<WriteError>>(
        path: &Path,
        write: impl FnOnce(&mut BufWriter<File>) -> Result<(), E>,
    ) -> Result<Staged, E> {
        let mut staged = Staged {
            temporary: temporary_path(path, "tmp"),
            path: path.to_owned(),
            bytes: 0,
        };
        let file = File::create(&staged.temporary).map_err(WriteError::at(path))?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| WriteError::at(path)(e.into_error()))?;
        staged.bytes = file.metadata().map_err(WriteError::at(path))?.len();
        Ok(staged)
    }

    /// The file's size.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Where it goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs the file, renames it over its place and syncs the folder.
    ///
    /// # Errors
    /// The sync or the rename failed: the old file, if any, is still in place.
    pub fn commit(self) -> Result<(), WriteError> {
        commit_all(vec![self])
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Gone once renamed; otherwise an error came first.
        let _ = fs::remove_file(&self.temporary);
    }
}

/// Commits files together: each is synced and renamed into place, then each folder they
/// went into is synced once.
///
/// # Errors
/// The first file that could not be synced or renamed (those before it are in place;
/// the rest are removed).
pub fn commit_all(files: Vec<Staged>) -> Result<(), WriteError> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for file in files {
        File::open(&file.temporary)
            .and_then(|f| f.sync_all())
            .map_err(WriteError::at(&file.path))?;
        fs::rename(&file.temporary, &file.path).map_err(WriteError::at(&file.path))?;
        let folder = parent(&file.path);
        if !folders.iter().any(|f| f == folder) {
            folders.push(folder.to_owned());
        }
    }
    folders.iter().try_for_each(|folder| sync_folder(folder))
}

/// Writes `path` whole: [`Staged::write`], then [`Staged::commit`].
///
/// # Errors
/// As theirs.
pub fn write_file<E: From<WriteError>>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), E>,
) -> Result<u64, E> {
    let staged = Staged::write(path, write)?;
    let bytes = staged.bytes;
    staged.commit()?;
    Ok(bytes)
}

/// A folder being built under its temporary name. Dropped without
/// [`commit`](Self::commit), it is removed.
#[derive(Debug)]
pub struct StagedFolder {
    temporary: PathBuf,
    path: PathBuf,
}

impl StagedFolder {
    /// Starts the folder `path` (its parent is created if needed), empty, under its
    /// temporary name.
    ///
    /// # Errors
    /// The parent or the temporary folder cannot be created.
    pub fn new(path: &Path) -> Result<StagedFolder, WriteError> {
        let parent = parent(path);
        fs::create_dir_all(parent).map_err(WriteError::at(parent))?;
        let temporary = temporary_path(path, "partial");
        let _ = fs::remove_dir_all(&temporary);
        fs::create_dir(&temporary).map_err(WriteError::at(&temporary))?;
        Ok(StagedFolder {
            temporary,
            path: path.to_owned(),
        })
    }

    /// Writes a file of the folder, synced.
    ///
    /// # Errors
    /// The file cannot be written or synced.
    pub fn file(&self, name: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.temporary.join(name);
        File::create(&path)
            .and_then(|mut file| {
                file.write_all(bytes)?;
                file.sync_all()
            })
            .map_err(WriteError::at(&path))
    }

    /// Puts the folder in place, replacing an old one whole: the folder is synced, the
    /// old one steps aside, the new one is renamed into place, the parent is synced, and
    /// the old one is removed. If the rename fails, the old folder is put back.
    ///
    /// # Errors
    /// A sync or a rename failed.
    pub fn commit(self) -> Result<PathBuf, WriteError> {
        sync_folder(&self.temporary)?;
        let old = temporary_path(&self.path, "old");
        let had_old = match fs::rename(&self.path, &old) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(WriteError::at(&self.path)(e)),
        };
        if let Err(error) = fs::rename(&self.temporary, &self.path) {
            if had_old {
                let _ = fs::rename(&old, &self.path);
            }
            return Err(WriteError::at(&self.path)(error));
        }
        sync_folder(parent(&self.path))?;
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(self.path.clone())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        // Gone once renamed; otherwise an error came first.
        let _ = fs::remove_dir_all(&self.temporary);
    }
}

/// Whether `name` is one of this module's temporary names (`.NAME.zoom-qos-PID.WHAT`),
/// and the process id that made it.
pub fn temporary_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (_, tail) = rest.rsplit_once(".zoom-qos-")?;
    let (pid, what) = tail.split_once('.')?;
    matches!(what, "tmp" | "partial" | "old" | "link")
        .then(|| pid.parse().ok())
        .flatten()
}

/// Points the symbolic link `path` at `target` (a path relative to the link's folder) in
/// one step: the link is made under a temporary name, renamed over the old one (a reader
/// follows the old link or the new, never neither), and the folder synced.
///
/// # Errors
/// The link cannot be made (or this system has none), the rename or the sync failed: the
/// old link, if any, is still in place.
pub fn link(path: &Path, target: &Path) -> Result<(), WriteError> {
    let temporary = temporary_path(path, "link");
    let _ = fs::remove_file(&temporary);
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(target, &temporary);
    #[cfg(not(unix))]
    let made = Err::<(), _>(io::Error::other(format!(
        "symbolic links are needed (to {}), and this system has none for us",
        target.display()
    )));
    made.map_err(WriteError::at(path))?;
    if let Err(error) = fs::rename(&temporary, path) {
        let _ = fs::remove_file(&temporary);
        return Err(WriteError::at(path)(error));
    }
    sync_folder(parent(path))
}

/// Syncs every file and folder under `folder`, and `folder` itself: what was written into
/// a folder that is not in place yet, before the one step that puts it there. A file with
/// other names (a hard link to a file of a version committed before) was synced then, and
/// is not synced again.
///
/// The entries are synced 8 at a time (`SYNC_THREADS`), on threads of their own whatever
/// the run's `--threads`: a sync waits on the disk, not on the CPU, and syncs that wait
/// together overlap their waits. One after another, they took a tenth of an ordinary
/// export's time at 1 thread (measured: see the benches' README).
///
/// # Errors
/// One that could not be listed or synced.
pub fn sync_tree(folder: &Path) -> Result<(), WriteError> {
    let mut entries = Vec::new();
    list_unsynced(folder, &mut entries)?;
    let next = AtomicUsize::new(0);
    let sync_next = || -> Result<(), WriteError> {
        while let Some(path) = entries.get(next.fetch_add(1, Ordering::Relaxed)) {
            sync(path)?;
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        // A helper the system refuses (a limit on threads) leaves its share to the others.
        let helpers: Vec<_> = (1..SYNC_THREADS.min(entries.len()))
            .map_while(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, sync_next)
                    .ok()
            })
            .collect();
        let mine = sync_next();
        // A helper that panicked left its path unsynced: the commit must not go on.
        helpers.into_iter().fold(mine, |first, helper| {
            let theirs = helper.join().unwrap_or_else(|_| {
                Err(WriteError::at(folder)(io::Error::other(
                    "a sync thread panicked",
                )))
            });
            first.and(theirs)
        })
    })
}

/// How many syncs [`sync_tree`] has waiting on the disk at once.
const SYNC_THREADS: usize = 8;

/// Adds to `entries` the files under `folder` not synced before (see [`sync_tree`]), the
/// folders under it, and `folder`.
fn list_unsynced(folder: &Path, entries: &mut Vec<PathBuf>) -> Result<(), WriteError> {
    for entry in fs::read_dir(folder).map_err(WriteError::at(folder))? {
        let path = entry.map_err(WriteError::at(folder))?.path();
        let kind = fs::symlink_metadata(&path).map_err(WriteError::at(&path))?;
        #[cfg(unix)]
        let synced_before = std::os::unix::fs::MetadataExt::nlink(&kind) > 1;
        #[cfg(not(unix))]
        let synced_before = false;
        if kind.is_dir() {
            list_unsynced(&path, entries)?;
        } else if kind.is_file() && !synced_before {
            entries.push(path);
        }
    }
    entries.push(folder.to_owned());
    Ok(())
}

/// The folder a path is in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Syncs a folder's entries (the names renamed into it) to disk.
///
/// # Errors
/// The folder cannot be opened or synced.
pub fn sync_folder(folder: &Path) -> Result<(), WriteError> {
    sync(folder)
}

/// Syncs a file's data, or a folder's entries, to disk.
fn sync(path: &Path) -> Result<(), WriteError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(WriteError::at(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::scratch;

    #[test]
    fn a_file_is_in_place_whole_or_not_at_all() {
        let dir = scratch("file");
        let path = dir.join("report.json");
        fs::write(&path, b"old").expect("old");
        // A write that fails leaves the old file and no temporary.
        let failed = write_file::<WriteError>(&path, |out| {
            out.write_all(b"half")
                .map_err(WriteError::at(Path::new("x")))?;
            Err(WriteError::at(Path::new("x"))(io::Error::other("stop")))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read(&path).expect("read"), b"old");
        let bytes = write_file::<WriteError>(&path, |out| {
            out.write_all(b"new!")
                .map_err(WriteError::at(Path::new("x")))
        })
        .expect("written");
        assert_eq!(bytes, 4);
        assert_eq!(fs::read(&path).expect("read"), b"new!");
        let names: Vec<_> = fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [OsString::from("report.json")]);
    }

    #[test]
    fn a_folder_is_replaced_whole() {
        let dir = scratch("folder");
        let path = dir.join("meeting");
        fs::create_dir_all(&path).expect("old folder");
        fs::write(path.join("page-001.json"), b"{}").expect("old page");
        let folder = StagedFolder::new(&path).expect("staged");
        folder.file("page-000.json", b"{}").expect("page");
        // Not in place yet: the old folder is still whole.
        assert!(path.join("page-001.json").exists());
        folder.commit().expect("committed");
        assert!(path.join("page-000.json").exists());
        assert!(
            !path.join("page-001.json").exists(),
            "no page of the old folder survives"
        );
        let names: Vec<_> = fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [OsString::from("meeting")]);
        // Dropped before commit: nothing is left.
        let dropped = StagedFolder::new(&dir.join("other")).expect("staged");
        dropped.file("page-000.json", b"{}").expect("page");
        drop(dropped);
        assert_eq!(fs::read_dir(&dir).expect("list").count(), 1);
    }

    #[test]
    fn a_tree_is_synced_whole_but_for_files_synced_before() {
        let dir = scratch("tree");
        let root = dir.join("v000002");
        let mut expected = vec![root.clone()];
        for day in 0..3 {
            let folder = root.join(format!("date=2021-06-0{day}"));
            fs::create_dir_all(&folder).expect("folder");
            for part in 0..5 {
                let file = folder.join(format!("part-{part}.parquet"));
                fs::write(&file, b"rows").expect("file");
                expected.push(file);
            }
            expected.push(folder);
        }
        // A file of a version committed before, linked into this one: synced then.
        let earlier = dir.join("earlier.parquet");
        fs::write(&earlier, b"old rows").expect("earlier");
        fs::hard_link(&earlier, root.join("date=2021-06-00/kept.parquet")).expect("link");
        let mut listed = Vec::new();
        list_unsynced(&root, &mut listed).expect("listed");
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected);
        // More entries than sync threads: every one is synced, and a missing tree is an
        // error that names it.
        sync_tree(&root).expect("synced");
        let missing = dir.join("gone");
        let error = sync_tree(&missing).expect_err("nothing to sync");
        assert_eq!(error.path, missing);
    }

    #[test]
    fn only_our_temporary_names_are_ours() {
        let name = temporary_path(Path::new("out/x.json"), "partial");
        let name = name.file_name().and_then(|n| n.to_str()).expect("name");
        assert_eq!(temporary_owner(name), Some(std::process::id()));
        for theirs in [
            ".backup.old-2024",
            ".x.partial-12",
            ".git",
            "x.zoom-qos-1.tmp",
            ".x.zoom-qos-1.bak",
        ] {
            assert_eq!(temporary_owner(theirs), None, "{theirs}");
        }
    }
}
