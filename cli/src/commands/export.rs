//! `zoom-qos export`: the meetings that are new or changed since the last export into a
//! new version of the dataset, committed at once, and a tally of what was written.

use zoom_qos::Analysis;

use crate::args::ExportArgs;
use crate::commands::prepare;
use crate::dataset::{self, Dataset};
use crate::error::{CliError, Done};
use crate::output::error_line;
use crate::runner::{self, Outcome};

/// Runs `export`.
///
/// # Errors
/// Usage errors, no input, a folder that is not a dataset, or a dataset that could not be
/// written (then it is as it was).
pub fn run(args: ExportArgs) -> Result<Done, CliError> {
    // The meetings file holds the headline numbers only: the rest is not computed.
    let mut prepared = prepare(&args.input, Analysis::new().headline_only(true))?;
    // The digest of each meeting written is taken from the bytes read for it.
    prepared.reading.hash_files = true;
    let dataset = Dataset::open(&args.out, args.format)?;
    let plan = dataset.plan(std::mem::take(&mut prepared.meetings), args.full);
    let mut bad_input = plan.repeated.len();
    for repeated in &plan.repeated {
        eprintln!("{}", error_line(repeated));
    }
    let (outcomes, _) = prepared.run(|progress| {
        runner::run(
            &plan.write,
            runner::Schedule::AsGiven,
            &prepared.reading,
            progress,
            prepared.strict,
            dataset.export(&prepared.analysis, &plan),
        )
    });
    let (mut rows, mut not_written, mut not_started) = (Vec::new(), 0, 0);
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Report(Ok(row)) => rows.push(row),
            Outcome::Report(Err(error)) => {
                eprintln!("{}", error_line(&error));
                not_written += 1;
            }
            Outcome::Failed(error) => {
                eprintln!("{}", error_line(&error));
                bad_input += 1;
            }
            Outcome::NotStarted => not_started += 1,
        }
    }
    let written = rows.len();
    // On the run's threads: the row groups still open are finished in parallel.
    match prepared.install(|| dataset.commit(rows, args.full))? {
        Some(committed) => eprintln!(
            "zoom-qos: {}",
            dataset::summary_line(written, plan.unchanged, &committed, &args.out)
        ),
        None => eprintln!(
            "zoom-qos: nothing to export: {} unchanged since they were exported, the dataset in {} \
             is as it was",
            plural(plan.unchanged),
            args.out.display()
        ),
    }
    if prepared.strict && bad_input > 0 {
        // What was finished before the stop is committed, as `analyze` reports it.
        eprintln!(
            "zoom-qos: stopped at the first bad input (--strict): {written} meetings exported, \
             {not_started} not started"
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

fn plural(meetings: usize) -> String {
    format!("{meetings} meeting{}", if meetings == 1 { "" } else { "s" })
}
