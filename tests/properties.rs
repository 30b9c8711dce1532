//! Property tests. Each names its oracle: the naive references in `tests/reference/`, or a
//! value the test generated itself before formatting it.

mod reference;

use proptest::prelude::*;
use proptest::test_runner::Config;
use reference::{ModelParticipant, ModelSample, ModelStream, fixed_text, naive_report, naive_unit};
use zoom_qos::report::Dimension;
use zoom_qos::units;
use zoom_qos::{Analysis, DecodeConfig, Decoder, Metric, Stream, Table};

fn blank() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("\t"), Just("  ")]
}

fn case(unit: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(unit.to_owned()),
        Just(unit.to_ascii_uppercase()),
        Just(unit[..1].to_ascii_uppercase() + &unit[1..])
    ]
}

proptest! {
    #![proptest_config(Config::with_cases(512))]

    /// Oracle: the generated value. Any accepted spelling parses back to it.
    #[test]
    fn millis_round_trip(v in 0u32..=units::MILLIS_MAX_10US, d in 0u32..=2, unit in prop::option::of(case("ms")),
                         a in blank(), b in blank(), c in blank()) {
        let text = format!("{a}{}{b}{}{c}", fixed_text(u64::from(v), 2, d), unit.unwrap_or_default());
        prop_assert_eq!(units::millis_10us(text.as_bytes()), Ok(Some(v)), "{:?}", text);
    }

    #[test]
    fn bitrate_round_trip(v in 0u32..=units::BITRATE_MAX_BPS, pick in 0usize..4, a in blank(), b in blank()) {
        let (number, unit) = match pick {
            0 => (fixed_text(u64::from(v), 3, 0), "kbps"),
            1 => (fixed_text(u64::from(v), 6, 0), "Mbps"),
            2 => (v.to_string(), "bps"),
            _ => (fixed_text(u64::from(v), 3, 0), ""),
        };
        let text = format!("{a}{number}{b}{unit}");
        prop_assert_eq!(units::bitrate_bps(text.as_bytes()), Ok(Some(v)), "{:?}", text);
    }

    #[test]
    fn percent_and_fps_round_trip(loss in 0u16..=units::LOSS_MAX_BP, cpu in 0u16..=units::U16_VALUE_MAX,
                                  fps in 0u16..=units::U16_VALUE_MAX, d in 0u32..=2, b in blank(),
                                  with_unit in any::<bool>()) {
        let percent = if with_unit { "%" } else { "" };
        let text = format!("{}{b}{percent}", fixed_text(u64::from(loss), 2, d));
        prop_assert_eq!(units::loss_bp(text.as_bytes()), Ok(Some(loss)), "{:?}", text);
        let text = format!("{}{percent}", fixed_text(u64::from(cpu), 2, d));
        prop_assert_eq!(units::cpu_bp(text.as_bytes()), Ok(Some(cpu)), "{:?}", text);
        let fps_unit = if with_unit { "FPS" } else { "" };
        let text = format!("{}{b}{fps_unit}", fixed_text(u64::from(fps), 2, d));
        prop_assert_eq!(units::frame_rate_cfps(text.as_bytes()), Ok(Some(fps)), "{:?}", text);
    }

    #[test]
    fn resolution_round_trip(w in 0u16..=units::U16_VALUE_MAX, h in 0u16..=units::U16_VALUE_MAX,
                             sep in prop_oneof![Just("*"), Just("x"), Just("X")], a in blank(), b in blank()) {
        let text = format!("{a}{w}{b}{sep}{a}{h}{b}");
        prop_assert_eq!(units::resolution_px(text.as_bytes()), Ok(Some((w, h))), "{:?}", text);
    }

    /// Oracle: the generated instant, written by `synth::rfc3339` and shifted to an offset.
    #[test]
    fn timestamp_round_trip(t in 0u64..253_402_214_400, offset_min in -1439i64..=1439, fraction in any::<bool>()) {
        let local = t as i64 + offset_min * 60;
        prop_assume!((0..253_402_300_800).contains(&local));
        let mut text = zoom_qos::synth::rfc3339(local as u64);
        text.pop(); // the Z
        if fraction {
            text.push_str(".123456");
        }
        let sign = if offset_min < 0 { '-' } else { '+' };
        text.push_str(&format!("{sign}{:02}:{:02}", offset_min.abs() / 60, offset_min.abs() % 60));
        prop_assert_eq!(units::timestamp_s(text.as_bytes()), Ok(Some(t as i64)), "{:?}", text);
    }

    /// Oracle: `reference::naive_unit` (split off the unit, `str::parse`). On strings from the
    /// grammar's alphabet, with at most the stored decimals, both accept and reject alike.
    #[test]
    fn millis_agrees_with_the_naive_parser(text in "[ \t]{0,2}(-|\\+|\\.)?[0-9]{1,7}(\\.[0-9]{0,2})?(e3|,5|\\.\\.)?[ ]{0,2}(ms|MS|mS|fps|%)?[ ]{0,2}") {
        let naive = naive_unit(&text, &[("ms", 100.0)], 100.0)
            .map(|v| v.filter(|&v| v <= u64::from(units::MILLIS_MAX_10US)));
        let fast = units::millis_10us(text.as_bytes());
        match naive {
            Some(Some(v)) => prop_assert_eq!(fast, Ok(Some(v as u32)), "{:?}", text),
            Some(None) if !units::is_blank(text.as_bytes()) => prop_assert!(fast.is_err(), "out of range {:?}", text),
            Some(None) => prop_assert_eq!(fast, Ok(None)),
            None => prop_assert!(fast.is_err(), "naive rejects {:?} but got {:?}", text, fast),
        }
    }

    #[test]
    fn bitrate_agrees_with_the_naive_parser(text in "[ ]{0,2}[0-9]{1,7}(\\.[0-9]{0,3})?[ ]{0,2}(kbps|KBPS|Mbps|bps|bit|ms)?[ ]{0,2}") {
        let naive = naive_unit(&text, &[("kbps", 1e3), ("mbps", 1e6), ("bps", 1.0)], 1e3)
            .map(|v| v.filter(|&v| v <= u64::from(units::BITRATE_MAX_BPS)));
        let fast = units::bitrate_bps(text.as_bytes());
        match naive {
            Some(Some(v)) => prop_assert_eq!(fast, Ok(Some(v as u32)), "{:?}", text),
            Some(None) => prop_assert!(fast.is_err() || fast == Ok(None), "{:?}", text),
            None => prop_assert!(fast.is_err(), "naive rejects {:?} but got {:?}", text, fast),
        }
    }

    /// Oracle: the table's own invariants. Arbitrary bytes, and arbitrary JSON-shaped
    /// text, decode or fail cleanly; a failed page leaves the table empty.
    #[test]
    fn arbitrary_input_keeps_the_table_consistent(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        text in "\\{\"participants\":\\[(\\{\"user_qos\":\\[(\\{\"(audio_input|video_output|cpu_usage|date_time)\":(\\{\"(latency|resolution|frame_rate|system_max_cpu_usage)\":\"[0-9 .a-z%*]{0,8}\"\\}|\"\"|null|1)\\},?){0,3}\\]\\},?){0,3}\\]\\}",
        strict in any::<bool>(),
    ) {
        for input in [bytes, text.into_bytes()] {
            let mut table = Table::new();
            let mut input = input;
            let result = Decoder::new(DecodeConfig::new().strict(strict)).decode(&mut input, &mut table);
            prop_assert_eq!(table.check_invariants(), Ok(()));
            if result.is_err() {
                prop_assert_eq!(table.samples(), 0);
            }
        }
    }

    /// On any bytes every parser answers (no panic), "missing" exactly for blank input,
    /// and only values within its documented range. Oracle: `is_blank` and the range table
    /// of `units`.
    #[test]
    fn any_bytes_give_missing_only_when_blank_and_values_in_range(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
        let blank = units::is_blank(&bytes);
        let answers: [(&str, Answer, u64); 6] = [
            ("bitrate", units::bitrate_bps(&bytes).map(|v| v.map(u64::from)), u64::from(units::BITRATE_MAX_BPS)),
            ("millis", units::millis_10us(&bytes).map(|v| v.map(u64::from)), u64::from(units::MILLIS_MAX_10US)),
            ("loss", units::loss_bp(&bytes).map(|v| v.map(u64::from)), u64::from(units::LOSS_MAX_BP)),
            ("cpu", units::cpu_bp(&bytes).map(|v| v.map(u64::from)), u64::from(units::U16_VALUE_MAX)),
            ("fps", units::frame_rate_cfps(&bytes).map(|v| v.map(u64::from)), u64::from(units::U16_VALUE_MAX)),
            ("resolution", units::resolution_px(&bytes).map(|v| v.map(|(w, h)| u64::from(w.max(h)))), u64::from(units::U16_VALUE_MAX)),
        ];
        for (name, answer, max) in answers {
            match answer {
                Ok(None) => prop_assert!(blank, "{}: missing for non-blank {:?}", name, bytes),
                Ok(Some(v)) => prop_assert!(!blank && v <= max, "{}: {} from {:?}", name, v, bytes),
                Err(_) => prop_assert!(!blank, "{}: error for blank {:?}", name, bytes),
            }
        }
        match units::timestamp_s(&bytes) {
            Ok(None) => prop_assert!(blank),
            Ok(Some(t)) => prop_assert!(!blank && (-62_167_219_200 - 86_400..=253_402_300_800 + 86_400).contains(&t), "{}", t),
            Err(_) => prop_assert!(!blank),
        }
    }
}

