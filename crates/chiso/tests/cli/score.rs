//! `chiso score` on the bundled Son La 2024 package: the published figures, in
//! every format and both languages.

use crate::support::*;
use serde_json::{Value, json};

fn sonla_json(extra: &[&str]) -> Value {
    score_json(&sonla(), extra)
}

#[test]
fn sonla_overall_mean_is_the_published_74_8_fair_by_mean_of_groups() {
    let doc = sonla_json(&[]);
    assert_eq!(doc["year"], 2024);
    let overall = &doc["overall"];
    assert_eq!(round(num(&overall["mean"]), 1), 74.8);
    assert_eq!(overall["band"], "fair");
    assert_eq!(overall["rule"], "mean_of_groups");
    assert_eq!(overall["units"], 32);
    // mean_of_groups: the mean of the two group means, from unrounded totals.
    let means: Vec<f64> = doc["groups"].as_array().into_iter().flatten().map(|g| num(&g["mean"])).collect();
    assert_eq!(means.len(), 2);
    assert_close(num(&overall["mean"]), (means[0] + means[1]) / 2.0, 1e-8);
}

#[test]
fn sonla_group_means_are_73_2_and_76_4_with_the_published_band_counts() {
    let doc = sonla_json(&[]);
    let provincial = group(&doc, "provincial");
    assert_eq!(round(num(&provincial["mean"]), 1), 73.2);
    assert_eq!(provincial["units"], 20);
    assert_eq!(provincial["bands"], json!({ "good": 2, "fair": 11, "average": 7, "weak": 0 }));
    let district = group(&doc, "district");
    assert_eq!(round(num(&district["mean"]), 1), 76.4);
    assert_eq!(district["units"], 12);
    assert_eq!(district["bands"], json!({ "good": 1, "fair": 7, "average": 4, "weak": 0 }));
}

#[test]
fn sonla_bands_list_every_band_in_framework_order_zeros_included() {
    let doc = sonla_json(&[]);
    for code in ["provincial", "district"] {
        let bands = group(&doc, code)["bands"].as_object().cloned().unwrap_or_default();
        let keys: Vec<&str> = bands.keys().map(String::as_str).collect();
        assert_eq!(keys, ["good", "fair", "average", "weak"], "group {code}");
    }
}

