//! The spool's journal: every acknowledged event's raw body, appended to segment files
//! and synced before the event is answered (group commit: one `fdatasync` for every event
//! that arrived while the last one ran).
//!
//! A segment is `journal/SEQ.wal`, SEQ the sequence number of its first record, 20
//! digits; records are `[length u32][sequence u64][received ms i64][body][check u64]`,
//! little-endian, `check` the XXH3-64 of the 20 header bytes and the body. A process
//! killed mid-write leaves at most a torn last record, which was never acknowledged: on
//! opening, the journal is read up to it and the segment is cut there. A damaged record
//! anywhere else (the disk's doing) is named with its file and byte offset, and reading
//! goes on with the next segment, so that good records beside it still come through.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use twox_hash::XxHash3_64;

/// Bytes before a record's body.
const HEADER: usize = 20;
/// The largest record body read back: anything longer is damage, not an event (the
/// server refuses bodies far smaller).
pub const MAX_BODY: usize = 16 << 20;
/// A segment is closed once it holds this much; a new one starts.
const SEGMENT_BYTES: u64 = 64 << 20;

/// Where a record is: its segment's first sequence number and its byte offset there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The segment (its first record's sequence number).
    pub segment: u64,
    /// The record's first byte in the segment.
    pub offset: u64,
}

/// A record read back.
#[derive(Debug)]
pub struct Record {
    /// Its sequence number: records are numbered from 0 in the order appended.
    pub sequence: u64,
    /// When it was received (ms since the epoch).
    pub received_ms: i64,
    /// Where it is.
    pub position: Position,
    /// The event's raw body.
    pub body: Vec<u8>,
}

/// A record that could not be read back: its file, byte offset and why.
#[derive(Debug)]
pub struct Damage {
    /// The segment file.
    pub file: PathBuf,
    /// Where the bad record starts.
    pub offset: u64,
    /// Why it is unusable.
    pub why: String,
}

/// The journal, open for appending.
#[derive(Debug)]
pub struct Journal {
    folder: PathBuf,
    file: File,
    segment: u64,
    bytes: u64,
    next: u64,
    buffer: Vec<u8>,
    /// A write or sync failed: the next append starts a new segment.
    broken: bool,
}

impl Journal {
    /// Opens the journal in `folder` (created if missing), handing every record already
    /// there to `each` in order, and cutting a torn record off the last segment.
    ///
    /// # Errors
    /// The folder or a segment cannot be listed, read, cut or opened (damage inside a
    /// segment is not an error: it is returned with where it is).
    pub fn open(folder: &Path, mut each: impl FnMut(Record)) -> io::Result<(Journal, Vec<Damage>)> {
        fs::create_dir_all(folder)?;
        let segments = segments(folder)?;
        let mut damage = Vec::new();
        let mut next = 0;
        // The last segment: its number, its good bytes, and whether it is damaged.
        let mut last: Option<(u64, u64, bool)> = None;
        for (index, &segment) in segments.iter().enumerate() {
            let path = segment_path(folder, segment);
            let is_last = index + 1 == segments.len();
            let (good_bytes, next_sequence, bad) = read_segment(&path, segment, &mut each)?;
            next = next.max(next_sequence);
            let mut damaged = false;
            if let Some(why) = bad {
                if is_last && why.torn {
                    // Never acknowledged: the write it was part of had not been synced.
                    OpenOptions::new()
                        .write(true)
                        .open(&path)?
                        .set_len(good_bytes)?;
                } else {
                    damaged = true;
                    damage.push(Damage {
                        file: path.clone(),
                        offset: good_bytes,
                        why: why.text,
                    });
                }
            }
            if is_last {
                last = Some((segment, good_bytes, damaged));
            }
        }
        let segment = match last {
            Some((segment, bytes, false)) if bytes < SEGMENT_BYTES => {
                next = next.max(segment);
                (segment, bytes)
            }
            Some((segment, _, true)) => {
                // Left as it is for whoever looks at it; the sequence numbers its unread
                // records may hold are skipped (each record takes more than a byte).
                let length = fs::metadata(segment_path(folder, segment))?.len();
                next = next.max(segment + length + 1);
                (next, 0)
            }
            _ => (next, 0),
        };
        let (segment, bytes) = segment;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(segment_path(folder, segment))?;
        crate::atomic::sync_folder(folder).map_err(|e| e.error)?;
        let journal = Journal {
            folder: folder.to_owned(),
            file,
            segment,
            bytes,
            next,
            buffer: Vec::new(),
            broken: false,
        };
        Ok((journal, damage))
    }

