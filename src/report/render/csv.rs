//! CSV: one row per meeting × stream × metric with the STATS columns, then a meeting's
//! counts, flags and grades, and a row per failed meeting.

use std::io::{self, Write};

use super::super::{Report, Stats};
use super::{meeting_counts, stat_rows};

impl Report {
    /// Writes CSV with the header
    /// `meeting,stream,metric,count,missing,min,mean,p50,p90,p95,p99,max,note`:
    ///
    /// - one row per meeting × stream × metric, with `cpu` rows for the CPU fields and
    ///   `mos` rows for the audio streams' MOS;
    /// - rows whose number is in `count`: stream `meeting` (metrics `pages`,
    ///   `participants`, `samples`, `invalid_values`, `degraded_samples`), stream
    ///   `degraded` (one metric per flag: samples raising it) and stream `grade` (one metric
    ///   per grade: participants);
    /// - per failed meeting, a row with stream `error`, metric `failed`, count 1 and the
    ///   file and message in `note`.
    ///
    /// An empty cell is `null`.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        let percentiles: Vec<String> = Stats::PERCENTILES.iter().map(|p| format!("p{p}")).collect();
        writeln!(
            out,
            "meeting,stream,metric,count,missing,min,mean,{},max,note",
            percentiles.join(",")
        )?;
        let blank_stats = ",".repeat(3 + Stats::PERCENTILES.len());
        for meeting in &self.meetings {
            let name = csv_field(&meeting.meeting);
            for (stream, metric, stats) in stat_rows(meeting) {
                write!(
                    out,
                    "{name},{stream},{metric},{},{}",
                    stats.count, stats.missing
                )?;
                let values = [stats.min, stats.mean]
                    .into_iter()
                    .chain(stats.percentiles())
                    .chain([stats.max]);
                for value in values {
                    match value {
                        Some(v) => write!(out, ",{v}")?,
                        None => out.write_all(b",")?,
                    }
                }
                writeln!(out, ",")?;
            }
            let counts = meeting_counts(meeting)
                .map(|(metric, n)| ("meeting", metric, n))
                .into_iter()
                .chain(
                    meeting
                        .degraded
                        .by_flag
                        .named()
                        .map(|(f, n)| ("degraded", f, n)),
                )
                .chain(meeting.grades.named().map(|(g, n)| ("grade", g, n)));
            for (stream, metric, n) in counts {
                writeln!(out, "{name},{stream},{metric},{n},{blank_stats},")?;
            }
        }
        for error in &self.errors {
            let note = match &error.file {
                Some(file) => format!("{file}: {}", error.message),
                None => error.message.clone(),
            };
            writeln!(
                out,
                "{},error,failed,1,{blank_stats},{}",
                csv_field(&error.meeting),
                csv_field(&note)
            )?;
        }
        Ok(())
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
