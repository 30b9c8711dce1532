//! A small service as an embedder would write it, end to end in memory:
//!
//! 1. pages fetched through the sans-IO [`client::Pages`], with its own (here: canned)
//!    HTTP;
//! 2. meetings decoded in parallel, each worker reusing one [`Decoder`] and one [`Table`];
//! 3. the account rolled up across threads ([`AccountRollup`]);
//! 4. the report stored as JSON and read back ([`Report`] is `Deserialize`);
//! 5. bad input: an error with its byte offset, and an invalid value counted, never zero;
//! 6. one meeting's report and its samples as Arrow record batches
//!    ([`Analysis::meeting_and_samples`], [`export::Samples`]).
//!
//! Run it with `cargo run --example embedder --features client,arrow,synth`. Every step
//! asserts what it got, so the run fails if the library changes under it.

use rayon::prelude::*;
use zoom_qos::aggregate::AccountRollup;
use zoom_qos::client::{Endpoint, HttpResponse, Kind, Pages, QosType, Query, RetryPolicy, Step};
use zoom_qos::synth::{self, MeetingShape};
use zoom_qos::{Analysis, Decoder, ErrorKind, Metric, Report, Stream, Table, client, export};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Fetching, with your own HTTP stack: `Pages` says which URL to get next and what
    //    each answer means. Here the "server" is two canned pages of a generated meeting.
    let served = synth::meeting_pages(
        7,
        MeetingShape {
            participants: 12,
            minutes: 30,
        },
    );
    let endpoint = Endpoint::ParticipantsQos {
        kind: Kind::Meeting,
        id: "85746065432".into(),
    };
    let query = Query::new(QosType::Past, 10)?;
    let mut pages = Pages::new(
        client::DEFAULT_API_BASE,
        &endpoint,
        query,
        false,
        RetryPolicy::default(),
    );
    let mut fetched: Vec<Vec<u8>> = Vec::new();
    while let Some(url) = pages.next_url() {
        let body = served[fetched.len()].as_bytes(); // your HTTP GET of `url` goes here
        assert!(
            url.contains("/metrics/meetings/85746065432/participants/qos"),
            "{url}"
        );
        let answer = HttpResponse {
            status: 200,
            retry_after: None,
            rate_limit_type: None,
            body,
        };
        match pages.on_response(&answer)? {
            Step::Page { .. } => fetched.push(body.to_vec()),
            Step::Retry { after } => std::thread::sleep(after),
            Step::Reauthenticate => unreachable!("a token of our own, never refused here"),
        }
    }
    assert_eq!(fetched.len(), served.len(), "every page of the chain");

    // 2 and 3. Meetings in parallel: each rayon worker keeps one decoder, one table and
    //    one rollup, reused from meeting to meeting; the rollups merge at the end.
    let mut meetings: Vec<(String, Vec<Vec<u8>>)> = vec![("fetched".into(), fetched)];
    for seed in 0..8 {
        let pages = synth::meeting_pages(
            seed,
            MeetingShape {
                participants: 6,
                minutes: 20,
            },
        );
        meetings.push((
            format!("meeting-{seed}"),
            pages.into_iter().map(String::into_bytes).collect(),
        ));
    }
    let analysis = Analysis::new().sequential(true); // parallel across meetings instead
    let (reports, rollup) = meetings
        .par_iter()
        .fold(
            || {
                (
                    Vec::new(),
                    Decoder::default(),
                    Table::new(),
                    AccountRollup::new(),
                )
            },
            |(mut reports, mut decoder, mut table, mut rollup), (name, pages)| {
                table.clear();
                for page in pages {
                    let mut page = page.clone(); // simd-json parses the buffer in place
                    decoder
                        .decode(&mut page, &mut table)
                        .expect("generated pages decode");
                }
                reports.push(analysis.meeting_into(name, &table, &mut rollup));
                (reports, decoder, table, rollup)
            },
        )
        .map(|(reports, _, _, rollup)| (reports, rollup))
        .reduce(
            || (Vec::new(), AccountRollup::new()),
            |(mut all, mut account), (reports, rollup)| {
                all.extend(reports);
                account.merge(rollup);
                (all, account)
            },
        );
    let mut report = Report::new(reports, Vec::new());
    report.meetings.sort_by(|a, b| a.meeting.cmp(&b.meeting));
    report.account = Some(rollup.finish());
    let account = report.account.as_ref().expect("set above");
    assert_eq!(account.meetings, 9);
    assert_eq!(
        account.samples,
        report.meetings.iter().map(|m| m.samples).sum::<u64>()
    );

    // 4. Stored and read back: the same report, and the same bytes.
    let mut stored = Vec::new();
    report.write_json(&mut stored)?;
    let read: Report = serde_json::from_slice(&stored)?;
    assert_eq!(read, report);
    let latency = read.meetings[0]
        .streams
        .get(Stream::AudioInput, Metric::Latency);
    println!(
        "{} meetings, {} samples; {} audio_input latency p95: {:?} ms",
        account.meetings,
        account.samples,
        read.meetings[0].meeting,
        latency.and_then(|s| s.p95)
    );

    // 5. Bad input: malformed JSON is an error with its byte offset, and leaves the table
    //    as it was; an invalid value is counted and located, never read as zero.
    let mut table = Table::new();
    let mut decoder = Decoder::default();
    let error = decoder
        .decode(&mut br#"{"participants": [}"#.to_vec(), &mut table)
        .expect_err("malformed");
    assert!(matches!(error.kind(), ErrorKind::Json { .. }), "{error}");
    println!("a malformed page: {error}");
    let mut page =
        br#"{"participants": [{"user_qos": [{"audio_input": {"latency": "N/A"}}]}]}"#.to_vec();
    decoder.decode(&mut page, &mut table)?;
    assert_eq!(table.diagnostics().invalid_values(), 1);
    assert_eq!(
        table
            .stream(Stream::AudioInput)
            .and_then(|c| c.stored(Metric::Latency, 0)),
        None
    );

    // 6. Arrow: a meeting's report and its samples, from one computation of each sample's
    //    flags and MOS, so that the two agree.
    let mut table = Table::new();
    for page in &meetings[1].1 {
        decoder.decode(&mut page.clone(), &mut table)?;
    }
    let (report, samples) = analysis.meeting_and_samples(&meetings[1].0, &table);
    let rows: usize = samples
        .by_date()
        .iter()
        .map(|(_, rows)| samples.batch(rows).map(|batch| batch.num_rows()))
        .sum::<Result<_, export::ArrowError>>()?;
    assert_eq!(rows as u64, report.samples);
    println!(
        "{rows} samples of {} as Arrow record batches",
        meetings[1].0
    );
    Ok(())
}
