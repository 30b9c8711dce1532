//! The second decode route: the borrowed serde views of [`crate::raw`] copied into a table.

use super::table::{DecodeConfig, PageWriter, Raw, RawNumber, Table};
use crate::error::Error;
use crate::raw::{Page, Participant, Value};
use crate::schema::{CpuMetric, ParticipantField, RssiMetric, Stream};

impl Table {
    /// Appends a page of borrowed views, as [`Decoder::decode`](crate::Decoder::decode)
    /// does from bytes. On error (strict mode) the table is unchanged.
    ///
    /// # Errors
    /// In strict mode, the first invalid value.
    pub fn push_view(&mut self, page: &Page<'_>, config: &DecodeConfig) -> Result<(), Error> {
        self.write_page(config, |writer| {
            page.participants
                .iter()
                .try_for_each(|participant| write_participant(participant, writer))
        })
    }
}

fn write_participant(
    participant: &Participant<'_>,
    writer: &mut PageWriter<'_>,
) -> Result<(), Error> {
    writer.begin_participant()?;
    for field in ParticipantField::ALL {
        if let Some(text) = participant.field(*field) {
            writer.participant_text(*field, text);
        }
    }
    for sample in &participant.user_qos {
        writer.begin_sample()?;
        writer.time(raw(sample.date_time))?;
        for stream in Stream::ALL {
            if let Some(view) = sample.stream(*stream) {
                writer.stream(*stream);
                for metric in stream.metrics() {
                    writer.metric(*stream, *metric, raw(view.get(*metric)))?;
                }
            }
        }
        if let Some(cpu) = &sample.cpu_usage {
            writer.cpu_block();
            for metric in CpuMetric::ALL {
                writer.cpu(*metric, raw(cpu[metric.index()]))?;
            }
        }
        if let Some(rssi) = &sample.wifi_rssi {
            writer.rssi_block();
            for metric in RssiMetric::ALL {
                writer.rssi(*metric, raw(rssi[metric.index()]))?;
            }
        }
        writer.end_sample();
    }
    writer.end_participant();
    Ok(())
}

fn raw(value: Value<'_>) -> Raw<'_> {
    match value {
        Value::Missing => Raw::Null,
        Value::Str(text) => Raw::Text(text),
        Value::Int(n) => Raw::Number(RawNumber::Int(n)),
        Value::Float(x) => Raw::Number(RawNumber::Float(x.to_bits())),
        Value::Other(kind) => Raw::Other(kind),
    }
}
