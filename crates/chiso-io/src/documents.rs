//! The decision approving a round's results (quyết định phê duyệt kết quả) as a
//! Word document, laid out as Vietnam's administrative documents are (Decree
//! 30/2020/NĐ-CP: national title and motto, issuing body, number and symbol, place
//! and date, summary line, legal bases, articles, recipients, signature block),
//! with the results annex: one table per group. A draft the provincial office
//! edits and signs: the number and day come from the publication's decision when
//! it gives them, and are left to fill in ("……") otherwise.

use crate::docx_style::{A4, BODY, TITLE, centred, justified, line, pack, run};
use crate::render::clean;
use chiso_core::lang::ENGLISH_MONTHS;
use chiso_core::rank::round_half_away;
use chiso_core::{Assessment, AssessmentResults, Lang};
use docx_rs::{BreakType, Docx, PageMargin, Paragraph, Table, TableCell, TableRow, WidthType};

/// The province the assessment is of, read from its name ("… tỉnh Sơn La năm 2024",
/// "… of Son La province, 2024"); "……" when the name does not say.
pub fn province_of(assessment: &Assessment, lang: Lang) -> String {
    let name = assessment.name.get(lang);
    let found = match lang {
        Lang::Vi => name.split_once("tỉnh ").map(|(_, rest)| rest.split(" năm").next().unwrap_or(rest)),
        Lang::En => name
            .split_once(" of ")
            .and_then(|(_, rest)| rest.rsplit_once(" province"))
            .map(|(p, _)| p.rsplit_once(" of ").map_or(p, |(_, last)| last)),
    };
    found.map(str::trim).filter(|p| !p.is_empty()).unwrap_or("……").to_owned()
}

/// The number and symbol in a decision's text: the first word holding a `/`
/// after a digit ("Quyết định số 123/QĐ-UBND ngày …" → "123/QĐ-UBND").
pub fn decision_number(text: &str) -> Option<&str> {
    text.split_whitespace()
        .map(|word| word.trim_end_matches([',', ';', '.', ')']))
        .find(|word| word.chars().next().is_some_and(|c| c.is_ascii_digit()) && word.contains('/'))
}

/// "Sơn La, ngày 20 tháng 3 năm 2025" / "Son La, 20 March 2025" from `YYYY-MM-DD`;
/// blanks to fill in (in the year after the assessed one) without a date.
fn place_and_date(province: &str, decided_on: Option<&str>, year_after: i32, lang: Lang) -> String {
    let parts: Option<(i32, usize, u32)> = decided_on.and_then(|d| {
        let mut it = d.trim().splitn(3, '-');
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    });
    match (parts.filter(|&(_, m, _)| (1..=12).contains(&m)), lang) {
        // Decree 30/2020: a day below 10 and the months 1 and 2 take a leading zero.
        (Some((y, m, d)), Lang::Vi) => {
            let month = if m <= 2 { format!("{m:02}") } else { m.to_string() };
            format!("{province}, ngày {d:02} tháng {month} năm {y}")
        }
        (Some((y, m, d)), Lang::En) => format!("{province}, {d} {} {y}", ENGLISH_MONTHS[m - 1]),
        (None, Lang::Vi) => format!("{province}, ngày …… tháng …… năm {year_after}"),
        (None, Lang::En) => format!("{province}, …… {year_after}"),
    }
}