    /// Appends `bodies` (each with the time it was received) and syncs them: one write
    /// and one `fdatasync` for all. Returns each one's sequence number and position.
    ///
    /// # Errors
    /// The write, the sync or a new segment failed: none of them may be acknowledged.
    pub fn append<'b>(
        &mut self,
        bodies: impl IntoIterator<Item = (&'b [u8], i64)>,
    ) -> io::Result<Vec<(u64, Position)>> {
        if self.bytes >= SEGMENT_BYTES || self.broken {
            self.roll()?;
            self.broken = false;
        }
        self.buffer.clear();
        let mut placed = Vec::new();
        for (body, received_ms) in bodies {
            let length = u32::try_from(body.len())
                .ok()
                .filter(|&n| n as usize <= MAX_BODY)
                .ok_or_else(|| io::Error::other("an event too large for the journal"))?;
            let start = self.buffer.len();
            placed.push((
                self.next,
                Position {
                    segment: self.segment,
                    offset: self.bytes + start as u64,
                },
            ));
            self.buffer.extend_from_slice(&length.to_le_bytes());
            self.buffer.extend_from_slice(&self.next.to_le_bytes());
            self.buffer.extend_from_slice(&received_ms.to_le_bytes());
            self.buffer.extend_from_slice(body);
            let check = XxHash3_64::oneshot(&self.buffer[start..]);
            self.buffer.extend_from_slice(&check.to_le_bytes());
            self.next += 1;
        }
        let written = self
            .file
            .write_all(&self.buffer)
            .and_then(|()| self.file.sync_data());
        if let Err(error) = written {
            // After a failed write or sync, bytes not known to be on disk cannot be
            // trusted (nor a later sync of them): the segment is cut back to what was
            // synced, and the next append starts a new one. The numbers the failed records
            // took are skipped.
            let _ = self.file.set_len(self.bytes);
            self.broken = true;
            return Err(error);
        }
        self.bytes += self.buffer.len() as u64;
        Ok(placed)
    }

    /// The segments wholly before `position`'s segment that `keep` does not claim are
    /// removed: their events are in closed meetings' folders.
    ///
    /// # Errors
    /// A segment cannot be removed, or the folder synced.
    pub fn retire(&mut self, keep: impl Fn(u64) -> bool) -> io::Result<usize> {
        let mut removed = 0;
        for segment in segments(&self.folder)? {
            if segment != self.segment && !keep(segment) {
                fs::remove_file(segment_path(&self.folder, segment))?;
                removed += 1;
            }
        }
        if removed > 0 {
            crate::atomic::sync_folder(&self.folder).map_err(|e| e.error)?;
        }
        Ok(removed)
    }

    /// The segment being appended to.
    pub fn current_segment(&self) -> u64 {
        self.segment
    }

    /// Reads the record at `position` back.
    ///
    /// # Errors
    /// It cannot be read, or is damaged.
    pub fn read(&self, position: Position) -> io::Result<Record> {
        let path = segment_path(&self.folder, position.segment);
        let mut file = File::open(&path)?;
        file.seek(SeekFrom::Start(position.offset))?;
        match read_record(&mut BufReader::new(file), position)? {
            Ok(Some(record)) => Ok(record),
            Ok(None) => Err(io::Error::other("no record there")),
            Err(bad) => Err(io::Error::other(format!(
                "{} at byte {}: {}",
                path.display(),
                position.offset,
                bad.text
            ))),
        }
    }

    fn roll(&mut self) -> io::Result<()> {
        self.segment = self.next;
        self.bytes = 0;
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(segment_path(&self.folder, self.segment))?;
        crate::atomic::sync_folder(&self.folder).map_err(|e| e.error)
    }
}

