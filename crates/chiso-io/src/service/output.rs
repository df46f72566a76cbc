//! The index as CSV: a table with one row per scope × period (`--format csv`), or
//! KPI observations (`--observations`) to append to a monitoring package.

use super::document::{PROVINCE_CODE, province_name};
use chiso_core::Lang;
use chiso_core::service_index::{
    GROUPS, IndicatorCode, IndicatorScore, Level, PeriodScores, Rule, Scope, ScopeScore, ServiceIndex, UnitId,
};
use std::io::Write;

/// The scopes written for a period: the province and every unit scored, or only
/// `unit`.
fn scopes(period: &PeriodScores, unit: Option<UnitId>) -> impl Iterator<Item = &ScopeScore> {
    std::iter::once(&period.province)
        .chain(period.units())
        .filter(move |s| unit.is_none() || (s.unit().is_some() && s.unit() == unit))
}

/// A rate in percent from its counts (one rounding), when there is one.
fn percent(i: &IndicatorScore) -> Option<f64> {
    match (i.rate, i.numerator, i.denominator) {
        (Some(_), Some(num), Some(den)) => Some(num * 100.0 / den),
        _ => None,
    }
}

fn text(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// `--format csv`: one row per scope and period (the province first, then the
/// departments and the communes in rank order), named columns in `lang`, numbers
/// with a decimal point in full precision, rates in percent, empty cells for what
/// has no value.
pub fn write_csv(out: impl Write, index: &ServiceIndex, lang: Lang, unit: Option<UnitId>) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = match lang {
        Lang::Vi => ["Kỳ", "Cấp", "Mã", "Tên", "Tổng điểm", "Điểm tối đa", "Hạng", "Thay đổi"],
        Lang::En => ["Period", "Level", "Code", "Name", "Total", "Max", "Rank", "Change"],
    }
    .map(String::from)
    .into();
    header.extend(GROUPS.iter().map(|g| format!("{} {}", g.code, g.name(lang))));
    for code in IndicatorCode::ALL {
        match code.rule() {
            Rule::Mean => header.push(format!("{code} {}", lang.pick("số ngày", "days"))),
            Rule::Reported { .. } => header.push(format!("{code} {}", lang.pick("tỷ lệ (%)", "rate (%)"))),
            Rule::Linear | Rule::Target(_) => {
                header.push(format!("{code} {}", lang.pick("tỷ lệ (%)", "rate (%)")));
                header.push(format!("{code} {}", lang.pick("điểm", "points")));
            }
        }
    }
    header.push(lang.pick("Thiếu dữ liệu đầu vào", "Missing inputs").to_string());
    writer.write_record(&header)?;
    for period in &index.periods {
        for score in scopes(period, unit) {
            let (level, code, name) = match score.scope {
                Scope::Province => (
                    lang.pick("Tỉnh", "Province"),
                    PROVINCE_CODE.to_string(),
                    province_name(lang).to_string(),
                ),
                Scope::Unit(id) => {
                    let u = index.catalogue.unit(id);
                    let level = match u.level {
                        Level::Department => lang.pick("Sở, ban, ngành", "Department"),
                        Level::Commune => lang.pick("Xã, phường", "Commune"),
                    };
                    (level, u.code.clone(), u.name.clone())
                }
            };
            let mut row = vec![
                period.period.to_string(),
                level.to_string(),
                code,
                name,
                score.total.to_string(),
                score.max.to_string(),
                score.rank.map(|r| r.to_string()).unwrap_or_default(),
                text(score.change),
            ];
            row.extend(score.groups.iter().map(|g| g.points.to_string()));
            for i in score.indicators() {
                match i.code.rule() {
                    Rule::Mean => row.push(text(i.value)),
                    Rule::Reported { .. } => row.push(text(percent(i))),
                    Rule::Linear | Rule::Target(_) => {
                        row.push(text(percent(i)));
                        row.push(i.points.to_string());
                    }
                }
            }
            let missing: Vec<&str> = score.missing_inputs.iter().map(|c| c.code()).collect();
            row.push(missing.join(" "));
            writer.write_record(&row)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// The KPI code of an indicator's rate: `svc_1_1_rate`.
pub fn rate_kpi(code: IndicatorCode) -> String {
    format!("svc_{}_rate", code.code().replace('.', "_"))
}

/// The KPI code of the total.
pub const INDEX_KPI: &str = "svc_index";

/// `--observations`: `kpi,scope,period,value,note` rows (header included) of
/// `svc_index` (the total) and `svc_<code>_rate` (rates in percent, left out when
/// there is none), ordered by KPI (the total, then the indicators in order), scope
/// (`province`, then unit codes in byte order) and period; the note is empty.
/// Returns the number of observations written.
pub fn write_observations(out: impl Write, index: &ServiceIndex, unit: Option<UnitId>) -> csv::Result<usize> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["kpi", "scope", "period", "value", "note"])?;
    // (scope code, period index, score), sorted by scope then period.
    let mut rows: Vec<(&str, usize, &ScopeScore)> = Vec::new();
    for (p, period) in index.periods.iter().enumerate() {
        for score in scopes(period, unit) {
            let code = match score.scope {
                Scope::Province => PROVINCE_CODE,
                Scope::Unit(id) => index.catalogue.unit(id).code.as_str(),
            };
            rows.push((code, p, score));
        }
    }
    rows.sort_by(|a, b| {
        let key =
            |r: &(&str, usize, &ScopeScore)| (r.2.scope != Scope::Province, r.0.as_bytes().to_vec(), r.1);
        key(a).cmp(&key(b))
    });
    let mut written = 0;
    let mut write = |kpi: &str, scope: &str, p: usize, value: f64| -> csv::Result<()> {
        let period = index.periods[p].period.to_string();
        writer.write_record([kpi, scope, period.as_str(), value.to_string().as_str(), ""])?;
        written += 1;
        Ok(())
    };
    for &(scope, p, score) in &rows {
        write(INDEX_KPI, scope, p, score.total)?;
    }
    for code in IndicatorCode::ALL {
        let kpi = rate_kpi(code);
        for &(scope, p, score) in &rows {
            if let Some(value) = score.indicator(code).and_then(percent) {
                write(&kpi, scope, p, value)?;
            }
        }
    }
    writer.flush()?;
    Ok(written)
}
