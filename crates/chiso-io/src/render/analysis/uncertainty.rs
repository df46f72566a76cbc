//! `chiso analyze uncertainty`: per group, each unit's nominal rank and the
//! distribution of its rank over the replications.

use super::{percent, short, table, title};
use crate::render::clean;
use crate::render::table::Align;
use chiso_core::analysis::{RankInterval, UncertaintyResult};
use chiso_core::{Assessment, Lang};
use serde_json::{Value, json};

/// The mark of a unit whose rank is not robust, in the table's last column (the
/// web pages use the same flag).
pub const WIDE_MARK: &str = "⚑";

/// Whether a unit's 5–95% rank interval is wider than a quarter of its group of
/// `group_size` units (q95 − q05 > n/4): its rank depends on the weights and
/// methods chosen, and should not be published as if it were settled.
pub fn is_wide(interval: &RankInterval, group_size: usize) -> bool {
    interval.q95 - interval.q05 > group_size as f64 / 4.0
}

/// `{ "samples", "seed", "groups": [ { "code", "units": [ { "code", "name",
/// "nominal", "mean", "median", "q05", "q95", "band_kept" } ] } ] }`, units in
/// nominal rank order.
pub fn to_json(assessment: &Assessment, result: &UncertaintyResult, lang: Lang) -> Value {
    let groups: Vec<Value> = result
        .groups
        .iter()
        .map(|g| {
            let units: Vec<Value> = g
                .units
                .iter()
                .map(|u| {
                    let unit = &assessment.units[u.unit];
                    json!({
                        "code": unit.code,
                        "name": unit.name.get(lang),
                        "nominal": u.nominal,
                        "mean": clean(u.mean),
                        "median": clean(u.median),
                        "q05": clean(u.q05),
                        "q95": clean(u.q95),
                        "band_kept": u.band_kept.map(clean),
                    })
                })
                .collect();
            json!({ "code": assessment.groups[g.group].code, "units": units })
        })
        .collect();
    json!({ "samples": result.samples, "seed": result.seed, "groups": groups })
}

/// Per group, its units in nominal rank order: nominal rank, median, 5–95%
/// interval, mean, band kept, and [`WIDE_MARK`] on the units of [`is_wide`], with a
/// legend under each group.
pub fn render(assessment: &Assessment, result: &UncertaintyResult, lang: Lang) -> String {
    let mut out = title(assessment, lang);
    out.push_str(&match lang {
        Lang::Vi => format!(
            "Phân tích bất định: {} mẫu, seed {} — thứ hạng của mỗi đơn vị khi trọng số và phương pháp thay đổi.\n\
             Giữ xếp loại: tỉ lệ số mẫu trong đó đơn vị vẫn ở xếp loại hiện tại (chỉ tính các mẫu cùng thang điểm với \
             các mức xếp loại; — khi không còn mẫu nào).\n",
            result.samples, result.seed
        ),
        Lang::En => format!(
            "Uncertainty analysis: {} samples, seed {} — each unit's rank when the weights and methods vary.\n\
             Band kept: the share of samples in which the unit stays in its current band (counting only samples on \
             the bands' scale; — when none is left).\n",
            result.samples, result.seed
        ),
    });
    let header = match lang {
        Lang::Vi => ["Hạng", "Mã", "Đơn vị", "Trung vị", "Khoảng 5–95%", "Trung bình", "Giữ xếp loại", ""],
        Lang::En => ["Rank", "Code", "Unit", "Median", "5–95%", "Mean", "Band kept", ""],
    };
    use Align::{Left, Right};
    let align = [Right, Left, Left, Right, Right, Right, Right, Left];
    for g in &result.groups {
        let group = &assessment.groups[g.group];
        let n = g.units.len();
        out.push_str(&format!("\n{} — {n} {}\n", group.name.get(lang), lang.pick("đơn vị", "units")));
        let rows: Vec<Vec<String>> = g
            .units
            .iter()
            .map(|u| {
                let unit = &assessment.units[u.unit];
                vec![
                    u.nominal.to_string(),
                    unit.code.clone(),
                    unit.name.get(lang).to_string(),
                    short(lang, u.median, 1),
                    format!("{} – {}", short(lang, u.q05, 1), short(lang, u.q95, 1)),
                    lang.number(u.mean, 2),
                    u.band_kept.map_or_else(|| "—".to_string(), |kept| percent(lang, kept)),
                    if is_wide(u, n) { WIDE_MARK.to_string() } else { String::new() },
                ]
            })
            .collect();
        out.push_str(&table(&header, &align, &rows));
        let wide = g.units.iter().filter(|u| is_wide(u, n)).count();
        let quarter = lang.plain(n as f64 / 4.0);
        out.push_str(&match lang {
            Lang::Vi => format!(
                "{WIDE_MARK} khoảng 5–95% rộng hơn một phần tư khối (hơn {quarter} hạng): thứ hạng phụ thuộc vào \
                 trọng số và phương pháp đã chọn, chưa vững ({wide}/{n} đơn vị).\n"
            ),
            Lang::En => format!(
                "{WIDE_MARK} the 5–95% interval is wider than a quarter of the group (more than {quarter} ranks): \
                 the rank depends on the chosen weights and methods, it is not robust ({wide} of {n} units).\n"
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(q05: f64, q95: f64) -> RankInterval {
        RankInterval { unit: 0, nominal: 1, mean: 1.0, median: 1.0, q05, q95, band_kept: Some(1.0) }
    }

    #[test]
    fn an_interval_is_wide_only_beyond_a_quarter_of_the_group() {
        assert!(!is_wide(&interval(2.0, 7.0), 20), "exactly n/4 is not wider");
        assert!(is_wide(&interval(2.0, 7.5), 20));
        assert!(is_wide(&interval(1.0, 4.05), 12));
        assert!(!is_wide(&interval(3.0, 3.0), 1));
    }
}
