//! Numbers as people write them in values files: `97%`, `74,8`, `74.8`.

/// Parses a number written the way the assessment package allows: an optional sign,
/// digits with one decimal separator (`.` or `,`), an optional trailing `%` (dropped:
/// `97%` is 97). A thousands separator is not accepted, so `1,234.5` and `1.234,5`
/// are refused rather than guessed.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let text = text.strip_suffix('%').map(str::trim_end).unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let separators = text.matches([',', '.']).count();
    if separators > 1 {
        return None;
    }
    let normalised = text.replace(',', ".");
    let body = normalised.strip_prefix(['-', '+']).unwrap_or(&normalised);
    let well_formed = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.chars().any(|c| c.is_ascii_digit());
    if !well_formed {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn accepts_the_forms_the_spec_names() {
        assert_eq!(parse_number("97%"), Some(97.0));
        assert_eq!(parse_number("74,8"), Some(74.8));
        assert_eq!(parse_number("74.8"), Some(74.8));
        assert_eq!(parse_number(" 12 "), Some(12.0));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("96,5 %"), Some(96.5));
        assert_eq!(parse_number(".5"), Some(0.5));
    }

    #[test]
    fn refuses_thousands_separators_and_words() {
        assert_eq!(parse_number("1,234.5"), None);
        assert_eq!(parse_number("1.234,5"), None);
        assert_eq!(parse_number("có"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("%"), None);
        assert_eq!(parse_number("1e5"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("-"), None);
    }
}
