//! Hand-computed cases of the analytics: nearest rank, every flag at its threshold, MOS
//! at its branch points, grade bands.

use zoom_qos::aggregate::{mos_estimate, nearest_rank_index};
use zoom_qos::report::{Flag, FlagCounts, Grade};
use zoom_qos::{Analysis, Decoder, Metric, Stream, Table, Thresholds};

#[test]
fn nearest_rank_by_hand() {
    // rank = ceil(p·n/100), 1-based; the index is rank - 1.
    assert_eq!(nearest_rank_index(0, 50), None);
    for p in [50, 90, 95, 99] {
        assert_eq!(nearest_rank_index(1, p), Some(0));
    }
    assert_eq!(nearest_rank_index(2, 50), Some(0)); // ceil(1.0) = 1
    assert_eq!(nearest_rank_index(2, 90), Some(1)); // ceil(1.8) = 2
    assert_eq!(nearest_rank_index(10, 50), Some(4)); // 5
    assert_eq!(nearest_rank_index(10, 90), Some(8)); // 9
    assert_eq!(nearest_rank_index(10, 95), Some(9)); // ceil(9.5) = 10
    assert_eq!(nearest_rank_index(10, 99), Some(9)); // ceil(9.9) = 10
    assert_eq!(nearest_rank_index(101, 50), Some(50)); // ceil(50.5) = 51
    assert_eq!(nearest_rank_index(101, 90), Some(90)); // ceil(90.9) = 91
    assert_eq!(nearest_rank_index(101, 95), Some(95)); // ceil(95.95) = 96
    assert_eq!(nearest_rank_index(101, 99), Some(99)); // ceil(99.99) = 100
    assert_eq!(nearest_rank_index(100, 95), Some(94)); // exactly 95, not 96
}

