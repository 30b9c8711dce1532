//! Each sample's facts, computed once per meeting: its flags and its audio MOS. The
//! participants' passes (counts, MOS statistics, grades, episodes), the timeline and the
//! export all read these.

use super::thresholds::{Fixed, SampleFlags};
use crate::record::Table;
use crate::schema::{Metric, Stream};

/// The facts of every row of a table.
#[derive(Clone, Debug)]
pub(crate) struct SampleFacts {
    /// Each row's flags.
    pub(crate) flags: Vec<SampleFlags>,
    /// Each row's MOS of [`Stream::AUDIO`] (input, output): `None` without the stream's
    /// latency, jitter and loss.
    pub(crate) mos: [Vec<Option<f64>>; 2],
}

impl SampleFacts {
    /// The facts of `table`'s rows, flagged by `thresholds`.
    pub(crate) fn of(table: &Table, thresholds: &Fixed) -> SampleFacts {
        let rows = 0..table.samples();
        let flags = thresholds.flags_of_rows(table, rows.clone());
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
        SampleFacts { flags, mos }
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

    /// Reference: the MOS of each row on its own ([`super::super::mos`]) and the flags of
    /// each row ([`Fixed::flags`]), on generated meetings with blanks among the values,
    /// and a table without audio output.
    #[test]
    fn facts_are_each_rows_own() {
        let fixed = Thresholds::default().fixed();
        let mut with_mos = 0;
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
            }
            if seed == 6 {
                assert!(facts.mos[1].iter().all(Option::is_none));
            }
        }
        assert!(with_mos > 100, "{with_mos} MOS values");
    }
}
