//! Every field Zoom sends, and every shape it sends it in: fixtures written here from the
//! published shapes (`../shared/docs/zoom-qos-api.md`), each report worked out by hand in
//! the comments beside its assertions.

use zoom_qos::report::{Dimension, Flag, MeetingReport};
use zoom_qos::view::Page;
use zoom_qos::{
    Analysis, DecodeConfig, Decoder, ErrorKind, ParticipantField, SampleField, Table, Thresholds,
};

/// The pages decoded one after the other into a table, by the fast route; and the same
/// pages by the serde views, which must agree value for value.
fn table_of(pages: &[&str], config: &DecodeConfig) -> Result<Table, zoom_qos::Error> {
    let mut table = Table::new();
    let mut decoder = Decoder::new(config.clone());
    for page in pages {
        decoder.decode(&mut page.as_bytes().to_vec(), &mut table)?;
    }
    let mut by_views = Table::new();
    for page in pages {
        let mut bytes = page.as_bytes().to_vec();
        let view = Page::from_slice(&mut bytes).expect("the views read it too");
        by_views.push_view(&view, config).expect("and write it");
    }
    if views_read(pages) {
        // The tables' text may be laid out in another order: compare what they report.
        let analysis = Analysis::new().sequential(true);
        assert!(
            analysis.meeting("m", &table) == analysis.meeting("m", &by_views),
            "both routes agree"
        );
    }
    Ok(table)
}

/// The views read list pages of per-minute samples (`participants` or `users`); the
/// single-participant answer has its own view type, and summary entries none.
fn views_read(pages: &[&str]) -> bool {
    pages.iter().all(|p| {
        (p.contains("\"participants\"") || p.contains("\"users\"")) && !p.contains("\"qos\"")
    })
}

fn report_of(pages: &[&str]) -> MeetingReport {
    let table = table_of(pages, &DecodeConfig::default()).expect("decodes");
    Analysis::new().sequential(true).meeting("m", &table)
}

/// Ana on Wi-Fi with CPU pressure and Zoom's quality fields; Ben wired, with none.
const WIFI_PAGE: &str = r#"{"page_count": 1, "page_size": 10, "total_records": 2,
 "next_page_token": "", "participants": [
  {"id": "p1", "user_id": "1", "user_name": "Ana", "device": "Mac", "os": "Mac",
   "client": "mac", "device_name": "Ana's MacBook", "network_type": "Wifi", "user_qos": [
    {"date_time": "2025-11-20T10:00:00Z",
     "audio_input": {"latency": "40 ms", "jitter": "5 ms", "avg_loss": "0.1%"},
     "wifi_rssi": {"max_rssi": -45, "avg_rssi": -48, "min_rssi": -52, "rssi_unit": "dBm"},
     "cpu_pressure_level": {"system_min_cpu_pressure_level": "normal",
       "system_avg_cpu_pressure_level": "normal", "system_max_cpu_pressure_level": "normal"},
     "quality": "good", "quality_score": "4.10"},
    {"date_time": "2025-11-20T10:01:00Z",
     "audio_input": {"latency": "60 ms", "jitter": "5 ms", "avg_loss": "0.1%"},
     "wifi_rssi": {"min_rssi": -35, "max_rssi": -75, "rssi_unit": "dBm"},
     "cpu_pressure_level": {"system_max_cpu_pressure_level": "serious"},
     "quality": "fair", "quality_score": "3.20"},
    {"date_time": "2025-11-20T10:02:00Z",
     "audio_input": {"latency": "180 ms", "jitter": "5 ms", "avg_loss": "0.1%"},
     "wifi_rssi": {"max_rssi": -58, "avg_rssi": -63, "min_rssi": -66, "rssi_unit": "dBm"},
     "quality": "good", "quality_score": 3.9}
  ]},
  {"user_id": "2", "user_name": "Ben", "network_type": "Wired", "user_qos": [
    {"date_time": "2025-11-20T10:00:00Z",
     "audio_input": {"latency": "30 ms", "jitter": "2 ms", "avg_loss": "0%"}}]}
 ]}"#;