/// A meeting of one participant whose samples have these audio_input latencies.
fn latencies(values: &[&str]) -> Table {
    let samples: Vec<String> = values
        .iter()
        .map(|v| format!(r#"{{"audio_input": {{"latency": "{v}"}}}}"#))
        .collect();
    table(&format!(
        r#"{{"participants": [{{"user_qos": [{}]}}]}}"#,
        samples.join(",")
    ))
}

fn table(json: &str) -> Table {
    let mut table = Table::new();
    Decoder::default()
        .decode(&mut json.as_bytes().to_vec(), &mut table)
        .expect("decodes");
    table
}

#[test]
fn stats_over_101_values_with_blanks() {
    // 101 values 1..=101 ms, shuffled, plus two blanks and one junk value.
    let mut values: Vec<String> = (1..=101)
        .map(|i| format!("{} ms", (i * 37) % 101 + 1))
        .collect();
    values.extend(["".to_owned(), " ".to_owned(), "N/A".to_owned()]);
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let report = Analysis::new().meeting("m", &latencies(&refs));
    let stats = report
        .streams
        .get(Stream::AudioInput, Metric::Latency)
        .expect("latency");
    assert_eq!((stats.count, stats.missing), (101, 3));
    assert_eq!(stats.min, Some(1.0));
    assert_eq!(stats.p50, Some(51.0));
    assert_eq!(stats.p90, Some(91.0));
    assert_eq!(stats.p95, Some(96.0));
    assert_eq!(stats.p99, Some(100.0));
    assert_eq!(stats.max, Some(101.0));
    assert_eq!(stats.mean, Some(51.0));
    assert_eq!(report.invalid_values, 1);
    let bitrate = report
        .streams
        .get(Stream::AudioInput, Metric::Bitrate)
        .expect("bitrate");
    assert_eq!(
        (bitrate.count, bitrate.missing, bitrate.p50),
        (0, 104, None)
    );
}

#[test]
fn stats_keep_decimals_exactly() {
    let report = Analysis::new().meeting("m", &latencies(&["0.01 ms", "0.02 ms", "0.04ms"]));
    let stats = report
        .streams
        .get(Stream::AudioInput, Metric::Latency)
        .expect("latency");
    assert_eq!(
        (stats.min, stats.p50, stats.max),
        (Some(0.01), Some(0.02), Some(0.04))
    );
    let mean = stats.mean.expect("mean");
    assert!((mean - 0.07 / 3.0).abs() < 1e-15, "{mean}");
}

/// The flag counts of one sample built from `stream` JSON on `name`, plus system CPU.
fn flags_of(name: &str, stream: &str, cpu: &str) -> FlagCounts {
    let json = format!(
        r#"{{"participants": [{{"user_qos": [{{"{name}": {stream}, "cpu_usage": {{"system_max_cpu_usage": "{cpu}"}}}}]}}]}}"#
    );
    Analysis::new().meeting("m", &table(&json)).degraded.by_flag
}

#[test]
fn every_flag_at_just_under_and_just_over_its_threshold() {
    let net = |latency: &str, jitter: &str, loss: &str| {
        format!(r#"{{"latency": "{latency}", "jitter": "{jitter}", "avg_loss": "{loss}"}}"#)
    };
    for name in ["audio_input", "audio_output", "video_input", "video_output"] {
        let at = flags_of(name, &net("150 ms", "40 ms", "2.0%"), "90%");
        assert_eq!(
            at,
            FlagCounts::default(),
            "{name}: at the threshold is not over it"
        );
        let under = flags_of(name, &net("149.99 ms", "39.99 ms", "1.99%"), "89.99%");
        assert_eq!(under, FlagCounts::default(), "{name}");
        let over = flags_of(name, &net("150.01 ms", "40.01 ms", "2.01%"), "90.01%");
        // latency, jitter, loss, frame_rate, cpu
        let want = FlagCounts::new([1, 1, 1, 0, 1, 0]);
        assert_eq!(over, want, "{name}");
    }
    // Screen share is left out by default.
    let share = flags_of("as_input", &net("900 ms", "600 ms", "9%"), "");
    assert_eq!(share, FlagCounts::default());

    let video = |resolution: &str, fps: &str| {
        flags_of(
            "video_input",
            &format!(r#"{{"resolution": "{resolution}", "frame_rate": "{fps}"}}"#),
            "",
        )
        .get(Flag::FrameRate)
    };
    assert_eq!(video("640*360", "10 fps"), 0, "at the threshold");
    assert_eq!(video("640*360", "10.01 fps"), 0);
    assert_eq!(video("640*360", "9.99 fps"), 1, "just under");
    assert_eq!(video("0*0", "0 fps"), 0, "no picture, no frame-rate flag");
    assert_eq!(video("", "2 fps"), 0, "missing resolution never flags");
    assert_eq!(video("640*360", ""), 0, "missing frame rate never flags");
}

#[test]
fn thresholds_are_configurable_and_screen_share_can_be_included() {
    let json = r#"{"participants": [{"user_qos": [
        {"as_input": {"jitter": "600 ms"}, "audio_input": {"latency": "120 ms"}}]}]}"#;
    let t = table(json);
    let thresholds = Thresholds::default()
        .with_limit(Flag::Latency, 100.0)
        .expect("a valid threshold")
        .with_screen_share(true);
    let report = Analysis::new().thresholds(thresholds).meeting("m", &t);
    assert_eq!(
        (
            report.degraded.by_flag.get(Flag::Latency),
            report.degraded.by_flag.get(Flag::Jitter)
        ),
        (1, 1)
    );
    let report = Analysis::new().meeting("m", &t);
    assert_eq!(report.degraded.samples, 0);
    // A NaN would flag every sample (NaN comparisons): it is refused where it is set.
    let bad = Thresholds::default().with_limit(Flag::Jitter, f64::NAN);
    assert!(bad.unwrap_err().to_string().contains("jitter_ms"));
    assert!(
        Thresholds::default()
            .with_limit(Flag::Jitter, -1.0)
            .is_err()
    );
    assert!(Thresholds::default().with_limit(Flag::Loss, 0.29).is_ok());
}

