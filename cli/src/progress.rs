//! The progress line on a terminal: meetings, pages, bytes and MB/s, fit to its width.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counters behind the progress line.
#[derive(Debug, Default)]
pub struct Progress {
    pub(crate) pages: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) meetings: AtomicU64,
    pub(crate) total_meetings: AtomicU64,
}

/// Runs `work` while a progress line (meetings done, pages, bytes, MB/s) refreshes on
/// stderr, when stderr is a terminal and the work takes more than a second. The line is fit
/// to the terminal's width at every refresh, so it never wraps. Prints nothing otherwise.
pub fn with_progress<T: Send>(progress: &Progress, work: impl FnOnce() -> T + Send) -> T {
    with_line(
        |elapsed, columns| progress_line(progress, elapsed, columns),
        work,
    )
}

/// Runs `work` while the line `line(elapsed_s, columns)` refreshes on stderr, when stderr
/// is a terminal and the work takes more than a second; prints nothing otherwise.
pub fn with_line<T: Send>(
    line: impl Fn(f64, usize) -> String + Sync,
    work: impl FnOnce() -> T + Send,
) -> T {
    if !io::stderr().is_terminal() {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let start = Instant::now();
            let mut shown = 0;
            while !done.load(Ordering::Relaxed) {
                std::thread::park_timeout(Duration::from_millis(200));
                let elapsed = start.elapsed().as_secs_f64();
                if elapsed < 1.0 || done.load(Ordering::Relaxed) {
                    continue;
                }
                let line = line(elapsed, terminal_columns());
                // Pad over what the last line showed, in case this one is shorter.
                eprint!("\r{line:<shown$}");
                shown = line.chars().count();
            }
            if shown > 0 {
                eprint!("\r{:shown$}\r", "");
            }
        });
        let value = work();
        done.store(true, Ordering::Relaxed);
        value
    })
}

/// The terminal's width in columns (80 when it cannot be told).
fn terminal_columns() -> usize {
    terminal_size::terminal_size_of(io::stderr()).map_or(80, |(width, _)| usize::from(width.0))
}

/// The progress line, at most `columns - 1` characters (the last column would wrap some
/// terminals): whole fields, the least useful dropped first when it is narrow.
pub fn progress_line(progress: &Progress, elapsed_s: f64, columns: usize) -> String {
    let mb = progress.bytes.load(Ordering::Relaxed) as f64 / 1e6;
    let fields = [
        format!(
            "{}/{} meetings",
            progress.meetings.load(Ordering::Relaxed),
            progress.total_meetings.load(Ordering::Relaxed)
        ),
        format!("{} pages", progress.pages.load(Ordering::Relaxed)),
        format!("{mb:.1} MB"),
        format!("{:.1} MB/s", mb / elapsed_s.max(1e-9)),
    ];
    fit(fields, columns)
}

/// A duration for a person: `45 s`, `3 min 20 s`, `1 h 05 min`.
pub fn duration(seconds: f64) -> String {
    let seconds = seconds.max(0.0).round() as u64;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// Whole fields, joined by `, `, as many as fit in `columns - 1` characters.
pub fn fit(fields: impl IntoIterator<Item = String>, columns: usize) -> String {
    let room = columns.saturating_sub(1);
    let mut line = String::new();
    for field in fields {
        let separator = if line.is_empty() { "" } else { ", " };
        if line.len() + separator.len() + field.len() > room {
            break;
        }
        line.push_str(separator);
        line.push_str(&field);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_never_wraps_and_drops_whole_fields() {
        let progress = Progress::default();
        progress.total_meetings.store(80, Ordering::Relaxed);
        progress.meetings.store(77, Ordering::Relaxed);
        progress.pages.store(465, Ordering::Relaxed);
        progress.bytes.store(787_200_000, Ordering::Relaxed);
        let wide = progress_line(&progress, 2.0, 120);
        assert_eq!(wide, "77/80 meetings, 465 pages, 787.2 MB, 393.6 MB/s");
        for columns in 0..120 {
            let line = progress_line(&progress, 2.0, columns);
            assert!(line.len() < columns.max(1), "{columns}: {line:?}");
            assert!(wide.starts_with(&line), "whole fields: {line:?}");
            assert!(!line.ends_with(", "));
        }
        assert_eq!(
            progress_line(&progress, 2.0, 40),
            "77/80 meetings, 465 pages, 787.2 MB"
        );
    }
}
