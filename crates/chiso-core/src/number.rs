//! Numbers as people and other tools write them in values files: `97%`, `74,8`,
//! `74.8`, and the scientific notation of R, Python and Excel (`6.6e-05`, `1E+3`).

/// Parses a number written the way the assessment package allows.
///
/// The grammar (ASCII only, surrounding whitespace ignored):
///
/// ```text
/// number   = sign? mantissa exponent? percent?
/// sign     = "+" | "-"
/// mantissa = digits (sep digits?)? | sep digits      12  12.5  12.  .5  74,8
/// sep      = "." | ","                               one separator, always decimal
/// exponent = ("e" | "E") sign? digits                6.6e-05  1E+3  7,5e-3
/// percent  = spaces? "%"                             97%  96,5 %  (dropped: 97% is 97)
/// ```
///
/// The value must be finite: `1e400` (which overflows) is refused, as are `inf`,
/// `NaN`, hexadecimal `0x10`, digit groups `1_000` or `1 000`, and thousands
/// separators: `1.000` is one, and `1,234.5` or `1.234,5` (two separators) are
/// refused rather than guessed.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = trim(text);
    let text = text.strip_suffix('%').map(str::trim_end).unwrap_or(text);
    let value: f64 = match separator(text.as_bytes())? {
        // Rust reads a decimal point only; a decimal comma is rare enough to copy for.
        Some(b',') => text.replacen(',', ".", 1).parse(),
        _ => text.parse(),
    }
    .ok()?;
    value.is_finite().then_some(value)
}

/// [`str::trim`], quick for the usual text that has nothing to trim (a third of a
/// million values in a national package).
pub fn trim(text: &str) -> &str {
    // Unicode whitespace is ASCII whitespace or starts and ends with bytes ≥ 0x80.
    let nothing_at = |byte: Option<&u8>| byte.is_none_or(u8::is_ascii_graphic);
    let bytes = text.as_bytes();
    if nothing_at(bytes.first()) && nothing_at(bytes.last()) { text } else { text.trim() }
}

/// Checks `s` against the grammar of [`parse_number`] (without the percent sign):
/// `None` if it does not follow it, else its decimal separator, if it has one.
fn separator(s: &[u8]) -> Option<Option<u8>> {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let s = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let whole = digits(s);
    let mut rest = &s[whole..];
    let mut fraction = 0;
    let mut separator = None;
    if let Some(&sep @ (b'.' | b',')) = rest.first() {
        separator = Some(sep);
        fraction = digits(&rest[1..]);
        rest = &rest[1 + fraction..];
    }
    if whole + fraction == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = rest.first() {
        let exponent = match rest.get(1) {
            Some(b'+' | b'-') => &rest[2..],
            _ => &rest[1..],
        };
        let n = digits(exponent);
        return (n > 0 && n == exponent.len()).then_some(separator);
    }
    rest.is_empty().then_some(separator)
}

#[cfg(test)]
mod tests {
    use super::parse_number;
    use proptest::prelude::*;

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
    fn accepts_scientific_notation_as_r_python_and_excel_write_it() {
        // R's write.csv and pandas' to_csv
        assert_eq!(parse_number("6.6e-05"), Some(6.6e-5));
        assert_eq!(parse_number("1e+05"), Some(1e5));
        assert_eq!(parse_number("-2.5e-07"), Some(-2.5e-7));
        assert_eq!(parse_number("1e-07"), Some(1e-7));
        // Excel's CSV export and General format
        assert_eq!(parse_number("1.5E+03"), Some(1500.0));
        assert_eq!(parse_number("1E3"), Some(1000.0));
        assert_eq!(parse_number("1E+3"), Some(1000.0));
        // the spec's examples, with a decimal comma too
        assert_eq!(parse_number("6.66e-05"), Some(6.66e-5));
        assert_eq!(parse_number("7,5e-3"), Some(7.5e-3));
        assert_eq!(parse_number("-2.5e-7"), Some(-2.5e-7));
        // a percentage may carry an exponent
        assert_eq!(parse_number("9.75e1%"), Some(97.5));
    }

