//! `chiso score --format csv`: one row per unit — group, rank, code, name, total,
//! band, then one column per top-level indicator (the union over the groups'
//! frameworks, in order of appearance; empty where a unit's framework lacks it).

use super::clean;
use chiso_core::{Assessment, AssessmentResults, Lang};

pub fn write(
    out: impl std::io::Write,
    assessment: &Assessment,
    results: &AssessmentResults,
    lang: Lang,
) -> csv::Result<()> {
    let mut top_codes: Vec<&str> = Vec::new();
    for group in &assessment.groups {
        let framework = &group.framework;
        for &i in &framework.top {
            let code = framework.indicators[i].code.as_str();
            if !top_codes.contains(&code) {
                top_codes.push(code);
            }
        }
    }
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec!["group", "rank", "code", "name", "total", "band"];
    header.extend(&top_codes);
    writer.write_record(&header)?;
    for r in &results.units {
        let unit = &assessment.units[r.unit];
        let group = &assessment.groups[unit.group];
        let framework = &group.framework;
        let mut row = vec![
            group.code.clone(),
            r.rank.to_string(),
            unit.code.clone(),
            unit.name.get(lang).to_string(),
            clean(r.total).to_string(),
            framework.bands[r.band].label.get(lang).to_string(),
        ];
        for code in &top_codes {
            let score = framework.find(code).and_then(|i| r.scores[i]);
            row.push(score.map(|s| clean(s).to_string()).unwrap_or_default());
        }
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}
