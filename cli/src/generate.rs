//! `zoom-qos generate`: a synthetic corpus in the folder layout `analyze` reads.

use std::fs;
use std::io;
use std::path::Path;

use zoom_qos::synth::{self, MeetingShape, Rng};

/// Sizes that replace the random ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fixed {
    /// Participant entries per meeting.
    pub participants: Option<usize>,
    /// Minutes (samples) per participant.
    pub minutes: Option<usize>,
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

/// Writes `meetings` meetings as `OUT/meeting-NNNN/page-NNN.json`, deterministic per
/// seed, and `OUT/manifest.tsv` listing what each holds.
/// `fixed` overrides the random participant count and minutes of every meeting.
pub fn generate(out: &Path, meetings: usize, seed: u64, fixed: Fixed) -> io::Result<Vec<Written>> {
    fs::create_dir_all(out)?;
    let mut rng = Rng::new(seed);
    let mut written = Vec::with_capacity(meetings);
    for index in 0..meetings {
        let random = MeetingShape::random(&mut rng);
        let shape = MeetingShape {
            participants: fixed.participants.unwrap_or(random.participants),
            minutes: fixed.minutes.unwrap_or(random.minutes),
        };
        let pages = synth::meeting_pages(rng.next_u64(), shape);
        let name = format!("meeting-{index:04}");
        let folder = out.join(&name);
        fs::create_dir_all(&folder)?;
        let mut bytes = 0;
        for (page, json) in pages.iter().enumerate() {
            fs::write(folder.join(format!("page-{page:03}.json")), json)?;
            bytes += json.len();
        }
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
    fs::write(out.join("manifest.tsv"), manifest)?;
    Ok(written)
}
