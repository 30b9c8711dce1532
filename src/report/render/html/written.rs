//! How the page writes numbers, names and times as text.

use crate::report::Episode;

/// A name as shown: a blank one says so.
pub(super) fn name(user_name: &str) -> &str {
    if user_name.trim().is_empty() {
        "(no name)"
    } else {
        user_name
    }
}

/// `HH:MM` of an RFC 3339 time (`YYYY-MM-DDTHH:MM:SSZ`); anything else as it is.
pub(super) fn short_time(time: &str) -> &str {
    time.get(11..16).unwrap_or(time)
}

/// The flags an episode raised, with their counts.
pub(super) fn flags(episode: &Episode) -> String {
    episode
        .by_flag
        .named()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) use crate::report::share;

pub(super) fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}%", 100.0 * share(part, whole))
}

/// A number as people read it: no trailing zeros, at most two decimals.
pub(super) fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

pub(super) fn opt(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), num)
}

pub(super) fn fmt1(value: f64) -> String {
    format!("{value:.1}")
}

/// At most `chars` characters, with an ellipsis when cut.
pub(super) fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
