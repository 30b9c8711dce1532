//! The command line: every subcommand's arguments and help, as clap reads them. Parsing
//! only; what each subcommand does is in [`crate::commands`].
//!
//! Doc comments here are the `--help` text, so the argument structs themselves, whose doc
//! comments clap would also print, are described with plain comments instead.
#![allow(missing_docs)]
// The doc comments are --help text, where `<meeting>` is a placeholder, not HTML.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::dataset::FileFormat;
use crate::output::Format;

// The command line.
#[derive(Parser)]
#[command(
    name = "zoom-qos",
    version,
    about = "Exact quality reports from Zoom's participant QoS pages"
)]
pub struct Cli {
    #[command(subcommand)]
    /// The subcommand.
    pub command: Command,
}

// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Report on meetings: folders, files, or `-` for stdin.
    #[command(after_help = ANALYZE_HELP)]
    Analyze(AnalyzeArgs),
    /// Write meetings' samples as a Parquet dataset, for DuckDB, DataFusion or Spark.
    ///
    /// One row per sample, under DIR/samples/date=YYYY-MM-DD/ (by each sample's UTC
    /// date; samples without a time under date=unknown), many meetings a file, and one
    /// row per meeting, with the report's headline numbers, in DIR/meetings.parquet. A
    /// meeting is known by its UUID (else its folder's path): only meetings new or changed
    /// since the last export into DIR are written. The inputs are read as `analyze` reads
    /// them.
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
    /// Write a realistic synthetic corpus, deterministic per seed.
    Generate(GenerateArgs),
    /// Fetch QoS pages from the Zoom API: one meeting, or every meeting of a date range.
    ///
    /// Each meeting instance is written to OUT/<number>-<uuid in base32>/: the pages as
    /// the API sent them (page-NNN.json) and Zoom's description of it (meeting.json).
    /// With --meeting: the instance it names (a meeting number: its latest instance; a
    /// recurring meeting's instances each keep their own folder). With --from and --to (or
    /// --type live alone): the account's instances of those UTC dates; a re-run skips the
    /// instances already complete. Zoom Video SDK sessions (--session ID, or --sessions
    /// with dates) go to OUT/session-<id in base32>/ alike.
    /// Credentials: ZOOM_ACCESS_TOKEN, or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and
    /// ZOOM_CLIENT_SECRET (Server-to-Server OAuth; for sessions, the Video SDK account's).
    #[cfg(feature = "fetch")]
    #[command(after_help = FETCH_HELP)]
    Fetch(FetchArgs),
    /// Take Zoom's QoS webhooks, keep every event durably, serve live metrics to Prometheus.
    ///
    /// POST /webhook takes Zoom's signed events (QoS Subscription: participant_qos,
    /// participant_data, *.ended; Video SDK: session.user_qos, session.ended) and answers
    /// 200 only once the event is synced to the spool's journal. GET /metrics serves, per
    /// live meeting (the worst --top) and for the account, exact percentiles over the last
    /// --window, in the Prometheus text format. GET /healthz answers `ok`. A meeting that
    /// ends (or falls silent for --close-after) is written to SPOOL/meetings/ as a meeting
    /// folder, which `analyze` and `export` read. The secret token is read from
    /// ZOOM_WEBHOOK_SECRET_TOKEN, or --secret-file; never from an argument. Accounts
    /// without webhooks: --poll fetches the live meetings' QoS within a daily budget.
    #[cfg(feature = "serve")]
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
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
  A file over --max-file-mib, or a page whose parse would need more than
  --max-parse-mib, fails as its meeting; the others are reported.
  Pages of participants, of a Video SDK session's users and of qos_summary entries are
  all read. A meeting whose last page names a next page, or that has fewer entries than
  its total_records, is reported as incomplete, and said so on stderr.

Exit status:
  0    every meeting was reported
  1    the report could not be written
  2    a file or meeting was bad (the others are still reported, the bad ones listed
       under errors with file and byte offset), --strict stopped or found an incomplete
       meeting, or no pages were found
  64   usage error";

const EXPORT_HELP: &str = "\
Where the pages are: as for `zoom-qos analyze` (see its --help).

