//! `zoom-qos`: analyze Zoom QoS pages from files, folders and stdin.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use zoom_qos::{Analysis, DecodeConfig, Thresholds};
use zoom_qos_cli::analyze::{self, Format, Outcome, Progress};
use zoom_qos_cli::error::{CliError, Done, status};
use zoom_qos_cli::export::{self, FileFormat};
use zoom_qos_cli::{generate, input};

#[derive(Parser)]
#[command(
    name = "zoom-qos",
    version,
    about = "Exact quality reports from Zoom's participant QoS pages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report on meetings: folders, files, or `-` for stdin.
    #[command(after_help = ANALYZE_HELP)]
    Analyze(AnalyzeArgs),
    /// Write meetings' samples as a Parquet dataset, for DuckDB, DataFusion or Spark.
    ///
    /// One row per sample, in DIR/samples/date=YYYY-MM-DD/<meeting>.parquet (by each
    /// sample's UTC date; samples without a time under date=unknown), and one row per
    /// meeting, with the report's headline numbers, in DIR/meetings.parquet. The inputs
    /// are read as `analyze` reads them.
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
    /// Write a realistic synthetic corpus, deterministic per seed.
    Generate(GenerateArgs),
    /// Fetch QoS pages from the Zoom API: one meeting, or every meeting of a date range.
    ///
    /// With --meeting: OUT/<meeting>/page-NNN.json, the pages as the API sent them. With
    /// --from and --to (or --type live alone): the account's meetings of those UTC dates
    /// are listed, and each instance written to OUT/<number>-<uuid in base32>/, with its
    /// list entry as meeting.json; a re-run skips the instances already complete.
    /// Credentials: ZOOM_ACCESS_TOKEN, or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and
    /// ZOOM_CLIENT_SECRET (Server-to-Server OAuth).
    #[cfg(feature = "fetch")]
    #[command(after_help = FETCH_HELP)]
    Fetch(FetchArgs),
    /// Print the default degradation thresholds, commented, as TOML.
    ///
    /// Each threshold comes with what it flags and the source of its default. Save it,
    /// edit it, and pass it back with `analyze --thresholds FILE`.
    Thresholds,
}

const ANALYZE_HELP: &str = "\
Where the pages are:
  -         standard input: one meeting, named by --meeting
  FILE      one meeting named after the file: one page, a JSON array of pages, or
            newline-delimited pages (pipes and <(...) are read as files too)
  FOLDER    a folder laid out as one meeting (page-NNN.json files or a meeting.json,
            as fetch and generate write them) is one meeting; any other folder is a
            corpus: each .json/.ndjson file directly in it is a meeting, and each
            sub-folder holding pages, at any depth, is a meeting (pages sorted by name)
  Other files are named on stderr, never skipped silently. Meeting names are unique:
  names that would clash are replaced by their paths.

Exit status:
  0    every meeting was reported
  1    the report could not be written
  2    a file or meeting was bad (the others are still reported, the bad ones listed
       under errors with file and byte offset), --strict stopped, or no pages were found
  64   usage error";

const EXPORT_HELP: &str = "\
Where the pages are: as for `zoom-qos analyze` (see its --help).

Writing:
  Each file is written under a hidden temporary name, then renamed into place: readers
  see the old file or the new one, never part of one. Exporting a meeting again replaces
  its files (and removes its files of dates it no longer has); other meetings' files are
  left as they are, and meetings.parquet keeps their rows. Run one export at a time per
  folder. DIR must be empty or hold an earlier export.

Exit status:
  0    every meeting was exported
  1    a file could not be written (the meetings listed on stderr)
  2    a file or meeting was bad (it is named with the file and byte offset; the others
       are still exported), --strict stopped, or no pages were found
  64   usage error";

#[cfg(feature = "fetch")]
const FETCH_HELP: &str = "\
Writing: each meeting's folder is written hidden, then renamed into place whole; a
folder in place is complete. A run killed at any moment loses only the meetings in
flight: run the same command again to resume.

Exit status:
  0    every instance is complete
  1    some instances failed (listed on stderr; the others are written), or the API
       refused the request (--meeting)
  64   usage error, or no credentials
  75   Zoom's daily rate limit stopped the run: run the same command after the reset
       (the message gives it) to fetch the rest";

