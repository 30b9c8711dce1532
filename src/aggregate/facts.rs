//! Each sample's facts, computed once per meeting: its flags, its audio MOS and its
//! fields beside the streams. The participants' passes (counts, MOS statistics, grades,
//! episodes, the breakdowns' sample groups), the timeline and the export all read these.

use core::ops::Range;

use super::thresholds::{Fixed, SampleFlags};
use super::wifi::Readings;
use crate::record::Table;
use crate::schema::{Metric, SampleField, Stream};

/// The facts of every row of a table.
#[derive(Clone, Debug)]
pub(crate) struct SampleFacts {
    /// Each row's flags.
    pub(crate) flags: Vec<SampleFlags>,
    /// Each row's MOS of [`Stream::AUDIO`] (input, output): `None` without the stream's
    /// latency, jitter and loss.
    pub(crate) mos: [Vec<Option<f64>>; 2],
    /// Each row's fields beside the streams.
    pub(crate) extras: ExtraFacts,
}

/// Each row's fields beside the streams, read a column at a time. A list is empty when
/// the table has none of its fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ExtraFacts {
    /// The Wi-Fi readings.
    pub(crate) wifi: Vec<Readings>,
    /// The CPU pressure level (its max, else avg, else min level), by word code.
    pub(crate) pressure: Vec<Option<u16>>,
    /// The quality word, by word code.
    pub(crate) quality: Vec<Option<u16>>,
    /// The quality score, in hundredths.
    pub(crate) score: Vec<Option<i32>>,
}

impl ExtraFacts {
    /// The fields of `rows` (clamped to the table).
    pub(crate) fn of(table: &Table, rows: Range<usize>) -> ExtraFacts {
        let wifi = Readings::of_rows(table, rows.clone());
        if !table.has_sample_fields() {
            return ExtraFacts {
                wifi,
                ..ExtraFacts::default()
            };
        }
        let rows = rows.start.min(table.samples())..rows.end.min(table.samples());
        let column = |fields: &[SampleField]| {
            let mut values = vec![None; rows.len()];
            // A later field's value replaces an earlier one's.
            for &field in fields {
                table.for_each_sample_field_at(field, rows.clone(), |at, stored| {
                    values[at] = Some(stored);
                });
            }
            values
        };
        let codes = |values: Vec<Option<u64>>| {
            values
                .into_iter()
                .map(|code| code.and_then(|code| u16::try_from(code).ok()))
                .collect()
        };
        ExtraFacts {
            wifi,
            pressure: codes(column(&SampleField::CPU_PRESSURE)),
            quality: codes(column(&[SampleField::Quality])),
            score: column(&[SampleField::QualityScore])
                .into_iter()
                .map(|centi| centi.and_then(|centi| i32::try_from(centi).ok()))
                .collect(),
        }
    }
}

impl SampleFacts {
    /// The facts of `table`'s rows, flagged by `thresholds`.
    pub(crate) fn of(table: &Table, thresholds: &Fixed) -> SampleFacts {
        let rows = 0..table.samples();
        let extras = ExtraFacts::of(table, rows.clone());
        let flags = thresholds.flags_of_rows(table, rows.clone(), &extras.wifi);
        let mos = Stream::AUDIO.map(|stream| {
            let mut mos = vec![None; rows.len()];
            if let Some(columns) = table.stream(stream) {
                let mut values = vec![[None; 3]; rows.len()];
                // What the MOS reads: latency, jitter and average loss.
                for (which, metric) in Metric::QUALITY.into_iter().enumerate() {
                    columns.for_each_present_at(metric, rows.clone(), |at, value| {
                        values[at][which] = Some(value);
                    });
                }
                for (mos, values) in mos.iter_mut().zip(values) {
                    *mos = super::mos_of_stored(values);
                }
            }
            mos
        });
        SampleFacts { flags, mos, extras }
    }

    /// The MOS of `stream` at `row` (`None` for a stream other than [`Stream::AUDIO`]'s).
    pub(crate) fn mos(&self, stream: Stream, row: usize) -> Option<f64> {
        let at = Stream::AUDIO.iter().position(|&s| s == stream)?;
        self.mos[at].get(row).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Thresholds;

    /// Reference: the MOS of each row on its own ([`super::super::mos`]), the flags of
    /// each row ([`Fixed::flags`]) and the fields beside the streams read a row at a time
    /// (`Readings::of`, `Table::sample_word`, `Table::quality_score_centi`), on
    /// generated meetings with blanks among the values, and a table without audio output.
    #[test]
    fn facts_are_each_rows_own() {
        let fixed = Thresholds::default().fixed();
        let (mut with_mos, mut with_extras) = (0, [0; 4]);
        for seed in 1..=6 {
            let mut page = crate::synth::page(seed, 4, 30);
            if seed == 6 {
                page = page.replace("\"audio_output\"", "\"audio_gone\"");
            }
            let mut page = page.into_bytes();
            let mut table = Table::new();
            crate::Decoder::default()
                .decode(&mut page, &mut table)
                .expect("decodes");
            let facts = SampleFacts::of(&table, &fixed);
            assert_eq!(facts.flags.len(), table.samples());
            for row in 0..table.samples() {
                assert_eq!(facts.flags[row], fixed.flags(&table, row));
                for stream in Stream::ALL {
                    let want = super::super::mos(&table, stream, row)
                        .filter(|_| Stream::AUDIO.contains(&stream));
                    assert_eq!(
                        facts.mos(stream, row),
                        want,
                        "seed {seed}, row {row}, {stream}"
                    );
                    with_mos += usize::from(want.is_some());
                }
                let extras = &facts.extras;
                let readings = table.has_rssi().then(|| Readings::of(&table, row));
                assert_eq!(extras.wifi.get(row).copied(), readings, "row {row}");
                let word = |code: Option<&Option<u16>>| {
                    code.copied()
                        .flatten()
                        .and_then(|code| table.word(usize::from(code)))
                };
                let [min, avg, max] = SampleField::CPU_PRESSURE.map(|f| table.sample_word(f, row));
                assert_eq!(word(extras.pressure.get(row)), max.or(avg).or(min));
                let quality = table.sample_word(SampleField::Quality, row);
                assert_eq!(word(extras.quality.get(row)), quality);
                let score = extras.score.get(row).copied().flatten();
                assert_eq!(score, table.quality_score_centi(row));
                let present = [
                    readings.is_some_and(|r| r.signal().is_some()),
                    max.or(avg).or(min).is_some(),
                    quality.is_some(),
                    score.is_some(),
                ];
                for (count, present) in with_extras.iter_mut().zip(present) {
                    *count += usize::from(present);
                }
            }
            if seed == 6 {
                assert!(facts.mos[1].iter().all(Option::is_none));
            }
        }
        assert!(with_mos > 100, "{with_mos} MOS values");
        assert!(
            with_extras.iter().all(|&n| n > 20),
            "signal, pressure, quality, score: {with_extras:?}"
        );
    }
}
