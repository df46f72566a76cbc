//! A source's column mapping: how the columns of another system's export are named
//! in a service folder. One rule a line, `their name = chiso name`, optionally for
//! one file only (`dossiers: MaHoSo = id`); `#` starts a comment. Columns the
//! mapping does not name keep their names (and the reader refuses unknown ones).

use chiso_core::Lang;
use chiso_io::service::FILES;

/// One rule: in `file` (every file when `None`), the column `from` is `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    file: Option<&'static str>,
    from: String,
    to: &'static str,
}

/// A parsed mapping; empty maps nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    rules: Vec<Rule>,
}

/// Why a mapping was refused: its line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub line: usize,
    kind: MappingProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum MappingProblem {
    NoEquals,
    UnknownFile(String),
    UnknownColumn(String),
    Empty,
    Twice(String),
}

impl MappingError {
    pub fn message(&self, lang: Lang) -> String {
        let what = match &self.kind {
            MappingProblem::NoEquals => lang
                .pick("cần dạng «cột nguồn = cột chiso»", "expected «their column = chiso column»")
                .to_owned(),
            MappingProblem::UnknownFile(file) => format!(
                "{} «{file}» ({})",
                lang.pick("không có tệp", "no file"),
                FILES.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
            ),
            MappingProblem::UnknownColumn(column) => {
                format!("{} «{column}»", lang.pick("chiso không có cột", "chiso has no column"))
            }
            MappingProblem::Empty => lang.pick("thiếu tên cột", "a column name is missing").to_owned(),
            MappingProblem::Twice(column) => {
                format!("«{column}» {}", lang.pick("được ánh xạ hai lần", "is mapped twice"))
            }
        };
        format!("{} {}: {what}", lang.pick("Ánh xạ cột, dòng", "Column mapping, line"), self.line)
    }
}

impl ColumnMapping {
    pub fn parse(text: &str) -> Result<ColumnMapping, MappingError> {
        let mut rules: Vec<Rule> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let fail = |kind| Err(MappingError { line, kind });
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let Some((left, right)) = content.split_once('=') else { return fail(MappingProblem::NoEquals) };
            let (file, from) = match left.split_once(':') {
                Some((file, from)) => {
                    let file = file.trim();
                    match FILES.iter().find(|(name, _)| *name == file) {
                        Some((name, _)) => (Some(*name), from.trim()),
                        None => return fail(MappingProblem::UnknownFile(file.to_owned())),
                    }
                }
                None => (None, left.trim()),
            };
            let to = right.trim();
            if from.is_empty() || to.is_empty() {
                return fail(MappingProblem::Empty);
            }
            let known = FILES
                .iter()
                .filter(|(name, _)| file.is_none_or(|f| f == *name))
                .flat_map(|(_, columns)| columns.iter())
                .find(|c| **c == to);
            let Some(to) = known else { return fail(MappingProblem::UnknownColumn(to.to_owned())) };
            if rules.iter().any(|r| r.from == from && (r.file.is_none() || file.is_none() || r.file == file))
            {
                return fail(MappingProblem::Twice(from.to_owned()));
            }
            rules.push(Rule { file, from: from.to_owned(), to });
        }
        Ok(ColumnMapping { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The chiso name of column `name` of `file` (`dossiers`, …).
    pub fn rename<'a>(&'a self, file: &str, name: &'a str) -> &'a str {
        let name_trimmed = name.trim();
        self.rules
            .iter()
            .find(|r| r.from == name_trimmed && r.file.is_none_or(|f| f == file))
            .map_or(name, |r| r.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_columns_for_every_file_or_for_one() {
        let mapping = ColumnMapping::parse(
            "# from the provincial system\nMaDonVi = unit\ndossiers: MaHoSo = id  # dossier number\n\npetitions:Ma = id",
        )
        .unwrap();
        assert_eq!(mapping.rename("dossiers", "MaDonVi"), "unit");
        assert_eq!(mapping.rename("petitions", "MaDonVi"), "unit");
        assert_eq!(mapping.rename("dossiers", "MaHoSo"), "id");
        assert_eq!(mapping.rename("units", "MaHoSo"), "MaHoSo");
        assert_eq!(mapping.rename("petitions", "Ma"), "id");
        assert_eq!(mapping.rename("dossiers", "received"), "received");
        assert!(ColumnMapping::parse("").unwrap().is_empty());
    }

    #[test]
    fn refuses_bad_rules_naming_the_line() {
        let error = |text| ColumnMapping::parse(text).unwrap_err();
        assert_eq!(error("a = id\nb id").line, 2);
        assert!(error("x = nope").message(Lang::En).contains("no column «nope»"));
        assert!(error("units: x = received").message(Lang::En).contains("«received»"));
        assert!(error("hoso: x = id").message(Lang::Vi).contains("không có tệp «hoso»"));
        assert!(error(" = id").message(Lang::En).contains("missing"));
        assert!(error("a = id\na = unit").message(Lang::En).contains("mapped twice"));
        assert_eq!(
            error("ok = id\n\nbad").message(Lang::En).split(':').next(),
            Some("Column mapping, line 3")
        );
    }
}
