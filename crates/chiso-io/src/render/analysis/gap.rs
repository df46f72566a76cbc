//! `chiso analyze gap`: what one unit could still gain on each leaf, and the
//! shortest list of leaves whose completion reaches the next band.

use super::{short, table, title};
use crate::render::clean;
use crate::render::table::Align;
use chiso_core::analysis::Gap;
use chiso_core::{Assessment, AssessmentResults, Lang};
use serde_json::{Value, json};

/// The gap document (documented in docs/analysis.md):
///
/// ```text
/// { "unit", "name", "group", "total", "rounded", "band", "rank",
///   "next": { "band", "min", "needed" } | null,
///   "reachable",
///   "leaves": [ { "code", "name", "points", "max", "gain" } ],
///   "shortest": [ "code", … ] }
/// ```
///
/// `total` is unrounded (as in `chiso score --format json`), `rounded` is what
/// bands and ranks use; bands by their codes; `leaves` largest gain first.
pub fn to_json(assessment: &Assessment, gap: &Gap, lang: Lang) -> Value {
    let unit = &assessment.units[gap.unit];
    let framework = assessment.framework_of(gap.unit);
    let next = gap.next.as_ref().map(|next| {
        json!({
            "band": framework.bands[next.band].code,
            "min": clean(next.min),
            "needed": clean(next.needed),
        })
    });
    let leaves: Vec<Value> = gap
        .leaves
        .iter()
        .map(|leaf| {
            let indicator = &framework.indicators[leaf.indicator];
            json!({
                "code": indicator.code,
                "name": indicator.name.get(lang),
                "points": clean(leaf.points),
                "max": clean(leaf.max),
                "gain": clean(leaf.gain),
            })
        })
        .collect();
    let shortest: Vec<&str> = gap.shortest.iter().map(|&i| framework.indicators[i].code.as_str()).collect();
    json!({
        "unit": unit.code,
        "name": unit.name.get(lang),
        "group": assessment.groups[unit.group].code,
        "total": clean(gap.total),
        "rounded": clean(gap.rounded),
        "band": framework.bands[gap.band].code,
        "rank": gap.rank,
        "next": next,
        "reachable": gap.reachable,
        "leaves": leaves,
        "shortest": shortest,
    })
}

/// The unit's standing, the next band and what it needs, every leaf with a gain,
/// and the shortest list (or why there is none).
pub fn render(assessment: &Assessment, results: &AssessmentResults, gap: &Gap, lang: Lang) -> String {
    let unit = &assessment.units[gap.unit];
    let group = &assessment.groups[unit.group];
    let framework = &group.framework;
    let precision = assessment.rank_precision;
    let size = results.groups.iter().find(|g| g.group == unit.group).map_or(0, |g| g.units.len());
    let band = framework.bands[gap.band].label.get(lang);
    let mut out = title(assessment, lang);
    out.push_str(&format!(
        "{} — {} {} ({})\n",
        lang.pick("Phân tích khoảng cách", "Gap analysis"),
        unit.code,
        unit.name.get(lang),
        group.name.get(lang)
    ));
    out.push_str(&match lang {
        Lang::Vi => {
            format!("Tổng điểm {} — {band} — hạng {}/{size}\n", lang.number(gap.rounded, precision), gap.rank)
        }
        Lang::En => {
            format!("Total {} — {band} — rank {} of {size}\n", lang.number(gap.rounded, precision), gap.rank)
        }
    });
    let next_label = gap.next.as_ref().map(|next| {
        let label = framework.bands[next.band].label.get(lang);
        (label, format!("{label} ({} {})", lang.pick("từ", "from"), lang.plain(next.min)))
    });
    match (&gap.next, &next_label) {
        (Some(next), Some((_, named))) => out.push_str(&match lang {
            Lang::Vi => {
                format!("Xếp loại kế tiếp: {named}: cần thêm {} điểm.\n", lang.number(next.needed, precision))
            }
            Lang::En => {
                format!("Next band: {named}: {} more points needed.\n", lang.number(next.needed, precision))
            }
        }),
        _ => out.push_str(&match lang {
            Lang::Vi => format!("Đơn vị đã ở xếp loại cao nhất ({band}).\n"),
            Lang::En => format!("The unit is already in the top band ({band}).\n"),
        }),
    }

    out.push('\n');
    if gap.leaves.is_empty() {
        out.push_str(lang.pick(
            "Không còn chỉ số nào có thể thêm điểm: đơn vị đã đạt tối đa ở mọi chỉ số áp dụng.\n",
            "No indicator can add any point: the unit has the maximum on every applicable indicator.\n",
        ));
    } else {
        out.push_str(lang.pick(
            "Điểm còn có thể đạt ở từng chỉ số thành phần (nhiều nhất trước); \"Thêm vào tổng\": tổng điểm \
             tăng bao nhiêu nếu chỉ riêng chỉ số đó đạt tối đa.\n",
            "The points each leaf indicator could still add (largest first); \"Adds to total\": how much the \
             total rises if that indicator alone reaches its maximum.\n",
        ));
        let header = match lang {
            Lang::Vi => ["Mã", "Chỉ số", "Điểm", "Tối đa", "Thêm vào tổng"],
            Lang::En => ["Code", "Indicator", "Points", "Max", "Adds to total"],
        };
        let decimals = precision.max(2);
        let rows: Vec<Vec<String>> = gap
            .leaves
            .iter()
            .map(|leaf| {
                let indicator = &framework.indicators[leaf.indicator];
                vec![
                    indicator.code.clone(),
                    indicator.name.get(lang).to_string(),
                    short(lang, leaf.points, 2),
                    short(lang, leaf.max, 2),
                    lang.number(leaf.gain, decimals),
                ]
            })
            .collect();
        use Align::{Left, Right};
        out.push_str(&table(&header, &[Left, Left, Right, Right, Right], &rows));
    }

    if let (Some(next), Some((label, named))) = (&gap.next, &next_label) {
        out.push('\n');
        if gap.reachable {
            let count = gap.shortest.len();
            out.push_str(&match lang {
                Lang::Vi => format!("Ngắn nhất để lên {named}: đạt tối đa ở {count} chỉ số sau:\n"),
                Lang::En if count == 1 => {
                    format!("Shortest way to {named}: reach the maximum on this indicator:\n")
                }
                Lang::En => {
                    format!("Shortest way to {named}: reach the maximum on these {count} indicators:\n")
                }
            });
            let width = gap.shortest.iter().map(|&i| framework.indicators[i].code.chars().count()).max();
            for (n, &i) in gap.shortest.iter().enumerate() {
                let indicator = &framework.indicators[i];
                let code = format!("{:<w$}", indicator.code, w = width.unwrap_or(0));
                out.push_str(&format!("  {:>2}. {code}  {}\n", n + 1, indicator.name.get(lang)));
            }
        } else {
            out.push_str(&match lang {
                Lang::Vi => format!(
                    "Kể cả khi đạt tối đa ở mọi chỉ số còn thiếu, tổng điểm vẫn chưa tới {} điểm của {label}: \
                     năm nay đơn vị không thể lên xếp loại này.\n",
                    lang.plain(next.min)
                ),
                Lang::En => format!(
                    "Even with the maximum on every indicator still short of it, the total stays below the {} \
                     points of {label}: the unit cannot reach that band this year.\n",
                    lang.plain(next.min)
                ),
            });
        }
    }
    out
}
