//! A level's ranking as the CSV download.

use super::*;

/// A level's ranking in period `wanted` (the latest without one) as CSV: named
/// columns in `lang`, numbers rounded as the page shows them and written with a
/// point; `None` when the document has no such period.
pub fn level_csv(
    doc: &ServiceIndexDocument,
    level: Level,
    wanted: Option<&str>,
    lang: Lang,
    names: &UnitNames,
) -> Option<Result<(String, Vec<u8>), csv::Error>> {
    let period = find_period(doc, wanted)?;
    let units = match level {
        Level::Department => &period.levels.department,
        Level::Commune => &period.levels.commune,
    };
    Some((|| {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            lang.pick("Kỳ", "Period"),
            lang.pick("Hạng", "Rank"),
            lang.pick("Mã", "Code"),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Tổng điểm", "Total"),
            lang.pick("Thay đổi", "Change"),
        ]
        .map(String::from)
        .into();
        header.extend(GROUPS.iter().map(|g| format!("{} {} ({})", g.code, g.name(lang), g.max)));
        for code in IndicatorCode::ALL {
            match code.rule() {
                Rule::Mean => header.push(format!("{code} {}", lang.pick("số ngày", "days"))),
                Rule::Reported { .. } => {
                    header.push(format!("{code} {}", lang.pick("tỷ lệ (%)", "rate (%)")))
                }
                Rule::Linear | Rule::Target(_) => {
                    header.push(format!("{code} {}", lang.pick("tỷ lệ (%)", "rate (%)")));
                    header.push(format!("{code} {}", lang.pick("điểm", "points")));
                }
            }
        }
        header.push(lang.pick("Thiếu dữ liệu đầu vào", "Missing inputs").to_owned());
        writer.write_record(&header)?;
        let shown = |v: f64| format!("{:.2}", chiso_core::rank::round_half_away(v, 2));
        for unit in units {
            let mut row = vec![
                period.period.clone(),
                unit.rank.map(|r| r.to_string()).unwrap_or_default(),
                unit.code.clone(),
                names.of(unit, lang),
                shown(unit.total),
                unit.change.map(shown).unwrap_or_default(),
            ];
            row.extend(GROUPS.iter().map(|g| {
                unit.groups
                    .iter()
                    .find(|d| d.code == g.code.to_string())
                    .map(|d| shown(d.points))
                    .unwrap_or_default()
            }));
            let indicator = |code: IndicatorCode| {
                unit.groups.iter().flat_map(|g| &g.indicators).find(|i| i.code == code.code())
            };
            for code in IndicatorCode::ALL {
                let i = indicator(code);
                let rate = i.and_then(|i| i.rate).map(|r| shown(r * 100.0)).unwrap_or_default();
                match code.rule() {
                    Rule::Mean => row.push(i.and_then(|i| i.value.flatten()).map(shown).unwrap_or_default()),
                    Rule::Reported { .. } => row.push(rate),
                    Rule::Linear | Rule::Target(_) => {
                        row.push(rate);
                        let applies = i.filter(|i| i.status != Status::NotApplicable);
                        row.push(applies.map(|i| shown(i.points)).unwrap_or_default());
                    }
                }
            }
            row.push(unit.missing_inputs.join(" "));
            writer.write_record(&row)?;
        }
        let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        Ok((period.period.clone(), bytes))
    })())
}
