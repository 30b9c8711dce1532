//! `zoom-qos`: analyze Zoom QoS pages from files, folders and stdin. This file parses the
//! command line and dispatches; each subcommand is a module of [`zoom_qos_cli::commands`].

use std::process::ExitCode;

use clap::Parser;
use zoom_qos::report::escape_controls;
use zoom_qos_cli::args::{Cli, Command};
use zoom_qos_cli::commands;
use zoom_qos_cli::error::{exit_status, status};

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
    let ended = match cli.command {
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Export(args) => commands::export::run(args),
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => commands::fetch::run(args),
        Command::Generate(args) => commands::generate::run(&args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => commands::serve::run(args),
        Command::Thresholds => commands::thresholds::run(),
    };
    if let Err(error) = &ended {
        // The one escape: errors carry server text, file names and paths.
        eprintln!("{}", escape_controls(&format!("zoom-qos: {error}")));
    }
    ExitCode::from(exit_status(&ended))
}
