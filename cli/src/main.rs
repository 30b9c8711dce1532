//! `zoom-qos`: analyze Zoom QoS pages from files, folders and stdin.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use zoom_qos::{Analysis, DecodeConfig};
use zoom_qos_cli::analyze::{self, Format, Progress};
use zoom_qos_cli::error::{CliError, Done, status};
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
                ExitCode::from(status::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let done = match cli.command {
        Command::Analyze(args) => run_analyze(args),
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => run_fetch(args),
        Command::Generate(args) => run_generate(&args),
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
    let fixed = generate::Fixed {
        participants: args.participants,
        minutes: args.minutes,
    };
    let written =
        generate::generate(&args.out, args.meetings, args.seed, fixed).map_err(|error| {
            CliError::Write {
                what: args.out.display().to_string(),
                error,
            }
        })?;
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
    let folder = fetch::fetch(&mut client, &request, &args.out).map_err(CliError::Fetch)?;
    eprintln!("wrote {}", folder.display());
    Ok(Done::Clean)
}

fn run_analyze(args: AnalyzeArgs) -> Result<Done, CliError> {
    let inputs =
        input::discover(&args.paths, &args.meeting).map_err(|error| CliError::Usage(error.0))?;
    let mut analysis = Analysis::new().participant_stats(args.participant_stats);
    if let Some(path) = &args.thresholds {
        let thresholds = analyze::read_thresholds(path).map_err(CliError::Usage)?;
        analysis = analysis.thresholds(thresholds);
    }
    let decode = DecodeConfig::new().strict(args.strict);
    let progress = Progress::default();
    let work = || {
        analyze::with_progress(&progress, || {
            analyze::run(&inputs, &decode, &analysis, &progress)
        })
    };
    let outcomes = match args.threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build()
            .map_err(|error| CliError::Usage(format!("--threads: {error}")))?
            .install(work),
        None => work(),
    };
    let report = analyze::into_report(outcomes).map_err(CliError::Strict)?;
    for error in &report.errors {
        eprintln!("{}", analyze::error_line(error));
    }
    analyze::render(&report, args.format)
        .and_then(|bytes| analyze::print(&bytes))
        .map_err(|error| CliError::Write {
            what: "the report".to_owned(),
            error,
        })?;
    Ok(if report.errors.is_empty() {
        Done::Clean
    } else {
        Done::WithBadInput
    })
}
