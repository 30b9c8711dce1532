//! Chart geometry for the HTML report: values to coordinates, grades to colours, cells to
//! runs, times to axis labels. Plain functions of numbers, no markup: what the tests check.

use crate::report::Zone;
use crate::report::{Cell, Grade};
use crate::units::Rfc3339;

/// The colour of a heatmap cell's band: the Okabe–Ito palette, which people with the
/// common colour-vision deficiencies tell apart, ordered blue (good) to vermillion (bad).
/// Cells without a sample take the page's "empty" colour (light or dark mode).
pub(super) fn grade_colour(grade: Option<Grade>) -> &'static str {
    match grade {
        None => "var(--empty)",
        Some(Grade::Good) => "#0072B2",
        Some(Grade::Fair) => "#56B4E9",
        Some(Grade::Poor) => "#E69F00",
        Some(Grade::Bad) => "#D55E00",
        Some(Grade::Unclassified) => "#999999",
    }
}

/// A linear scale from `0..=top` onto `height..=0`: SVG's y grows downwards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct YScale {
    pub(super) top: f64,
    pub(super) height: f64,
}

impl YScale {
    /// A scale that shows every value and the threshold, with some room above, topped at
    /// a round number.
    pub(super) fn fitting(values: impl Iterator<Item = f64>, threshold: f64, height: f64) -> Self {
        let largest = values
            .filter(|v| v.is_finite())
            .fold(threshold.max(0.0), f64::max);
        YScale {
            top: round_up(largest * 1.1),
            height,
        }
    }

