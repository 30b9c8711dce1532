//! An `arbitrary` page model rendered to JSON (random spellings, blanks, nulls, junk,
//! unknown keys, escaped names), decoded lenient and strict: the numbers match the
//! model, junk is counted, and strict mode fails exactly when the model holds junk.
#![no_main]

#[path = "../../tests/reference/mod.rs"]
#[allow(dead_code, clippy::all)]
mod reference;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use reference::fixed_text;
use zoom_qos::{DecodeConfig, Decoder, Metric, Stream, Table, units};

#[derive(Arbitrary, Debug)]
enum Spelled {
    Value { value: u32, spelling: u8 },
    Blank,
    Null,
    Absent,
    Junk(u8),
}

#[derive(Arbitrary, Debug)]
struct StreamModel {
    pick: u8,
    latency: Spelled,
    bitrate: Spelled,
    avg_loss: Spelled,
    frame_rate: Spelled,
    resolution: Option<(u16, u16)>,
    unknown_key: bool,
}

#[derive(Arbitrary, Debug)]
struct SampleModel {
    streams: Vec<StreamModel>,
    blank_minute: bool,
}

#[derive(Arbitrary, Debug)]
struct ParticipantModel {
    name: String,
    samples: Vec<SampleModel>,
}

const JUNK: [&str; 6] = ["N/A", "-", "12 parsecs", "1e3", "abc", "1,5"];

/// The stored value the model means, and its JSON text (or `None` to leave the key out).
fn render(spelled: &Spelled, metric: Metric, junk: &mut u64) -> (Option<u32>, Option<String>) {
    let (max, pow10, unit) = match metric {
        Metric::Latency => (units::MILLIS_MAX_10US, 2, "ms"),
        Metric::Bitrate => (units::BITRATE_MAX_BPS, 3, "kbps"),
        Metric::AvgLoss => (u32::from(units::LOSS_MAX_BP), 2, "%"),
        _ => (u32::from(units::U16_VALUE_MAX), 2, "fps"),
    };
    match spelled {
        Spelled::Value { value, spelling } => {
            let v = value % (max + 1);
            let number = fixed_text(u64::from(v), pow10, 2);
            let text = match spelling % 5 {
                0 => format!("{number} {unit}"),
                1 => format!("{number}{}", unit.to_ascii_uppercase()),
                2 => number,
                3 => format!("\\t{number}  {unit} "),
                _ => format!("{number}\\u0020{unit}"),
            };
            (Some(v), Some(format!("\"{text}\"")))
        }
        Spelled::Blank => (None, Some("\" \"".to_owned())),
        Spelled::Null => (None, Some("null".to_owned())),
        Spelled::Absent => (None, None),
        Spelled::Junk(k) => {
            *junk += 1;
            (None, Some(format!("\"{}\"", JUNK[usize::from(*k) % JUNK.len()])))
        }
    }
}

fuzz_target!(|people: Vec<ParticipantModel>| {
    let mut junk = 0;
    // Expected (stream, metric) values per row, in row order.
    let mut expected: Vec<Vec<(Stream, Metric, Option<u32>)>> = Vec::new();
    let mut entries = Vec::new();
    for person in &people {
        let mut samples = Vec::new();
        for sample in &person.samples {
            let mut row = Vec::new();
            if sample.blank_minute {
                samples.push("\"\"".to_owned());
                expected.push(row);
                continue;
            }
            let mut fields = vec!["\"date_time\":\"2021-06-24T20:00:00Z\"".to_owned()];
            let mut used = [false; Stream::COUNT];
            for model in &sample.streams {
                let stream = Stream::ALL[usize::from(model.pick) % Stream::COUNT];
                if std::mem::replace(&mut used[stream.index()], true) {
                    continue;
                }
                let mut keys = Vec::new();
                let metrics = [
                    (Metric::Latency, &model.latency),
                    (Metric::Bitrate, &model.bitrate),
                    (Metric::AvgLoss, &model.avg_loss),
                    (Metric::FrameRate, &model.frame_rate),
                ];
                for (metric, spelled) in metrics {
                    let applies = stream.metrics().contains(&metric);
                    let mut counted = 0;
                    let (value, text) = render(spelled, metric, &mut counted);
                    if applies {
                        junk += counted;
                        row.push((stream, metric, value));
                    }
                    if let Some(text) = text {
                        keys.push(format!("\"{}\":{text}", metric.api_name()));
                    }
                }
                if let Some((w, h)) = model.resolution {
                    let (w, h) = (w.min(units::U16_VALUE_MAX), h.min(units::U16_VALUE_MAX));
                    keys.push(format!("\"resolution\":\"{w}*{h}\""));
                    if stream.has_picture() {
                        row.push((stream, Metric::Resolution, Some((u32::from(w) << 16) | u32::from(h))));
                    }
                }
                if model.unknown_key {
                    keys.push("\"x_new\":{\"deep\":[null,1.5e300,\"\\\"\"]}".to_owned());
                }
                fields.push(format!("\"{}\":{{{}}}", stream.api_name(), keys.join(",")));
            }
            samples.push(format!("{{{}}}", fields.join(",")));
            expected.push(row);
        }
        let name = serde_json::to_string(&person.name).expect("a string serialises");
        entries.push(format!("{{\"user_name\":{name},\"user_qos\":[{}]}}", samples.join(",")));
    }
    let json = format!("{{\"page_count\":\"1\",\"participants\":[{}]}}", entries.join(","));

    let mut table = Table::new();
    Decoder::default().decode(&mut json.clone().into_bytes(), &mut table).expect("a rendered model is a valid page");
    table.check_invariants().expect("invariants");
    assert_eq!(table.samples(), expected.len());
    assert_eq!(table.diagnostics().invalid_values(), junk);
    for (participant, person) in table.participants().zip(&people) {
        assert_eq!(participant.user_name(), person.name);
    }
    for (row, values) in expected.iter().enumerate() {
        for &(stream, metric, want) in values {
            let got = table.stream(stream).and_then(|s| s.stored(metric, row));
            assert_eq!(got, want, "row {row} {stream}.{metric}");
        }
    }

    let mut strict = Table::new();
    let result = Decoder::new(DecodeConfig::new().strict(true)).decode(&mut json.into_bytes(), &mut strict);
    assert_eq!(result.is_err(), junk > 0, "strict fails exactly on junk: {result:?}");
});
