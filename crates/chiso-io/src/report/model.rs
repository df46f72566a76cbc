//! The province's report as a model in one language: every text already written in
//! that language and every number already written as the reader sees it, so the
//! Markdown, Word and PDF renderings say exactly the same thing. The model holds
//! plain text; each renderer escapes it for its own format.

use super::colour::band_colours;
use crate::render::report::{self as summary, points};
use chiso_core::analysis::{RankInterval, UncertaintyResult};
use chiso_core::lang::ENGLISH_MONTHS;
use chiso_core::rank::round_half_away;
use chiso_core::{Assessment, AssessmentResults, Framework, GroupResult, Lang};

/// How many of a group's weakest main indicators the gap section names.
const WEAKEST: usize = 3;
/// How many of the units closest to the next band up the gap section names.
const CLOSEST: usize = 5;

/// What the report says of the decision approving the results, when there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportMeta {
    /// Its number and symbol, e.g. "Quyết định số 123/QĐ-UBND".
    pub decision: Option<String>,
    /// Its date, "YYYY-MM-DD" (anything else is shown as written).
    pub decided_on: Option<String>,
}

/// The report in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub lang: Lang,
    pub labels: Labels,
    pub title: String,
    /// "The results were approved by …", when the meta says so.
    pub approval: Option<String>,
    /// The published summary paragraph, verbatim ([`crate::render::report::render`]).
    pub summary: String,
    pub groups: Vec<GroupSection>,
    /// `None` when no uncertainty analysis was given: the section is left out.
    pub robustness: Option<Robustness>,
    pub gaps: Vec<GapGroup>,
}

/// One group's results: the ranking, the chart and the band counts.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSection {
    pub name: String,
    /// "Điểm trung bình: 73,2/100 điểm; 20 đơn vị."
    pub overview: String,
    /// The main indicators, in framework order (the ranking's last columns).
    pub indicators: Vec<IndicatorHead>,
    pub rows: Vec<RankRow>,
    /// Best band first.
    pub bands: Vec<BandCount>,
    /// The total at which a chart's bar is full.
    pub axis: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorHead {
    pub code: String,
    pub name: String,
    /// "10" in points mode, `None` in composite mode.
    pub max: Option<String>,
}

/// A unit's line of the ranking, units in rank order.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    pub rank: usize,
    pub unit: String,
    /// Rounded to the assessment's rank precision, as ranked.
    pub total: String,
    /// The same total as a number, for the chart.
    pub value: f64,
    pub band: String,
    /// The band's colour, `RRGGBB`.
    pub colour: &'static str,
    /// Per main indicator: its points (or normalised value), "—" when not applicable.
    pub indicators: Vec<String>,
}

