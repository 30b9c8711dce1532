//! Reports read back: report → JSON → report → JSON gives the same bytes, and the same
//! report. The oracle is the first rendering: whatever `Deserialize` misses or changes
//! (a dropped field, a renamed key, a reordered map, a float that does not read back)
//! shows as a difference.

use proptest::prelude::*;
use zoom_qos::aggregate::AccountRollup;
use zoom_qos::report::MeetingError;
use zoom_qos::synth::{self, MeetingShape};
use zoom_qos::{Analysis, Decoder, Report, Table};

fn json(report: &Report) -> String {
    let mut out = Vec::new();
    report.write_json(&mut out).expect("rendered");
    String::from_utf8(out).expect("UTF-8")
}

/// The report of generated meetings, with every optional part: per-participant STATS,
/// the timeline, the account rollup, a summary page and a failed meeting.
fn report(seed: u64, meetings: usize, shape: MeetingShape) -> Report {
    let analysis = Analysis::new().participant_stats(true).timeline(true);
    let mut rollup = AccountRollup::new();
    let mut reports = Vec::new();
    for index in 0..meetings {
        let mut table = Table::new();
        let mut decoder = Decoder::default();
        for page in synth::meeting_pages(seed.wrapping_add(index as u64), shape) {
            decoder
                .decode(&mut page.into_bytes(), &mut table)
                .expect("generated pages decode");
        }
        let name = format!("meeting-{index}");
        reports.push(analysis.meeting_into(&name, &table, &mut rollup));
    }
    let mut summary = Table::new();
    let mut page = std::fs::read("cli/tests/data/summary/standup-summary.json").expect("fixture");
    Decoder::default()
        .decode(&mut page, &mut summary)
        .expect("summary page");
    reports.push(analysis.meeting("summary", &summary));
    let errors = vec![MeetingError::new(
        "bad",
        Some("bad.json".to_owned()),
        Some(12),
        "malformed JSON at byte 12: expected value",
    )];
    let mut report = Report::new(reports, errors);
    report.account = Some(rollup.finish());
    report
}

/// Where two renderings part, with a little context, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = at.saturating_sub(80);
    let context = |s: &str| s.get(from..(at + 80).min(s.len())).unwrap_or("").to_owned();
    format!(
        "at byte {at}:\n first: {}\nsecond: {}",
        context(a),
        context(b)
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn a_report_reads_back_as_itself(
        seed in any::<u64>(),
        meetings in 1usize..4,
        participants in 1usize..12,
        minutes in 1usize..40,
    ) {
        let report = report(seed, meetings, MeetingShape { participants, minutes });
        let first = json(&report);
        let read: Report = serde_json::from_str(&first).expect("report v1 reads back");
        let second = json(&read);
        prop_assert!(second == first, "differs from the first rendering {}", first_difference(&first, &second));
        prop_assert!(read == report, "the same JSON, yet a different report");
    }
}

#[test]
fn the_committed_sample_report_reads_back() {
    // The parts a fresh report of the sample has (account, summary, timeline) are
    // checked by the property; this is the simplest document, without them.
    let report = Report::new(Vec::new(), Vec::new());
    let text = json(&report);
    let read: Report = serde_json::from_str(&text).expect("reads back");
    assert_eq!(read, report);
    let unknown = serde_json::from_str::<Report>(
        r#"{"version":1,"meetings":[{"meeting":"m","streams":{"audio_inpt":{}}}],"errors":[]}"#,
    );
    assert!(
        unknown.is_err(),
        "a misspelt stream is an error, never dropped"
    );
}