    /// The y of a value; values outside `0..=top` are drawn at the edge.
    pub(super) fn y(&self, value: f64) -> f64 {
        let share = if self.top > 0.0 && !value.is_nan() {
            (value / self.top).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.height - share * self.height
    }
}

/// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `x` (1 for
/// nothing to show).
pub(super) fn round_up(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|&candidate| candidate >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

/// An SVG path through the values, `x_step` apart, in whole units (a chart is a few
/// hundred wide: rounding moves a point by half a unit at most, and keeps a report of
/// hundreds of meetings small). A missing value breaks the line; a value alone between
/// gaps is drawn as a short dash so that it can be seen.
pub(super) fn path(values: &[Option<f64>], x_step: f64, scale: YScale) -> String {
    let mut d = String::new();
    let mut open = false;
    for (i, value) in values.iter().enumerate() {
        let Some(v) = value else {
            open = false;
            continue;
        };
        let (x, y) = ((i as f64 * x_step).round(), scale.y(*v).round());
        if open {
            // After a move, further pairs draw lines: no command letter needed.
            d.push_str(&format!(" {x} {y}"));
        } else if values.get(i + 1).is_none_or(Option::is_none) {
            d.push_str(&format!("M{} {y}h2", x - 1.0));
        } else {
            d.push_str(&format!("M{x} {y}"));
            open = true;
        }
    }
    d
}

/// The heatmap's bands as one SVG path per colour: a `w`×1 box per run, in a space where
/// a column is 1 wide and a row 1 high (the caller scales it). Runs are `(row, first
/// column, length)`.
pub(super) fn boxes(runs: &[(usize, usize, usize)], height: f64) -> String {
    let mut d = String::new();
    for &(row, start, length) in runs {
        d.push_str(&format!("M{start} {row}h{length}v{height}h-{length}z"));
    }
    d
}

/// Runs of equal consecutive items: `(first index, length, item)`.
pub(super) fn runs<T: PartialEq + Copy>(items: &[T]) -> Vec<(usize, usize, T)> {
    let mut runs: Vec<(usize, usize, T)> = Vec::new();
    for (i, &item) in items.iter().enumerate() {
        match runs.last_mut() {
            Some((_, length, open)) if *open == item => *length += 1,
            _ => runs.push((i, 1, item)),
        }
    }
    runs
}

/// A run of a heatmap row by band: `(first column, length, band)`.
pub(super) type BandRun = (usize, usize, Option<Grade>);
/// A run of degraded cells: `(first column, length)`.
pub(super) type Span = (usize, usize);
/// Boxes to draw: `(row, first column, length)`.
pub(super) type Boxes = Vec<(usize, usize, usize)>;

/// The heatmap's runs of a row: by band, and (drawn over them) the degraded ones.
pub(super) fn cell_runs(cells: &[Cell]) -> (Vec<BandRun>, Vec<Span>) {
    let bands: Vec<Option<Grade>> = cells.iter().map(|c| c.grade).collect();
    let degraded: Vec<bool> = cells.iter().map(|c| c.degraded).collect();
    let degraded_runs = runs(&degraded)
        .into_iter()
        .filter(|&(_, _, d)| d)
        .map(|(start, length, _)| (start, length))
        .collect();
    (runs(&bands), degraded_runs)
}

/// Which columns get a time label: every `step`th from 0, at most `most` labels.
pub(super) fn tick_columns(columns: usize, most: usize) -> Vec<usize> {
    if columns == 0 || most == 0 {
        return Vec::new();
    }
    let step = columns.div_ceil(most).max(1);
    (0..columns).step_by(step).collect()
}

/// `HH:MM` in `zone` of a time in seconds.
pub(super) fn clock(zone: Zone<'_>, time_s: i64) -> String {
    let text = Rfc3339(zone.local_s(time_s)).to_string();
    // "YYYY-MM-DDTHH:MM:SSZ": the hours and minutes.
    text.get(11..16).unwrap_or(&text).to_owned()
}

/// `YYYY-MM-DD HH:MM ZONE` of a time in seconds.
pub(super) fn date_time(zone: Zone<'_>, time_s: i64) -> String {
    let text = Rfc3339(zone.local_s(time_s)).to_string();
    match (text.get(0..10), text.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} {}", zone.name()),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_map_to_y_from_the_bottom_and_stay_inside() {
        let scale = YScale {
            top: 200.0,
            height: 100.0,
        };
        assert_eq!(scale.y(0.0), 100.0);
        assert_eq!(scale.y(200.0), 0.0);
        assert_eq!(scale.y(50.0), 75.0);
        assert_eq!(scale.y(-5.0), 100.0);
        assert_eq!(scale.y(1e9), 0.0);
        assert_eq!(
            scale.y(f64::NAN),
            100.0,
            "NaN is drawn at the bottom, not lost"
        );
    }

    #[test]
    fn the_scale_shows_the_threshold_and_the_largest_value_with_room() {
        // The threshold (150 ms) above every value: the top is 150 × 1.1 rounded up.
        let scale = YScale::fitting([20.0, 80.0].into_iter(), 150.0, 100.0);
        assert_eq!(scale.top, 200.0);
        assert!(
            scale.y(150.0) > 0.0,
            "the threshold line is inside the chart"
        );
        // A value above it: 510 × 1.1 = 561, rounded up to 1000.
        assert_eq!(YScale::fitting([510.0].into_iter(), 150.0, 1.0).top, 1000.0);
        assert_eq!(round_up(2.2), 2.5);
        assert_eq!(round_up(0.3), 0.5);
        assert_eq!(round_up(5.0), 5.0);
        assert_eq!(round_up(0.0), 1.0);
    }

    #[test]
    fn paths_break_at_gaps_and_show_lone_points() {
        let scale = YScale {
            top: 10.0,
            height: 10.0,
        };
        let d = path(&[Some(0.0), Some(10.0), None, Some(5.0), None], 4.0, scale);
        assert_eq!(d, "M0 10 4 0M11 5h2");
        // Rounded to whole units.
        assert_eq!(path(&[Some(2.4), Some(2.6)], 1.5, scale), "M0 8 2 7");
        assert_eq!(path(&[None, None], 4.0, scale), "");
    }

    #[test]
    fn bands_change_colour_exactly_at_the_mos_thresholds() {
        // A sample's band is the grade of its MOS (4, 3 and 2 are the lower edges of good,
        // fair and poor), drawn in that grade's colour.
        let mos_colour = |mos: f64| grade_colour(Some(Grade::of_worst(Some(mos), None)));
        assert_eq!(mos_colour(4.0), grade_colour(Some(Grade::Good)));
        assert_eq!(mos_colour(3.999), grade_colour(Some(Grade::Fair)));
        assert_eq!(mos_colour(3.0), grade_colour(Some(Grade::Fair)));
        assert_eq!(mos_colour(2.999), grade_colour(Some(Grade::Poor)));
        assert_eq!(mos_colour(2.0), grade_colour(Some(Grade::Poor)));
        assert_eq!(mos_colour(1.999), grade_colour(Some(Grade::Bad)));
        let colours: Vec<_> = [
            None,
            Some(Grade::Good),
            Some(Grade::Fair),
            Some(Grade::Poor),
        ]
        .into_iter()
        .chain([Some(Grade::Bad), Some(Grade::Unclassified)])
        .map(grade_colour)
        .collect();
        for (i, a) in colours.iter().enumerate() {
            assert!(!colours[i + 1..].contains(a), "{a} is used twice");
        }
    }

    #[test]
    fn boxes_cover_their_runs() {
        assert_eq!(
            boxes(&[(0, 2, 3), (4, 0, 1)], 0.9),
            "M2 0h3v0.9h-3zM0 4h1v0.9h-1z"
        );
        assert_eq!(boxes(&[], 0.9), "");
    }

    #[test]
    fn cells_merge_into_runs() {
        let good = Cell {
            grade: Some(Grade::Good),
            degraded: false,
        };
        let bad = Cell {
            grade: Some(Grade::Bad),
            degraded: true,
        };
        let bad_calm = Cell {
            degraded: false,
            ..bad
        };
        let (bands, degraded) = cell_runs(&[good, good, bad, bad_calm, Cell::default(), bad]);
        assert_eq!(
            bands,
            [
                (0, 2, Some(Grade::Good)),
                (2, 2, Some(Grade::Bad)),
                (4, 1, None),
                (5, 1, Some(Grade::Bad))
            ]
        );
        assert_eq!(degraded, [(2, 1), (5, 1)]);
    }

    #[test]
    fn ticks_and_clock_labels() {
        assert_eq!(tick_columns(10, 4), [0, 3, 6, 9]);
        assert_eq!(tick_columns(3, 8), [0, 1, 2]);
        assert!(tick_columns(0, 8).is_empty());
        assert_eq!(clock(Zone::UTC, 1_709_287_260), "10:01");
        assert_eq!(date_time(Zone::UTC, 1_709_287_260), "2024-03-01 10:01 UTC");
        let new_york = |_: i64| -5 * 3600;
        let zone = Zone::new("America/New_York", &new_york);
        assert_eq!(
            date_time(zone, 1_709_287_260),
            "2024-03-01 05:01 America/New_York"
        );
    }
}