impl RankRow {
    /// The share (0..=1) of the chart's axis the bar fills.
    pub fn bar(&self, axis: f64) -> f64 {
        if axis > 0.0 { (self.value / axis).clamp(0.0, 1.0) } else { 0.0 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BandCount {
    pub label: String,
    /// "≥ 85".
    pub min: String,
    pub count: usize,
    pub colour: &'static str,
}

/// How robust the bands are to the choice of weights and methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Robustness {
    pub intro: String,
    /// Only the groups with a unit that can lose its band, or whose samples are on
    /// another scale than the bands.
    pub groups: Vec<RobustGroup>,
    /// Said when every unit keeps its band in every sample.
    pub conclusion: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RobustGroup {
    pub name: String,
    /// Said when no sample of the group is on the bands' scale.
    pub note: Option<String>,
    /// The units that can lose their band, in nominal rank order.
    pub rows: Vec<RobustRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RobustRow {
    pub rank: usize,
    pub unit: String,
    pub band: String,
    /// "3 – 7,5".
    pub interval: String,
    /// "62,4%".
    pub kept: String,
}

/// Where a group falls short: its weakest main indicators and the units closest to
/// the next band up.
#[derive(Debug, Clone, PartialEq)]
pub struct GapGroup {
    pub name: String,
    pub weakest: Vec<WeakIndicator>,
    pub closest: Vec<CloseUnit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WeakIndicator {
    pub code: String,
    pub name: String,
    /// The group's mean points as a share of the maximum: "48,3%".
    pub mean_percent: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CloseUnit {
    pub rank: usize,
    pub unit: String,
    pub band: String,
    pub next_band: String,
    /// The points the unit needs for the next band: "0,87".
    pub needed: String,
}

/// The report's fixed words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub summary: &'static str,
    pub results: &'static str,
    pub rank: &'static str,
    pub unit: &'static str,
    pub total: &'static str,
    pub band: &'static str,
    pub chart: &'static str,
    pub band_counts: &'static str,
    pub main_indicators: &'static str,
    pub robustness: &'static str,
    pub interval: &'static str,
    pub band_kept: &'static str,
    pub gaps: &'static str,
    pub gaps_intro: &'static str,
    pub weakest: &'static str,
    pub closest: &'static str,
    pub none_closer: &'static str,
    pub next_band: &'static str,
    pub needed: &'static str,
}

impl Labels {
    pub fn of(lang: Lang) -> Labels {
        match lang {
            Lang::Vi => Labels {
                summary: "Tóm tắt",
                results: "Kết quả theo khối",
                rank: "Hạng",
                unit: "Đơn vị",
                total: "Tổng điểm",
                band: "Xếp loại",
                chart: "Tổng điểm của các đơn vị",
                band_counts: "Số đơn vị theo xếp loại",
                main_indicators: "Chỉ số chính",
                robustness: "Độ vững của xếp loại",
                interval: "Khoảng thứ hạng 5–95%",
                band_kept: "Giữ xếp loại",
                gaps: "Những điểm cần cải thiện",
                gaps_intro: "Các chỉ số chính có điểm trung bình thấp nhất so với điểm tối đa, và các đơn vị cần ít điểm nhất để lên xếp loại kế tiếp.",
                weakest: "Chỉ số chính còn yếu nhất (điểm trung bình của khối so với điểm tối đa)",
                closest: "Đơn vị gần xếp loại kế tiếp nhất",
                none_closer: "Mọi đơn vị của khối đều đã ở xếp loại cao nhất.",
                next_band: "Xếp loại kế tiếp",
                needed: "Điểm còn thiếu",
            },
            Lang::En => Labels {
                summary: "Summary",
                results: "Results by group",
                rank: "Rank",
                unit: "Unit",
                total: "Total",
                band: "Band",
                chart: "Total per unit",
                band_counts: "Units per band",
                main_indicators: "Main indicators",
                robustness: "Robustness of the bands",
                interval: "Rank, 5–95%",
                band_kept: "Band kept",
                gaps: "Where to improve",
                gaps_intro: "The main indicators with the lowest mean against their maximum, and the units that need the fewest points to reach the next band.",
                weakest: "Weakest main indicators (the group's mean as a share of the maximum)",
                closest: "Units closest to the next band up",
                none_closer: "Every unit of the group is already in the top band.",
                next_band: "Next band",
                needed: "Points needed",
            },
        }
    }
}

impl Report {
    pub fn build(
        assessment: &Assessment,
        results: &AssessmentResults,
        uncertainty: Option<&UncertaintyResult>,
        meta: &ReportMeta,
        lang: Lang,
    ) -> Report {
        let groups = results.groups.iter().map(|g| group_section(assessment, results, g, lang)).collect();
        let gaps = results.groups.iter().map(|g| gap_group(assessment, results, g, lang)).collect();
        Report {
            lang,
            labels: Labels::of(lang),
            title: title(assessment, lang),
            approval: approval(meta, lang),
            summary: summary::render(assessment, results, lang),
            groups,
            robustness: uncertainty.map(|u| robustness(assessment, results, u, lang)),
            gaps,
        }
    }
}

/// "Báo cáo kết quả đánh giá, xếp hạng … năm 2024".
fn title(assessment: &Assessment, lang: Lang) -> String {
    let name = lower_first(assessment.name.get(lang));
    match lang {
        Lang::Vi => format!("Báo cáo kết quả {name}"),
        Lang::En => format!("Report on the {name}"),
    }
}

/// Lower-cases the first letter for use mid-sentence, unless the word is an
/// acronym ("UBND", "DTI").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

fn approval(meta: &ReportMeta, lang: Lang) -> Option<String> {
    let decision = meta.decision.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let date =
        meta.decided_on.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(|d| date_words(d, lang));
    Some(match (lang, decision, date) {
        (_, None, None) => return None,
        (Lang::Vi, Some(d), Some(on)) => format!("Kết quả đã được phê duyệt tại {d} ngày {on}."),
        (Lang::Vi, Some(d), None) => format!("Kết quả đã được phê duyệt tại {d}."),
        (Lang::Vi, None, Some(on)) => format!("Kết quả đã được phê duyệt ngày {on}."),
        (Lang::En, Some(d), Some(on)) => format!("The results were approved by {d} of {on}."),
        (Lang::En, Some(d), None) => format!("The results were approved by {d}."),
        (Lang::En, None, Some(on)) => format!("The results were approved on {on}."),
    })
}

/// "2025-03-20" as "20 tháng 3 năm 2025" / "20 March 2025"; anything else as written.
fn date_words(date: &str, lang: Lang) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    let parsed = match parts[..] {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            match (y.parse::<u32>(), m.parse::<usize>(), d.parse::<u32>()) {
                (Ok(y), Ok(m @ 1..=12), Ok(d @ 1..=31)) => Some((y, m, d)),
                _ => None,
            }
        }
        _ => None,
    };
    match (parsed, lang) {
        (Some((y, m, d)), Lang::Vi) => format!("{d} tháng {m} năm {y}"),
        (Some((y, m, d)), Lang::En) => format!("{d} {} {y}", ENGLISH_MONTHS[m - 1]),
        (None, _) => date.to_owned(),
    }
}

/// The total at which a group's bars are full: the framework's scale (its maximum
/// points), or the best total when one passes it.
fn axis(framework: &Framework, best: f64) -> f64 {
    let scale = match framework.scale {
        Some(scale) => scale,
        None if framework.is_points() => framework.max_points(),
        None => 100.0,
    };
    scale.max(best)
}

fn group_section(
    assessment: &Assessment,
    results: &AssessmentResults,
    g: &GroupResult,
    lang: Lang,
) -> GroupSection {
    let group = &assessment.groups[g.group];
    let framework = &group.framework;
    let precision = assessment.rank_precision;
    let colours = band_colours(framework);
    let rows: Vec<RankRow> = g
        .units
        .iter()
        .map(|&i| {
            let r = &results.units[i];
            RankRow {
                rank: r.rank,
                unit: assessment.units[r.unit].name.get(lang).to_owned(),
                total: lang.number(r.rounded, precision),
                value: r.rounded,
                band: framework.bands[r.band].label.get(lang).to_owned(),
                colour: colours[r.band],
                indicators: framework
                    .top
                    .iter()
                    .map(|&t| r.scores[t].map_or_else(|| "—".to_owned(), |v| lang.number(v, precision)))
                    .collect(),
            }
        })
        .collect();
    let indicators = framework
        .top
        .iter()
        .map(|&t| {
            let indicator = &framework.indicators[t];
            IndicatorHead {
                code: indicator.code.clone(),
                name: indicator.name.get(lang).to_owned(),
                max: framework.is_points().then(|| lang.plain(indicator.max)),
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..framework.bands.len()).collect();
    order.sort_by(|&a, &b| framework.bands[b].min.total_cmp(&framework.bands[a].min));
    let bands = order
        .into_iter()
        .map(|b| BandCount {
            label: framework.bands[b].label.get(lang).to_owned(),
            min: format!("≥ {}", lang.plain(framework.bands[b].min)),
            count: g.band_counts[b],
            colour: colours[b],
        })
        .collect();
    let best = rows.iter().map(|r| r.value).fold(f64::MIN, f64::max);
    let mean = points(lang, g.mean, 1, framework);
    let n = g.units.len();
    let overview = match lang {
        Lang::Vi => format!("Điểm trung bình: {mean}; {n} đơn vị."),
        Lang::En => format!("Mean: {mean}; {n} {}.", if n == 1 { "unit" } else { "units" }),
    };
    GroupSection {
        name: group.name.get(lang).to_owned(),
        overview,
        indicators,
        rows,
        bands,
        axis: axis(framework, best),
    }
}

fn robustness(
    assessment: &Assessment,
    results: &AssessmentResults,
    uncertainty: &UncertaintyResult,
    lang: Lang,
) -> Robustness {
    let samples = uncertainty.samples;
    let intro = match lang {
        Lang::Vi => format!(
            "Phân tích bất định với {samples} mẫu: trọng số và phương pháp được lấy ngẫu nhiên trong các khoảng đã định. \
             Chỉ liệt kê các đơn vị có thể mất xếp loại hiện tại, với khoảng thứ hạng 5–95% và tỉ lệ số mẫu giữ nguyên xếp loại."
        ),
        Lang::En => format!(
            "Uncertainty analysis with {samples} samples: the weights and methods are drawn at random within the set ranges. \
             Only the units that can lose their current band are listed, with their 5–95% rank interval and the share of \
             samples in which they keep their band."
        ),
    };
    let groups: Vec<RobustGroup> =
        uncertainty.groups.iter().filter_map(|g| robust_group(assessment, results, g, lang)).collect();
    let conclusion = groups.is_empty().then(|| match lang {
        Lang::Vi => format!("Mọi đơn vị đều giữ nguyên xếp loại trong cả {samples} mẫu."),
        Lang::En => format!("Every unit keeps its band in all {samples} samples."),
    });
    Robustness { intro, groups, conclusion }
}

fn robust_group(
    assessment: &Assessment,
    results: &AssessmentResults,
    g: &chiso_core::analysis::GroupRanks,
    lang: Lang,
) -> Option<RobustGroup> {
    let group = &assessment.groups[g.group];
    let name = group.name.get(lang).to_owned();
    if !g.units.is_empty() && g.units.iter().all(|u| u.band_kept.is_none()) {
        let note = lang.pick(
            "Các mẫu của khối này dùng thang điểm khác với thang xếp loại, nên không xác định được đơn vị nào có thể mất xếp loại.",
            "The samples of this group are on another scale than the bands, so which units could lose their band cannot be said.",
        );
        return Some(RobustGroup { name, note: Some(note.to_owned()), rows: Vec::new() });
    }
    let rows: Vec<RobustRow> = g
        .units
        .iter()
        .filter(|u| u.band_kept.is_none_or(|kept| kept < 1.0))
        .map(|u| robust_row(assessment, results, u, lang))
        .collect();
    (!rows.is_empty()).then_some(RobustGroup { name, note: None, rows })
}

fn robust_row(
    assessment: &Assessment,
    results: &AssessmentResults,
    u: &RankInterval,
    lang: Lang,
) -> RobustRow {
    let framework = assessment.framework_of(u.unit);
    let band = results
        .units
        .iter()
        .find(|r| r.unit == u.unit)
        .map(|r| framework.bands[r.band].label.get(lang).to_owned())
        .unwrap_or_default();
    let short = |x: f64| lang.plain(round_half_away(x, 1));
    let kept = match u.band_kept {
        // Below 1 is never shown as 100%.
        Some(kept) => format!("{}%", lang.number((kept * 100.0).min(99.9), 1)),
        None => lang.pick("không xác định (thang khác)", "unknown (another scale)").to_owned(),
    };
    RobustRow {
        rank: u.nominal,
        unit: assessment.units[u.unit].name.get(lang).to_owned(),
        band,
        interval: format!("{} – {}", short(u.q05), short(u.q95)),
        kept,
    }
}

fn gap_group(assessment: &Assessment, results: &AssessmentResults, g: &GroupResult, lang: Lang) -> GapGroup {
    let group = &assessment.groups[g.group];
    let framework = &group.framework;
    let units: Vec<&chiso_core::UnitResult> = g.units.iter().map(|&i| &results.units[i]).collect();

    let mut weakest: Vec<(f64, usize)> = framework
        .top
        .iter()
        .filter(|&&t| framework.indicators[t].max > 0.0)
        .filter_map(|&t| {
            let shares: Vec<f64> =
                units.iter().filter_map(|r| r.scores[t]).map(|v| v / framework.indicators[t].max).collect();
            (!shares.is_empty()).then(|| (shares.iter().sum::<f64>() / shares.len() as f64, t))
        })
        .collect();
    weakest.sort_by(|a, b| a.0.total_cmp(&b.0));
    let weakest = weakest
        .into_iter()
        .take(WEAKEST)
        .map(|(share, t)| WeakIndicator {
            code: framework.indicators[t].code.clone(),
            name: framework.indicators[t].name.get(lang).to_owned(),
            mean_percent: format!("{}%", lang.number(share * 100.0, 1)),
        })
        .collect();

    let mut closest: Vec<(f64, &chiso_core::UnitResult, usize)> = units
        .iter()
        .filter_map(|r| {
            let min = framework.bands[r.band].min;
            let next = framework
                .bands
                .iter()
                .enumerate()
                .filter(|(_, b)| b.min > min)
                .min_by(|(_, a), (_, b)| a.min.total_cmp(&b.min))?;
            Some((next.1.min - r.rounded, *r, next.0))
        })
        .collect();
    closest.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.rank.cmp(&b.1.rank)));
    let closest = closest
        .into_iter()
        .take(CLOSEST)
        .map(|(needed, r, next)| CloseUnit {
            rank: r.rank,
            unit: assessment.units[r.unit].name.get(lang).to_owned(),
            band: framework.bands[r.band].label.get(lang).to_owned(),
            next_band: framework.bands[next].label.get(lang).to_owned(),
            needed: lang.number(needed, assessment.rank_precision),
        })
        .collect();
    GapGroup { name: group.name.get(lang).to_owned(), weakest, closest }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_in_words_of_the_language() {
        assert_eq!(date_words("2025-03-20", Lang::Vi), "20 tháng 3 năm 2025");
        assert_eq!(date_words("2025-03-20", Lang::En), "20 March 2025");
        assert_eq!(date_words("20/3/2025", Lang::Vi), "20/3/2025");
    }

    #[test]
    fn the_first_letter_is_lowered_except_in_an_acronym() {
        assert_eq!(lower_first("Đánh giá"), "đánh giá");
        assert_eq!(lower_first("UBND tỉnh"), "UBND tỉnh");
    }

    #[test]
    fn the_approval_says_what_is_known() {
        let meta = |d: Option<&str>, on: Option<&str>| ReportMeta {
            decision: d.map(str::to_owned),
            decided_on: on.map(str::to_owned),
        };
        assert_eq!(approval(&meta(None, None), Lang::Vi), None);
        assert_eq!(
            approval(&meta(Some("Quyết định số 1/QĐ-UBND"), Some("2025-03-20")), Lang::Vi).as_deref(),
            Some("Kết quả đã được phê duyệt tại Quyết định số 1/QĐ-UBND ngày 20 tháng 3 năm 2025.")
        );
        assert_eq!(
            approval(&meta(None, Some("2025-03-20")), Lang::En).as_deref(),
            Some("The results were approved on 20 March 2025.")
        );
    }
}