fn segment_path(folder: &Path, segment: u64) -> PathBuf {
    folder.join(format!("{segment:020}.wal"))
}

/// The segments in `folder`, in order.
fn segments(folder: &Path) -> io::Result<Vec<u64>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(folder)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if let Some(Ok(number)) = name
            .strip_suffix(".wal")
            .filter(|n| n.len() == 20)
            .map(str::parse)
        {
            found.push(number);
        }
    }
    found.sort_unstable();
    Ok(found)
}

/// Why a record is unusable, and whether it is a torn end (a write cut short) rather than
/// damage.
struct Bad {
    text: String,
    torn: bool,
}

/// Reads a segment's records: the bytes that are good, the next sequence number, and the
/// first bad record's reason if any.
fn read_segment(
    path: &Path,
    segment: u64,
    each: &mut impl FnMut(Record),
) -> io::Result<(u64, u64, Option<Bad>)> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut offset = 0;
    let mut next = segment;
    loop {
        match read_record(&mut reader, Position { segment, offset })? {
            Ok(Some(record)) => {
                offset += (HEADER + record.body.len() + 8) as u64;
                next = record.sequence + 1;
                each(record);
            }
            Ok(None) => return Ok((offset, next, None)),
            Err(bad) => return Ok((offset, next, Some(bad))),
        }
    }
}

/// One record, `None` at a clean end of the file.
fn read_record(
    reader: &mut impl BufRead,
    position: Position,
) -> io::Result<Result<Option<Record>, Bad>> {
    let mut header = [0u8; HEADER];
    match read_full(reader, &mut header)? {
        0 => return Ok(Ok(None)),
        n if n < HEADER => return Ok(Err(torn("a record header cut short"))),
        _ => {}
    }
    let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if length > MAX_BODY {
        return Ok(Err(Bad {
            text: format!("a record length of {length} bytes"),
            torn: false,
        }));
    }
    let mut rest = vec![0u8; length + 8];
    if read_full(reader, &mut rest)? < rest.len() {
        return Ok(Err(torn("a record cut short")));
    }
    let check = u64::from_le_bytes(rest[length..].try_into().unwrap_or_default());
    let mut hasher = XxHash3_64::new();
    core::hash::Hasher::write(&mut hasher, &header);
    core::hash::Hasher::write(&mut hasher, &rest[..length]);
    if core::hash::Hasher::finish(&hasher) != check {
        // At the very end of the file it is a write cut short (a crash before the sync
        // may leave any bytes there); before other records, damage.
        let at_end = reader.fill_buf()?.is_empty();
        return Ok(Err(Bad {
            text: "a record whose check does not match".to_owned(),
            torn: at_end,
        }));
    }
    rest.truncate(length);
    let number = |range: core::ops::Range<usize>| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&header[range]);
        bytes
    };
    Ok(Ok(Some(Record {
        sequence: u64::from_le_bytes(number(4..12)),
        received_ms: i64::from_le_bytes(number(12..20)),
        position,
        body: rest,
    })))
}

fn torn(text: &str) -> Bad {
    Bad {
        text: text.to_owned(),
        torn: true,
    }
}

