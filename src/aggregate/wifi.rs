//! Wi-Fi signal: a sample's signal in dBm, and the band it falls in.

use core::ops::Range;

use crate::record::Table;
use crate::schema::RssiMetric;

/// A Wi-Fi signal band: a name, and the weakest signal in it (dBm).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignalBand {
    /// Its name in reports (`excellent`).
    pub name: &'static str,
    /// The weakest signal it holds, in dBm (`None`: any weaker signal).
    pub from_dbm: Option<i16>,
}

/// The bands of [`signal_band`], strongest first. Sources: −67 dBm is the weakest signal
/// voice-over-Wi-Fi design guides (Cisco, Aruba) plan voice cells for; −60 and −50 dBm are
/// the "good" and "excellent" tiers of common Wi-Fi survey practice. The `weak` band is
/// where the default `weak_wifi` flag is raised.
pub const SIGNAL_BANDS: [SignalBand; 4] = [
    SignalBand {
        name: "excellent",
        from_dbm: Some(-50),
    },
    SignalBand {
        name: "good",
        from_dbm: Some(-60),
    },
    SignalBand {
        name: "fair",
        from_dbm: Some(-67),
    },
    SignalBand {
        name: "weak",
        from_dbm: None,
    },
];

/// The band of a signal in dBm.
pub fn signal_band(dbm: i16) -> &'static SignalBand {
    &SIGNAL_BANDS[usize::from(signal_band_index(dbm))]
}

/// The index in [`SIGNAL_BANDS`] of a signal's band.
pub(crate) fn signal_band_index(dbm: i16) -> u16 {
    let at = SIGNAL_BANDS
        .iter()
        .position(|band| band.from_dbm.is_none_or(|from| dbm >= from));
    at.unwrap_or(SIGNAL_BANDS.len() - 1) as u16
}

/// The `wifi_rssi` fields in the order of [`Readings`].
const READ: [RssiMetric; 3] = [RssiMetric::Min, RssiMetric::Avg, RssiMetric::Max];

/// A sample's `min_rssi`, `avg_rssi` and `max_rssi`, in dBm, as sent: read once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Readings([Option<i16>; 3]);

impl Readings {
    pub(crate) fn of(table: &Table, row: usize) -> Readings {
        Readings(READ.map(|m| table.rssi_dbm(m, row)))
    }

    /// The readings of each of `rows` (clamped to the table), a column at a time; empty
    /// when the table has no Wi-Fi.
    pub(crate) fn of_rows(table: &Table, rows: Range<usize>) -> Vec<Readings> {
        let Some(columns) = table.rssi() else {
            return Vec::new();
        };
        let rows = rows.start.min(table.samples())..rows.end.min(table.samples());
        let mut readings = vec![Readings::default(); rows.len()];
        for (which, metric) in READ.into_iter().enumerate() {
            let zero = i64::from(metric.descriptor().zero_stored);
            columns.for_each_present_at(metric, rows.clone(), |at, stored| {
                readings[at].0[which] = i16::try_from(i64::from(stored) - zero).ok();
            });
        }
        readings
    }

    /// [`signal`](Self::signal) in the stored unit of the Wi-Fi columns.
    pub(crate) fn signal_stored(self) -> Option<u32> {
        let zero = RssiMetric::Avg.descriptor().zero_stored;
        self.signal()
            .map(|dbm| (i64::from(dbm) + i64::from(zero)) as u32)
    }

    /// The signal: `avg_rssi`, else the weaker of `min_rssi` and `max_rssi` (which Zoom's
    /// own examples do not keep in order).
    pub(crate) fn signal(self) -> Option<i16> {
        let [min, avg, max] = self.0;
        avg.or_else(|| match (min, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (one, other) => one.or(other),
        })
    }

    /// The weakest, average and strongest reading, whatever the fields' order.
    pub(crate) fn weakest_avg_strongest(self) -> [Option<i16>; 3] {
        let present = self.0.into_iter().flatten();
        [present.clone().min(), self.0[1], present.max()]
    }
}

/// A sample's Wi-Fi signal in dBm: its `avg_rssi`, else the weaker of `min_rssi` and
/// `max_rssi` (which Zoom's own examples do not keep in order).
pub fn signal_dbm(table: &Table, row: usize) -> Option<i16> {
    // The average first: the others are read only without one.
    table
        .rssi_dbm(RssiMetric::Avg, row)
        .or_else(|| Readings::of(table, row).signal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cut_at_their_documented_edges() {
        let band = |dbm| signal_band(dbm).name;
        assert_eq!(
            [
                band(-30),
                band(-50),
                band(-51),
                band(-60),
                band(-61),
                band(-67),
                band(-68)
            ],
            [
                "excellent",
                "excellent",
                "good",
                "good",
                "fair",
                "fair",
                "weak"
            ]
        );
    }
}