#[test]
fn thresholds_with_more_decimals_than_stored_compare_exactly() {
    let t = table(
        r#"{"participants": [{"user_qos": [{"audio_input": {"avg_loss": "0.29%"}}, {"audio_input": {"avg_loss": "0.30%"}}]}]}"#,
    );
    let flags = |avg_loss_pct| {
        let thresholds = Thresholds::default()
            .with_limit(Flag::Loss, avg_loss_pct)
            .expect("a valid threshold");
        Analysis::new()
            .thresholds(thresholds)
            .meeting("m", &t)
            .degraded
            .by_flag
            .get(Flag::Loss)
    };
    assert_eq!(flags(0.29), 1, "0.30 > 0.29, 0.29 is not");
    assert_eq!(flags(0.295), 1);
    assert_eq!(flags(0.2899), 2);
    assert_eq!(flags(0.30), 0);
}

/// Published reference values of the E-model's R-to-MOS conversion: ITU-T G.109 (09/1999),
/// Table 1 "Definition of categories of speech transmission quality", lower limits of R and
/// of MOS_CQE per category (also in ITU-T G.107, Annex B): R 90 -> 4.34, 80 -> 4.03,
/// 70 -> 3.60, 60 -> 3.10, 50 -> 2.58. The table gives two decimals (and lists 4.03 where
/// the formula gives 4.024): agreement is to 0.01.
const G109_R_TO_MOS: [(f64, f64); 5] = [
    (90.0, 4.34),
    (80.0, 4.03),
    (70.0, 3.60),
    (60.0, 3.10),
    (50.0, 2.58),
];

#[test]
fn mos_matches_the_published_r_to_mos_table() {
    // Report v1's R: with no latency or jitter the effective delay is 10 ms, so
    // R = 93.2 - 10/40 - 2.5 * loss = 92.95 - 2.5 * loss. Each loss below lands on one R of
    // the table.
    for (r, published) in G109_R_TO_MOS {
        let loss_pct = (92.95 - r) / 2.5;
        let mos = mos_estimate(0.0, 0.0, loss_pct);
        assert!(
            (mos - published).abs() <= 0.01,
            "R = {r}: MOS {mos}, published {published}"
        );
    }
    // G.107 Annex B: MOS is 1 for R below 0 and 4.5 above 100.
    assert_eq!(mos_estimate(990.0, 0.0, 50.0), 1.0);
    assert_eq!(mos_estimate(-300.0, 0.0, 0.0), 4.5);
}

#[test]
fn mos_falls_with_each_impairment_and_is_continuous_where_the_delay_branches() {
    let base = mos_estimate(20.0, 2.0, 0.0);
    assert!(mos_estimate(200.0, 2.0, 0.0) < base, "latency");
    assert!(mos_estimate(20.0, 40.0, 0.0) < base, "jitter");
    assert!(mos_estimate(20.0, 2.0, 3.0) < base, "loss");
    // Report v1 switches delay formulas at an effective delay of 160 ms (latency 150 ms
    // with no jitter): the two meet there, so a step of 0.01 ms barely moves the MOS.
    let below = mos_estimate(149.99, 0.0, 0.0);
    let at = mos_estimate(150.0, 0.0, 0.0);
    assert!((below - at).abs() < 1e-4, "{below} vs {at}");
    assert!(mos_estimate(150.01, 0.0, 0.0) < at);
}

#[test]
fn grades_take_the_worst_audio_channel() {
    assert_eq!(Grade::of_worst(Some(4.0), Some(4.4)), Grade::Good);
    assert_eq!(Grade::of_worst(Some(4.4), Some(3.99)), Grade::Fair);
    assert_eq!(Grade::of_worst(Some(3.0), None), Grade::Fair);
    assert_eq!(Grade::of_worst(None, Some(2.99)), Grade::Poor);
    assert_eq!(Grade::of_worst(Some(2.0), Some(4.0)), Grade::Poor);
    assert_eq!(Grade::of_worst(Some(1.99), Some(4.0)), Grade::Bad);
    assert_eq!(Grade::of_worst(None, None), Grade::Unclassified);

    // In a report: one good, one bad (massive loss on output), one without audio.
    let json = r#"{"participants": [
      {"user_name": "ok", "user_qos": [{"audio_input": {"latency": "20 ms", "jitter": "2 ms", "avg_loss": "0%"}}]},
      {"user_name": "lossy", "user_qos": [{"audio_input": {"latency": "20 ms", "jitter": "2 ms", "avg_loss": "0%"},
                                           "audio_output": {"latency": "20 ms", "jitter": "2 ms", "avg_loss": "30%"}}]},
      {"user_name": "video only", "user_qos": [{"video_input": {"latency": "20 ms"}}]}]}"#;
    let report = Analysis::new().meeting("m", &table(json));
    let grades: Vec<Grade> = report.participant_details.iter().map(|p| p.grade).collect();
    assert_eq!(grades, [Grade::Good, Grade::Bad, Grade::Unclassified]);
    assert_eq!(
        (
            report.grades.get(Grade::Good),
            report.grades.get(Grade::Bad),
            report.grades.get(Grade::Unclassified)
        ),
        (1, 1, 1)
    );
}

