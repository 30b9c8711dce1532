//! Text for a terminal: control characters escaped, widths measured as a terminal shows
//! them (`unicode-width`), long names cut with `…`, and plurals.

use unicode_width::UnicodeWidthChar;

/// `text` with every control character (ANSI escapes, line breaks, tabs, ...) written as a
/// visible escape (`\u{1b}`), so that nothing from the input can move the cursor or break
/// a line: for anything that prints the input's text to a terminal.
pub fn escape_controls(text: &str) -> String {
    escape_controls_but(text, &[])
}

/// [`escape_controls`], leaving the control characters `kept` as they are (for a format
/// that has its own way of writing them, as CSV has for line breaks).
pub(super) fn escape_controls_but(text: &str, kept: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !kept.contains(&c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// How many columns a terminal gives `text` (which holds no control characters).
pub(super) fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text`, control characters escaped, cut to at most `width` columns (ending in `…` when
/// cut) and padded with spaces to exactly `width` columns.
pub(super) fn fit(text: &str, width: usize) -> String {
    let text = escape_controls(text);
    let mut out = String::new();
    let mut used = 0;
    if display_width(&text) > width {
        let room = width.saturating_sub(1);
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    } else {
        out.push_str(&text);
        used = display_width(&text);
    }
    out.extend(core::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `n thing` or `n things`.
pub(super) fn count(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// `2021-06-24` -> `Thu 06-24` (the year is said where the dates are introduced); any
/// other text as it is.
pub(super) fn weekday_and_day(date: &str) -> String {
    // 1970-01-01 was a Thursday.
    const NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    match parts[..] {
        [year, month, day] => {
            let days = crate::units::days_from_civil(i64::from(year), month, day);
            let weekday = NAMES[days.rem_euclid(7) as usize];
            format!("{weekday} {}", date.get(5..).unwrap_or(date))
        }
        _ => date.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_wide_characters_measured() {
        assert_eq!(
            escape_controls("a\u{1b}[31mb\n\t"),
            "a\\u{1b}[31mb\\u{a}\\u{9}"
        );
        assert_eq!(
            display_width("Hiro 田中"),
            9,
            "CJK characters take two columns"
        );
        assert_eq!(display_width("Ines 🎧 Ruiz"), 12);
        assert_eq!(fit("Hiro 田中", 10), "Hiro 田中 ");
        assert_eq!(
            fit("Hiro 田中", 8),
            "Hiro 田…",
            "a cut never splits a wide character"
        );
        assert_eq!(display_width(&fit("Hiro 田中", 8)), 8);
        assert_eq!(fit("abc", 2), "a…");
        assert_eq!(count(1, "page", "pages"), "1 page");
        assert_eq!(count(0, "page", "pages"), "0 pages");
    }
}
