//! `chiso report`: the summary paragraph a province publishes, generated from the
//! results in the style of Son La's 2024 press release — overall mean and band;
//! per group its mean, the first and second units with their totals, and how many
//! units fall in the other bands.

use chiso_core::{Assessment, AssessmentResults, Framework, GroupResult, Lang, Names, UnitResult};

/// Lower-cases the first letter, for a name used mid-sentence ("khối cơ quan cấp tỉnh").
fn mid_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "74,8/100 điểm", "74.8/100 points", or without a scale for composite indices.
pub(crate) fn points(lang: Lang, value: f64, decimals: u32, framework: &Framework) -> String {
    let number = lang.number(value, decimals);
    match (framework.is_points(), framework.scale) {
        (true, Some(scale)) => format!("{number}/{} {}", lang.number(scale, 0), lang.pick("điểm", "points")),
        _ => number,
    }
}

pub fn render(assessment: &Assessment, results: &AssessmentResults, lang: Lang) -> String {
    let first = &assessment.groups[0].framework;
    let band = mid_sentence(first.bands[results.overall_band].label.get(lang));
    let mean = points(lang, results.overall_mean, 1, first);
    let mut text = match lang {
        Lang::Vi => format!(
            "{}: các cơ quan, đơn vị được đánh giá đạt mức {band} với điểm trung bình {mean}.",
            assessment.name.vi
        ),
        Lang::En => format!(
            "{}: the assessed agencies and units achieved {} \"{band}\" rating with an average score of {mean}.",
            assessment.name.en,
            article(&band)
        ),
    };
    for (i, g) in results.groups.iter().enumerate() {
        text.push(' ');
        text.push_str(&group_sentence(assessment, results, g, i == 0, lang));
    }
    text
}

fn group_sentence(
    assessment: &Assessment,
    results: &AssessmentResults,
    g: &GroupResult,
    first_group: bool,
    lang: Lang,
) -> String {
    let group = &assessment.groups[g.group];
    let framework = &group.framework;
    let precision = assessment.rank_precision;
    let group_name = mid_sentence(group.name.get(lang));
    let mean = points(lang, g.mean, 1, framework);
    let named: Vec<&UnitResult> = g.units.iter().take(2).map(|&i| &results.units[i]).collect();
    let name = |r: &UnitResult| assessment.units[r.unit].name.get(lang).to_string();
    let total = |r: &UnitResult| points(lang, r.rounded, precision, framework);

    let mut sentence = match (lang, first_group) {
        (Lang::Vi, true) => format!("Trong đó, điểm trung bình của {group_name} đạt {mean}"),
        (Lang::Vi, false) => format!("Điểm trung bình của {group_name} đạt {mean}"),
        (Lang::En, true) => format!("Specifically, the average score for {group_name} was {mean}"),
        (Lang::En, false) => format!("The average score for {group_name} was {mean}"),
    };
    match named[..] {
        [a, b] if a.rank == b.rank => sentence.push_str(&match lang {
            Lang::Vi => format!(", đồng xếp thứ nhất là {} và {} cùng đạt {}", name(a), name(b), total(a)),
            Lang::En => format!(", with {} and {} sharing first place at {}", name(a), name(b), total(a)),
        }),
        [a, b] => sentence.push_str(&match lang {
            Lang::Vi => format!(
                ", xếp thứ nhất là {} đạt {}, thứ hai là {} đạt {}",
                name(a),
                total(a),
                name(b),
                total(b)
            ),
            Lang::En => format!(
                ", with {} ranking first at {}, followed by {} at {}",
                name(a),
                total(a),
                name(b),
                total(b)
            ),
        }),
        [a] => sentence.push_str(&match lang {
            Lang::Vi => format!(", xếp thứ nhất là {} đạt {}", name(a), total(a)),
            Lang::En => format!(", with {} ranking first at {}", name(a), total(a)),
        }),
        _ => {}
    }
    let counts = band_counts(framework, g, &named);
    if !counts.entries.is_empty() {
        sentence.push_str(&counts.phrase(lang));
    }
    sentence.push('.');
    sentence
}

/// The bands to count after naming the first two: every band with units, except
/// those whose units were all just named. When a named unit falls in a counted band
/// the counts are of the whole group ("toàn khối có"), otherwise of the rest
/// ("còn lại"): either way every number is true.
struct BandCounts {
    whole_group: bool,
    /// (units, band label), best band first.
    entries: Vec<(usize, Names)>,
}

fn band_counts(framework: &Framework, g: &GroupResult, named: &[&UnitResult]) -> BandCounts {
    let mut order: Vec<usize> = (0..framework.bands.len()).collect();
    order.sort_by(|&a, &b| framework.bands[b].min.total_cmp(&framework.bands[a].min));
    let mut counts = BandCounts { whole_group: false, entries: Vec::new() };
    for band in order {
        let count = g.band_counts[band];
        let named_here = named.iter().filter(|r| r.band == band).count();
        if count == 0 || count == named_here {
            continue;
        }
        counts.whole_group |= named_here > 0;
        counts.entries.push((count, framework.bands[band].label.clone()));
    }
    counts
}

impl BandCounts {
    fn phrase(&self, lang: Lang) -> String {
        let parts: Vec<String> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, (count, label))| {
                let label = mid_sentence(label.get(lang));
                match lang {
                    Lang::Vi => format!("{count} đơn vị đạt mức {label}"),
                    Lang::En if i == 0 => {
                        let units = if *count == 1 { "unit" } else { "units" };
                        format!("{count} {units} achieved {} \"{label}\" rating", article(&label))
                    }
                    Lang::En => format!("{count} {} \"{label}\" rating", article(&label)),
                }
            })
            .collect();
        match lang {
            Lang::Vi => {
                let lead = if self.whole_group { "toàn khối có" } else { "còn lại" };
                format!("; {lead} {}", parts.join(", "))
            }
            Lang::En => {
                let lead = if self.whole_group { "in all, " } else { "the remaining " };
                format!("; {lead}{}", join_english(&parts))
            }
        }
    }
}

/// "a" or "an" before an English band label.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) { "an" } else { "a" }
}

fn join_english(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
