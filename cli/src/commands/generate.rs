//! `zoom-qos generate`: a synthetic corpus, and a line saying what was written.

use crate::args::GenerateArgs;
use crate::error::{CliError, Done};
use crate::generate::{Plan, generate};

/// Runs `generate`.
///
/// # Errors
/// A size too large, a folder holding what `generate` did not write, or a write that
/// failed.
pub fn run(args: &GenerateArgs) -> Result<Done, CliError> {
    let plan = Plan {
        meetings: args.meetings,
        seed: args.seed,
        participants: args.participants,
        minutes: args.minutes,
        force: args.force,
    };
    let written = generate(&args.out, &plan)?;
    let bytes: usize = written.iter().map(|w| w.bytes).sum();
    eprintln!(
        "wrote {} meetings, {:.1} MB, to {}",
        written.len(),
        bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(Done::Clean)
}