#[cfg(feature = "fetch")]
#[derive(Args)]
struct FetchArgs {
    /// The meeting (or webinar) ID or UUID.
    #[arg(long)]
    meeting: Option<String>,
    /// Every meeting from this UTC date (YYYY-MM-DD; at most six months ago).
    #[arg(long, value_name = "DATE", requires = "to", conflicts_with = "meeting")]
    from: Option<String>,
    /// ... to this UTC date, included.
    #[arg(
        long,
        value_name = "DATE",
        requires = "from",
        conflicts_with = "meeting"
    )]
    to: Option<String>,
    /// Fetch again the instances already complete in OUT (with --from and --to).
    #[arg(long, conflicts_with = "meeting")]
    refetch: bool,
    /// Instances fetched at once (with --from and --to).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// Requests a second at most, over every job (with --from and --to). Zoom rates the
    /// Dashboard API Heavy, per account: 1/s on Free, 10/s on Pro, 40/s on Business and
    /// above, with daily caps (1,000, 30,000, 60,000).
    #[arg(long, default_value_t = 8.0, value_parser = positive_rate)]
    rate: f64,
    /// Webinars rather than meetings.
    #[arg(long, visible_alias = "webinars")]
    webinar: bool,
    /// Which instances: past, pastOne or live.
    #[arg(long = "type", default_value = "past", value_parser = ["past", "pastOne", "live"])]
    qos_type: String,
    /// Participants per page, 1 to 10.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(1..=10))]
    page_size: u8,
    /// One participant's QoS instead of the list.
    #[arg(long)]
    participant: Option<String>,
    /// The qos_summary endpoint instead of per-minute samples (needs the QSS add-on).
    #[arg(long, conflicts_with = "participant")]
    summary: bool,
    /// The folder to write into.
    #[arg(long)]
    out: PathBuf,
    /// The API base URL.
    #[arg(long, default_value = zoom_qos::client::DEFAULT_API_BASE)]
    api_base: String,
    /// The OAuth base URL.
    #[arg(long, default_value = zoom_qos::client::DEFAULT_OAUTH_BASE)]
    oauth_base: String,
}

/// Where the meetings are, and how they are read: `analyze` and `export` alike.
#[derive(Args)]
struct InputArgs {
    /// Folders, files (one page, an array of pages, or NDJSON), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Stop at the first invalid metric value or bad file instead of counting it; the
    /// meetings finished before are still reported (or exported).
    #[arg(long)]
    strict: bool,
    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// A TOML or JSON file overriding degradation thresholds, which raise the flags
    /// (`zoom-qos thresholds` prints the defaults).
    #[arg(long, value_name = "FILE")]
    thresholds: Option<PathBuf>,
    /// The meeting name for stdin.
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    meeting: String,
}

#[derive(Args)]
struct AnalyzeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Add each participant's own STATS per stream and metric (JSON only).
    #[arg(long)]
    participant_stats: bool,
    /// Write the report to FILE instead of standard output (written whole, then renamed
    /// into place).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The dataset folder: created if needed; an earlier export's folder is added to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The files to write.
    #[arg(long, value_enum, default_value_t = FileFormat::Parquet)]
    format: FileFormat,
}