#[test]
fn episodes_follow_time_not_input_order() {
    // Minutes 0..5 arrive shuffled; minutes 1, 2 and 4 are degraded: two episodes, longest 2.
    let sample = |minute: u32, latency: u32| {
        format!(
            r#"{{"date_time": "2021-06-24T20:0{minute}:00Z", "audio_input": {{"latency": "{latency} ms"}}}}"#
        )
    };
    let samples = [
        sample(4, 300),
        sample(0, 20),
        sample(2, 300),
        sample(3, 20),
        sample(1, 300),
    ];
    let json = format!(
        r#"{{"participants": [{{"user_qos": [{}]}}]}}"#,
        samples.join(",")
    );
    let report = Analysis::new().meeting("m", &table(&json));
    let detail = &report.participant_details[0];
    assert_eq!(
        (
            detail.degraded_samples,
            detail.degraded_episodes,
            detail.longest_degraded_episode
        ),
        (3, 2, 2)
    );
}

#[test]
fn per_participant_stats_on_request() {
    let json = r#"{"participants": [
      {"user_name": "a", "user_qos": [{"audio_input": {"latency": "10 ms"}}, {"audio_input": {"latency": "30 ms"}}, {}]},
      {"user_name": "b", "user_qos": [{"audio_input": {"latency": "500 ms"}}]}]}"#;
    let t = table(json);
    let plain = Analysis::new().meeting("m", &t);
    assert!(
        plain
            .participant_details
            .iter()
            .all(|p| p.streams.is_none())
    );
    let report = Analysis::new().participant_stats(true).meeting("m", &t);
    let a = report.participant_details[0]
        .streams
        .as_ref()
        .expect("on request");
    let latency = a.get(Stream::AudioInput, Metric::Latency).expect("latency");
    assert_eq!(
        (
            latency.count,
            latency.missing,
            latency.min,
            latency.p50,
            latency.max
        ),
        (2, 1, Some(10.0), Some(10.0), Some(30.0))
    );
    assert_eq!(latency.mean, Some(20.0));
    let b = report.participant_details[1]
        .streams
        .as_ref()
        .expect("on request");
    let latency = b.get(Stream::AudioInput, Metric::Latency).expect("latency");
    assert_eq!(
        (latency.count, latency.missing, latency.p99),
        (1, 0, Some(500.0))
    );
    // The meeting's own STATS are unchanged by the option.
    assert_eq!(report.streams, plain.streams);
}