/// A breakdown as compared: dimension, value, the three p95s, and participants, samples,
/// degraded.
type BreakdownRow = (&'static str, String, [Option<f64>; 3], [u64; 3]);

/// A unit parser's answer, widened.
type Answer = Result<Option<u64>, units::UnitError>;

/// A metric value of the model and its JSON spelling: valid (any spelling), blank, junk.
fn metric_value(
    metric: Metric,
) -> impl Strategy<Value = (Option<f64>, Option<(u16, u16)>, String, u64)> {
    let (max, pow10, unit): (u64, u32, &'static str) = match metric {
        Metric::Bitrate => (3_000_000, 3, " kbps"),
        Metric::Latency | Metric::Jitter => (90_000, 2, " ms"),
        Metric::AvgLoss | Metric::MaxLoss => (1_000, 2, "%"),
        Metric::FrameRate => (3_100, 2, " fps"),
        Metric::Resolution => (0, 0, ""),
        other => panic!("the model has no spelling of {other}"),
    };
    let valid = (0..=max, any::<bool>()).prop_map(move |(v, spaced)| {
        let scale = 10f64.powi(pow10 as i32);
        let unit = if spaced {
            unit.to_owned()
        } else {
            unit.trim().to_ascii_uppercase()
        };
        let text = format!("{}{unit}", fixed_text(v, pow10, 2));
        (Some(v as f64 / scale), None, format!("\"{text}\""), 0)
    });
    let resolution = prop_oneof![Just((0u16, 0u16)), (1u16..2000, 1u16..2000)]
        .prop_map(|(w, h)| (None, Some((w, h)), format!("\"{w}*{h}\""), 0));
    let present = if metric == Metric::Resolution {
        resolution.boxed()
    } else {
        valid.boxed()
    };
    prop_oneof![
        6 => present,
        1 => Just((None, None, "\"\"".to_owned(), 0)),
        1 => Just((None, None, "null".to_owned(), 0)),
        1 => Just((None, None, "\"N/A\"".to_owned(), 1)),
    ]
}

fn model_stream(stream: Stream) -> impl Strategy<Value = (ModelStream, String, u64)> {
    let metrics: Vec<_> = stream.metrics().iter().map(|m| metric_value(*m)).collect();
    metrics.prop_map(move |values| {
        let mut model = ModelStream::default();
        let mut json = String::from("{");
        let mut invalid = 0;
        for (metric, (value, res, text, bad)) in stream.metrics().iter().zip(values) {
            model.values[metric.index()] = value;
            if *metric == Metric::Resolution {
                model.res = res;
            }
            invalid += bad;
            if json.len() > 1 {
                json.push(',');
            }
            json.push_str(&format!("\"{}\":{text}", metric.api_name()));
        }
        json.push('}');
        (model, json, invalid)
    })
}

const MODEL_STREAMS: [Stream; 6] = [
    Stream::AudioInput,
    Stream::AudioOutput,
    Stream::VideoInput,
    Stream::VideoOutput,
    Stream::AsInput,
    Stream::AudioDeviceToRwg,
];

fn model_sample() -> impl Strategy<Value = (ModelSample, String)> {
    let streams: Vec<_> = MODEL_STREAMS
        .iter()
        .map(|&s| prop::option::weighted(0.8, model_stream(s)))
        .collect();
    // Minutes 0 to 11 in any order, repeated or missing: out-of-order samples, equal
    // times, gaps of exactly 120 s and blank `date_time`s all occur.
    let time = prop::option::weighted(0.9, 0i64..12);
    // Wi-Fi readings in any order (Zoom's own examples have min above max), any of them
    // absent: the flag reads the average, else the weaker of the two others.
    let rssi = prop::option::weighted(
        0.5,
        [
            prop::option::weighted(0.8, -95i16..-30),
            prop::option::weighted(0.7, -95i16..-30),
            prop::option::weighted(0.8, -95i16..-30),
        ],
    );
    (streams, prop::option::of(0u64..=10_000), time, rssi).prop_map(
        |(streams, cpu, minute, rssi)| {
            let mut sample = ModelSample {
                time_s: minute.map(|m| 1_624_564_800 + 60 * m),
                ..ModelSample::default()
            };
            let date_time = sample
                .time_s
                .map_or(String::new(), |t| zoom_qos::synth::rfc3339(t as u64));
            let mut json = format!("{{\"date_time\":\"{date_time}\",\"unknown\":[1,{{}}]");
            for (stream, value) in MODEL_STREAMS.iter().zip(streams) {
                match value {
                    Some((model, text, invalid)) => {
                        json.push_str(&format!(",\"{}\":{text}", stream.api_name()));
                        sample.invalid += invalid;
                        sample.streams.push((*stream, model));
                    }
                    None => json.push_str(&format!(",\"{}\":\"\"", stream.api_name())),
                }
            }
            if let Some(cpu) = cpu {
                json.push_str(&format!(
                    ",\"cpu_usage\":{{\"system_max_cpu_usage\":\"{}%\"}}",
                    fixed_text(cpu, 2, 2)
                ));
                sample.system_cpu_pct = Some(cpu as f64 / 100.0);
            }
            if let Some(readings) = rssi {
                let fields: Vec<String> = ["min_rssi", "avg_rssi", "max_rssi"]
                    .iter()
                    .zip(readings)
                    .filter_map(|(key, dbm)| dbm.map(|dbm| format!("\"{key}\":{dbm}")))
                    .chain(["\"rssi_unit\":\"dBm\"".to_owned()])
                    .collect();
                json.push_str(&format!(",\"wifi_rssi\":{{{}}}", fields.join(",")));
                sample.wifi_dbm = readings;
            }
            json.push('}');
            (sample, json)
        },
    )
}

/// A participant's breakdown values: absent, blank, or one of a few.
fn model_dimensions() -> impl Strategy<Value = [Option<String>; 4]> {
    let value = prop::option::weighted(
        0.8,
        prop::sample::select(vec!["Wifi", "Wired", "", " ", "SC", "Mac", "5.17.1"])
            .prop_map(str::to_owned),
    );
    [value.clone(), value.clone(), value.clone(), value]
}

fn model_meeting() -> impl Strategy<Value = (Vec<ModelParticipant>, Vec<String>)> {
    let person = (
        prop::collection::vec(model_sample(), 0..12),
        model_dimensions(),
    );
    prop::collection::vec(person, 0..14).prop_map(|people| {
        let mut participants = Vec::new();
        let mut entries = Vec::new();
        for (i, (samples, dimensions)) in people.into_iter().enumerate() {
            let (models, texts): (Vec<_>, Vec<_>) = samples.into_iter().unzip();
            let fields: String = reference::DIMENSIONS
                .iter()
                .zip(&dimensions)
                .filter_map(|(key, value)| value.as_ref().map(|v| format!("\"{key}\":\"{v}\",")))
                .collect();
            entries.push(format!(
                "{{{fields}\"user_name\":\"P\\u00e9 {i} \\\"q\\\"\",\"user_qos\":[{}]}}",
                texts.join(",")
            ));
            participants.push(ModelParticipant {
                name: format!("Pé {i} \"q\""),
                samples: models,
                dimensions,
            });
        }
        // Pages of at most 10 participants, as the API sends them.
        let pages = entries
            .chunks(10)
            .map(|chunk| {
                format!(
                    "{{\"next_page_token\":\"\",\"participants\":[{}]}}",
                    chunk.join(",")
                )
            })
            .collect();
        (participants, pages)
    })
}

fn decode_pages(pages: &[String]) -> Table {
    let mut table = Table::new();
    let mut decoder = Decoder::new(DecodeConfig::default());
    for page in pages {
        decoder
            .decode(&mut page.clone().into_bytes(), &mut table)
            .expect("generated pages decode");
    }
    table
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (a, b) => a == b,
    }
}