#[derive(Args)]
struct GenerateArgs {
    /// The folder to write (created if needed). It must be empty, or hold an earlier
    /// `generate` run and --force be given.
    out: PathBuf,
    /// How many meetings.
    #[arg(long, default_value_t = 10)]
    meetings: usize,
    /// The seed: the same seed writes the same corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Participant entries per meeting (default: random, 2 to 40).
    #[arg(long)]
    participants: Option<usize>,
    /// Minutes per participant (default: random, 10 to 90).
    #[arg(long)]
    minutes: Option<usize>,
    /// Replace what an earlier `generate` wrote in OUT.
    #[arg(long)]
    force: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(status::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let done = match cli.command {
        Command::Analyze(args) => run_analyze(args),
        Command::Export(args) => run_export(args),
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => run_fetch(args),
        Command::Generate(args) => run_generate(&args),
        Command::Thresholds => analyze::print(Thresholds::default().to_toml().as_bytes())
            .map(|()| Done::Clean)
            .map_err(|error| CliError::Write {
                what: "the thresholds".to_owned(),
                error,
            }),
    };
    match done {
        Ok(done) => ExitCode::from(done.status()),
        Err(error) => {
            eprintln!("zoom-qos: {error}");
            ExitCode::from(error.status())
        }
    }
}

fn run_generate(args: &GenerateArgs) -> Result<Done, CliError> {
    let plan = generate::Plan {
        meetings: args.meetings,
        seed: args.seed,
        participants: args.participants,
        minutes: args.minutes,
        force: args.force,
    };
    let written = generate::generate(&args.out, &plan)?;
    let bytes: usize = written.iter().map(|w| w.bytes).sum();
    eprintln!(
        "wrote {} meetings, {:.1} MB, to {}",
        written.len(),
        bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(Done::Clean)
}

#[cfg(feature = "fetch")]
fn run_fetch(args: FetchArgs) -> Result<Done, CliError> {
    use zoom_qos::client::{Client, QosType};
    use zoom_qos_cli::fetch;

    let auth =
        fetch::auth_from_env(|name| std::env::var(name).ok()).map_err(CliError::Credentials)?;
    let qos_type = match args.qos_type.as_str() {
        "live" => QosType::Live,
        "pastOne" => QosType::PastOne,
        _ => QosType::Past,
    };
    let client = Client::new(auth)
        .api_base(args.api_base.clone())
        .oauth_base(args.oauth_base.clone());
    let Some(meeting) = args.meeting.clone() else {
        return fetch_account(client.rate(Some(args.rate)), qos_type, &args);
    };
    let client = client.sleeper(fetch::sleep_showing_retries);
    let request = fetch::Request {
        meeting,
        webinar: args.webinar,
        qos_type,
        page_size: args.page_size,
        participant: args.participant,
        summary: args.summary,
    };
    let folder = fetch::fetch(&client, &request, &args.out).map_err(CliError::Fetch)?;
    eprintln!("wrote {}", folder.display());
    Ok(Done::Clean)
}

/// `fetch --from ... --to ...`, or `--type live` without dates: the account's instances.
#[cfg(feature = "fetch")]
fn fetch_account(
    client: zoom_qos::client::Client,
    qos_type: zoom_qos::client::QosType,
    args: &FetchArgs,
) -> Result<Done, CliError> {
    use zoom_qos::client::{Day, QosType};
    use zoom_qos_cli::fetch;

    let range = match (&args.from, &args.to) {
        (Some(from), Some(to)) => {
            let day = |text: &str| Day::parse(text).map_err(|e| CliError::Usage(e.to_string()));
            Some((day(from)?, day(to)?))
        }
        _ if qos_type == QosType::Live => None,
        _ => {
            return Err(CliError::Usage(
                "give --meeting, or --from and --to (only --type live lists without dates)"
                    .to_owned(),
            ));
        }
    };
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let today = Day::of_unix_s(now_s);
    if let Some((from, to)) = range {
        zoom_qos::client::month_windows(from, to, today)
            .map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let request = fetch::AccountRequest {
        webinar: args.webinar,
        qos_type,
        range,
        refetch: args.refetch,
        jobs: usize::from(args.jobs),
    };
    let progress = fetch::FetchProgress::default();
    let line =
        |elapsed, columns| fetch::progress_line(&progress, client.counters(), elapsed, columns);
    let done = zoom_qos_cli::progress::with_line(line, || {
        fetch::fetch_account(&client, &request, today, &args.out, &progress)
    })
    .map_err(CliError::Fetch)?;
    for (meeting, message) in &done.failed {
        eprintln!(
            "{}",
            zoom_qos::report::escape_controls(&format!(
                "zoom-qos: meeting {} ({}): {message}",
                meeting.uuid, meeting.topic
            ))
        );
    }
    let counters = client.counters();
    eprintln!(
        "zoom-qos: {} instances listed: {} fetched, {} already complete, {} failed{}, in {} \
         ({} requests, {} rate-limited)",
        done.listed,
        done.fetched,
        done.skipped,
        done.failed.len(),
        if done.left > 0 {
            format!(", {} left", done.left)
        } else {
            String::new()
        },
        args.out.display(),
        counters.requests,
        counters.rate_limited,
    );
    if let Some(why) = &done.daily_limit {
        eprintln!(
            "zoom-qos: {why}. What is complete is written; run the same command again \
             after the daily reset to fetch the rest."
        );
        return Ok(Done::DailyLimit);
    }
    Ok(if done.failed.is_empty() {
        Done::Clean
    } else {
        Done::WriteFailed
    })
}

/// The meetings found, how to read and analyze them, and where to run.
struct Prepared {
    meetings: Vec<input::MeetingInput>,
    decode: DecodeConfig,
    analysis: Analysis,
    thresholds: Thresholds,
    threads: Option<usize>,
    strict: bool,
}

/// Reads the thresholds, finds the meetings (naming what is skipped) and sets up the
/// decoder and the analysis.
fn prepare(args: &InputArgs, analysis: Analysis) -> Result<Prepared, CliError> {
    let threads = args.threads.map(|asked| clamp_threads(usize::from(asked)));
    let thresholds = match &args.thresholds {
        Some(path) => analyze::read_thresholds(path).map_err(CliError::Usage)?,
        None => Thresholds::default(),
    };
    let found = input::discover(&args.paths, &args.meeting)?;
    if !found.skipped.is_empty() {
        let what = "not read (hidden, or not .json or .ndjson)";
        eprintln!("{}", analyze::paths_line(what, &found.skipped));
    }
    if !found.repeated.is_empty() {
        let what = "read once, reached again";
        eprintln!("{}", analyze::paths_line(what, &found.repeated));
    }
    let analysis = analyze::per_meeting(
        &analysis.thresholds(thresholds.clone()),
        found.meetings.len(),
    );
    Ok(Prepared {
        meetings: found.meetings,
        decode: DecodeConfig::new().strict(args.strict),
        analysis,
        thresholds,
        threads,
        strict: args.strict,
    })
}

impl Prepared {
    /// Runs `work` with the progress line, on `--threads` threads if given.
    fn run<T: Send>(&self, work: impl FnOnce(&Progress) -> T + Send) -> Result<T, CliError> {
        let progress = Progress::default();
        let work = || analyze::with_progress(&progress, || work(&progress));
        match self.threads {
            Some(threads) => Ok(rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|error| CliError::Usage(format!("--threads: {error}")))?
                .install(work)),
            None => Ok(work()),
        }
    }
}

fn run_analyze(args: AnalyzeArgs) -> Result<Done, CliError> {
    if args.participant_stats && args.format != Format::Json {
        return Err(CliError::Usage(
            "--participant-stats adds to the JSON report only: use --format json".to_owned(),
        ));
    }
    let analysis = Analysis::new()
        .participant_stats(args.participant_stats)
        .timeline(args.format == Format::Html);
    let prepared = prepare(&args.input, analysis)?;
    let (outcomes, rollup) = prepared.run(|progress| {
        let report = analyze::report(&prepared.analysis);
        analyze::run(
            &prepared.meetings,
            &prepared.decode,
            progress,
            prepared.strict,
            report,
        )
    })?;
    let (report, not_started) = analyze::into_report(outcomes, rollup);
    for error in &report.errors {
        eprintln!("{}", analyze::error_line(error));
    }
    match &args.out {
        Some(path) => analyze::write_report_file(&report, args.format, path).map_err(|error| {
            CliError::Write {
                what: path.display().to_string(),
                error,
            }
        })?,
        None => analyze::print_report(&report, args.format).map_err(|error| CliError::Write {
            what: "the report".to_owned(),
            error,
        })?,
    }
    if prepared.strict && !report.errors.is_empty() {
        eprintln!(
            "zoom-qos: stopped at the first bad input (--strict): {} meetings reported, \
             {not_started} not started",
            report.meetings.len()
        );
    }
    Ok(if report.errors.is_empty() {
        Done::Clean
    } else {
        Done::WithBadInput
    })
}

fn run_export(args: ExportArgs) -> Result<Done, CliError> {
    let prepared = prepare(&args.input, Analysis::new())?;
    let mut dataset = export::Dataset::open(&args.out, args.format).map_err(CliError::Usage)?;
    let (outcomes, _) = prepared.run(|progress| {
        let export = dataset.export(&prepared.analysis, &prepared.thresholds);
        analyze::run(
            &prepared.meetings,
            &prepared.decode,
            progress,
            prepared.strict,
            export,
        )
    })?;
    let (mut rows, mut files, mut bytes, mut samples) = (Vec::new(), 0, 0, 0);
    let (mut bad_input, mut not_written, mut not_started) = (0, 0, 0);
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Report(Ok(exported)) => {
                files += exported.files;
                bytes += exported.bytes;
                samples += exported.row.samples();
                rows.push(exported.row);
            }
            Outcome::Report(Err(error)) => {
                eprintln!("{}", analyze::error_line(&error));
                not_written += 1;
            }
            Outcome::Failed(error) => {
                eprintln!("{}", analyze::error_line(&error));
                bad_input += 1;
            }
            Outcome::NotStarted => not_started += 1,
        }
    }
    // Every meeting written is put in place before the meetings file lists it.
    for error in dataset.finish() {
        eprintln!("{}", analyze::error_line(&error));
        not_written += 1;
        if let Some(at) = rows.iter().position(|row| row.meeting() == error.meeting) {
            let row = rows.remove(at);
            samples -= row.samples();
        }
    }
    let meetings = rows.len();
    dataset
        .write_meetings(&rows)
        .map_err(|(path, message)| CliError::Write {
            what: path.display().to_string(),
            error: std::io::Error::other(message),
        })?;
    eprintln!(
        "zoom-qos: {}",
        export::summary_line(meetings, samples, files, bytes, &args.out)
    );
    if prepared.strict && bad_input > 0 {
        eprintln!(
            "zoom-qos: stopped at the first bad input (--strict): {meetings} meetings \
             exported, {not_started} not started"
        );
    }
    Ok(if not_written > 0 {
        Done::WriteFailed
    } else if bad_input > 0 {
        Done::WithBadInput
    } else {
        Done::Clean
    })
}

/// `--rate`: a positive number of requests a second.
#[cfg(feature = "fetch")]
fn positive_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a positive number of requests a second"
        )),
    }
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
