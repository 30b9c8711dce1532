//! `zoom-qos generate`: a synthetic corpus in the folder layout `analyze` reads.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use zoom_qos::synth::{self, MeetingShape, Rng};

use crate::atomic::{self, StagedFolder, WriteError, temporary_owner};
use crate::error::CliError;

/// What to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// How many meetings.
    pub meetings: usize,
    /// The seed: the same seed writes the same corpus.
    pub seed: u64,
    /// Participant entries per meeting, instead of random ones.
    pub participants: Option<usize>,
    /// Minutes (samples) per participant, instead of random ones.
    pub minutes: Option<usize>,
    /// Replace what an earlier run wrote in the folder.
    pub force: bool,
}

/// What was written for one meeting (also in `manifest.tsv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The meeting's folder name.
    pub meeting: String,
    /// Page files.
    pub pages: usize,
    /// Participant entries.
    pub participants: usize,
    /// Samples.
    pub samples: usize,
    /// Bytes of JSON.
    pub bytes: usize,
}

/// A generated sample's JSON takes about 1,130 bytes (1,190 at most, measured on 60
/// meetings); bound it from above.
const BYTES_PER_SAMPLE: u128 = 1_300;
/// A meeting's pages are built in memory before they are written: at most this many
/// bytes of them.
const MEETING_MAX_BYTES: u128 = 2_000_000_000;
/// The list of what a run wrote, which `--force` reads to remove it.
const MANIFEST: &str = "manifest.tsv";

/// Writes `plan.meetings` meetings as `OUT/meeting-NNNN/page-NNN.json`, deterministic per
/// seed, and `OUT/manifest.tsv` listing what each holds.
///
/// # Errors
/// A size too large to build (before anything is allocated or written), an `OUT` that
/// holds files (unless `force` and they are an earlier run's), or a write that fails.
pub fn generate(out: &Path, plan: &Plan) -> Result<Vec<Written>, CliError> {
    check_size(plan)?;
    clear(out, plan.force)?;
    Ok(write(out, plan)?)
}

/// Refuses a meeting whose pages would not fit in memory, before building any.
fn check_size(plan: &Plan) -> Result<(), CliError> {
    // The largest random shape is 40 participants of 90 minutes.
    let participants = plan.participants.unwrap_or(40) as u128;
    let minutes = plan.minutes.unwrap_or(90) as u128;
    let bytes = participants * minutes * BYTES_PER_SAMPLE;
    if bytes > MEETING_MAX_BYTES {
        return Err(CliError::TooLarge(format!(
            "a meeting of {participants} participants x {minutes} minutes is about {:.1} GB \
             of JSON; generate builds each meeting in memory and writes at most {} GB per \
             meeting: lower --participants or --minutes",
            bytes as f64 / 1e9,
            MEETING_MAX_BYTES / 1_000_000_000
        )));
    }
    Ok(())
}

/// Makes `out` ready: created if missing; if not empty, with `force`, what an earlier run
/// wrote is removed (`manifest.tsv`, and `meeting-NNNN` folders that hold only
/// `page-NNN.json` files, also from a run that was interrupted). Anything else is left
/// alone and stops the run, so that an analysis of the folder never mixes two corpora.
fn clear(out: &Path, force: bool) -> Result<(), CliError> {
    let failed = |error: io::Error| CliError::Io {
        what: out.display().to_string(),
        error,
    };
    let entries: Vec<PathBuf> = match fs::read_dir(out) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(failed)?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(failed(error)),
    };
    if entries.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(CliError::NotEmpty {
            path: out.to_owned(),
            why: "not empty; pass --force to replace an earlier generate run in it".to_owned(),
        });
    }
    let mut left = Vec::new();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == MANIFEST && entry.is_file() {
            fs::remove_file(&entry).map_err(failed)?;
        } else if (numbered(name, "meeting-", "") && holds_only_pages(&entry))
            || temporary_owner(name).is_some()
        {
            fs::remove_dir_all(&entry).map_err(failed)?;
        } else {
            left.push(name.to_owned());
        }
    }
    if !left.is_empty() {
        return Err(CliError::NotEmpty {
            path: out.to_owned(),
            why: format!(
                "holds files generate did not write ({}): left alone; the earlier run's \
                 meetings were removed",
                left.join(", ")
            ),
        });
    }
    Ok(())
}

/// `prefix` + digits + `suffix`.
fn numbered(name: &str, prefix: &str, suffix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `folder` holds nothing but `page-NNN.json` files: a meeting generate wrote.
fn holds_only_pages(folder: &Path) -> bool {
    fs::read_dir(folder).is_ok_and(|entries| {
        entries.filter_map(Result::ok).all(|e| {
            e.path().is_file() && numbered(&e.file_name().to_string_lossy(), "page-", ".json")
        })
    })
}

/// Each meeting's folder, and the manifest, through the [atomic writer](crate::atomic).
fn write(out: &Path, plan: &Plan) -> Result<Vec<Written>, WriteError> {
    let mut rng = Rng::new(plan.seed);
    let mut written = Vec::with_capacity(plan.meetings.min(1 << 16));
    for index in 0..plan.meetings {
        let random = MeetingShape::random(&mut rng);
        let shape = MeetingShape {
            participants: plan.participants.unwrap_or(random.participants),
            minutes: plan.minutes.unwrap_or(random.minutes),
        };
        let pages = synth::meeting_pages(rng.next_u64(), shape);
        let name = format!("meeting-{index:04}");
        let folder = StagedFolder::new(&out.join(&name))?;
        let mut bytes = 0;
        for (page, json) in pages.iter().enumerate() {
            folder.file(&format!("page-{page:03}.json"), json.as_bytes())?;
            bytes += json.len();
        }
        folder.commit()?;
        written.push(Written {
            meeting: name,
            pages: pages.len(),
            participants: shape.participants,
            samples: shape.participants * shape.minutes,
            bytes,
        });
    }
    let mut manifest = String::from("meeting\tpages\tparticipants\tsamples\tbytes\n");
    for w in &written {
        manifest.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            w.meeting, w.pages, w.participants, w.samples, w.bytes
        ));
    }
    let path = out.join(MANIFEST);
    atomic::write_file::<WriteError>(&path, |file| {
        file.write_all(manifest.as_bytes())
            .map_err(|error| WriteError {
                path: path.clone(),
                error,
            })
    })?;
    Ok(written)
}
