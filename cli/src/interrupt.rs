//! Ctrl-C (SIGINT): the first one asks the run to stop starting work, so that what is in
//! flight finishes and the run can say how far it got; a second one ends the process at
//! once (what was not renamed into place is only hidden leftovers, which the next run
//! removes).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const STATUS: u8 = 130;

static ASKED: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once), and returns the flag the first Ctrl-C raises. Where no
/// handler can be installed, the flag is never raised and Ctrl-C ends the process as
/// usual.
pub fn flag() -> &'static AtomicBool {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            if ASKED.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(STATUS));
            }
        });
    });
    &ASKED
}
