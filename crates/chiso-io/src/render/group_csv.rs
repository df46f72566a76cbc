//! One group's ranking as a CSV table to download: named columns in the reader's
//! language ("1 Nhận thức số", …), values rounded as the pages show them (two
//! decimals, written with a point so that any tool reads them as numbers).

use chiso_core::rank::round_half_away;
use chiso_core::{Assessment, AssessmentResults, Lang};

/// Writes group `group`'s units in rank order; `None` if the assessment has no
/// such group.
pub fn write(
    out: impl std::io::Write,
    assessment: &Assessment,
    results: &AssessmentResults,
    group: &str,
    lang: Lang,
) -> Option<csv::Result<()>> {
    let g = assessment.groups.iter().position(|x| x.code == group)?;
    let framework = &assessment.groups[g].framework;
    Some((|| {
        let mut writer = csv::Writer::from_writer(out);
        let mut header: Vec<String> =
            [lang.pick("Hạng", "Rank"), lang.pick("Mã", "Code"), lang.pick("Đơn vị", "Unit")]
                .map(String::from)
                .into();
        header.extend(framework.top.iter().map(|&i| {
            let indicator = &framework.indicators[i];
            format!("{} {}", indicator.code, indicator.name.get(lang))
        }));
        header.extend([lang.pick("Tổng điểm", "Total"), lang.pick("Xếp loại", "Band")].map(String::from));
        writer.write_record(&header)?;
        let shown = |v: f64| format!("{:.2}", round_half_away(v, 2));
        for r in results.units.iter().filter(|r| assessment.units[r.unit].group == g) {
            let unit = &assessment.units[r.unit];
            let mut row = vec![r.rank.to_string(), unit.code.clone(), unit.name.get(lang).to_owned()];
            row.extend(framework.top.iter().map(|&i| r.scores[i].map(shown).unwrap_or_default()));
            row.push(shown(r.rounded));
            row.push(framework.bands[r.band].label.get(lang).to_owned());
            writer.write_record(&row)?;
        }
        writer.flush()?;
        Ok(())
    })())
}

#[cfg(test)]
mod tests {
    use crate::{Files, Package};
    use chiso_core::Lang;
    use std::path::Path;

    #[test]
    fn a_groups_table_has_named_columns_and_rounded_values() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
        let package = Package::from_files(Files::dir(dir)).unwrap_or_else(|e| panic!("{:?}", e.0));
        let results = package.score().unwrap_or_else(|e| panic!("{:?}", e.0));
        let mut out = Vec::new();
        super::write(&mut out, &package.assessment, &results, "provincial", Lang::Vi)
            .unwrap_or_else(|| panic!("a group"))
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        assert!(header.starts_with("Hạng,Mã,Đơn vị,1 Nhận thức số,"), "{header}");
        assert!(header.ends_with(",Tổng điểm,Xếp loại"), "{header}");
        let first = lines.next().unwrap_or_default();
        assert!(
            first.starts_with("1,STTTT,Sở Thông tin và Truyền thông,") && first.contains(",91.48,"),
            "{first}"
        );
        assert_eq!(text.lines().count(), 21, "a header and the 20 provincial agencies");
        let mut english = Vec::new();
        super::write(&mut english, &package.assessment, &results, "district", Lang::En)
            .unwrap_or_else(|| panic!())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            String::from_utf8(english).unwrap_or_default().starts_with("Rank,Code,Unit,1 Digital awareness")
        );
        assert!(super::write(Vec::new(), &package.assessment, &results, "nope", Lang::Vi).is_none());
    }
}
