//! CSV: one row per meeting × stream × metric with the STATS columns, then a meeting's
//! counts, flags and grades, and a row per failed meeting.

use std::io::{self, Write};

use super::super::{Flag, Report, Stats};
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
    /// Then, after an empty line, the episodes as a second table with the header
    /// `meeting,participant,user_name,start,end,samples,latency,jitter,loss,frame_rate,cpu,
    /// worst_latency_ms,worst_jitter_ms,worst_avg_loss_pct` (flags counted per sample).
    ///
    /// An empty cell is `null`.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
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
        let flags: Vec<&str> = Flag::ALL.iter().map(|f| f.name()).collect();
        writeln!(
            out,
            "\nmeeting,participant,user_name,start,end,samples,{},worst_latency_ms,worst_jitter_ms,worst_avg_loss_pct",
            flags.join(",")
        )?;
        for meeting in &self.meetings {
            for e in &meeting.episodes {
                write!(
                    out,
                    "{},{},{},{},{},{}",
                    csv_field(&meeting.meeting),
                    e.participant,
                    csv_field(&e.user_name),
                    e.start,
                    e.end,
                    e.samples
                )?;
                for (_, n) in e.by_flag.named() {
                    write!(out, ",{n}")?;
                }
                for value in [e.worst.latency_ms, e.worst.jitter_ms, e.worst.avg_loss_pct] {
                    match value {
                        Some(v) => write!(out, ",{v}")?,
                        None => out.write_all(b",")?,
                    }
                }
                writeln!(out)?;
            }
        }
        Ok(())
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break; control characters
/// other than line breaks and tabs (which CSV quotes) written out (`\u{1b}`), since CSV
/// has no escape for them and a terminal showing the file would obey them.
fn csv_field(text: &str) -> String {
    let text = super::text::escape_controls_but(text, &['\n', '\r', '\t']);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn control_characters_are_written_out_and_line_breaks_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            csv_field("\u{1b}[2Jx"),
            "\\u{1b}[2Jx",
            "no escape sequence survives"
        );
    }
}
