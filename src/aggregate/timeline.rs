//! When, minute by minute: a meeting's [`Timeline`], for the report's pictures.

use super::facts::SampleFacts;
use super::nearest_rank_index;
use super::thresholds::{FLAG_RULES, Reads, Thresholds};
use crate::record::Table;
use crate::report::{Cell, Grade, Series, Timeline, TimelineRow};
use crate::schema::{Metric, Stream};

/// The metrics drawn over time: [`Metric::QUALITY`], each with the threshold of the flag
/// that reads it.
/// `facts` are each sample's flags and MOS.
pub(crate) fn build(table: &Table, facts: &SampleFacts, thresholds: &Thresholds) -> Timeline {
    let drawn: Vec<(Metric, f64)> = FLAG_RULES
        .iter()
        .filter_map(|rule| match rule.reads {
            Reads::Stream(metric) if Metric::QUALITY.contains(&metric) => {
                Some((metric, thresholds.limit(rule.flag)))
            }
            _ => None,
        })
        .collect();
    let rows = 0..table.samples();
    let times = rows.clone().filter_map(|row| table.time_s(row));
    let (first_s, last_s) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    if first_s > last_s {
        // No sample has a time: nothing to draw.
        return Timeline {
            start_s: 0,
            column_s: 60,
            columns: 0,
            rows: Vec::new(),
            series_column_s: 60,
            series: Vec::new(),
            untimed_samples: table.samples() as u64,
        };
    }
    let start_s = first_s - first_s.rem_euclid(60);
    let span_minutes = (last_s.abs_diff(start_s) / 60).saturating_add(1);
    let heatmap = Grid::new(start_s, span_minutes, Timeline::MAX_COLUMNS);
    let charts = Grid::new(start_s, span_minutes, Timeline::MAX_SERIES_COLUMNS);
    let (columns, column_s) = (heatmap.columns, heatmap.column_s);
    let column_of = |row: usize| heatmap.column(table.time_s(row)?);

    let mut untimed_samples = 0;
    let mut timeline_rows = Vec::with_capacity(table.participant_count());
    for (index, participant) in table.participants().enumerate() {
        let mut cells = vec![Cell::default(); columns];
        for row in participant.rows() {
            let Some(cell) = column_of(row).and_then(|c| cells.get_mut(c)) else {
                untimed_samples += 1;
                continue;
            };
            let grade = Grade::of_worst(
                facts.mos(Stream::AudioInput, row),
                facts.mos(Stream::AudioOutput, row),
            );
            if cell.grade.is_none_or(|g| severity(grade) > severity(g)) {
                cell.grade = Some(grade);
            }
            cell.degraded |= facts.flags.get(row).is_some_and(|f| f.any());
        }
        timeline_rows.push(TimelineRow {
            participant: index as u64,
            user_name: participant.user_name().to_owned(),
            cells,
        });
    }

    // Each sample's chart column, found once for the dozen series.
    let chart_columns: Vec<Option<usize>> = rows
        .clone()
        .map(|row| charts.column(table.time_s(row)?))
        .collect();
    let mut series = Vec::new();
    for stream in Stream::AUDIO_VIDEO {
        let Some(stream_columns) = table.stream(stream) else {
            continue;
        };
        for &(metric, threshold) in &drawn {
            let mut by_column: Vec<Vec<u32>> = vec![Vec::new(); charts.columns];
            for (row, column) in rows.clone().zip(&chart_columns) {
                if let (Some(column), Some(stored)) = (column, stream_columns.stored(metric, row))
                    && let Some(values) = by_column.get_mut(*column)
                {
                    values.push(stored);
                }
            }
            let descriptor = metric.descriptor();
            let percentile = |values: &mut Vec<u32>, percent: u32| {
                let index = nearest_rank_index(values.len(), percent)?;
                let (_, stored, _) = values.select_nth_unstable(index);
                descriptor.to_report_unit(*stored)
            };
            let mut p50 = Vec::with_capacity(charts.columns);
            let mut p95 = Vec::with_capacity(charts.columns);
            for values in &mut by_column {
                p50.push(percentile(values, 50));
                p95.push(percentile(values, 95));
            }
            series.push(Series {
                stream,
                metric,
                p50,
                p95,
                threshold,
            });
        }
    }
    Timeline {
        start_s,
        column_s,
        columns,
        rows: timeline_rows,
        series_column_s: charts.column_s,
        series,
        untimed_samples,
    }
}

/// Columns of whole minutes from `start_s` over `span_minutes`, at most `most` of them.
struct Grid {
    start_s: i64,
    column_s: u64,
    columns: usize,
}

impl Grid {
    fn new(start_s: i64, span_minutes: u64, most: usize) -> Grid {
        let minutes_per_column = span_minutes.div_ceil(most as u64).max(1);
        Grid {
            start_s,
            column_s: minutes_per_column.saturating_mul(60),
            columns: usize::try_from(span_minutes.div_ceil(minutes_per_column))
                .unwrap_or(most)
                .min(most),
        }
    }

    /// The column of a time at or after `start_s`.
    fn column(&self, time_s: i64) -> Option<usize> {
        let column = usize::try_from(time_s.abs_diff(self.start_s) / self.column_s).ok()?;
        Some(column.min(self.columns.saturating_sub(1)))
    }
}

/// How bad a grade is: a cell shows the worst of its samples, and a sample without a MOS
/// does not hide one that has it.
fn severity(grade: Grade) -> u8 {
    match grade {
        Grade::Unclassified => 0,
        Grade::Good => 1,
        Grade::Fair => 2,
        Grade::Poor => 3,
        Grade::Bad => 4,
    }
}