Writing:
  A run writes one file per date (part-VVVVVV-N.parquet) with the meetings that are new,
  or changed since they were exported (by a digest of their pages); the others are
  skipped, and their files kept as they are. A meeting exported again replaces its rows,
  and only its rows. The run is committed at once: DIR/samples and DIR/meetings.parquet
  are links through DIR/.zoom-qos/current, renamed to the new version in one step, so a
  reader sees the old dataset or the new, never a mix, also if the run is killed.
  --full writes every meeting again and leaves one file per date. DIR must be empty or
  hold an earlier export.
  One run per folder: an export holds DIR's lock (DIR/.zoom-qos.lock, released when the
  process ends); a second export into DIR while it runs stops at once, changing
  nothing (exit 75).

Exit status:
  0    every meeting was exported
  1    a file could not be written: nothing of the run is committed
  2    a file or meeting was bad (it is named with the file and byte offset; the others
       are still exported), --strict stopped, or no pages were found
  64   usage error
  75   another run is writing DIR: try again when it has finished";

#[cfg(feature = "serve")]
const SERVE_HELP: &str = "\
Answers:
  200  stored (synced), a body already stored, an event serve does not read, or
       endpoint.url_validation (with its encryptedToken)
  400  not a webhook event      401  unsigned, forged, stale (over 5 minutes) or replayed
  413  over --max-body-kib      503  the journal cannot be written: Zoom delivers again

Run it behind a TLS reverse proxy (Zoom posts to https only); see the README's \"Live\".
A second serve on the same spool is refused; a killed one, started again, reads every
acknowledged event back from the journal.";

#[cfg(feature = "serve")]
// `serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: std::net::SocketAddr,
    /// The spool: the journal of every acknowledged event, and the closed meetings'
    /// folders under SPOOL/meetings
    #[arg(long, value_name = "DIR")]
    pub spool: PathBuf,
    /// A file holding the webhook secret token (else ZOOM_WEBHOOK_SECRET_TOKEN)
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// The live window the percentiles cover: seconds, or with a unit (90s, 5m, 1h)
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration_s)]
    pub window: i64,
    /// A meeting without events for this long is closed into its folder
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration_s)]
    pub close_after: i64,
    /// Live meetings with series of their own, the worst first (the account covers all)
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub top: usize,
    /// The largest webhook body taken, in KiB
    #[arg(long, value_name = "KIB", default_value_t = 256)]
    pub max_body_kib: usize,
    /// A TOML or JSON file overriding degradation thresholds
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// Threads answering HTTP (the journal has one of its own)
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads: usize,
    /// Also poll the live meetings' QoS from the Dashboard API, for accounts without the
    /// QoS Subscription (credentials as `fetch`'s: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and
    /// ZOOM_CLIENT_SECRET, or ZOOM_ACCESS_TOKEN)
    #[cfg(feature = "fetch")]
    #[arg(long)]
    pub poll: bool,
    /// Requests a UTC day that --poll may spend, never more (default: half the plan's
    /// documented daily limit, the rest kept for fetch and other apps)
    #[cfg(feature = "fetch")]
    #[arg(long, value_name = "N")]
    pub daily_budget: Option<u64>,
    /// The account's plan, for the default --daily-budget: pro (30,000 requests a day:
    /// 15,000) or business (60,000: 30,000; enterprise alike)
    #[cfg(feature = "fetch")]
    #[arg(long, value_name = "PLAN", default_value = "business", value_parser = ["pro", "business", "enterprise"])]
    pub plan: String,
    /// A live meeting is polled at most this often (Zoom's staff advise 5 minutes)
    #[cfg(feature = "fetch")]
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration_s)]
    pub poll_every: i64,
    /// Requests a second at most (one gate for every request, as fetch's)
    #[cfg(feature = "fetch")]
    #[arg(long, value_name = "R", default_value_t = 8.0, value_parser = positive_rate)]
    pub rate: f64,
    /// The API base URL
    #[cfg(feature = "fetch")]
    #[arg(long, default_value = zoom_qos::client::DEFAULT_API_BASE)]
    pub api_base: String,
    /// The OAuth base URL
    #[cfg(feature = "fetch")]
    #[arg(long, default_value = zoom_qos::client::DEFAULT_OAUTH_BASE)]
    pub oauth_base: String,
}

