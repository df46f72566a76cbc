//! The small parsers of the hot path, on bytes: trimming, local times at fixed
//! positions, boolean words, channel and direction words, and the period a time
//! falls in.

use super::Granularity;
use chiso_core::kpi::{Period, days_in_month};

/// A local time packed so that comparing two packed values compares the times:
/// year, month, day, hour, minute and second in bit fields, most significant first.
pub(crate) type Stamp = u64;

/// Trims ASCII spaces and tabs at both ends.
pub(crate) fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// `YYYY-MM-DDTHH:MM:SS`, `YYYY-MM-DD HH:MM:SS`, or either without `:SS`; the date
/// and the time must exist (2024-02-30 and 24:00 do not).
pub(crate) fn parse_stamp(s: &[u8]) -> Option<Stamp> {
    let seconds = match s.len() {
        19 if s[16] == b':' => Some([s[17], s[18]]),
        16 => None,
        _ => return None,
    };
    let b: &[u8; 16] = s.first_chunk()?;
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
        return None;
    }
    let digit = |c: u8| -> Option<u32> {
        let d = c.wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |hi: u8, lo: u8| -> Option<u32> { Some(digit(hi)? * 10 + digit(lo)?) };
    let year = two(b[0], b[1])? * 100 + two(b[2], b[3])?;
    let (month, day) = (two(b[5], b[6])?, two(b[8], b[9])?);
    let (hour, minute) = (two(b[11], b[12])?, two(b[14], b[15])?);
    let second = match seconds {
        Some([hi, lo]) => two(hi, lo)?,
        None => 0,
    };
    let month_ok = (1..=12).contains(&month);
    if !month_ok || day == 0 || (day > 28 && day > u32::from(days_in_month(year as i32, month as u8))) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = (u64::from(year) << 9) | (u64::from(month) << 5) | u64::from(day);
    let time = (u64::from(hour) << 12) | (u64::from(minute) << 6) | u64::from(second);
    Some((date << 17) | time)
}

fn stamp_year_month(stamp: Stamp) -> (u32, u32) {
    let date = stamp >> 17;
    ((date >> 9) as u32, ((date >> 5) & 0xf) as u32)
}

/// The period of a time as a small ordered number: months, quarters or years
/// counted from year 0.
pub(crate) fn period_key(stamp: Stamp, granularity: Granularity) -> u32 {
    let (year, month) = stamp_year_month(stamp);
    match granularity {
        Granularity::Month => year * 12 + (month - 1),
        Granularity::Quarter => year * 4 + (month - 1) / 3,
        Granularity::Year => year,
    }
}

/// The period a key of [`period_key`] stands for.
pub(crate) fn key_period(key: u32, granularity: Granularity) -> Period {
    match granularity {
        Granularity::Month => Period::Month((key / 12) as i32, (key % 12 + 1) as u8),
        Granularity::Quarter => Period::Quarter((key / 4) as i32, (key % 4 + 1) as u8),
        Granularity::Year => Period::Year(key as i32),
    }
}

/// A period as written in observations (`2024-09`, `2024-Q3`, `2024`), with the
/// year always in four digits (so that `Period` parses it back, even for a stray
/// year 0900).
pub(crate) fn period_text(key: u32, granularity: Granularity) -> String {
    match key_period(key, granularity) {
        Period::Month(y, m) => format!("{y:04}-{m:02}"),
        Period::Quarter(y, q) => format!("{y:04}-Q{q}"),
        Period::Year(y) | Period::Day(y, ..) => format!("{y:04}"),
    }
}

/// The boolean words of the assessment package (`chiso_core::rule::parse_boolean`),
/// with the common spellings matched on bytes first.
pub(crate) fn parse_bool(s: &[u8]) -> Option<bool> {
    match s {
        b"true" | b"1" => Some(true),
        b"false" | b"0" => Some(false),
        _ => std::str::from_utf8(s).ok().and_then(chiso_core::rule::parse_boolean),
    }
}

/// Matches `word` (lower-case ASCII) ignoring ASCII case.
pub(crate) fn is_word(s: &[u8], word: &[u8]) -> bool {
    s == word || s.eq_ignore_ascii_case(word)
}

/// A field's text for a message: lossy UTF-8, at most 60 characters.
pub(crate) fn shown(s: &[u8]) -> String {
    let text = String::from_utf8_lossy(s);
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(s: &str) -> Option<Stamp> {
        parse_stamp(s.as_bytes())
    }

    #[test]
    fn the_three_time_spellings_parse_to_the_same_instant() {
        let t = stamp("2024-03-04T08:15:00");
        assert!(t.is_some());
        assert_eq!(stamp("2024-03-04 08:15:00"), t);
        assert_eq!(stamp("2024-03-04T08:15"), t);
        assert_eq!(stamp("2024-03-04 08:15"), t);
    }

    #[test]
    fn impossible_or_misspelt_times_are_refused() {
        for text in [
            "",
            "2024-03-04",
            "2024-02-30T10:00:00",
            "2023-02-29T10:00:00",
            "2024-13-01T00:00:00",
            "2024-00-01T00:00:00",
            "2024-01-00T00:00:00",
            "2024-01-01T24:00:00",
            "2024-01-01T23:60:00",
            "2024-01-01T23:59:60",
            "2024-01-01X23:59:00",
            "2024/01/01T23:59:00",
            "2024-01-01T23:59:0",
            "2024-01-01T23:59:00Z",
            "2024-01-01T23:59:00.5",
            "2024-1-01T23:59:00",
            "20x4-01-01T23:59:00",
        ] {
            assert_eq!(stamp(text), None, "{text}");
        }
        assert!(stamp("2024-02-29T23:59:59").is_some());
    }

    #[test]
    fn packed_times_compare_like_the_times() {
        let ordered = [
            "1999-12-31T23:59:59",
            "2024-01-31T23:59:59",
            "2024-02-01T00:00:00",
            "2024-02-01T00:00:01",
            "2024-02-01T00:01:00",
            "2024-02-01T01:00:00",
            "2024-02-02T00:00:00",
            "9999-12-31T23:59:59",
        ];
        let stamps: Vec<_> = ordered.iter().map(|t| stamp(t)).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    }

    #[test]
    fn periods_follow_the_granularity() {
        let t = stamp("2024-09-30T17:00:00").unwrap_or_default();
        for (g, text) in
            [(Granularity::Month, "2024-09"), (Granularity::Quarter, "2024-Q3"), (Granularity::Year, "2024")]
        {
            assert_eq!(key_period(period_key(t, g), g).to_string(), text);
            assert_eq!(period_text(period_key(t, g), g), text);
        }
        let jan = stamp("2024-01-01T00:00:00").unwrap_or_default();
        assert_eq!(
            key_period(period_key(jan, Granularity::Quarter), Granularity::Quarter).to_string(),
            "2024-Q1"
        );
    }

    #[test]
    fn boolean_words_are_those_of_the_package() {
        for yes in ["1", "true", "yes", "có", "x", "TRUE", "Có", "X"] {
            assert_eq!(parse_bool(yes.as_bytes()), Some(true), "{yes}");
        }
        for no in ["0", "false", "no", "không", "KHÔNG"] {
            assert_eq!(parse_bool(no.as_bytes()), Some(false), "{no}");
        }
        for bad in ["", "maybe", "2", "y"] {
            assert_eq!(parse_bool(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn fields_are_trimmed_of_spaces_and_tabs() {
        assert_eq!(trim(b"  a b\t"), b"a b");
        assert_eq!(trim(b" \t "), b"");
    }
}