#[test]
fn sonla_group_means_are_the_means_of_the_unrounded_unit_totals() {
    let doc = sonla_json(&[]);
    for code in ["provincial", "district"] {
        let totals: Vec<f64> = doc["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["group"] == code)
            .map(|u| num(&u["total"]))
            .collect();
        let mean = totals.iter().sum::<f64>() / totals.len() as f64;
        assert_close(num(&group(&doc, code)["mean"]), mean, 1e-8);
    }
}

#[test]
fn sonla_first_and_second_provincial_agencies_are_sttt_91_48_and_sgtvt_89_94() {
    let doc = sonla_json(&[]);
    let sttt = unit(&doc, "STTTT");
    assert_eq!(sttt["rank"], 1);
    assert_eq!(round(num(&sttt["total"]), 2), 91.48);
    assert_eq!(sttt["band"], "good");
    assert_eq!(sttt["group"], "provincial");
    assert_eq!(sttt["name"], "Sở Thông tin và Truyền thông");
    let sgtvt = unit(&doc, "SGTVT");
    assert_eq!(sgtvt["rank"], 2);
    assert_eq!(round(num(&sgtvt["total"]), 2), 89.94);
    assert_eq!(sgtvt["band"], "good");
}

#[test]
fn sonla_first_and_second_districts_are_son_la_city_89_77_and_phu_yen_84_13() {
    let doc = sonla_json(&[]);
    let city = unit(&doc, "116");
    assert_eq!(city["rank"], 1);
    assert_eq!(round(num(&city["total"]), 2), 89.77);
    assert_eq!(city["band"], "good");
    assert_eq!(city["group"], "district");
    let phu_yen = unit(&doc, "122");
    assert_eq!(phu_yen["rank"], 2);
    assert_eq!(round(num(&phu_yen["total"]), 2), 84.13);
    assert_eq!(phu_yen["band"], "fair");
}

#[test]
fn sonla_units_are_listed_by_group_then_rank_with_every_field_of_the_spec() {
    let doc = sonla_json(&[]);
    let units = doc["units"].as_array().cloned().unwrap_or_default();
    assert_eq!(units.len(), 32);
    let groups: Vec<&str> = units.iter().map(|u| u["group"].as_str().unwrap_or("")).collect();
    assert!(groups[..20].iter().all(|g| *g == "provincial"), "{groups:?}");
    assert!(groups[20..].iter().all(|g| *g == "district"), "{groups:?}");
    for block in [&units[..20], &units[20..]] {
        let ranks: Vec<u64> = block.iter().map(|u| u["rank"].as_u64().unwrap_or(0)).collect();
        let expected: Vec<u64> = (1..=block.len() as u64).collect();
        assert_eq!(ranks, expected, "Son La has no ties");
        let totals: Vec<f64> = block.iter().map(|u| num(&u["total"])).collect();
        assert!(totals.windows(2).all(|w| w[0] >= w[1]), "ranked by total: {totals:?}");
    }
    for u in &units {
        for key in ["code", "name", "group", "total", "band", "rank", "scores", "missing", "not_applicable"] {
            assert!(u.get(key).is_some(), "unit {} lacks {key}", u["code"]);
        }
        assert!(u["missing"].is_array() && u["not_applicable"].is_array());
    }
}

#[test]
fn sonla_scores_hold_parents_and_leaves_and_parents_sum_their_children() {
    let doc = sonla_json(&[]);
    let scores = unit(&doc, "STTTT")["scores"].as_object().cloned().unwrap_or_default();
    for code in ["1", "1.1", "1.5", "6", "6.1", "6.1.1", "6.4", "7", "7.5"] {
        assert!(scores.contains_key(code), "STTTT scores lack {code}: {scores:?}");
    }
    assert_eq!(scores.len(), 54, "the provincial framework has 54 indicators");
    let get = |code: &str| num(&scores[code]);
    assert_close(get("1"), get("1.1") + get("1.2") + get("1.3") + get("1.4") + get("1.5"), 1e-9);
    assert_close(get("6.1"), get("6.1.1") + get("6.1.2") + get("6.1.3") + get("6.1.4"), 1e-9);
    let top: f64 = ["1", "2", "3", "4", "5", "6", "7"].iter().map(|c| get(c)).sum();
    assert_close(num(&unit(&doc, "STTTT")["total"]), top, 1e-9);
    let district = unit(&doc, "116")["scores"].as_object().cloned().unwrap_or_default();
    assert!(district.contains_key("8") && district.contains_key("8.6"), "{district:?}");
}

#[test]
fn sonla_missing_and_not_applicable_leaves_are_listed_where_the_data_has_them() {
    let doc = sonla_json(&[]);
    let bdt = unit(&doc, "BDT");
    assert_eq!(strings(&bdt["missing"]), ["4.4"]);
    assert_eq!(strings(&bdt["not_applicable"]), ["6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2.5", "6.2.6"]);
    // A missing leaf scores 0; a not-applicable one is absent, and so is a parent
    // whose children are all not applicable.
    assert_eq!(num(&bdt["scores"]["4.4"]), 0.0);
    assert!(bdt["scores"].get("6.2.1").is_none());
    assert!(bdt["scores"].get("6.2").is_none(), "6.2 has only na children: {}", bdt["scores"]);
    assert!(bdt["scores"].get("6").is_some());
    assert_eq!(strings(&unit(&doc, "TTT")["not_applicable"]), ["6.2.6"]);
    assert_eq!(strings(&unit(&doc, "SNGV")["not_applicable"]), ["6.2.6"]);
    assert_eq!(strings(&unit(&doc, "127")["missing"]), ["7.6"]);
    assert!(strings(&unit(&doc, "STTTT")["missing"]).is_empty());
    assert!(strings(&unit(&doc, "STTTT")["not_applicable"]).is_empty());
}

#[test]
fn sonla_json_in_english_names_groups_and_units_in_english() {
    let doc = sonla_json(&["--lang", "en"]);
    assert!(doc["name"].as_str().unwrap_or("").starts_with("Assessment and ranking"), "{}", doc["name"]);
    assert_eq!(group(&doc, "provincial")["name"], "Provincial agencies");
    assert_eq!(group(&doc, "district")["name"], "District-level People's Committees");
    assert_eq!(unit(&doc, "STTTT")["name"], "Department of Information and Communications");
    assert_eq!(unit(&doc, "122")["name"], "Phu Yen District");
    // Codes do not change with the language.
    assert_eq!(unit(&doc, "STTTT")["band"], "good");
    assert_eq!(doc["overall"]["band"], "fair");
}

#[test]
fn sonla_json_in_vietnamese_names_groups_and_units_in_vietnamese() {
    let doc = sonla_json(&[]);
    assert_eq!(group(&doc, "provincial")["name"], "Khối cơ quan cấp tỉnh");
    assert_eq!(unit(&doc, "122")["name"], "Huyện Phù Yên");
}

/// The data rows of each group of the table (between the rule line and the mean line).
fn table_blocks(table: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let lines: Vec<&str> = table.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('─') {
            let header = lines[i - 1].to_string();
            let rows = lines[i + 1..]
                .iter()
                .take_while(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
                .map(|l| l.to_string())
                .collect();
            blocks.push((header, rows));
        }
    }
    blocks
}

/// The character position where `label` (the last column) starts in `row`.
fn band_column(row: &str, labels: &[&str]) -> usize {
    let label = labels
        .iter()
        .filter(|l| row.ends_with(*l))
        .max_by_key(|l| l.len())
        .unwrap_or_else(|| panic!("row ends with no band label: {row:?}"));
    row.chars().count() - label.chars().count()
}

fn assert_table_is_aligned(table: &str, band_header: &str, labels: &[&str]) {
    let blocks = table_blocks(table);
    assert_eq!(blocks.len(), 2, "two groups, two tables:\n{table}");
    for (header, rows) in blocks {
        assert!(!rows.is_empty(), "{table}");
        let header_column = header
            .find(band_header)
            .map(|byte| header[..byte].chars().count())
            .unwrap_or_else(|| panic!("no {band_header:?} in header {header:?}"));
        for row in &rows {
            assert_eq!(
                band_column(row, labels),
                header_column,
                "every row's band column starts under the header's:\n{header}\n{row}"
            );
        }
    }
}

#[test]
fn sonla_table_rows_are_aligned_up_to_the_band_column_in_vietnamese() {
    let run = score(&sonla(), &[]);
    run.assert_success();
    assert_table_is_aligned(&run.stdout, "Xếp loại", &["Tốt", "Khá", "Trung bình", "Yếu"]);
}

#[test]
fn sonla_table_rows_are_aligned_up_to_the_band_column_in_english() {
    let run = score(&sonla(), &["--lang", "en"]);
    run.assert_success();
    assert_table_is_aligned(&run.stdout, "Band", &["Good", "Fair", "Average", "Weak"]);
}

#[test]
fn sonla_table_in_vietnamese_shows_decimal_commas_and_vietnamese_bands() {
    let run = score(&sonla(), &["--format", "table"]);
    run.assert_success();
    let out = &run.stdout;
    assert_contains_all(
        out,
        &[
            "Khối cơ quan cấp tỉnh — 20 đơn vị",
            "Khối UBND cấp huyện — 12 đơn vị",
            "Sở Thông tin và Truyền thông",
            "91,48",
            "Điểm trung bình khối: 73,20",
            "Điểm trung bình khối: 76,40",
            "Tốt 2, Khá 11, Trung bình 7, Yếu 0",
            "Tốt 1, Khá 7, Trung bình 4, Yếu 0",
            "74,80 — Khá",
            "32 đơn vị",
        ],
    );
    assert!(!out.contains("91.48") && !out.contains("73.20"), "no decimal points in Vietnamese:\n{out}");
    let sttt = out.lines().find(|l| l.contains("STTTT")).unwrap_or("");
    assert!(sttt.trim_start().starts_with("1 ") && sttt.ends_with("Tốt"), "{sttt:?}");
}

#[test]
fn sonla_table_in_english_shows_decimal_points_and_english_bands() {
    let run = score(&sonla(), &["--lang", "en"]);
    run.assert_success();
    let out = &run.stdout;
    assert_contains_all(
        out,
        &[
            "Provincial agencies — 20 units",
            "Department of Information and Communications",
            "91.48",
            "89.94",
            "Group mean: 73.20",
            "Group mean: 76.40",
            "Good 2, Fair 11, Average 7, Weak 0",
            "Overall mean: 74.80 — Fair",
        ],
    );
    assert!(!out.contains("91,48") && !out.contains("Khá"), "{out}");
}

#[test]
fn sonla_csv_has_the_spec_header_and_one_row_per_unit() {
    let run = score(&sonla(), &["--format", "csv"]);
    run.assert_success();
    let rows = parse_csv(&run.stdout);
    let header = &rows[0];
    assert_eq!(header[..6], ["group", "rank", "code", "name", "total", "band"]);
    // The union of the groups' top-level codes, in order of appearance.
    assert_eq!(header[6..], ["1", "2", "3", "4", "5", "6", "7", "8"]);
    assert!(run.stdout.starts_with("group,rank,code,name,total,band,1,"), "{}", run.stdout);
    let data = &rows[1..];
    assert_eq!(data.len(), 32, "one row per unit");
    assert!(data.iter().all(|r| r.len() == header.len()), "every row has every column");

    let doc = score_json(&sonla(), &[]);
    for row in data {
        let u = unit(&doc, &row[2]);
        assert_eq!(row[0], u["group"].as_str().unwrap_or(""));
        assert_eq!(row[1], u["rank"].to_string());
        assert_eq!(row[3], u["name"].as_str().unwrap_or(""));
        let total: f64 = row[4].parse().unwrap_or_else(|_| panic!("total {:?}", row[4]));
        assert_close(total, num(&u["total"]), 1e-9);
        for (i, code) in header.iter().enumerate().skip(6) {
            match u["scores"].get(code.as_str()) {
                Some(score) => assert_close(row[i].parse().unwrap_or(f64::NAN), num(score), 1e-9),
                None => assert_eq!(row[i], "", "{} has no {code}", row[2]),
            }
        }
    }
    let sttt = data.iter().find(|r| r[2] == "STTTT").cloned().unwrap_or_default();
    assert_eq!(sttt[..6], ["provincial", "1", "STTTT", "Sở Thông tin và Truyền thông", "91.48", "Tốt"]);
    assert_eq!(sttt[13], "", "provincial agencies have no indicator 8");
}

#[test]
fn sonla_csv_in_english_names_units_and_bands_in_english() {
    let run = score(&sonla(), &["--format", "csv", "--lang", "en"]);
    run.assert_success();
    let rows = parse_csv(&run.stdout);
    let phu_yen = rows.iter().find(|r| r.get(2).is_some_and(|c| c == "122")).cloned().unwrap_or_default();
    assert_eq!(phu_yen[..6], ["district", "2", "122", "Phu Yen District", "84.13", "Fair"]);
}

#[test]
fn sonla_wide_form_values_score_exactly_like_the_long_form() {
    // Rewrite values.csv in the wide form: a unit column, then one column per leaf
    // code of either framework; a cell with no long-form row is left empty.
    let package = Package::copy_of_sonla();
    let long = parse_csv(&package.read("values.csv"));
    assert_eq!(long[0][..3], ["unit", "indicator", "value"]);
    let mut units: Vec<String> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut cells = std::collections::HashMap::new();
    for row in &long[1..] {
        if !units.contains(&row[0]) {
            units.push(row[0].clone());
        }
        if !codes.contains(&row[1]) {
            codes.push(row[1].clone());
        }
        cells.insert((row[0].clone(), row[1].clone()), row[2].clone());
    }
    let mut wide = format!("unit,{}\n", codes.join(","));
    for u in &units {
        let row: Vec<String> = codes
            .iter()
            .map(|c| csv_field(cells.get(&(u.clone(), c.clone())).map_or("", String::as_str)))
            .collect();
        wide.push_str(&format!("{u},{}\n", row.join(",")));
    }
    package.write("values.csv", &wide);

    let from_wide = package.score_json(&[]);
    let from_long = score_json(&sonla(), &[]);
    assert_eq!(from_wide, from_long);
}
