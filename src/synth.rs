//! Realistic synthetic QoS pages, deterministic per seed, for demos, tests and benchmarks.
//! Writes JSON text only: of the pipeline it uses only the time formatter of `units`.
//!
//! The pages look like the API's: at most 10 participants a page with a `next_page_token`,
//! one sample a minute, video that is off (blank strings) for some participants, screen
//! share that is mostly `0*0`, names with escapes and non-ASCII text, newer fields, unknown
//! keys, and the spelling variants seen in the wild (`"27.15kbps"`, `"0ms"`).
//!
//! Trouble is correlated, so that breakdowns and episodes have something to find: Wi-Fi
//! participants lose more packets, one data center (`SG`) has latency spikes, a third of
//! the meetings have a burst of 4 to 8 bad minutes for everyone, one participant in ten
//! sends two minutes out of order, and people (drawn from a pool of 400, so they recur
//! across meetings) sometimes rejoin. Meetings start on the seven days of the week of
//! 2021-06-21, at any hour of the day (UTC): late ones run past midnight.

use core::fmt::Write as _;

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for this seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..high` (`low` when the range is empty).
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        if high <= low {
            low
        } else {
            low + self.next_u64() % (high - low)
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }

    /// One of the items: the module's constant lists, never empty.
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        let index = self.range(0, items.len() as u64) as usize;
        items.get(index).copied().unwrap_or_default()
    }
}

/// The shape of one synthetic meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeetingShape {
    /// Participant entries.
    pub participants: usize,
    /// Samples (minutes) per participant.
    pub minutes: usize,
}

impl MeetingShape {
    /// A random shape: 2 to 40 participants, 10 to 90 minutes.
    pub fn random(rng: &mut Rng) -> Self {
        MeetingShape {
            participants: rng.range(2, 41) as usize,
            minutes: rng.range(10, 91) as usize,
        }
    }

    /// Pages of at most 10 participants.
    pub fn pages(&self) -> usize {
        self.participants.div_ceil(PAGE_SIZE).max(1)
    }
}

/// Monday 2021-06-21 00:00 UTC.
const WEEK_START_S: u64 = 1_624_233_600;

/// When a meeting starts: a day of the week and an hour of the day, both from the seed
/// (not from the generator's stream, so that the values drawn stay the same).
fn meeting_start_s(seed: u64) -> u64 {
    WEEK_START_S + seed % 7 * 86_400 + (seed / 7) % 24 * 3_600
}

/// The API's largest page size.
pub const PAGE_SIZE: usize = 10;

/// The pages of one meeting, as JSON texts, in order.
pub fn meeting_pages(seed: u64, shape: MeetingShape) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let start_s = meeting_start_s(seed);
    let pages = shape.pages();
    // A third of the meetings have a burst: everyone's link degrades for 4 to 8 minutes.
    let burst = rng.chance(35).then(|| {
        let start = rng.range(0, shape.minutes.max(1) as u64) as usize;
        start..start + rng.range(4, 9) as usize
    });
    (0..pages)
        .map(|page| {
            let first = page * PAGE_SIZE;
            let count = (shape.participants - first.min(shape.participants)).min(PAGE_SIZE);
            let token = if page + 1 < pages {
                format!("tok{seed:x}p{}", page + 1)
            } else {
                String::new()
            };
            page_json(
                &mut rng,
                start_s,
                pages,
                shape.participants,
                &token,
                first,
                count,
                shape.minutes,
                burst.clone(),
            )
        })
        .collect()
}

/// One page of `participants` entries of `minutes` samples each (for benchmarks).
pub fn page(seed: u64, participants: usize, minutes: usize) -> String {
    let mut rng = Rng::new(seed);
    page_json(
        &mut rng,
        meeting_start_s(seed),
        1,
        participants,
        "",
        0,
        participants,
        minutes,
        None,
    )
}

#[allow(clippy::too_many_arguments)] // one page's layout, all of it needed
fn page_json(
    rng: &mut Rng,
    start_s: u64,
    page_count: usize,
    total: usize,
    token: &str,
    first: usize,
    count: usize,
    minutes: usize,
    burst: Option<core::ops::Range<usize>>,
) -> String {
    let mut out = String::with_capacity(count * minutes * 1100 + 512);
    let _ = write!(
        out,
        "{{\"page_count\":{page_count},\"page_size\":{PAGE_SIZE},\"total_records\":{total},\"next_page_token\":\"{token}\",\"participants\":["
    );
    let mut previous = None;
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        previous = Some(participant(
            rng,
            start_s,
            &mut out,
            first + i,
            minutes,
            previous,
            burst.clone(),
        ));
    }
    out.push_str("]}");
    out
}

const NAMES: &[&str] = &[
    "Ana Souza",
    "Björn Åkesson",
    "Chidi \\\"CJ\\\" Okafor",
    "Dana O'Neil",
    "Élodie Martin",
    "Fatima \\u00c7elik",
    "G\\u00fcnter Schmidt",
    "Hiro 田中",
    "Ines \\ud83c\\udfa7 Ruiz",
    "",
];
const DEVICES: &[&str] = &[
    "Windows",
    "Mac",
    "iOS",
    "Android",
    "Phone",
    "H.323/SIP",
    "Linux",
];
const NETWORKS: &[&str] = &["Wired", "Wifi", "Cellular", "Others"];
const DATA_CENTERS: &[&str] = &["SC", "NY", "AM", "SY", "SG"];
/// The data center whose minutes see latency spikes.
const SPIKY_DATA_CENTER: &str = "SG";
const VERSIONS: &[&str] = &[
    "5.16.10 (20213)",
    "5.17.5 (31030)",
    "5.17.11 (34827)",
    "6.0.2 (38654)",
];
/// People a meeting's participants are drawn from: the same person joins several meetings.
const PEOPLE: u64 = 400;
const RESOLUTIONS: &[&str] = &["1280*720", "640*360", "1920*1080", "320*180", "960*540"];

/// Who a participant entry is: kept when the same person rejoins.
#[derive(Clone, Copy)]
struct Identity {
    person: u64,
    start_s: u64,
}

/// Writes one participant entry; returns who it was. Weak Wi-Fi links lose more packets, the
/// spiky data center has latency spikes, a burst degrades everyone, some samples come
/// out of order, and now and then the previous entry's person rejoins.
fn participant(
    rng: &mut Rng,
    meeting_start_s: u64,
    out: &mut String,
    index: usize,
    minutes: usize,
    previous: Option<Identity>,
    burst: Option<core::ops::Range<usize>>,
) -> Identity {
    let identity = match previous {
        Some(previous) if rng.chance(8) => Identity {
            person: previous.person,
            start_s: previous.start_s + 60 * minutes as u64 + rng.range(30, 300),
        },
        _ => Identity {
            person: rng.range(0, PEOPLE),
            start_s: meeting_start_s + rng.range(0, 600),
        },
    };
    let name = NAMES
        .get((identity.person % NAMES.len() as u64) as usize)
        .copied()
        .unwrap_or_default();
    let device = rng.pick(DEVICES);
    let video_on = rng.chance(70);
    let sharing = rng.chance(15);
    let network = rng.pick(NETWORKS);
    let data_center = rng.pick(DATA_CENTERS);
    // A participant with a bad link has worse numbers throughout.
    let bad_link = rng.chance(15);
    let start_s = identity.start_s;
    let _ = write!(
        out,
        "{{\"id\":\"p{index}\",\"user_id\":\"{}\",\"user_name\":\"{name}\",\"device\":\"{device}\",\
\"ip_address\":\"192.0.2.{}\",\"location\":\"San Jose (US)\",\"network_type\":\"{network}\",\
\"data_center\":\"{data_center}\",\"version\":\"{}\",\"email\":\"\",\"health\":\"{}\",\
\"os\":\"{device}\",\"client\":\"{}\",\"device_name\":\"{device}-{}\",\
\"issue_list\":{},\"share_desktop\":{sharing},\"total_jointime_cost\":{},\
\"internal_ip_addresses\":[\"10.0.0.{}\"],\"join_time\":\"{}\",\"leave_time\":\"\",\"user_qos\":[",
        16_700_000 + identity.person,
        index % 250,
        rng.pick(VERSIONS),
        if bad_link { "Warning" } else { "Normal" },
        if device == "Phone" {
            "phone"
        } else {
            "desktop"
        },
        identity.person,
        if bad_link { "[\"audio\"]" } else { "[]" },
        rng.range(100, 3000),
        index % 250,
        rfc3339(start_s),
    );
    // A Wi-Fi participant's signal, in dBm below zero: a weak one (under 67 dBm) loses
    // packets, a strong one does not.
    let wifi = (network == "Wifi").then(|| rng.range(40, 80));
    let spiky = data_center == SPIKY_DATA_CENTER;
    let mut samples: Vec<String> = (0..minutes)
        .map(|minute| {
            let link = Link {
                bad: bad_link || burst.as_ref().is_some_and(|b| b.contains(&minute)),
                lossy: wifi.is_some_and(|below| below > 67),
                spike: spiky && rng.chance(25),
            };
            let mut text = String::new();
            sample(
                rng,
                &mut text,
                start_s + 60 * minute as u64,
                video_on,
                sharing,
                wifi,
                link,
            );
            text
        })
        .collect();
    // One participant in ten sends two of its minutes in the wrong order.
    if samples.len() > 2 && rng.chance(10) {
        let at = rng.range(0, samples.len() as u64 - 1) as usize;
        samples.swap(at, at + 1);
    }
    out.push_str(&samples.join(","));
    out.push_str("]}");
    identity
}

/// What a minute's link is like.
#[derive(Clone, Copy)]
struct Link {
    /// Worse numbers all round (a bad link, or the meeting's burst).
    bad: bool,
    /// A weak Wi-Fi signal: more packets lost.
    lossy: bool,
    /// The spiky data center's latency spike.
    spike: bool,
}

fn sample(
    rng: &mut Rng,
    out: &mut String,
    time_s: u64,
    video: bool,
    sharing: bool,
    wifi: Option<u64>,
    link: Link,
) {
    let bad = link.bad;
    // About one minute in 200 carries no data at all.
    if rng.range(0, 200) == 0 {
        out.push_str("{\"date_time\":\"\"}");
        return;
    }
    let _ = write!(out, "{{\"date_time\":\"{}\"", rfc3339(time_s));
    for name in ["audio_input", "audio_output"] {
        let _ = write!(out, ",\"{name}\":");
        stream(rng, out, link, Picture::None, (20, 90));
    }
    for name in ["video_input", "video_output"] {
        let _ = write!(out, ",\"{name}\":");
        if video {
            stream(rng, out, link, Picture::Video, (300, 2500));
        } else {
            blank_stream(out);
        }
    }
    for name in ["as_input", "as_output"] {
        let _ = write!(out, ",\"{name}\":");
        if sharing {
            stream(rng, out, link, Picture::Share, (60, 900));
        } else {
            out.push_str(
                "{\"bitrate\":\"\",\"latency\":\"\",\"jitter\":\"\",\"avg_loss\":\"\",\"max_loss\":\"\",\"resolution\":\"0*0\",\"frame_rate\":\"\"}",
            );
        }
    }
    let system = if bad && rng.chance(20) {
        rng.range(85, 100)
    } else {
        rng.range(10, 80)
    };
    let zoom_avg = rng.range(2, 30);
    let _ = write!(
        out,
        ",\"cpu_usage\":{{\"zoom_min_cpu_usage\":\"{}%\",\"zoom_avg_cpu_usage\":\"{zoom_avg}%\",\"zoom_max_cpu_usage\":\"{}%\",\"system_max_cpu_usage\":\"{system}%\"}}",
        zoom_avg / 2,
        zoom_avg + rng.range(0, 20),
    );
    if let Some(below) = wifi {
        let avg = -((below + rng.range(0, 6)) as i64);
        let _ = write!(
            out,
            ",\"wifi_rssi\":{{\"max_rssi\":{},\"avg_rssi\":{avg},\"min_rssi\":{},\"rssi_unit\":\"dBm\"}}",
            avg + 4,
            avg - 5
        );
    }
    // A loaded machine reports pressure: its minute's max level, and sometimes its avg.
    let (avg_level, max_level) = match system {
        90.. => ("fair", "critical"),
        85.. => ("normal", "serious"),
        75.. => ("normal", "fair"),
        _ => ("normal", "normal"),
    };
    let _ = write!(
        out,
        ",\"cpu_pressure_level\":{{\"system_min_cpu_pressure_level\":\"normal\",\"system_avg_cpu_pressure_level\":\"{avg_level}\",\"system_max_cpu_pressure_level\":\"{max_level}\"}}"
    );
    // Zoom's own word and score of the minute, from newer answers.
    let score = if bad {
        rng.range(180, 330)
    } else {
        rng.range(330, 470)
    };
    let word = match score {
        400.. => "good",
        300.. => "fair",
        _ => "poor",
    };
    let _ = write!(
        out,
        ",\"quality\":\"{word}\",\"quality_score\":\"{}.{:02}\"",
        score / 100,
        score % 100
    );
    out.push_str(",\"x_future_metric\":{\"a\":[1,2,{\"b\":null}]}}");
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Picture {
    None,
    Video,
    Share,
}

fn blank_stream(out: &mut String) {
    out.push_str(
        "{\"bitrate\":\"\",\"latency\":\"\",\"jitter\":\"\",\"avg_loss\":\"\",\"max_loss\":\"\",\"resolution\":\"\",\"frame_rate\":\"\"}",
    );
}

fn stream(rng: &mut Rng, out: &mut String, link: Link, picture: Picture, kbps: (u64, u64)) {
    let bad = link.bad;
    let latency = if link.spike {
        rng.range(250, 600)
    } else if bad && rng.chance(40) {
        rng.range(150, 900)
    } else {
        rng.range(15, 160)
    };
    let jitter = match picture {
        Picture::Share => rng.range(0, 700),
        _ if bad && rng.chance(30) => rng.range(30, 120),
        _ => rng.range(0, 25),
    };
    let loss_bp = if bad && rng.chance(30) {
        rng.range(100, 900)
    } else if link.lossy && rng.chance(30) {
        rng.range(50, 400)
    } else {
        rng.range(0, 60)
    };
    let max_loss_bp = loss_bp + rng.range(0, 300);
    out.push_str("{\"bitrate\":\"");
    let bitrate = rng.range(kbps.0, kbps.1);
    // The spellings seen in the wild: decimals, no space.
    match rng.range(0, 10) {
        0 => {
            let _ = write!(out, "{bitrate}.{:02}kbps", rng.range(0, 100));
        }
        1 => {
            let _ = write!(out, "{bitrate}.{:02} kbps", rng.range(0, 100));
        }
        _ => {
            let _ = write!(out, "{bitrate} kbps");
        }
    }
    let unit_gap = if rng.chance(10) { "" } else { " " };
    let _ = write!(
        out,
        "\",\"latency\":\"{latency}{unit_gap}ms\",\"jitter\":\"{jitter} ms\",\"avg_loss\":\"{}.{:02}%\",\"max_loss\":\"{}.{:02}%\"",
        loss_bp / 100,
        loss_bp % 100,
        max_loss_bp / 100,
        max_loss_bp % 100
    );
    match picture {
        Picture::None => {}
        Picture::Video => {
            let fps = if bad && rng.chance(30) {
                rng.range(1, 10)
            } else {
                rng.range(10, 31)
            };
            let _ = write!(
                out,
                ",\"resolution\":\"{}\",\"frame_rate\":\"{fps} fps\"",
                rng.pick(RESOLUTIONS)
            );
        }
        Picture::Share => {
            let _ = write!(
                out,
                ",\"resolution\":\"1920*1080\",\"frame_rate\":\"{} fps\"",
                rng.range(1, 15)
            );
        }
    }
    out.push('}');
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch (from 1970 on).
pub fn rfc3339(epoch_s: u64) -> String {
    crate::units::Rfc3339(i64::try_from(epoch_s).unwrap_or(i64::MAX)).to_string()
}