/// The timeline of the CLI's hand-worked why/when fixture (`cli/tests/data/why/page.json`):
/// samples from 10:00 to 10:07, one column a minute. A sample's band is the grade of the
/// lower audio MOS: 100 ms, 10 ms, 0 % gives R = 93.2 − 130/40 = 89.95, MOS ≈ 4.3 (good);
/// 300 ms, 50 ms, 3 % gives R = 93.2 − (410 − 120)/10 − 7.5 = 56.7, MOS ≈ 2.93 (poor).
#[test]
fn timeline_of_the_why_fixture_by_hand() {
    let mut json = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/cli/tests/data/why/page.json"
    ))
    .expect("the fixture");
    let mut table = Table::new();
    Decoder::default()
        .decode(&mut json, &mut table)
        .expect("decodes");
    let report = Analysis::new().timeline(true).meeting("why", &table);
    let timeline = report.timeline.expect("asked for");
    assert_eq!(timeline.start_s, 1_709_287_200); // 2024-03-01T10:00:00Z
    assert_eq!((timeline.column_s, timeline.columns), (60, 8));
    assert_eq!(timeline.untimed_samples, 1, "Bo's last sample has no time");
    let cells = |entry: usize| -> Vec<Option<(Grade, bool)>> {
        timeline.rows[entry]
            .cells
            .iter()
            .map(|c| c.grade.map(|g| (g, c.degraded)))
            .collect()
    };
    let poor = Some((Grade::Poor, true));
    // Ana: 10:00 fine, 10:01 poor and degraded, 10:02 200 ms (degraded, MOS still good:
    // EL = 230 ≥ 160, R = 93.2 − 11 = 82.2, MOS ≈ 4.10), 10:05 160 ms (EL 190, MOS ≈ 4.2).
    assert_eq!(
        cells(0),
        [
            Some((Grade::Good, false)),
            poor,
            Some((Grade::Good, true)),
            None,
            None,
            Some((Grade::Good, true)),
            None,
            None
        ]
    );
    // Ana again: two samples at 10:06 (one of them degraded: the cell is), one at 10:07,
    // 250 ms: EL = 270, R = 93.2 − 15 = 78.2, MOS ≈ 3.95 (fair).
    assert_eq!(cells(2)[6], Some((Grade::Good, true)));
    assert_eq!(cells(2)[7], Some((Grade::Fair, true)));
    // audio_input latency at 10:00: Ana 100, Bo 50 ms: p50 is the 1st of 2, p95 the 2nd.
    let latency = timeline
        .series
        .iter()
        .find(|s| s.stream == Stream::AudioInput && s.metric == Metric::Latency)
        .expect("a series");
    assert_eq!((latency.p50[0], latency.p95[0]), (Some(50.0), Some(100.0)));
    assert_eq!(latency.threshold, 150.0);
    // 10:03: nobody.
    assert_eq!((latency.p50[3], latency.p95[3]), (None, None));
    // Bo's audio_output has one sample: its series exists, with one column of values.
    let output = timeline
        .series
        .iter()
        .find(|s| s.stream == Stream::AudioOutput && s.metric == Metric::Jitter)
        .expect("a series");
    assert_eq!(output.p95.iter().flatten().count(), 1);
    assert_eq!(output.p95[0], Some(6.0));
}

/// The headline alone (what the export's meetings file reads) is the full report's
/// headline: reference, the full report of the same table.
#[cfg(feature = "arrow")]
#[test]
fn headline_only_gives_the_full_reports_headline_numbers() {
    use zoom_qos::export::{MeetingRow, meetings_batch};
    use zoom_qos::report::Dimension;
    use zoom_qos::synth::{MeetingShape, meeting_pages};

    for seed in 1..6 {
        let shape = MeetingShape {
            participants: 2 + seed as usize * 3,
            minutes: 10 + seed as usize * 13,
        };
        let mut table = Table::new();
        for page in meeting_pages(seed, shape) {
            Decoder::default()
                .decode(&mut page.into_bytes(), &mut table)
                .unwrap();
        }
        let full = Analysis::new().meeting("m", &table);
        let headline = Analysis::new().headline_only(true).meeting("m", &table);
        let batch = |report| meetings_batch(&[MeetingRow::new(report, &table)]).unwrap();
        assert_eq!(batch(&headline), batch(&full), "seed {seed}");
        // What is left out is left out, and was there in full.
        let bitrate = |r: &zoom_qos::MeetingReport| {
            r.streams.get(Stream::AudioInput, Metric::Bitrate).is_some()
        };
        assert!(bitrate(&full) && !bitrate(&headline), "seed {seed}");
        let by_network =
            |r: &zoom_qos::MeetingReport| r.breakdowns.get(Dimension::NetworkType).len();
        assert!(
            by_network(&full) > 0 && by_network(&headline) == 0,
            "seed {seed}"
        );
        assert_eq!(headline.participant_details, full.participant_details);
    }
}
