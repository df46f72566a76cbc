//! A publication as open data: a Frictionless data package (a zip holding
//! `datapackage.json` and one CSV per group), so anyone can load the results
//! into a spreadsheet, R or Python with their meaning attached. Columns are named
//! by code (`rank`, `code`, `name_vi`, `name_en`, `total`, `band`, one per main
//! indicator `i1`, `i2`, …); the descriptor gives each its title in both languages.

use chiso_core::rank::round_half_away;
use chiso_core::{Assessment, AssessmentResults};
use serde_json::{Value, json};
use std::io::Write;

/// The data package of `results` as zip bytes; `decision` is what the results were
/// published under.
pub fn bundle(
    assessment: &Assessment,
    results: &AssessmentResults,
    decision: &str,
) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut resources = Vec::new();
    for group in &results.groups {
        let g = &assessment.groups[group.group];
        let framework = &g.framework;
        let path = format!("results-{}.csv", g.code);
        let mut fields = vec![
            field("rank", "integer", "Hạng trong khối", "Rank in the group"),
            field("code", "string", "Mã đơn vị", "Unit code"),
            field("name_vi", "string", "Tên đơn vị", "Unit name (Vietnamese)"),
            field("name_en", "string", "Tên đơn vị (tiếng Anh)", "Unit name"),
        ];
        for &i in &framework.top {
            let indicator = &framework.indicators[i];
            let mut f = field(
                &format!("i{}", indicator.code),
                "number",
                indicator.name.get(chiso_core::Lang::Vi),
                indicator.name.get(chiso_core::Lang::En),
            );
            let en = indicator.name.get(chiso_core::Lang::En);
            f["description"] = json!(format!("{en} (points out of {})", indicator.max));
            fields.push(f);
        }
        fields.push(field("total", "number", "Tổng điểm", "Total"));
        fields.push(field("band", "string", "Xếp loại", "Band"));
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header: Vec<String> =
            fields.iter().filter_map(|f| f["name"].as_str().map(str::to_owned)).collect();
        writer.write_record(&header).map_err(|e| e.to_string())?;
        let shown = |v: f64| format!("{:.2}", round_half_away(v, 2));
        for r in results.units.iter().filter(|r| assessment.units[r.unit].group == group.group) {
            let unit = &assessment.units[r.unit];
            let mut row =
                vec![r.rank.to_string(), unit.code.clone(), unit.name.vi.clone(), unit.name.en.clone()];
            row.extend(framework.top.iter().map(|&i| r.scores[i].map(shown).unwrap_or_default()));
            row.push(shown(r.rounded));
            row.push(framework.bands[r.band].code.clone());
            writer.write_record(&row).map_err(|e| e.to_string())?;
        }
        let bytes = writer.into_inner().map_err(|e| e.to_string())?;
        zip.start_file(path.as_str(), options).map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
        resources.push(json!({
            "name": format!("results-{}", g.code.to_lowercase()),
            "path": path,
            "title": g.name.vi,
            "description": g.name.en,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": { "fields": fields, "primaryKey": ["code"] },
        }));
    }
    let descriptor = json!({
        "name": format!("chiso-{}", assessment.year),
        "title": assessment.name.vi,
        "description": assessment.name.en,
        "version": "1.0.0",
        "sources": [{ "title": decision }],
        "resources": resources,
    });
    zip.start_file("datapackage.json", options).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec_pretty(&descriptor).map_err(|e| e.to_string())?;
    zip.write_all(&json).map_err(|e| e.to_string())?;
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

fn field(name: &str, kind: &str, vi: &str, en: &str) -> Value {
    json!({ "name": name, "type": kind, "title": vi, "description": en })
}
