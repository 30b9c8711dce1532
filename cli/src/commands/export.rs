//! `zoom-qos export`: every meeting's samples into the dataset, then the meetings file,
//! and a tally of what was written.

use zoom_qos::Analysis;

use crate::args::ExportArgs;
use crate::commands::prepare;
use crate::dataset::{self, Dataset};
use crate::error::{CliError, Done};
use crate::output::error_line;
use crate::runner::{self, Outcome};

/// What the meetings came to.
#[derive(Default)]
struct Tally {
    rows: Vec<zoom_qos::export::MeetingRow>,
    files: usize,
    bytes: u64,
    samples: u64,
    bad_input: usize,
    not_written: usize,
    not_started: usize,
}

/// Runs `export`.
///
/// # Errors
/// Usage errors, no input, a folder that is not a dataset, or a meetings file that could
/// not be written.
pub fn run(args: ExportArgs) -> Result<Done, CliError> {
    let prepared = prepare(&args.input, Analysis::new())?;
    let mut dataset = Dataset::open(&args.out, args.format)?;
    let (outcomes, _) = prepared.run(|progress| {
        runner::run(
            &prepared.meetings,
            &prepared.reading,
            progress,
            prepared.strict,
            dataset.export(&prepared.analysis),
        )
    })?;
    let mut tally = Tally::default();
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Report(Ok(exported)) => {
                tally.files += exported.files;
                tally.bytes += exported.bytes;
                tally.samples += exported.row.samples();
                tally.rows.push(exported.row);
            }
            Outcome::Report(Err(error)) => {
                eprintln!("{}", error_line(&error));
                tally.not_written += 1;
            }
            Outcome::Failed(error) => {
                eprintln!("{}", error_line(&error));
                tally.bad_input += 1;
            }
            Outcome::NotStarted => tally.not_started += 1,
        }
    }
    // Every meeting written is put in place before the meetings file lists it.
    for error in dataset.finish() {
        eprintln!("{}", error_line(&error));
        tally.not_written += 1;
        if let Some(at) = tally
            .rows
            .iter()
            .position(|row| row.meeting() == error.meeting)
        {
            let row = tally.rows.remove(at);
            tally.samples -= row.samples();
        }
    }
    let meetings = tally.rows.len();
    dataset.write_meetings(&tally.rows)?;
    eprintln!(
        "zoom-qos: {}",
        dataset::summary_line(meetings, tally.samples, tally.files, tally.bytes, &args.out)
    );
    if prepared.strict && tally.bad_input > 0 {
        eprintln!(
            "zoom-qos: stopped at the first bad input (--strict): {meetings} meetings \
             exported, {} not started",
            tally.not_started
        );
    }
    Ok(if tally.not_written > 0 {
        Done::WriteFailed
    } else if tally.bad_input > 0 {
        Done::WithBadInput
    } else {
        Done::Clean
    })
}
