//! The account rollup: its percentiles against the exact nearest-rank values over every
//! sample of a generated corpus (the stated bound: at most 0.1 % above; equal below 2,048
//! steps of the data's resolution), its exact parts, merging, and people seen in several
//! meetings.

use zoom_qos::aggregate::AccountRollup;
use zoom_qos::report::{Dimension, Grade, Stats};
use zoom_qos::synth::{self, MeetingShape};
use zoom_qos::{Analysis, Decoder, MeetingReport, Metric, Stream, Table};

fn meeting(seed: u64, shape: MeetingShape) -> Table {
    let mut table = Table::new();
    let mut decoder = Decoder::default();
    for page in synth::meeting_pages(seed, shape) {
        decoder
            .decode(&mut page.into_bytes(), &mut table)
            .expect("generated pages decode");
    }
    table
}

fn corpus() -> Vec<(Table, MeetingReport)> {
    (0..24)
        .map(|i| {
            let shape = MeetingShape {
                participants: 3 + (i * 7) % 23,
                minutes: 10 + (i * 13) % 50,
            };
            let table = meeting(100 + i as u64, shape);
            let report = Analysis::new().meeting(&format!("m{i:02}"), &table);
            (table, report)
        })
        .collect()
}

/// Oracle: every present value of a stream metric over every table, in report units,
/// sorted: nearest rank by index.
fn exact(tables: &[&Table], stream: Stream, metric: Metric) -> (Vec<f64>, u64) {
    let mut values = Vec::new();
    let mut samples = 0;
    for table in tables {
        samples += table.samples() as u64;
        if let Some(columns) = table.stream(stream) {
            for row in 0..table.samples() {
                values.extend(columns.value(metric, row));
            }
        }
    }
    values.sort_by(f64::total_cmp);
    (values, samples)
}