/// Reads until `buffer` is full or the file ends; the bytes read.
fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::scratch;

    fn bodies(dir: &Path) -> (Vec<(u64, Vec<u8>)>, Vec<Damage>) {
        let mut seen = Vec::new();
        let (_, damage) = Journal::open(dir, |r| seen.push((r.sequence, r.body))).expect("opens");
        (seen, damage)
    }

    #[test]
    fn records_come_back_in_order_and_a_torn_end_is_cut() {
        let dir = scratch("torn");
        let (mut journal, _) = Journal::open(&dir, |_| {}).expect("opens");
        let placed = journal
            .append([(&b"one"[..], 1), (&b"two"[..], 2)])
            .expect("appended");
        journal.append([(&b"three"[..], 3)]).expect("appended");
        assert_eq!(journal.read(placed[1].1).expect("read").body, b"two");
        drop(journal);
        let segment = segment_path(&dir, 0);
        let whole = fs::metadata(&segment).expect("there").len();
        // A write cut short: part of a fourth record.
        let mut file = OpenOptions::new()
            .append(true)
            .open(&segment)
            .expect("opens");
        file.write_all(&[9, 0, 0, 0, 1, 2]).expect("written");
        drop(file);
        let (seen, damage) = bodies(&dir);
        assert_eq!(
            seen,
            vec![
                (0, b"one".to_vec()),
                (1, b"two".to_vec()),
                (2, b"three".to_vec())
            ]
        );
        assert!(damage.is_empty());
        assert_eq!(
            fs::metadata(&segment).expect("there").len(),
            whole,
            "cut back"
        );
        // Appending goes on after the cut, numbering too.
        let (mut journal, _) = Journal::open(&dir, |_| {}).expect("opens");
        assert_eq!(
            journal.append([(&b"four"[..], 4)]).expect("appended")[0].0,
            3
        );
        drop(journal);
        // A flipped byte in the last record's body is a torn end too (cut, not damage)...
        let mut bytes = fs::read(&segment).expect("read");
        let last = bytes.len() - 9;
        bytes[last] ^= 0xff;
        fs::write(&segment, &bytes).expect("written");
        let (seen, damage) = bodies(&dir);
        assert_eq!(seen.len(), 3);
        assert!(damage.is_empty());
        // ...but in a record with others after it, damage, named, and nothing cut.
        let (mut journal, _) = Journal::open(&dir, |_| {}).expect("opens");
        journal.append([(&b"five"[..], 5)]).expect("appended");
        drop(journal);
        let mut bytes = fs::read(&segment).expect("read");
        bytes[HEADER] ^= 0xff;
        fs::write(&segment, &bytes).expect("written");
        let (seen, damage) = bodies(&dir);
        assert!(seen.is_empty());
        assert_eq!((damage.len(), damage[0].offset), (1, 0));
        assert_eq!(
            fs::metadata(&segment).expect("there").len(),
            bytes.len() as u64
        );
    }

    #[test]
    fn after_a_failed_write_the_next_append_starts_a_new_segment() {
        let dir = scratch("full");
        let (mut journal, _) = Journal::open(&dir, |_| {}).expect("opens");
        journal.append([(&b"kept"[..], 1)]).expect("appended");
        // A disk that is full: /dev/full refuses every write with ENOSPC.
        let good = std::mem::replace(
            &mut journal.file,
            OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full"),
        );
        assert!(journal.append([(&b"lost"[..], 2)]).is_err());
        drop(good);
        let placed = journal.append([(&b"after"[..], 3)]).expect("appended");
        assert_ne!(placed[0].1.segment, 0, "a new segment");
        drop(journal);
        let (seen, damage) = bodies(&dir);
        assert_eq!(seen, vec![(0, b"kept".to_vec()), (2, b"after".to_vec())]);
        assert!(damage.is_empty());
    }

    #[test]
    fn damage_inside_is_named_and_later_records_still_come() {
        let dir = scratch("damage");
        let (mut journal, _) = Journal::open(&dir, |_| {}).expect("opens");
        journal
            .append([(&b"first"[..], 1), (&b"second"[..], 2)])
            .expect("appended");
        journal.roll().expect("rolled");
        journal.append([(&b"third"[..], 3)]).expect("appended");
        drop(journal);
        // Flip a byte of the second record's body, in the first segment.
        let segment = segment_path(&dir, 0);
        let mut bytes = fs::read(&segment).expect("read");
        let second = HEADER + 5 + 8;
        bytes[second + HEADER] ^= 0xff;
        fs::write(&segment, bytes).expect("written");
        let (seen, damage) = bodies(&dir);
        assert_eq!(seen, vec![(0, b"first".to_vec()), (2, b"third".to_vec())]);
        assert_eq!(damage.len(), 1);
        assert_eq!(
            (damage[0].file.clone(), damage[0].offset),
            (segment, second as u64)
        );
    }
}
