//! Languages and names. Vietnamese first, English always.

use std::fmt;
use std::str::FromStr;

/// The months' names in English (Vietnamese numbers them: "tháng 3"), for
/// dates and periods written in words.
pub const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The language of names, messages and number formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Vietnamese: the default; decimal comma (74,8).
    #[default]
    Vi,
    /// English: decimal point (74.8).
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Picks the Vietnamese or the English text.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// Formats a number with exactly `decimals` decimals (rounded half away from
    /// zero), with the decimal separator of the language and no thousands separator.
    pub fn number(self, value: f64, decimals: u32) -> String {
        let rounded = crate::rank::round_half_away(value, decimals);
        let text = format!("{rounded:.prec$}", prec = decimals as usize);
        let text = if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
            text[1..].to_string()
        } else {
            text
        };
        match self {
            Lang::Vi => text.replace('.', ","),
            Lang::En => text,
        }
    }
}

impl Lang {
    /// A number as short as it can be written (100, 2,5), up to 6 decimals.
    pub fn plain(self, value: f64) -> String {
        let text = self.number(value, 6);
        let text = text.trim_end_matches('0');
        text.trim_end_matches([',', '.']).to_string()
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (use vi or en)")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Names {
    pub vi: String,
    pub en: String,
}

impl Names {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Names { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.vi, &self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::Vi.number(74.8, 1), "74,8");
        assert_eq!(Lang::En.number(74.8, 1), "74.8");
        assert_eq!(Lang::Vi.number(91.475, 2), "91,48");
        assert_eq!(Lang::En.number(2.0, 0), "2");
        assert_eq!(Lang::En.number(-0.0001, 2), "0.00");
        assert_eq!(Lang::Vi.plain(100.0), "100");
        assert_eq!(Lang::Vi.plain(2.5), "2,5");
    }

    #[test]
    fn language_codes_parse() {
        assert_eq!("VI".parse::<Lang>(), Ok(Lang::Vi));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }
}

/// A name as written in a file, before validation: either language may be absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NamesDef {
    pub vi: Option<String>,
    pub en: Option<String>,
}

impl NamesDef {
    pub fn new(vi: &str, en: &str) -> Self {
        NamesDef { vi: Some(vi.to_string()), en: Some(en.to_string()) }
    }

    /// Both languages, non-empty, or the name of the first one missing.
    pub fn validate(&self) -> Result<Names, &'static str> {
        fn present(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let vi = present(&self.vi).ok_or("vi")?;
        let en = present(&self.en).ok_or("en")?;
        Ok(Names::new(vi, en))
    }
}

/// A free text in both languages: one written once stands for both; an empty one
/// is none.
pub(crate) fn free_text(def: Option<&NamesDef>) -> Option<Names> {
    let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let def = def?;
    let (vi, en) = (clean(&def.vi), clean(&def.en));
    match (vi, en) {
        (None, None) => None,
        (vi, en) => {
            let (vi, en) = (vi.clone().or(en.clone()).unwrap_or_default(), en.or(vi).unwrap_or_default());
            Some(Names::new(vi, en))
        }
    }
}