#[test]
fn account_percentiles_are_within_the_stated_bound_of_the_exact_ones() {
    let corpus = corpus();
    let mut rollup = AccountRollup::new();
    for (table, report) in &corpus {
        rollup.add(&Analysis::new(), table, report);
    }
    let account = rollup.finish();
    assert_eq!(account.meetings, 24);
    assert_eq!(account.percentile_digits, 3);
    let tables: Vec<&Table> = corpus.iter().map(|(t, _)| t).collect();
    let bound = 10f64.powi(-i32::from(account.percentile_digits));
    let mut worst_error: f64 = 0.0;
    let mut checked = 0;
    let mut exact_checked = 0;
    for (stream, metrics) in account.streams.iter() {
        for (name, got) in metrics.iter() {
            let metric = *Metric::ALL
                .iter()
                .find(|m| m.report_name() == name)
                .expect("a metric");
            let (values, samples) = exact(&tables, stream, metric);
            assert_eq!(got.count, values.len() as u64, "{stream} {name}");
            assert_eq!(
                got.missing,
                samples - values.len() as u64,
                "{stream} {name}"
            );
            assert_eq!(
                got.min,
                values.first().copied(),
                "{stream} {name}: min is exact"
            );
            assert_eq!(
                got.max,
                values.last().copied(),
                "{stream} {name}: max is exact"
            );
            if !values.is_empty() {
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let got_mean = got.mean.expect("a mean");
                assert!(
                    (got_mean - mean).abs() <= 1e-9 * mean.abs().max(1.0),
                    "{stream} {name}"
                );
            }
            // The values' grid in stored units: the API's resolution (whole ms, ...).
            let per = f64::from(metric.descriptor().per_report_unit);
            let step = values.iter().map(|v| (v * per).round() as u64).fold(0, gcd);
            for (percent, value) in Stats::PERCENTILES.iter().zip(got.percentiles()) {
                let Some(index) = naive_nearest_rank(values.len(), *percent) else {
                    assert_eq!(value, None);
                    continue;
                };
                let want = values[index];
                let value = value.expect("a percentile");
                // Below 2,048 steps of the grid, exact: a value some sample had.
                if ((want * per).round() as u64) < 2048 * step.max(1) {
                    assert_eq!(value, want, "{stream} {name} p{percent}: exact");
                    exact_checked += 1;
                }
                assert!(
                    value >= want,
                    "{stream} {name} p{percent}: {value} < {want}"
                );
                let error = if want == 0.0 {
                    value
                } else {
                    (value - want) / want
                };
                assert!(
                    error <= bound,
                    "{stream} {name} p{percent}: {value} vs exact {want}, {error}"
                );
                worst_error = worst_error.max(error);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(
        exact_checked * 2 > checked,
        "{exact_checked} of {checked} exact"
    );
    println!(
        "account percentiles: {checked} checked, {exact_checked} exact (on the data's grid), \
         largest relative error {worst_error:.6}"
    );
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[test]
fn merged_rollups_equal_one_rollup() {
    let corpus = corpus();
    let mut one = AccountRollup::new();
    let (mut left, mut right) = (AccountRollup::new(), AccountRollup::new());
    for (i, (table, report)) in corpus.iter().enumerate() {
        one.add(&Analysis::new(), table, report);
        if i % 3 == 0 { &mut left } else { &mut right }.add(&Analysis::new(), table, report);
    }
    left.merge(right);
    let (merged, one) = (left.finish(), one.finish());
    assert_eq!(merged.streams, one.streams);
    assert_eq!(merged.breakdowns, one.breakdowns);
    assert_eq!(merged.worst_meetings, one.worst_meetings);
    let key = |r: &zoom_qos::report::AccountReport| {
        let mut people: Vec<_> = r
            .repeat_participants
            .iter()
            .map(|p| (p.key.clone(), p.meetings, p.samples, p.degraded))
            .collect();
        people.sort();
        people
    };
    assert_eq!(key(&merged), key(&one));
    assert_eq!(
        merged.repeat_participants, one.repeat_participants,
        "names too: the order of adding does not matter"
    );
}

#[test]
fn people_in_several_meetings_are_counted_once_per_meeting() {
    let page = |entries: &str| {
        let mut table = Table::new();
        Decoder::default()
            .decode(
                &mut format!(r#"{{"participants": [{entries}]}}"#).into_bytes(),
                &mut table,
            )
            .expect("decodes");
        table
    };
    let bad = r#"{"audio_input": {"latency": "400 ms", "jitter": "2 ms", "avg_loss": "0%"}}"#;
    let good = r#"{"audio_input": {"latency": "20 ms", "jitter": "2 ms", "avg_loss": "0%"}}"#;
    // Ana rejoins in the first meeting: two entries, one meeting. Bo has no user_id but an
    // email; Cy only a name; a nameless entry has no key at all.
    let first = page(&format!(
        r#"{{"user_id": "ana", "user_name": "Ana", "user_qos": [{bad}, {bad}]}},
           {{"user_id": "ana", "user_name": "Ana", "user_qos": [{good}]}},
           {{"email": "bo@example.com", "user_name": "Bo", "user_qos": [{good}]}},
           {{"user_name": "Cy", "network_type": "Wifi", "user_qos": [{bad}]}},
           {{"user_qos": [{bad}]}}"#
    ));
    let second = page(&format!(
        r#"{{"user_id": "ana", "user_name": "Ana L.", "user_qos": [{bad}]}},
           {{"email": "bo@example.com", "user_qos": [{bad}]}},
           {{"user_name": "Cy", "network_type": "Wifi", "user_qos": [{good}]}}"#
    ));
    let mut rollup = AccountRollup::new();
    for (name, table) in [("first", &first), ("second", &second)] {
        rollup.add(
            &Analysis::new(),
            table,
            &Analysis::new().meeting(name, table),
        );
    }
    let account = rollup.finish();
    let people: Vec<(&str, u64, u64, u64)> = account
        .repeat_participants
        .iter()
        .map(|p| (p.key.as_str(), p.meetings, p.samples, p.degraded))
        .collect();
    assert_eq!(
        people,
        [
            ("user_id:ana", 2, 4, 3),
            ("email:bo@example.com", 2, 2, 1),
            ("user_name:Cy", 2, 2, 1)
        ]
    );
    let ana = &account.repeat_participants[0];
    assert_eq!(
        (ana.user_name.as_str(), &*ana.key_field),
        ("Ana", "user_id")
    );
    assert_eq!(
        ana.grades.counts().iter().sum::<u64>(),
        3,
        "one grade per entry"
    );
    // 400 ms: EL 414, R = 93.2 - (414 - 120)/10 = 63.8, MOS about 3.28: fair. Her entry of
    // 20 ms is good; the other two fair.
    assert_eq!(
        (ana.grades.get(Grade::Good), ana.grades.get(Grade::Fair)),
        (1, 2)
    );
    let wifi = &account.breakdowns.get(Dimension::NetworkType)["Wifi"];
    assert_eq!((wifi.participants, wifi.samples, wifi.degraded), (2, 2, 1));
    assert_eq!(
        wifi.latency_ms_p95,
        Some(400.0),
        "p95 of 20 and 400 ms: 400"
    );
    // 4 of 6 degraded, and 2 of 3: equal shares, so the name decides.
    let worst: Vec<&str> = account
        .worst_meetings
        .iter()
        .map(|m| m.meeting.as_str())
        .collect();
    assert_eq!(worst, ["first", "second"]);
    assert_eq!((account.samples, account.degraded), (9, 6));
}

/// The command's path, `Analysis::meeting_into` (which hands the rollup the values the
/// report gathered), against the library's plain path, `meeting` then `AccountRollup::add`
/// (which reads them from the table): the same reports and the same account.
#[test]
fn meeting_into_equals_meeting_then_add() {
    let corpus = corpus();
    let (mut into, mut added) = (AccountRollup::new(), AccountRollup::new());
    for (i, (table, _)) in corpus.iter().enumerate() {
        let name = format!("m{i:02}");
        let via_into = Analysis::new().meeting_into(&name, table, &mut into);
        let plain = Analysis::new().meeting(&name, table);
        added.add(&Analysis::new(), table, &plain);
        assert_eq!(via_into, plain, "{name}");
    }
    assert_eq!(into.finish(), added.finish());
}

/// The oracle's own nearest rank, written from its definition and not the crate's: the
/// smallest rank r with r / n ≥ p / 100, in whole numbers (r · 100 ≥ p · n), as an index.
fn naive_nearest_rank(n: usize, percent: u32) -> Option<usize> {
    (1..=n)
        .find(|r| r * 100 >= percent as usize * n)
        .map(|r| r - 1)
}

/// The day and hour view, against a plain oracle: each sample's local day and hour from
/// its own time and the zone's offset at that instant (here +02:00, then +01:00 from
/// 22:00 UTC, as a clock change would), degraded when its latency is over the threshold.
/// A 1-person meeting, however bad, is not among the worst; the span is in the zone.
#[test]
fn days_and_hours_follow_the_zone_and_small_meetings_are_not_the_worst() {
    use std::collections::BTreeMap;
    use zoom_qos::aggregate::AccountView;

    let start_s = 1_624_571_400; // 2021-06-24T21:50:00Z
    let sample = |minute: i64, bad: bool| {
        let time = synth::rfc3339((start_s + 60 * minute) as u64);
        let latency = if bad { "400 ms" } else { "20 ms" };
        format!(
            r#"{{"date_time": "{time}", "audio_input": {{"latency": "{latency}", "jitter": "2 ms", "avg_loss": "0%"}}}}"#
        )
    };
    let person = |name: &str, minutes: std::ops::Range<i64>, every: i64| {
        let samples: Vec<String> = minutes.map(|m| sample(m, m % every == 0)).collect();
        format!(
            r#"{{"user_name": "{name}", "user_qos": [{}]}}"#,
            samples.join(",")
        )
    };
    let untimed = r#"{"user_name": "Dee", "user_qos": [{"audio_input": {"latency": "400 ms"}}]}"#;
    let pages = [
        (
            "big",
            format!(
                r#"{{"participants": [{}, {}, {}, {untimed}]}}"#,
                person("Ana", 0..40, 3),
                person("Bo", 5..25, 2),
                person("Cy", 100..130, 5)
            ),
        ),
        (
            "tiny",
            format!(r#"{{"participants": [{}]}}"#, person("Eve", 0..5, 1)),
        ),
    ];
    let offset = |epoch_s: i64| -> i32 { if epoch_s < 1_624_572_000 { 7200 } else { 3600 } };
    let mut rollup = AccountRollup::new();
    let mut oracle: [BTreeMap<String, (u64, u64)>; 2] = Default::default();
    for (name, page) in &pages {
        let mut table = Table::new();
        Decoder::default()
            .decode(&mut page.clone().into_bytes(), &mut table)
            .expect("decodes");
        for row in 0..table.samples() {
            let Some(time_s) = table.time_s(row) else {
                continue;
            };
            let latency = table
                .stream(Stream::AudioInput)
                .and_then(|s| s.value(Metric::Latency, row))
                .expect("latency");
            let local = time_s + i64::from(offset(time_s));
            let day = synth::rfc3339(local as u64)[..10].to_owned();
            let hour = synth::rfc3339(local as u64)[11..13].to_owned();
            for (tally, key) in oracle.iter_mut().zip([day, hour]) {
                let entry = tally.entry(key).or_default();
                entry.0 += 1;
                entry.1 += u64::from(latency > 150.0);
            }
        }
        Analysis::new().meeting_into(name, &table, &mut rollup);
    }
    let view = AccountView::default().zone(zoom_qos::report::Zone::new("Test/Zone", &offset));
    let account = rollup.finish_in(&view);
    let got = |periods: &[zoom_qos::report::Period]| -> BTreeMap<String, (u64, u64)> {
        periods
            .iter()
            .map(|p| (p.period.clone(), (p.samples, p.degraded)))
            .collect()
    };
    assert_eq!(got(&account.days), oracle[0]);
    assert_eq!(got(&account.hours), oracle[1]);
    assert!(
        account.days.len() == 2 && account.hours.len() == 2,
        "{account:?}"
    );
    assert_eq!(account.untimed_samples, 1);
    assert_eq!(account.zone, "Test/Zone");
    assert_eq!(
        account.first_sample.as_deref(),
        Some("2021-06-24T23:50:00+02:00")
    );
    // Cy's last sample: minute 129, 2021-06-24T23:59Z, +01:00 by then.
    assert_eq!(
        account.last_sample.as_deref(),
        Some("2021-06-25T00:59:00+01:00")
    );
    let worst: Vec<&str> = account
        .worst_meetings
        .iter()
        .map(|m| m.meeting.as_str())
        .collect();
    assert_eq!(worst, ["big"], "tiny has 1 participant and 5 samples");
    assert_eq!(account.meetings, 2);
    assert_eq!(account.people, 5);
}
