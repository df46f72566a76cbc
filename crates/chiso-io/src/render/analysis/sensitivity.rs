//! `chiso analyze sensitivity`: per group, the Sobol indices of every uncertain
//! input of the specification.

use super::{table, title};
use crate::render::clean;
use crate::render::table::Align;
use chiso_core::analysis::{Input, SensitivityResult};
use chiso_core::{Assessment, Lang};
use serde_json::{Value, json};

/// `{ "samples", "runs", "groups": [ { "code", "inputs": [ { "input", "si",
/// "si_ci": [lo, hi], "sti", "sti_ci": [lo, hi] } ] } ] }`; `input` is
/// [`Input::label`] (`weights:1`, `normalise`, `aggregate`).
pub fn to_json(assessment: &Assessment, result: &SensitivityResult) -> Value {
    let pair = |ci: [f64; 2]| json!([clean(ci[0]), clean(ci[1])]);
    let groups: Vec<Value> = result
        .groups
        .iter()
        .map(|g| {
            let inputs: Vec<Value> = g
                .inputs
                .iter()
                .map(|i| {
                    json!({
                        "input": i.input.label(),
                        "si": clean(i.index.si),
                        "si_ci": pair(i.index.si_ci),
                        "sti": clean(i.index.sti),
                        "sti_ci": pair(i.index.sti_ci),
                    })
                })
                .collect();
            json!({ "code": assessment.groups[g.group].code, "inputs": inputs })
        })
        .collect();
    json!({ "samples": result.samples, "runs": result.runs, "groups": groups })
}

/// What an input is, in words.
pub fn describe(input: Input, lang: Lang) -> String {
    match input {
        Input::Weights { depth } => match lang {
            Lang::Vi => format!("trọng số ở độ sâu {depth}"),
            Lang::En => format!("weights at depth {depth}"),
        },
        Input::Normalise => lang.pick("phương pháp chuẩn hoá", "normalisation method").to_string(),
        Input::Aggregate => lang.pick("phương pháp tổng hợp", "aggregation method").to_string(),
    }
}

fn index(lang: Lang, value: f64) -> String {
    if value.is_finite() { lang.number(value, 3) } else { "—".to_string() }
}

fn interval(lang: Lang, ci: [f64; 2]) -> String {
    format!("{} – {}", index(lang, ci[0]), index(lang, ci[1]))
}

/// An explanation of si and sti, then per group a row per input. `bootstrap` is
/// the number of resamples the intervals were computed from.
pub fn render(assessment: &Assessment, result: &SensitivityResult, bootstrap: usize, lang: Lang) -> String {
    let mut out = title(assessment, lang);
    out.push_str(&match lang {
        Lang::Vi => format!(
            "Phân tích độ nhạy (Sobol): N = {} mẫu cơ sở, {} lần chạy mô hình; khoảng tin cậy 95% \
             bằng bootstrap (B = {bootstrap}).\n\
             Đại lượng được phân tích: mức thay đổi thứ hạng trung bình (giá trị tuyệt đối) của các đơn vị \
             trong khối so với thứ hạng hiện tại.\n\
             Si (bậc một): phần biến thiên do riêng đầu vào đó gây ra. STi (toàn phần): kể cả phần do nó \
             tương tác với các đầu vào khác. STi gần 0: đầu vào gần như không ảnh hưởng đến xếp hạng.\n",
            result.samples, result.runs
        ),
        Lang::En => format!(
            "Sensitivity analysis (Sobol): N = {} base samples, {} model runs; 95% confidence intervals \
             by bootstrap (B = {bootstrap}).\n\
             Output studied: the mean absolute change of the group's ranks against the current ranks.\n\
             Si (first order): the share of its variance the input causes alone. STi (total): including \
             its interactions with the other inputs. STi near 0: the input hardly matters to the ranking.\n",
            result.samples, result.runs
        ),
    });
    let header = match lang {
        Lang::Vi => ["Đầu vào", "Mô tả", "Si", "KTC 95% của Si", "STi", "KTC 95% của STi"],
        Lang::En => ["Input", "Description", "Si", "Si 95% CI", "STi", "STi 95% CI"],
    };
    use Align::{Left, Right};
    let align = [Left, Left, Right, Right, Right, Right];
    for g in &result.groups {
        let group = &assessment.groups[g.group];
        out.push_str(&format!("\n{}\n", group.name.get(lang)));
        if g.inputs.is_empty() {
            out.push_str(lang.pick("(không có đầu vào bất định nào)\n", "(no uncertain input)\n"));
            continue;
        }
        let rows: Vec<Vec<String>> = g
            .inputs
            .iter()
            .map(|i| {
                vec![
                    i.input.label(),
                    describe(i.input, lang),
                    index(lang, i.index.si),
                    interval(lang, i.index.si_ci),
                    index(lang, i.index.sti),
                    interval(lang, i.index.sti_ci),
                ]
            })
            .collect();
        out.push_str(&table(&header, &align, &rows));
    }
    out
}