/// The decision approving `results` of `assessment`, in `lang`, as .docx bytes;
/// `meta` gives the decision's number (read from its text) and date when known.
pub fn decision_docx(
    assessment: &Assessment,
    results: &AssessmentResults,
    meta: &crate::report::ReportMeta,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    let province = province_of(assessment, lang);
    let vi = lang == Lang::Vi;
    let issuer = if vi {
        format!("ỦY BAN NHÂN DÂN\nTỈNH {}", province.to_uppercase())
    } else {
        format!("PEOPLE'S COMMITTEE\nOF {} PROVINCE", province.to_uppercase())
    };
    let year_after = assessment.year + 1;
    let place_date = place_and_date(&province, meta.decided_on.as_deref(), year_after, lang);
    // The heading: issuing body and number on the left, national title and motto,
    // place and date on the right.
    let cell = |lines: Vec<Paragraph>| {
        lines.into_iter().fold(TableCell::new().width(4_500, WidthType::Dxa), TableCell::add_paragraph)
    };
    let mut left = issuer.lines().map(|l| centred(l, true, BODY)).collect::<Vec<_>>();
    let number = meta.decision.as_deref().and_then(decision_number).unwrap_or("……/QĐ-UBND");
    left.push(centred(&format!("{} {number}", lang.pick("Số:", "No.:")), false, BODY));
    let right = vec![
        centred(lang.pick("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIETNAM"), true, BODY),
        centred(lang.pick("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"), true, BODY),
        centred(&place_date, false, BODY),
    ];
    let heading = Table::new(vec![TableRow::new(vec![cell(left), cell(right)])])
        .clear_all_border()
        .width(9_000, WidthType::Dxa);

    let name = assessment.name.get(lang);
    let overall = clean(results.overall_mean);
    let first = &assessment.groups[0].framework;
    let overall_band = first.bands[results.overall_band].label.get(lang);
    let mut docx = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(PageMargin::new().top(1_134).bottom(1_134).left(1_701).right(1_134))
        .add_table(heading)
        .add_paragraph(line(""))
        .add_paragraph(centred(lang.pick("QUYẾT ĐỊNH", "DECISION"), true, TITLE))
        .add_paragraph(centred(&format!("{} {name}", lang.pick("Phê duyệt kết quả", "Approving the results of the")), true, BODY))
        .add_paragraph(centred("______", false, BODY))
        .add_paragraph(centred(&if vi { format!("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH {}", province.to_uppercase()) } else { format!("CHAIRPERSON OF THE PEOPLE'S COMMITTEE OF {} PROVINCE", province.to_uppercase()) }, true, BODY))
        .add_paragraph(justified(lang.pick(
            "Căn cứ Luật Tổ chức chính quyền địa phương;",
            "Pursuant to the Law on the Organisation of Local Government;",
        )))
        .add_paragraph(justified(lang.pick(
            "Căn cứ Bộ chỉ số đánh giá chuyển đổi số của các cơ quan nhà nước của tỉnh và kết quả thẩm định của Hội đồng thẩm định;",
            "Pursuant to the province's index for assessing the digital transformation of state agencies and to the findings of the appraisal council;",
        )))
        .add_paragraph(justified(lang.pick(
            "Theo đề nghị của cơ quan thường trực về chuyển đổi số của tỉnh.",
            "At the proposal of the province's standing body for digital transformation.",
        )))
        .add_paragraph(centred(lang.pick("QUYẾT ĐỊNH:", "DECIDES:"), true, BODY))
        .add_paragraph(justified(&if vi {
            format!(
                "Điều 1. Phê duyệt kết quả {name} (chi tiết tại Phụ lục kèm theo). Điểm trung bình chung đạt {} điểm, xếp loại {overall_band}.",
                Lang::Vi.number(overall, 2)
            )
        } else {
            format!(
                "Article 1. The results of the {name} are approved (detailed in the attached Annex). The overall mean is {} points, band {overall_band}.",
                Lang::En.number(overall, 2)
            )
        }))
        .add_paragraph(justified(lang.pick(
            "Điều 2. Các cơ quan, đơn vị căn cứ kết quả tại Điều 1 để xây dựng kế hoạch khắc phục các chỉ số còn hạn chế, nâng cao mức độ chuyển đổi số trong năm tiếp theo.",
            "Article 2. The agencies and units use the results in Article 1 to plan how to improve the indicators where they fell short and to advance their digital transformation in the coming year.",
        )))
        .add_paragraph(justified(lang.pick(
            "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Thủ trưởng các sở, ban, ngành, Chủ tịch Ủy ban nhân dân các xã, phường và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này./.",
            "Article 3. This Decision takes effect on the date of signing. The Chief of the Office of the Provincial People's Committee, the heads of the departments and agencies, the chairpersons of the People's Committees of the communes and wards, and the agencies and units concerned are responsible for implementing it./.",
        )))
        .add_paragraph(line(""));
    let recipients = vec![
        Paragraph::new().add_run(run(lang.pick("Nơi nhận:", "Recipients:")).bold().italic()),
        line(lang.pick("- Như Điều 3;", "- As in Article 3;")),
        line(lang.pick("- Lưu: VT.", "- Archived.")),
    ];
    let signature = vec![
        centred(lang.pick("KT. CHỦ TỊCH", "FOR THE CHAIRPERSON"), true, BODY),
        centred(lang.pick("PHÓ CHỦ TỊCH", "VICE-CHAIRPERSON"), true, BODY),
    ];
    docx = docx.add_table(
        Table::new(vec![TableRow::new(vec![cell(recipients), cell(signature)])])
            .clear_all_border()
            .width(9_000, WidthType::Dxa),
    );
    // The annex: one table per group, units in rank order.
    docx = docx
        .add_paragraph(Paragraph::new().add_run(run("").add_break(BreakType::Page)))
        .add_paragraph(centred(lang.pick("PHỤ LỤC", "ANNEX"), true, TITLE))
        .add_paragraph(centred(&format!("{} {name}", lang.pick("Kết quả", "Results of the")), true, BODY));
    for group in &results.groups {
        let g = &assessment.groups[group.group];
        docx = docx.add_paragraph(Paragraph::new().add_run(run(g.name.get(lang)).bold()));
        let header = [
            lang.pick("STT", "No."),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Tổng điểm", "Total"),
            lang.pick("Xếp loại", "Band"),
            lang.pick("Xếp hạng", "Rank"),
        ];
        let row = |cells: Vec<String>, bold: bool| {
            TableRow::new(
                cells
                    .iter()
                    .map(|text| {
                        TableCell::new().add_paragraph(Paragraph::new().add_run(if bold {
                            run(text).bold()
                        } else {
                            run(text)
                        }))
                    })
                    .collect(),
            )
        };
        let mut rows = vec![row(header.iter().map(|h| (*h).to_owned()).collect(), true)];
        for (i, r) in
            results.units.iter().filter(|r| assessment.units[r.unit].group == group.group).enumerate()
        {
            rows.push(row(
                vec![
                    (i + 1).to_string(),
                    assessment.units[r.unit].name.get(lang).to_owned(),
                    lang.number(round_half_away(r.rounded, 2), 2),
                    g.framework.bands[r.band].label.get(lang).to_owned(),
                    r.rank.to_string(),
                ],
                false,
            ));
        }
        docx = docx
            .add_table(Table::new(rows).set_grid(vec![700, 4_300, 1_400, 1_400, 1_200]))
            .add_paragraph(line(""));
    }
    pack(docx)
}