#[test]
fn wifi_signal_is_reported_banded_and_flagged_without_counting_as_degraded() {
    let report = report_of(&[WIFI_PAGE]);
    assert_eq!((report.participants, report.samples), (2, 4));
    // Per sample, whatever the fields' order: weakest -52, -75 (min -35 above max -75),
    // -66; average -48, none, -63; strongest -45, -35, -58. Ben has none: 4 samples.
    let stat = |name: &str| {
        let s = report.wifi.get(name).expect(name);
        (s.count, s.missing, s.min, s.p50, s.max)
    };
    // Nearest-rank p50 of three values is the 2nd smallest, of two the 1st.
    assert_eq!(
        stat("min_rssi_dbm"),
        (3, 1, Some(-75.0), Some(-66.0), Some(-52.0))
    );
    assert_eq!(
        stat("avg_rssi_dbm"),
        (2, 2, Some(-63.0), Some(-63.0), Some(-48.0))
    );
    assert_eq!(
        stat("max_rssi_dbm"),
        (3, 1, Some(-58.0), Some(-45.0), Some(-35.0))
    );
    let ana = &report.participant_details[0];
    assert_eq!(ana.wifi.get("min_rssi_dbm").map(|s| s.count), Some(3));
    assert!(
        report.participant_details[1].wifi.is_empty(),
        "Ben is wired"
    );

    // The signal: avg -48 (excellent), else the weaker of -35 and -75 (weak), avg -63
    // (fair). Only the weak one raises weak_wifi; the degraded sample is the 180 ms one.
    assert_eq!(report.degraded.by_flag.get(Flag::WeakWifi), 1);
    assert_eq!(ana.degraded_by_flag.get(Flag::WeakWifi), 1);
    assert_eq!(
        report.degraded.samples, 1,
        "weak_wifi alone is not degraded"
    );
    let bands = report.breakdowns.get(Dimension::WifiSignal);
    let band = |name: &str| {
        let b = bands.get(name).expect(name);
        (b.participants, b.samples, b.degraded, b.latency_ms_p95)
    };
    assert_eq!(band("excellent"), (1, 1, 0, Some(40.0)));
    assert_eq!(band("weak"), (1, 1, 0, Some(60.0)));
    assert_eq!(band("fair"), (1, 1, 1, Some(180.0)));
    assert_eq!(bands.len(), 3, "Ben's sample has no signal: in no band");

    // Made part of degraded, the weak sample counts too.
    let table = table_of(&[WIFI_PAGE], &DecodeConfig::default()).expect("decodes");
    let thresholds = Thresholds::default().with_weak_wifi_degrades(true);
    let strict = Analysis::new().thresholds(thresholds).meeting("m", &table);
    assert_eq!(strict.degraded.samples, 2);
    // And the threshold moves: at -80 dBm nothing is weak.
    let lower = Thresholds::default()
        .with_limit(Flag::WeakWifi, -80.0)
        .expect("finite");
    let lower = Analysis::new().thresholds(lower).meeting("m", &table);
    assert_eq!(lower.degraded.by_flag.get(Flag::WeakWifi), 0);
}

