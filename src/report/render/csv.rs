//! CSV, one table per file, each with one header, as tools load them: the STATS (with a
//! meeting's counts, flags, grades and failures), the episodes, the breakdowns, and the
//! account's day and hour view.

use std::io::{self, Write};

use super::super::{Breakdowns, Dimension, Flag, Report, Stats};
use super::{meeting_counts, stat_rows, word_counts};

impl Report {
    /// Writes the STATS as CSV with the header
    /// `meeting,stream,metric,count,missing,min,mean,p50,p90,p95,p99,max,note,label`:
    ///
    /// - one row per meeting × stream × metric, with `cpu` rows for the CPU fields and
    ///   `mos` rows for the audio streams' MOS;
    /// - rows whose number is in `count`: stream `meeting` (metrics `pages`,
    ///   `participants`, `samples`, `invalid_values`, `degraded_samples`, and `complete`:
    ///   1 when the pages are the whole chain, 0 when some are missing), stream
    ///   `degraded` (one metric per flag: samples raising it), stream `grade` (one metric
    ///   per grade: participants), and streams `cpu_pressure` and `quality` (one metric per
    ///   level or word: samples);
    /// - per failed meeting, a row with stream `error`, metric `failed`, count 1 and the
    ///   file and message in `note`.
    ///
    /// `label` is the meeting's [label](super::super::MeetingReport::label), when it has
    /// one. An empty cell is `null`. The episodes, breakdowns and the account's view are
    /// tables of their own: [`write_csv_episodes`](Self::write_csv_episodes),
    /// [`write_csv_breakdowns`](Self::write_csv_breakdowns),
    /// [`write_csv_account`](Self::write_csv_account).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        let percentiles: Vec<String> = Stats::PERCENTILES.iter().map(|p| format!("p{p}")).collect();
        writeln!(
            out,
            "meeting,stream,metric,count,missing,min,mean,{},max,note,label",
            percentiles.join(",")
        )?;
        let blank_stats = ",".repeat(3 + Stats::PERCENTILES.len());
        for meeting in &self.meetings {
            let name = csv_field(&meeting.meeting);
            let label = csv_field(meeting.label.as_deref().unwrap_or_default());
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
                writeln!(out, ",,{label}")?;
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
                .chain(meeting.grades.named().map(|(g, n)| ("grade", g, n)))
                .chain(word_counts(meeting));
            for (stream, metric, n) in counts {
                let metric = csv_field(metric);
                writeln!(out, "{name},{stream},{metric},{n},{blank_stats},,{label}")?;
            }
        }
        for error in &self.errors {
            let note = match &error.file {
                Some(file) => format!("{file}: {}", error.message),
                None => error.message.clone(),
            };
            writeln!(
                out,
                "{},error,failed,1,{blank_stats},{},",
                csv_field(&error.meeting),
                csv_field(&note)
            )?;
        }
        Ok(())
    }

    /// Writes the episodes as CSV with the header `meeting,participant,user_name,start,
    /// end,samples,latency,jitter,loss,frame_rate,cpu,worst_latency_ms,worst_jitter_ms,
    /// worst_avg_loss_pct,label` (flags counted per sample; times RFC 3339 UTC).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv_episodes(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        let flags: Vec<&str> = Flag::ALL.iter().map(|f| f.name()).collect();
        writeln!(
            out,
            "meeting,participant,user_name,start,end,samples,{},worst_latency_ms,worst_jitter_ms,worst_avg_loss_pct,label",
            flags.join(",")
        )?;
        for meeting in &self.meetings {
            let label = csv_field(meeting.label.as_deref().unwrap_or_default());
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
                writeln!(out, ",{label}")?;
            }
        }
        Ok(())
    }

    /// Writes the breakdowns as CSV with the header `meeting,dimension,value,
    /// participants,samples,degraded,latency_ms_p95,jitter_ms_p95,avg_loss_pct_p95,label`:
    /// each meeting's, then the account's (meeting empty, label `account`) when the report
    /// has one.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv_breakdowns(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        writeln!(
            out,
            "meeting,dimension,value,participants,samples,degraded,latency_ms_p95,jitter_ms_p95,avg_loss_pct_p95,label"
        )?;
        let scopes = self
            .meetings
            .iter()
            .map(|m| {
                (
                    csv_field(&m.meeting),
                    csv_field(m.label.as_deref().unwrap_or_default()),
                    &m.breakdowns,
                )
            })
            .chain(
                self.account
                    .iter()
                    .map(|a| (String::new(), "account".to_owned(), &a.breakdowns)),
            );
        for (meeting, label, breakdowns) in scopes {
            write_breakdowns(out, &meeting, &label, breakdowns)?;
        }
        Ok(())
    }

    /// Writes the account's day and hour view as CSV with the header
    /// `zone,kind,period,samples,degraded`: a row per day (`kind` `day`, `period`
    /// `YYYY-MM-DD`), then per hour of the day (`hour`, `00` to `23`), in the report's
    /// zone. Only the header without an account (a report of one meeting).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv_account(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        writeln!(out, "zone,kind,period,samples,degraded")?;
        let Some(account) = &self.account else {
            return Ok(());
        };
        let zone = csv_field(&account.zone);
        let rows = account
            .days
            .iter()
            .map(|p| ("day", p))
            .chain(account.hours.iter().map(|p| ("hour", p)));
        for (kind, period) in rows {
            writeln!(
                out,
                "{zone},{kind},{},{},{}",
                csv_field(&period.period),
                period.samples,
                period.degraded
            )?;
        }
        Ok(())
    }
}

/// One scope's breakdown rows.
fn write_breakdowns(
    out: &mut (impl Write + ?Sized),
    meeting: &str,
    label: &str,
    breakdowns: &Breakdowns,
) -> io::Result<()> {
    for dimension in Dimension::ALL {
        for (value, b) in breakdowns.get(dimension) {
            write!(
                out,
                "{meeting},{},{},{},{},{}",
                dimension.name(),
                csv_field(value),
                b.participants,
                b.samples,
                b.degraded
            )?;
            for p95 in [b.latency_ms_p95, b.jitter_ms_p95, b.avg_loss_pct_p95] {
                match p95 {
                    Some(v) => write!(out, ",{v}")?,
                    None => out.write_all(b",")?,
                }
            }
            writeln!(out, ",{label}")?;
        }
    }
    Ok(())
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
