//! The language of a request (Vietnamese by default, English by a switch that
//! persists in a cookie) and the helpers templates use to write text and numbers.

use crate::cookies;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chiso_core::Lang;
use std::convert::Infallible;

/// The request's language: `?lang=` if given, else the cookie, else Vietnamese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale(pub Lang);

pub fn parse_lang(code: &str) -> Option<Lang> {
    match code {
        "vi" => Some(Lang::Vi),
        "en" => Some(Lang::En),
        _ => None,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Locale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|query| {
            query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == "lang")
        });
        let lang = from_query
            .and_then(|(_, code)| parse_lang(code))
            .or_else(|| cookies::get(&parts.headers, cookies::LANG).and_then(parse_lang))
            .unwrap_or(Lang::Vi);
        Ok(Locale(lang))
    }
}

/// What templates call to write in the page's language: `{{ l.t("Xếp hạng", "Rank") }}`.
#[derive(Debug, Clone, Copy)]
pub struct L(pub Lang);

impl L {
    pub fn t(&self, vi: &'static str, en: &'static str) -> &'static str {
        self.0.pick(vi, en)
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}

/// A number for reading: up to `decimals` decimals, thousands grouped the way the
/// language writes them (35.275 / 35,275; 2,5 / 2.5).
pub fn grouped(lang: Lang, value: f64, decimals: u32) -> String {
    let factor = 10f64.powi(decimals as i32);
    let text = lang.plain((value * factor).round() / factor);
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (decimal_mark, group_mark) = match lang {
        Lang::Vi => (',', '.'),
        Lang::En => ('.', ','),
    };
    let (whole, fraction) = digits.split_once(decimal_mark).map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group_mark);
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push(decimal_mark);
        out.push_str(fraction);
    }
    out
}

/// Vietnam has kept UTC+7 without daylight saving since 1975.
const VIETNAM_OFFSET_MS: i64 = 7 * 3600 * 1000;

pub fn format_datetime(ms: i64, lang: Lang) -> String {
    let local = ms + VIETNAM_OFFSET_MS;
    let days = local.div_euclid(86_400_000);
    let in_day = local.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil_from_days(days);
    let (hh, mm) = (in_day / 3600, in_day % 3600 / 60);
    match lang {
        Lang::Vi => format!("{hh:02}:{mm:02} {d:02}/{m:02}/{y}"),
        Lang::En => format!("{y}-{m:02}-{d:02} {hh:02}:{mm:02}"),
    }
}

/// `2025-03-20` → "20/03/2025" in Vietnamese, "2025-03-20" in English.
pub fn format_date(iso: &str, lang: Lang) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match (lang, parts.as_slice()) {
        (Lang::Vi, [y, m, d]) => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// When a publication was published as the province counts it: "Công bố ngày
/// 20/03/2025" (the decision's date), or, when the decision's date was not given,
/// "Nhập vào chiso lúc 22:40 06/12/2026" — never the storing time passed off as
/// the publication date.
pub fn publication_date(info: &chiso_store::PublicationInfo, lang: Lang) -> String {
    match &info.decided_on {
        Some(date) => format!("{} {}", lang.pick("Công bố ngày", "Published on"), format_date(date, lang)),
        None => format!(
            "{} {}",
            lang.pick("Nhập vào chiso lúc", "Stored in chiso at"),
            format_datetime(info.published_at, lang)
        ),
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) → days since 1970-01-01; the inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2024-12-31` → the Unix ms of its start in Vietnam's time.
pub fn parse_date_ms(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000 - VIETNAM_OFFSET_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(grouped(Lang::Vi, 680000.0, 3), "680.000");
        assert_eq!(grouped(Lang::En, 680000.0, 3), "680,000");
        assert_eq!(grouped(Lang::Vi, 1234.5678, 3), "1.234,568");
        assert_eq!(grouped(Lang::En, -35275.0, 3), "-35,275");
        assert_eq!(grouped(Lang::Vi, 96.36, 3), "96,36");
        assert_eq!(grouped(Lang::En, 0.548, 3), "0.548");
    }

    #[test]
    fn dates_round_trip_and_show_in_vietnam_time() {
        for days in [-1000, 0, 19_000, 20_454] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // 2024-12-31 00:00 in Vietnam is 2024-12-30 17:00 UTC.
        let ms = parse_date_ms("2024-12-31").unwrap_or_default();
        assert_eq!(format_datetime(ms, Lang::Vi), "00:00 31/12/2024");
        assert_eq!(format_datetime(ms, Lang::En), "2024-12-31 00:00");
        assert_eq!(parse_date_ms("2024-13-01"), None);
    }
}