#[test]
fn cpu_pressure_quality_and_the_participants_own_fields_are_kept() {
    let report = report_of(&[WIFI_PAGE]);
    // Levels by each sample's max: normal, serious; the third sample has none.
    let counts = |pairs: &[(&str, u64)]| {
        pairs
            .iter()
            .map(|&(w, n)| (w.to_owned(), n))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(
        report.cpu_pressure,
        counts(&[("normal", 1), ("serious", 1)])
    );
    let pressure = report.breakdowns.get(Dimension::CpuPressure);
    let serious = pressure.get("serious").expect("serious");
    assert_eq!((serious.samples, serious.latency_ms_p95), (1, Some(60.0)));
    assert_eq!(pressure.get("normal").map(|b| b.samples), Some(1));
    // Quality words good, fair, good; scores 4.10, 3.20 and 3.9 (a number), median 3.9.
    assert_eq!(report.quality, counts(&[("fair", 1), ("good", 2)]));
    let score = report.quality_score.expect("scores");
    assert_eq!((score.count, score.missing, score.p50), (3, 1, Some(3.9)));
    let ana = &report.participant_details[0];
    assert_eq!(ana.quality_score_p50, Some(3.9));
    assert_eq!(ana.cpu_pressure, counts(&[("normal", 1), ("serious", 1)]));
    assert_eq!(
        (
            ana.os.as_str(),
            ana.client.as_str(),
            ana.device_name.as_str()
        ),
        ("Mac", "mac", "Ana's MacBook")
    );
    let table = table_of(&[WIFI_PAGE], &DecodeConfig::default()).expect("decodes");
    assert_eq!(
        table.sample_word(SampleField::CpuPressureMin, 0),
        Some("normal")
    );
    assert_eq!(table.sample_word(SampleField::CpuPressureMin, 1), None);
    assert_eq!(table.quality_score(2), Some(3.9));
    // The JSON report carries them.
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(
        json["participant_details"][0]["device_name"],
        "Ana's MacBook"
    );
    assert_eq!(json["breakdowns"]["wifi_signal"]["weak"]["samples"], 1);
    assert_eq!(json["degraded"]["by_flag"]["weak_wifi"], 1);
}

#[test]
fn an_incomplete_chain_is_marked_with_what_is_missing() {
    // One participant of the two announced, and a next page named but not read.
    let first = r#"{"page_count": 2, "page_size": 1, "total_records": 2,
      "next_page_token": "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3", "participants": [
      {"user_name": "Ana", "user_qos": [{"date_time": "2025-11-20T10:00:00Z"}]}]}"#;
    let report = report_of(&[first]);
    assert!(!report.complete);
    let missing = report.missing.as_deref().expect("says what");
    assert!(missing.contains("names a next page"), "{missing}");
    assert!(
        missing.contains("1 of the 2 participant entries"),
        "{missing}"
    );
    // With the second page read, it is whole.
    let last = r#"{"page_count": 2, "page_size": 1, "total_records": 2,
      "next_page_token": "", "participants": [
      {"user_name": "Ben", "user_qos": [{"date_time": "2025-11-20T10:00:00Z"}]}]}"#;
    let report = report_of(&[first, last]);
    assert!(report.complete, "{:?}", report.missing);
    assert_eq!(report.missing, None);
    // The official sample's placeholder `total_records` says nothing: not a gap.
    let placeholder = r#"{"total_records": "integer [int64]", "participants": [
      {"user_name": "Ana", "user_qos": []}]}"#;
    assert!(report_of(&[placeholder]).complete);
    // A report written before the field reads back as whole.
    let mut json = serde_json::to_value(report_of(&[first])).expect("serialises");
    let fields = json.as_object_mut().expect("an object");
    fields.remove("complete");
    fields.remove("missing");
    let old: MeetingReport = serde_json::from_value(json).expect("version 1 stays valid");
    assert!(old.complete);
}

#[test]
fn a_summary_only_meeting_counts_its_participants_and_pools_extremes() {
    // Ana's worst loss is 0.4 %, though the averages are 0.03 % and 0.02 %; her system
    // CPU is sent only as a max, 71 %.
    let page = r#"{"total_records": 2, "next_page_token": "", "participants": [
      {"id": "a", "user_name": "Ana", "qos": [
        {"type": "audio_input", "details": {"min_loss": "0.01%", "avg_loss": "0.03%",
          "max_loss": "0.4%", "avg_latency": "40 ms", "max_latency": "90 ms"}},
        {"type": "cpu_usage", "details": {"system_max_cpu_usage": "71%",
          "zoom_avg_cpu_usage": "12%", "system_min_cpu_pressure_level": "normal",
          "system_max_cpu_pressure_level": "serious"}}]},
      {"id": "b", "user_name": "Ben", "qos": [
        {"type": "audio_input", "details": {"min_loss": "0%", "avg_loss": "0.02%",
          "max_loss": "0.1%", "min_latency": "20 ms", "avg_latency": "30 ms"}},
        {"type": "cpu_pressure_level", "details": {"system_avg_cpu_pressure_level": "normal"}}]}]}"#;
    let report = report_of(&[page]);
    assert_eq!((report.participants, report.samples), (2, 0));
    assert!(report.complete);
    // No per-minute sample, no MOS: both unclassified, so the grades add up to the
    // participants (the `page` fuzz target found them counting none).
    let grades = report.grades.named();
    assert_eq!(grades.iter().map(|(_, n)| n).sum::<u64>(), 2);
    assert!(grades.contains(&("unclassified", 2)), "{grades:?}");
    let summary = report.summary.expect("a summary");
    let loss = summary.pooled["audio_input"]["loss_pct"];
    // min of mins 0 %, mean of averages (0.03 + 0.02) / 2, max of maxes 0.4 %.
    assert_eq!((loss.min, loss.max), (Some(0.0), Some(0.4)));
    assert!((loss.avg.expect("avg") - 0.025).abs() < 1e-9, "{loss:?}");
    let latency = summary.pooled["audio_input"]["latency_ms"];
    assert_eq!((latency.min, latency.max), (Some(20.0), Some(90.0)));
    let cpu = summary.pooled["cpu_usage"]["system_cpu_pct"];
    assert_eq!((cpu.min, cpu.avg, cpu.max), (None, None, Some(71.0)));
    // CPU pressure, wherever an entry sends it: Ana's max level is serious; Ben sends only
    // an average, normal.
    let ana = &summary.participants[0].cpu_pressure_level;
    assert_eq!(
        ana.get("system_max_cpu_pressure_level").map(String::as_str),
        Some("serious")
    );
    assert_eq!(
        ana.get("system_min_cpu_pressure_level").map(String::as_str),
        Some("normal")
    );
    assert_eq!(ana.len(), 2);
    let levels: Vec<(&str, u64)> = summary
        .cpu_pressure
        .iter()
        .map(|(l, &n)| (l.as_str(), n))
        .collect();
    assert_eq!(levels, [("normal", 1), ("serious", 1)]);
}

