//! `zoom-qos analyze`: every meeting reported, the account's rollup over them, the report
//! rendered to standard output or a file.

use zoom_qos::aggregate::{AccountRollup, AccountView};
use zoom_qos::report::Zone;
use zoom_qos::{Analysis, Report};

use crate::args::AnalyzeArgs;
use crate::commands::prepare;
use std::fs;
use std::path::Path;

use crate::discover::{MeetingInput, Source};
use crate::error::{CliError, Done};
use crate::output::{self, Format, error_line, incomplete_line};
use crate::runner::{self, Decoded, Outcome, describe};
use crate::zone::Tz;

/// Meetings a table reports, by default: the worst, after the account summary.
const TABLE_TOP: usize = 10;

/// Runs `analyze`.
///
/// # Errors
/// Usage errors, no input, or a report that could not be written.
pub fn run(args: AnalyzeArgs) -> Result<Done, CliError> {
    if args.participant_stats && args.format != Format::Json {
        return Err(CliError::Usage(
            "--participant-stats adds to the JSON report only: use --format json".to_owned(),
        ));
    }
    let tz = Tz::named(&args.tz)?;
    let analysis = Analysis::new()
        .participant_stats(args.participant_stats)
        .timeline(args.format == Format::Html);
    let prepared = prepare(&args.input, analysis)?;
    if let Some(out) = &args.out {
        refuse_an_input(out, &prepared.meetings)?;
    }
    let (outcomes, rollup) = prepared.run(|progress| {
        runner::run(
            &prepared.meetings,
            runner::Schedule::LargestFirst,
            &prepared.reading,
            progress,
            prepared.strict,
            report(&prepared.analysis, &tz),
        )
    });
    let offset = |epoch_s| tz.offset_s(epoch_s);
    let zone = Zone::new(tz.name(), &offset);
    let view = AccountView::default()
        .zone(zone)
        .worst_meetings_of_at_least(args.worst_min_participants, args.worst_min_samples);
    let (mut report, not_started) = into_report(outcomes, rollup, &view);
    for error in &report.errors {
        eprintln!("{}", error_line(error));
    }
    let incomplete = report.meetings.iter().filter(|m| !m.complete).count();
    for meeting in report.meetings.iter().filter(|m| !m.complete) {
        eprintln!("{}", incomplete_line(meeting));
    }
    let top = args
        .top
        .or((args.format == Format::Table).then_some(TABLE_TOP));
    let reported = report.meetings.len();
    if let Some(top) = top {
        report.keep_worst_meetings(top);
    }
    match &args.out {
        // CSV is one table per file: a folder of them, unless a `.csv` file is named.
        Some(path) if args.format == Format::Csv && path.extension().is_none_or(|e| e != "csv") => {
            output::write_csv_folder(&report, path)?;
        }
        Some(path) => output::write_report_file(&report, args.format, zone, path)?,
        None => output::print_report(&report, args.format, zone).map_err(|error| CliError::Io {
            what: "the report".to_owned(),
            error,
        })?,
    }
    if prepared.strict && !report.errors.is_empty() {
        eprintln!(
            "zoom-qos: stopped at the first bad input (--strict): {} meetings reported, \
             {not_started} not started",
            reported
        );
    }
    if prepared.strict && incomplete > 0 {
        eprintln!("zoom-qos: --strict: incomplete meetings: {incomplete}");
    }
    Ok(
        if report.errors.is_empty() && !(prepared.strict && incomplete > 0) {
            Done::Clean
        } else {
            Done::WithBadInput
        },
    )
}

/// `analyze`'s work on a decoded meeting: its report, added to the account's rollup, and
/// labelled with its topic and start in `tz`.
pub fn report<'a>(
    analysis: &'a Analysis,
    tz: &'a Tz,
) -> impl Fn(&MeetingInput, Decoded<'_>) -> Outcome + Sync + 'a {
    move |input, decoded| {
        let mut report = analysis.meeting_into(&input.name, decoded.table, decoded.rollup);
        decoded.locate_files(&mut report);
        match describe(input, &mut report) {
            Ok(()) => {
                report.label = tz.label(report.topic.as_deref(), report.start_time.as_deref());
                Outcome::Report(Box::new(report))
            }
            Err(error) => Outcome::Failed(error),
        }
    }
}

/// `--out` may not name one of the pages being read: the report would replace it.
fn refuse_an_input(out: &Path, meetings: &[MeetingInput]) -> Result<(), CliError> {
    // The place `out` names, whether or not a file is there yet.
    let place = |path: &Path| {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        fs::canonicalize(parent)
            .ok()
            .zip(path.file_name())
            .map(|(parent, name)| parent.join(name))
    };
    let Some(out_place) = place(out) else {
        return Ok(());
    };
    let inputs = meetings.iter().flat_map(|m| {
        let files = match &m.source {
            Source::Files(paths) => paths.as_slice(),
            _ => &[],
        };
        files.iter().chain(m.description.as_ref())
    });
    for input in inputs {
        if fs::canonicalize(input).is_ok_and(|input| input == out_place) {
            return Err(CliError::Usage(format!(
                "--out {} is one of the pages being read: the report would replace it; \
                 write it elsewhere",
                out.display()
            )));
        }
    }
    Ok(())
}

/// The report of the outcomes, with the account's rollup when there are several
/// meetings, and how many meetings `--strict` left unstarted.
pub fn into_report(
    outcomes: Vec<(String, Outcome)>,
    rollup: AccountRollup,
    view: &AccountView<'_>,
) -> (Report, usize) {
    let mut meetings = Vec::new();
    let mut errors = Vec::new();
    let mut not_started = 0;
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Report(report) => meetings.push(*report),
            Outcome::Failed(error) => errors.push(error),
            Outcome::NotStarted => not_started += 1,
        }
    }
    let several = meetings.len() >= 2;
    let mut report = Report::new(meetings, errors);
    if several {
        let mut account = rollup.finish_in(view);
        // The worst meetings by what people call them (the meetings are sorted by name).
        for worst in &mut account.worst_meetings {
            let found = report
                .meetings
                .binary_search_by(|m| m.meeting.as_str().cmp(&worst.meeting));
            if let Ok(index) = found {
                worst.label.clone_from(&report.meetings[index].label);
            }
        }
        report.account = Some(account);
    }
    (report, not_started)
}
