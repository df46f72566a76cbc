//! `chiso check`: what a valid package holds, without scoring it.

use crate::package::Package;
use chiso_core::{Aggregate, Entry, Lang, Method, Normalise};
use std::collections::BTreeMap;

/// Counts of a package's values over every unit and leaf of its framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ValueCounts {
    pub present: usize,
    pub missing: usize,
    pub not_applicable: usize,
}

pub fn value_counts(package: &Package) -> ValueCounts {
    let mut counts = ValueCounts::default();
    for (u, _) in package.assessment.units.iter().enumerate() {
        let framework = package.assessment.framework_of(u);
        for &leaf in &framework.leaves {
            match package.values.get(u, leaf) {
                Entry::Given(_) => counts.present += 1,
                Entry::Missing => counts.missing += 1,
                Entry::NotApplicable => counts.not_applicable += 1,
            }
        }
    }
    counts
}

pub fn render(package: &Package, lang: Lang) -> String {
    let a = &package.assessment;
    let mut out = format!("{} ({})\n", a.name.get(lang), a.year);
    out.push_str(&format!("{}: {}\n", lang.pick("Số khối", "Groups"), a.groups.len()));
    for (g, group) in a.groups.iter().enumerate() {
        let f = &group.framework;
        let units = a.units_of(g).count();
        out.push_str(&format!(
            "\n{} ({}) — {} {}\n",
            group.name.get(lang),
            group.code,
            units,
            lang.pick("đơn vị", "units")
        ));
        let method = match f.method {
            Method::Points => "points".to_string(),
            Method::Composite { normalise, aggregate } => {
                let normalise = match normalise {
                    Normalise::MinMax { low, high } => {
                        format!("minmax [{}, {}]", lang.plain(low), lang.plain(high))
                    }
                    Normalise::ZScore { mean, sd } => {
                        format!("zscore (mean {}, sd {})", lang.plain(mean), lang.plain(sd))
                    }
                    Normalise::None => "none".to_string(),
                };
                let aggregate = match aggregate {
                    Aggregate::Arithmetic => "arithmetic",
                    Aggregate::Geometric => "geometric",
                };
                format!("composite: {normalise}, {aggregate}")
            }
        };
        out.push_str(&format!(
            "  {}: {} ({}) — {}\n",
            lang.pick("Khung chỉ số", "Framework"),
            f.id,
            package.framework_files[g],
            method
        ));
        out.push_str(&format!(
            "  {}: {} ({} {}, {} {})\n",
            lang.pick("Số chỉ số", "Indicators"),
            f.indicators.len(),
            f.top.len(),
            lang.pick("chỉ số chính", "main"),
            f.leaves.len(),
            lang.pick("chỉ số lá", "leaves"),
        ));
        if f.is_points() {
            out.push_str(&format!(
                "  {}: {}\n",
                lang.pick("Điểm tối đa", "Maximum points"),
                lang.plain(f.max_points())
            ));
            let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
            for &leaf in &f.leaves {
                if let Some(rule) = &f.indicators[leaf].rule {
                    *kinds.entry(rule.kind()).or_default() += 1;
                }
            }
            let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
            out.push_str(&format!(
                "  {}: {}\n",
                lang.pick("Quy tắc chấm điểm", "Rule kinds"),
                kinds.join(", ")
            ));
        }
        let bands: Vec<String> =
            f.bands.iter().map(|b| format!("{} ≥ {}", b.label.get(lang), lang.plain(b.min))).collect();
        out.push_str(&format!("  {}: {}\n", lang.pick("Xếp loại", "Bands"), bands.join(", ")));
    }
    let counts = value_counts(package);
    out.push_str(&format!(
        "\n{}: {} {}, {} {}, {} {}\n",
        lang.pick("Giá trị", "Values"),
        counts.present,
        lang.pick("đã nhập", "present"),
        counts.missing,
        lang.pick("còn thiếu", "missing"),
        counts.not_applicable,
        lang.pick("không áp dụng", "not applicable"),
    ));
    out.push_str(lang.pick("Gói hợp lệ.\n", "The package is valid.\n"));
    out
}