    #[test]
    fn accepts_a_leading_plus_and_a_bare_decimal_separator() {
        assert_eq!(parse_number("+3"), Some(3.0));
        assert_eq!(parse_number("+.5"), Some(0.5));
        assert_eq!(parse_number("-.5"), Some(-0.5));
        assert_eq!(parse_number(",5"), Some(0.5));
        assert_eq!(parse_number("5."), Some(5.0));
        assert_eq!(parse_number("5.e2"), Some(500.0));
        assert_eq!(parse_number(".5e1"), Some(5.0));
        assert_eq!(parse_number("1e-400"), Some(0.0), "an underflow is a (tiny) number");
    }

    #[test]
    fn trim_is_str_trim() {
        for text in
            ["", " ", "x", " x", "x ", "\u{a0}74,8\u{a0}", "\t97%\n", "có", " có ", "\u{3000}1\u{2003}", "é"]
        {
            assert_eq!(super::trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn one_separator_is_always_a_decimal_separator() {
        assert_eq!(parse_number("1.000"), Some(1.0));
        assert_eq!(parse_number("1,000"), Some(1.0));
        assert_eq!(parse_number("1.000e3"), Some(1000.0));
    }

    #[test]
    fn refuses_thousands_separators_and_words() {
        assert_eq!(parse_number("1,234.5"), None);
        assert_eq!(parse_number("1.234,5"), None);
        assert_eq!(parse_number("1.234.567"), None);
        assert_eq!(parse_number("có"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("%"), None);
        assert_eq!(parse_number("-"), None);
    }

    #[test]
    fn refuses_what_is_not_a_finite_decimal_number() {
        for text in [
            "inf", "-inf", "+inf", "Infinity", "NaN", "nan", "NA", "1e400", "-1e400", "0x10", "0b1", "1_000",
            "1 000", "1e", "1e+", "e5", "E5", ".e5", ".", ",", "+", "+-1", "--1", "1e5.5", "1e5%%", "1d5",
            "1.5.", "5e-3e2", "½", "١٢", "−3", "1 %5", "1,5,",
        ] {
            assert_eq!(parse_number(text), None, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn every_finite_double_written_by_rust_reads_back_to_itself(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            for text in [format!("{v}"), format!("{v:e}"), format!("{v:E}"), format!("{v:?}")] {
                prop_assert_eq!(parse_number(&text).map(f64::to_bits), Some(bits), "{}", text);
                let comma = text.replace('.', ",");
                prop_assert_eq!(parse_number(&comma).map(f64::to_bits), Some(bits), "{}", comma);
            }
        }

        #[test]
        fn doubles_written_the_r_and_python_way_read_back(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            // R: 15 significant digits, two-digit signed exponent (`6.6e-05`);
            // Python's repr: the shortest, exponent with a sign (`1e+100`).
            let mantissa_exponent = format!("{v:.14e}");
            let (mantissa, exponent) = mantissa_exponent.split_once('e').unwrap_or((&mantissa_exponent, "0"));
            let exponent: i32 = exponent.parse().unwrap_or(0);
            let r = format!("{mantissa}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.abs());
            let expected: f64 = mantissa_exponent.parse().unwrap_or(f64::NAN);
            // Rounded to 15 digits, the largest doubles overflow: those are refused.
            prop_assume!(expected.is_finite());
            prop_assert_eq!(parse_number(&r), Some(expected), "{}", r);
        }

        #[test]
        fn trim_agrees_with_str_trim(text in "(\\s|\\PC){0,6}") {
            prop_assert_eq!(super::trim(&text), text.trim());
        }

        #[test]
        fn arbitrary_text_never_panics_and_never_gives_a_non_finite_number(text in ".{0,40}") {
            if let Some(v) = parse_number(&text) {
                prop_assert!(v.is_finite());
            }
        }
    }
}