proptest! {
    #![proptest_config(Config::with_cases(96))]

    /// Oracle: `reference::naive_report`, computed from the model the pages were written from.
    #[test]
    fn report_matches_the_naive_reference((model, pages) in model_meeting()) {
        let table = decode_pages(&pages);
        let report = Analysis::new().meeting("m", &table);
        let naive = naive_report(&model);
        prop_assert_eq!(report.samples, naive.samples);
        prop_assert_eq!(report.invalid_values, naive.invalid);
        prop_assert_eq!(report.participants, model.len() as u64);
        let reported: usize = report.streams.iter().map(|(_, m)| m.len()).sum();
        prop_assert_eq!(reported, naive.streams.len());
        for (stream, metric, want) in &naive.streams {
            let got = report.streams.get(*stream, *metric).expect("stream reported");
            prop_assert_eq!((got.count, got.missing), (want.count, want.missing), "{} {}", stream, metric);
            prop_assert_eq!(
                [got.min, got.p50, got.p90, got.p95, got.p99, got.max],
                [want.min, want.p50, want.p90, want.p95, want.p99, want.max],
                "{} {}", stream, metric
            );
            prop_assert!(close(got.mean, want.mean), "{} {}: {:?} vs {:?}", stream, metric, got.mean, want.mean);
        }
        let f = report.degraded.by_flag;
        prop_assert_eq!(report.degraded.samples, naive.degraded);
        prop_assert_eq!(f.named().map(|(_, n)| n), naive.by_flag);
        for (got, want) in [(&report.mos.audio_input, &naive.mos_in), (&report.mos.audio_output, &naive.mos_out)] {
            prop_assert_eq!((got.count, got.p50, got.p99, got.min, got.max), (want.count, want.p50, want.p99, want.min, want.max));
            // The report rounds the mean to 3 decimals: equal to within half a unit of the
            // third decimal (summation order may differ, and a rounding at .5 flip).
            let within = match (got.mean, want.mean) {
                (Some(g), Some(w)) => (g - w).abs() <= 0.0005 + 1e-9,
                (g, w) => g == w,
            };
            prop_assert!(within, "mos mean {:?} vs {:?}", got.mean, want.mean);
        }
        let grades: Vec<&str> = report.participant_details.iter().map(|p| p.grade.name()).collect();
        prop_assert_eq!(grades, naive.grades);
        for (detail, person) in report.participant_details.iter().zip(&model) {
            prop_assert_eq!(&detail.user_name, &person.name);
        }
    }

    /// Oracle: the sequential computation. Rayon changes nothing in the result.
    #[test]
    fn episodes_match_the_naive_finder((model, pages) in model_meeting()) {
        let table = decode_pages(&pages);
        let report = Analysis::new().meeting("m", &table);
        let naive = reference::naive_episodes(&model, 120, 2);
        prop_assert_eq!(report.episodes.len(), naive.len(), "{:?}", report.episodes);
        for (got, want) in report.episodes.iter().zip(&naive) {
            prop_assert_eq!(got.participant, want.participant);
            prop_assert_eq!(&got.user_name, &model[want.participant as usize].name);
            prop_assert_eq!(units::timestamp_s(got.start.as_bytes()), Ok(Some(want.start_s)));
            prop_assert_eq!(units::timestamp_s(got.end.as_bytes()), Ok(Some(want.end_s)));
            prop_assert_eq!(got.samples, want.samples);
            prop_assert_eq!(got.by_flag.counts(), want.by_flag);
            prop_assert_eq!([got.worst.latency_ms, got.worst.jitter_ms, got.worst.avg_loss_pct], want.worst);
        }
    }

    #[test]
    fn breakdowns_match_the_naive_breakdown((model, pages) in model_meeting()) {
        let table = decode_pages(&pages);
        let report = Analysis::new().meeting("m", &table);
        let naive = reference::naive_breakdowns(&model);
        let got: Vec<BreakdownRow> = Dimension::ALL
            .iter()
            .flat_map(|&d| {
                report.breakdowns.get(d).iter().map(move |(value, b)| {
                    (d.name(), value.clone(),
                     [b.latency_ms_p95, b.jitter_ms_p95, b.avg_loss_pct_p95],
                     [b.participants, b.samples, b.degraded])
                })
            })
            .collect();
        let want: Vec<BreakdownRow> = naive
            .into_iter()
            .map(|(d, value, b)| (d, value, b.p95, [b.participants, b.samples, b.degraded]))
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn parallel_equals_sequential((_, pages) in model_meeting()) {
        let table = decode_pages(&pages);
        let parallel = Analysis::new().meeting("m", &table);
        let sequential = Analysis::new().sequential(true).meeting("m", &table);
        prop_assert_eq!(parallel, sequential);
    }
}