/// A duration in seconds: `300`, `90s`, `5m`, `1h`.
#[cfg(feature = "serve")]
fn parse_duration_s(text: &str) -> Result<i64, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => {
            return Err(format!(
                "{text:?}: a number of seconds, or one with s, m or h"
            ));
        }
    };
    number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|&s| s > 0)
        .ok_or_else(|| format!("{text:?}: a whole positive number, then s, m or h"))
}

#[cfg(feature = "fetch")]
const FETCH_HELP: &str = "\
Writing: each meeting's folder is written hidden, then renamed into place whole; a
folder in place is complete. A run killed at any moment loses only the meetings in
flight: run the same command again to resume. One run per folder: a fetch holds OUT's
lock (OUT/.zoom-qos.lock, released when the process ends); a second fetch into OUT while
it runs stops at once, before any request or change (exit 75).

Chains are bounded: a next_page_token sent a second time, or a chain longer than 10,000
pages (or than twice the page_count its first page gives, plus 4), fails that meeting.
An answer that is not a QoS page (Zoom's error sent with a 200) is that error, never a
page. Pages are written as they come: memory does not grow with the chain.

A folder is replaced only when it holds nothing but what fetch writes there
(page-NNN.json, meeting.json); anything else in it is left alone and that meeting fails.

Exit status:
  0    every instance is complete
  1    some instances failed (listed on stderr; the others are written), or the API
       refused the request (--meeting)
  64   usage error, or no credentials
  75   Zoom's daily rate limit stopped the run: run the same command after the reset
       (the message gives it) to fetch the rest; or another run is writing OUT
  130  Ctrl-C: no new meeting was started, those in flight finished (a second Ctrl-C
       ends the run at once); run the same command again to resume";

#[cfg(feature = "fetch")]
// `fetch`.
#[derive(Args)]
pub struct FetchArgs {
    /// The meeting (or webinar) ID or UUID.
    #[arg(long)]
    pub meeting: Option<String>,
    /// A Zoom Video SDK session's ID: its users' QoS (`/videosdk/sessions/ID/users/qos`),
    /// with the Video SDK account's own credentials.
    #[arg(long, value_name = "ID", conflicts_with_all = ["meeting", "webinar", "from", "to"])]
    pub session: Option<String>,
    /// Video SDK sessions rather than meetings (with --from and --to, or --type live).
    #[arg(long, conflicts_with_all = ["meeting", "webinar"])]
    pub sessions: bool,
    /// Every meeting from this UTC date (YYYY-MM-DD; at most six months ago).
    #[arg(long, value_name = "DATE", requires = "to", conflicts_with = "meeting")]
    pub from: Option<String>,
    /// ... to this UTC date, included.
    #[arg(
        long,
        value_name = "DATE",
        requires = "from",
        conflicts_with = "meeting"
    )]
    pub to: Option<String>,
    /// Fetch again the instances already complete in OUT (with --from and --to).
    #[arg(long, conflicts_with = "meeting")]
    pub refetch: bool,
    /// Instances fetched at once (with --from and --to).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// Requests a second at most, over every job (with --from and --to). Zoom rates the
    /// Dashboard API Heavy, per account: 1/s on Free, 10/s on Pro, 40/s on Business and
    /// above, with daily caps (1,000, 30,000, 60,000).
    #[arg(long, default_value_t = 8.0, value_parser = positive_rate)]
    pub rate: f64,
    /// Webinars rather than meetings.
    #[arg(long, visible_alias = "webinars")]
    pub webinar: bool,
    /// Which instances: past, pastOne or live.
    #[arg(long = "type", default_value = "past", value_parser = ["past", "pastOne", "live"])]
    pub qos_type: String,
    /// Participants per page, 1 to 10.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub page_size: u8,
    /// One participant's QoS instead of the list.
    #[arg(long)]
    pub participant: Option<String>,
    /// The qos_summary endpoint instead of per-minute samples (needs the QSS add-on).
    #[arg(long, conflicts_with = "participant")]
    pub summary: bool,
    /// The folder to write into.
    #[arg(long)]
    pub out: PathBuf,
    /// The API base URL.
    #[arg(long, default_value = zoom_qos::client::DEFAULT_API_BASE)]
    pub api_base: String,
    /// The OAuth base URL.
    #[arg(long, default_value = zoom_qos::client::DEFAULT_OAUTH_BASE)]
    pub oauth_base: String,
}