#[test]
fn video_sdk_users_pages_read_as_participants() {
    let minutes = r#"{"page_size": 10, "total_records": 1, "next_page_token": "", "users": [
      {"id": "u1", "name": "Cy", "user_key": "key-1", "device": "iOS", "is_original_host": true,
       "user_qos": [{"date_time": "2025-11-20T10:00:00Z",
         "audio_input": {"latency": "20 ms", "jitter": "3 ms", "avg_loss": "0.5%",
           "bitrate": "23 Kbps"}}]}]}"#;
    let table = table_of(&[minutes], &DecodeConfig::default()).expect("a users page");
    let cy = table.participant(0).expect("one user");
    assert_eq!(
        (
            cy.user_name(),
            cy.field(ParticipantField::UserKey),
            cy.field(ParticipantField::Id)
        ),
        ("Cy", "key-1", "u1")
    );
    let report = Analysis::new().meeting("session", &table);
    assert_eq!((report.participants, report.samples), (1, 1));
    assert_eq!(report.participant_details[0].user_name, "Cy");
    let summary = r#"{"users": [{"id": "u1", "name": "Cy", "qos": [
      {"type": "audio_input", "details": {"avg_latency": "20 ms", "max_latency": "35 ms"}}]}]}"#;
    let report = report_of(&[summary]);
    let summary = report.summary.expect("summary entries");
    assert_eq!(summary.participants[0].user_name, "Cy");
    assert_eq!(summary.pooled["audio_input"]["latency_ms"].max, Some(35.0));
    // A user's own `user_name`, if sent, wins over the alias `name`, in either order, in
    // per-minute and summary entries alike.
    for both in [
        r#"{"users": [{"name": "alias", "user_name": "Real", "user_qos": []}]}"#,
        r#"{"users": [{"user_name": "Real", "name": "alias", "user_qos": []}]}"#,
    ] {
        let table = table_of(&[both], &DecodeConfig::default()).expect("decodes");
        assert_eq!(table.participant(0).map(|p| p.user_name()), Some("Real"));
    }
    let summary = r#"{"users": [{"user_name": "Real", "name": "alias", "qos": []}]}"#;
    let table = table_of(&[summary], &DecodeConfig::default()).expect("decodes");
    assert_eq!(table.summary().next().map(|e| e.user_name()), Some("Real"));
}

#[test]
fn a_user_qos_object_is_one_sample_counted_and_refused_in_strict_mode() {
    let list = r#"{"participants": [{"user_name": "Dee", "user_qos":
      {"date_time": "2025-11-20T10:00:00Z", "audio_input": {"latency": "20 ms"}}}]}"#;
    let single = r#"{"user_name": "Dee", "user_qos":
      {"date_time": "2025-11-20T10:00:00Z", "audio_input": {"latency": "20 ms"}}}"#;
    for page in [list, single] {
        let report = report_of(&[page]);
        assert_eq!((report.samples, report.user_qos_objects), (1, 1), "{page}");
        let latency = report
            .streams
            .get(zoom_qos::Stream::AudioInput, zoom_qos::Metric::Latency)
            .expect("latency");
        assert_eq!(latency.max, Some(20.0));
    }
    for (page, path) in [(list, "participants[0].user_qos"), (single, "user_qos")] {
        let error = table_of(&[page], &DecodeConfig::default().strict(true))
            .expect_err("strict refuses the object");
        match error.kind() {
            ErrorKind::Shape { path: p, found, .. } => {
                assert_eq!((p.as_str(), *found), (path, "an object"));
            }
            other => panic!("{other:?}"),
        }
    }
}
