//! `zoom-qos`: analyze Zoom QoS pages from files, folders and stdin.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use zoom_qos::{Analysis, DecodeConfig};
use zoom_qos_cli::analyze::{self, Format, Progress};
use zoom_qos_cli::{generate, input};

/// Exit status of a usage error (BSD `EX_USAGE`).
const USAGE: u8 = 64;
/// Exit status when input was bad: a meeting failed, or strict mode met an invalid value.
const BAD_INPUT: u8 = 2;

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
    /// Report on meetings: folders (a sub-folder of pages per meeting), files, or `-` for stdin.
    Analyze(AnalyzeArgs),
    /// Write a realistic synthetic corpus, deterministic per seed.
    Generate(GenerateArgs),
    /// Fetch a meeting's pages from the Zoom API into OUT/<meeting>/page-NNN.json.
    /// Credentials: ZOOM_ACCESS_TOKEN, or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET.
    #[cfg(feature = "fetch")]
    Fetch(FetchArgs),
}

#[cfg(feature = "fetch")]
#[derive(Args)]
struct FetchArgs {
    /// The meeting (or webinar) ID or UUID.
    #[arg(long)]
    meeting: String,
    /// A webinar rather than a meeting.
    #[arg(long)]
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

#[derive(Args)]
struct AnalyzeArgs {
    /// Folders, files (one page, an array of pages, or NDJSON), or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Fail on the first invalid metric value instead of counting it.
    #[arg(long)]
    strict: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// A TOML or JSON file overriding degradation thresholds.
    #[arg(long, value_name = "FILE")]
    thresholds: Option<PathBuf>,
    /// The meeting name for stdin.
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    meeting: String,
    /// Add each participant's own STATS per stream and metric to the report.
    #[arg(long)]
    participant_stats: bool,
}

#[derive(Args)]
struct GenerateArgs {
    /// The folder to write (created if needed).
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
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Analyze(args) => run_analyze(args),
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => run_fetch(args),
        Command::Generate(args) => {
            let fixed = generate::Fixed {
                participants: args.participants,
                minutes: args.minutes,
            };
            run_generate(&args, fixed)
        }
    }
}

fn run_generate(args: &GenerateArgs, fixed: generate::Fixed) -> ExitCode {
    match generate::generate(&args.out, args.meetings, args.seed, fixed) {
        Ok(written) => {
            let bytes: usize = written.iter().map(|w| w.bytes).sum();
            eprintln!(
                "wrote {} meetings, {:.1} MB, to {}",
                written.len(),
                bytes as f64 / 1e6,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("zoom-qos: {}: {error}", args.out.display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "fetch")]
fn run_fetch(args: FetchArgs) -> ExitCode {
    use zoom_qos::client::{Client, QosType};
    use zoom_qos_cli::fetch;

    let auth = match fetch::auth_from_env(|name| std::env::var(name).ok()) {
        Ok(auth) => auth,
        Err(message) => {
            eprintln!("zoom-qos: {message}");
            return ExitCode::from(USAGE);
        }
    };
    let qos_type = match args.qos_type.as_str() {
        "live" => QosType::Live,
        "pastOne" => QosType::PastOne,
        _ => QosType::Past,
    };
    let request = fetch::Request {
        meeting: args.meeting,
        webinar: args.webinar,
        qos_type,
        page_size: args.page_size,
        participant: args.participant,
        summary: args.summary,
    };
    let mut client = Client::new(auth)
        .api_base(args.api_base)
        .oauth_base(args.oauth_base);
    match fetch::fetch(&mut client, &request, &args.out) {
        Ok(folder) => {
            eprintln!("wrote {}", folder.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("zoom-qos: fetch: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_analyze(args: AnalyzeArgs) -> ExitCode {
    let usage = |message: String| {
        eprintln!("zoom-qos: {message}");
        ExitCode::from(USAGE)
    };
    let inputs = match input::discover(&args.paths, &args.meeting) {
        Ok(inputs) => inputs,
        Err(error) => return usage(error.0),
    };
    let mut analysis = Analysis::new().participant_stats(args.participant_stats);
    if let Some(path) = &args.thresholds {
        match analyze::read_thresholds(path) {
            Ok(thresholds) => analysis = analysis.thresholds(thresholds),
            Err(message) => return usage(message),
        }
    }
    let decode = DecodeConfig::new().strict(args.strict);
    let progress = Progress::default();
    let work = || {
        analyze::with_progress(&progress, || {
            analyze::run(&inputs, &decode, &analysis, &progress)
        })
    };
    let outcomes = match args.threads {
        Some(threads) => match rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(error) => return usage(format!("--threads: {error}")),
        },
        None => work(),
    };
    let report = match analyze::into_report(outcomes) {
        Ok(report) => report,
        Err(strict) => {
            eprintln!("zoom-qos: {strict}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    for error in &report.errors {
        eprintln!("{}", analyze::error_line(error));
    }
    let printed = analyze::render(&report, args.format).and_then(|bytes| analyze::print(&bytes));
    if let Err(error) = printed {
        eprintln!("zoom-qos: cannot write the report: {error}");
        return ExitCode::FAILURE;
    }
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(BAD_INPUT)
    }
}