/// Where the meetings are, and how they are read: `analyze` and `export` alike.
#[derive(Args)]
pub struct InputArgs {
    /// Folders, files (one page, an array of pages, or NDJSON), or `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Stop at the first invalid metric value or bad file instead of counting it (the
    /// meetings finished before are still reported or exported); and exit 2 when a
    /// meeting's pages are not the whole chain (its last page names a next one, or fewer
    /// entries than `total_records`), which is otherwise a warning.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// A TOML or JSON file overriding degradation thresholds, which raise the flags
    /// (`zoom-qos thresholds` prints the defaults).
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// The meeting name for stdin.
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    pub meeting: String,
    /// The largest file read, in MiB: a larger one (or a device that never ends) fails as
    /// its meeting, unread, and the others are reported.
    #[arg(long, value_name = "MIB", default_value_t = 2048,
          value_parser = clap::value_parser!(u64).range(1..=1 << 24))]
    pub max_file_mib: u64,
    /// The parser's working memory for one page at most, in MiB. Zoom's pages need a few
    /// times their size; a page that would need more (JSON dense in brackets, about 38
    /// times its size) fails as its meeting before the memory is taken.
    #[arg(long, value_name = "MIB", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1 << 24))]
    pub max_parse_mib: u64,
}

// `analyze`.
#[derive(Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Add each participant's own STATS per stream and metric (JSON only).
    #[arg(long)]
    pub participant_stats: bool,
    /// Write the report to PATH instead of standard output (written whole, then renamed
    /// into place). With --format csv, a PATH not ending in .csv is a folder: stats.csv,
    /// episodes.csv, breakdowns.csv and account.csv, one table each (standard output and
    /// a .csv file get stats.csv's table alone).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// The time zone of every time, day and hour shown: an IANA name (Europe/Berlin,
    /// America/New_York) or UTC. The report says which.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,
    /// Report only the N meetings with the largest share of degraded samples, worst first
    /// (the account summary still covers them all). Default: 10 for --format table, all
    /// for the others.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// The account's worst meetings need at least this many participant entries...
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub worst_min_participants: u64,
    /// ...or at least this many samples (a 2-person call is not an account's worst).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub worst_min_samples: u64,
}

// `export`.
#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The dataset folder: created if needed; an earlier export's folder is added to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The files to write.
    #[arg(long, value_enum, default_value_t = FileFormat::Parquet)]
    pub format: FileFormat,
    /// Write every meeting given, even those unchanged since they were exported, and
    /// rewrite the rest of the dataset into one file per date (compacting it).
    #[arg(long)]
    pub full: bool,
}

// `generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// The folder to write (created if needed). It must be empty, or hold an earlier
    /// `generate` run and --force be given.
    pub out: PathBuf,
    /// How many meetings.
    #[arg(long, default_value_t = 10)]
    pub meetings: usize,
    /// The seed: the same seed writes the same corpus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Participant entries per meeting (default: random, 2 to 40).
    #[arg(long)]
    pub participants: Option<usize>,
    /// Minutes per participant (default: random, 10 to 90).
    #[arg(long)]
    pub minutes: Option<usize>,
    /// Replace what an earlier `generate` wrote in OUT.
    #[arg(long)]
    pub force: bool,
}

/// `--rate`: a positive number of requests a second.
#[cfg(feature = "fetch")]
pub fn positive_rate(text: &str) -> Result<f64, crate::error::CliError> {
    match text.parse::<f64>() {
        Ok(rate) if (0.01..=1000.0).contains(&rate) => Ok(rate),
        _ => Err(crate::error::CliError::Usage(format!(
            "{text:?} is not a number of requests a second from 0.01 to 1000"
        ))),
    }
}
