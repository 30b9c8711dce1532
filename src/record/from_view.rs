//! The second decode route: the borrowed serde views of [`crate::view`] copied into a table.

use super::config::DecodeConfig;
use super::table::{Group, Table};
use super::writer::{JsonNumber, JsonScalar, PageWriter};
use crate::error::Error;
use crate::schema::{CpuMetric, ParticipantField, RssiMetric, SampleField, Stream};
use crate::view::{Page, Participant, Value};

impl Table {
    /// Appends a page of borrowed views, as [`Decoder::decode`](crate::Decoder::decode)
    /// does from bytes. On error (strict mode) the table is unchanged.
    ///
    /// # Errors
    /// In strict mode, the first invalid value.
    pub fn push_view(&mut self, page: &Page<'_>, config: &DecodeConfig) -> Result<(), Error> {
        self.write_page(config, |writer| {
            let has_next_page = page.next_page_token.is_some_and(|token| !token.is_empty());
            writer.page_chain(has_next_page, page.total_records);
            page.participants
                .iter()
                .enumerate()
                .try_for_each(|(index, participant)| write_participant(participant, index, writer))
        })
    }
}

fn write_participant(
    participant: &Participant<'_>,
    index: usize,
    writer: &mut PageWriter<'_>,
) -> Result<(), Error> {
    writer.begin_participant()?;
    if participant.user_qos_object {
        writer.user_qos_object(|| format!("participants[{index}].user_qos"))?;
    }
    for field in ParticipantField::ALL {
        if let Some(text) = participant.field(field) {
            writer.participant_text(field, text);
        }
    }
    for sample in &participant.user_qos {
        writer.begin_sample()?;
        writer.time(json_scalar(sample.date_time))?;
        for stream in Stream::ALL {
            if let Some(view) = sample.stream(stream) {
                writer.open_group(Group::Stream(stream));
                for &metric in stream.metrics() {
                    writer.metric(stream, metric, json_scalar(view.get(metric)))?;
                }
            }
        }
        if let Some(cpu) = &sample.cpu_usage {
            writer.open_group(Group::Cpu);
            for metric in CpuMetric::ALL {
                writer.cpu(metric, json_scalar(cpu[metric.index()]))?;
            }
        }
        if let Some(rssi) = &sample.wifi_rssi {
            writer.open_group(Group::Rssi);
            for metric in RssiMetric::ALL {
                writer.rssi(metric, json_scalar(rssi[metric.index()]))?;
            }
        }
        if let Some(levels) = &sample.cpu_pressure_level {
            for (field, level) in SampleField::CPU_PRESSURE.into_iter().zip(levels) {
                writer.word(field, json_scalar(*level))?;
            }
        }
        writer.word(SampleField::Quality, json_scalar(sample.quality))?;
        writer.score(json_scalar(sample.quality_score))?;
        writer.end_sample();
    }
    writer.end_participant();
    Ok(())
}

fn json_scalar(value: Value<'_>) -> JsonScalar<'_> {
    match value {
        Value::Missing => JsonScalar::Null,
        Value::Str(text) => JsonScalar::Text(text),
        Value::Int(n) => JsonScalar::Number(JsonNumber::Int(n)),
        Value::Float(x) => JsonScalar::Number(JsonNumber::Float(x.to_bits())),
        Value::Other(kind) => JsonScalar::Other(kind),
    }
}
