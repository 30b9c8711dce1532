//! One module per subcommand: each takes its parsed arguments, runs the job with the
//! parts beside it (discovery, the runner, the dataset, the fetcher, the output) and says
//! how it ended. What they share, the input set-up of `analyze` and `export`, is here.

pub mod analyze;
pub mod export;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod generate;
#[cfg(feature = "serve")]
pub mod serve;
pub mod thresholds;

use std::fs;
use std::path::Path;

use zoom_qos::{Analysis, DecodeConfig, Thresholds};

use crate::args::InputArgs;
use crate::discover::{self, MeetingInput};
use crate::error::{CliError, ThresholdsError};
use crate::output::paths_line;
use crate::runner::{self, Progress, Reading};

/// The meetings found, how to read and analyze them, and where to run.
pub struct Prepared {
    /// The meetings, in the order found.
    pub meetings: Vec<MeetingInput>,
    /// How files are read and pages decoded.
    pub reading: Reading,
    /// The analysis each meeting gets (sequential within a meeting when there are several).
    pub analysis: Analysis,
    /// `--strict`.
    pub strict: bool,
    /// `--threads` threads (rayon's default count without it), of which this one.
    pool: rayon::ThreadPool,
}

/// Reads the thresholds, finds the meetings (naming what is skipped) and sets up the
/// decoder and the analysis.
///
/// # Errors
/// A thresholds file that cannot be used, a path that does not exist, no meeting, or a
/// thread pool that cannot be started.
pub fn prepare(args: &InputArgs, analysis: Analysis) -> Result<Prepared, CliError> {
    let threads = args.threads.map(|asked| clamp_threads(usize::from(asked)));
    // This thread is one of the pool's, rather than waiting for them: one thread fewer,
    // and its work allocates from the main heap, which grows in large steps where a
    // thread's own heap grows a page at a time (`mprotect`). At `--threads 1` on ordinary
    // meetings: 0.97× the time of `analyze`, 0.86× of `export` (see the benches' README).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .use_current_thread()
        .build()
        .map_err(|error| CliError::Start {
            // The usual cause is a limit on threads: `--threads 1` starts none.
            what: "start the worker threads (--threads 1 needs none)".to_owned(),
            error: std::io::Error::other(error),
        })?;
    let thresholds = match &args.thresholds {
        Some(path) => read_thresholds(path)?,
        None => Thresholds::default(),
    };
    let found = discover::discover(&args.paths, &args.meeting)?;
    if !found.skipped.is_empty() {
        let what = "not read (hidden, or not .json or .ndjson)";
        eprintln!("{}", paths_line(what, &found.skipped));
    }
    if !found.special.is_empty() {
        let what =
            "not read (not a regular file: a FIFO, socket or device; give it by name to read it)";
        eprintln!("{}", paths_line(what, &found.special));
    }
    if !found.repeated.is_empty() {
        let what = "read once, reached again";
        eprintln!("{}", paths_line(what, &found.repeated));
    }
    let analysis = runner::per_meeting(&analysis.thresholds(thresholds), found.meetings.len());
    Ok(Prepared {
        meetings: found.meetings,
        reading: Reading {
            decode: DecodeConfig::new()
                .strict(args.strict)
                .max_parse_bytes(args.max_parse_mib << 20),
            max_file_bytes: args.max_file_mib << 20,
            hash_files: false,
        },
        analysis,
        strict: args.strict,
        pool,
    })
}

impl Prepared {
    /// Runs `work` with the progress line, on the run's threads.
    pub fn run<T: Send>(&self, work: impl FnOnce(&Progress) -> T + Send) -> T {
        let progress = Progress::default();
        self.install(|| runner::with_progress(&progress, || work(&progress)))
    }

    /// Runs `work` on the run's threads (`--threads`, rayon's default count without it).
    pub fn install<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        self.pool.install(work)
    }
}

/// Reads a thresholds file: TOML, or JSON for a `.json` file. Unknown keys are an error.
///
/// # Errors
/// [`CliError::Thresholds`], with the path and why.
pub fn read_thresholds(path: &Path) -> Result<Thresholds, CliError> {
    let failed = |cause| CliError::Thresholds {
        path: path.to_owned(),
        cause,
    };
    let text = fs::read_to_string(path).map_err(|e| failed(ThresholdsError::Io(e)))?;
    let thresholds: Thresholds = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| failed(ThresholdsError::Json(e)))?
    } else {
        toml::from_str(&text).map_err(|e| failed(ThresholdsError::Toml(e)))?
    };
    thresholds
        .validate()
        .map_err(|e| failed(ThresholdsError::Invalid(e)))?;
    Ok(thresholds)
}

/// `--threads` up to 4 per core: more threads only cost memory (a stack each) and
/// start-up, and a very large number exhausts the machine.
fn clamp_threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let most = 4 * cores;
    if asked > most {
        eprintln!("zoom-qos: --threads {asked} is more than 4 per core; using {most}");
        most
    } else {
        asked
    }
}
