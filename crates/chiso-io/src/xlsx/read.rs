//! Reading a filled template back.
//!
//! A sheet is read cell by cell with calamine's streaming reader into a sparse map,
//! never into a dense range: `worksheet_range` allocates every cell between the
//! first and the last used one, so a 5 KB file using `A1` and `XFD1048576` would ask
//! for hundreds of gigabytes. A value beyond the template's size (with some slack),
//! more than [`MAX_SHEETS`] sheets or more than [`MAX_CELLS`] cells refuse the file.

use super::{
    CODE_ROW, CellValue, FIRST_DATA_ROW, FIRST_INDICATOR_COLUMN, NOT_APPLICABLE, UNIT_CODE_COLUMN, XlsxError,
    cell_name, is_percent_format, number_text, yes_no,
};
use calamine::{Data, Reader, Xlsx};
use chiso_core::framework::Source;
use chiso_core::{Assessment, Entry, Framework, Lang};
use std::collections::HashMap;
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

/// Rows a sheet may have beyond a header and a row per unit of the assessment
/// (blank rows, a total, notes), and columns beyond the unit columns and a column
/// per indicator of the group's framework (remarks). Values further out refuse the
/// file: they cannot belong to the template.
pub const ROW_SLACK: u32 = 200;
pub const COLUMN_SLACK: u32 = 100;
/// At most this many sheets in a workbook (a template has one per group).
pub const MAX_SHEETS: usize = 256;
/// At most this many cells (empty ones included) read from all group sheets together.
pub const MAX_CELLS: usize = 1_000_000;

/// Reads a filled template: every sheet named after a group code (other sheets are
/// ignored), indicator columns found by the code in row 1, units by the code in
/// column A, data from row 4. Each non-empty cell becomes the text a values.csv
/// would hold (see the [module docs](super) for numbers, percentages, booleans and
/// dates) and is checked with its leaf's rule; `na` is accepted everywhere. Empty
/// cells are simply absent. Columns of leaves taken from monitoring KPIs are ignored.
///
/// The file is refused whole if anything is wrong, with every error found, each
/// naming its sheet and cell where it has one. A sheet with a value far beyond the
/// template's size is refused before anything large is built (see [`ROW_SLACK`]).
pub fn read_values(
    assessment: &Assessment,
    bytes: &[u8],
    lang: Lang,
) -> Result<Vec<CellValue>, Vec<XlsxError>> {
    // calamine 0.38 panics in builds with overflow checks on a cell reference of
    // seven letters or more (found by fuzzing; calamine issue #709, not fixed in a
    // release yet): a malformed upload is refused, it must not bring down its
    // request. Release builds wrap instead, and the far cell is refused below.
    let read = std::panic::catch_unwind(AssertUnwindSafe(|| read_values_unguarded(assessment, bytes, lang)));
    read.unwrap_or_else(|_| {
        Err(vec![XlsxError::file(match lang {
            Lang::Vi => "tệp không phải là bảng tính Excel (.xlsx) đọc được: nội dung trang tính bị hỏng",
            Lang::En => "the file is not a readable Excel workbook (.xlsx): a sheet is malformed",
        })])
    })
}

fn read_values_unguarded(
    assessment: &Assessment,
    bytes: &[u8],
    lang: Lang,
) -> Result<Vec<CellValue>, Vec<XlsxError>> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![XlsxError::file(match lang {
            Lang::Vi => format!("tệp không phải là bảng tính Excel (.xlsx) đọc được: {e}"),
            Lang::En => format!("the file is not a readable Excel workbook (.xlsx): {e}"),
        })]
    })?;
    let names = book.sheet_names();
    if names.len() > MAX_SHEETS {
        let n = names.len();
        return Err(vec![XlsxError::file(match lang {
            Lang::Vi => format!("tệp có {n} trang tính, quá {MAX_SHEETS} trang; hãy dùng tệp mẫu tải về"),
            Lang::En => {
                format!("the file has {n} sheets, more than {MAX_SHEETS}; use the downloaded template")
            }
        })]);
    }
    let mut reading = Reading {
        assessment,
        lang,
        units: assessment.units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect(),
        values: Vec::new(),
        errors: Vec::new(),
    };
    let mut found = false;
    let mut budget = MAX_CELLS;
    for name in names {
        let Some(group) = assessment.groups.iter().position(|g| g.code == name) else { continue };
        found = true;
        let limits = Limits {
            rows: FIRST_DATA_ROW + u32::try_from(assessment.units.len()).unwrap_or(u32::MAX) + ROW_SLACK,
            columns: u32::from(FIRST_INDICATOR_COLUMN)
                + u32::try_from(assessment.groups[group].framework.indicators.len()).unwrap_or(u32::MAX)
                + COLUMN_SLACK,
        };
        match read_sheet(&mut book, &name, limits, &mut budget) {
            Ok(cells) => reading.sheet(&name, group, &cells),
            Err(fault) => {
                reading.errors.push(fault.error(&name, limits, lang));
                if matches!(fault, SheetFault::TooManyCells) {
                    break;
                }
            }
        }
    }
    if !found {
        let codes: Vec<&str> = assessment.groups.iter().map(|g| g.code.as_str()).collect();
        reading.errors.push(XlsxError::file(match lang {
            Lang::Vi => format!(
                "không có trang tính nào mang mã một khối ({}); hãy dùng tệp mẫu tải về",
                codes.join(", ")
            ),
            Lang::En => {
                format!("no sheet is named after a group ({}); use the downloaded template", codes.join(", "))
            }
        }));
    }
    if reading.errors.is_empty() { Ok(reading.values) } else { Err(reading.errors) }
}

/// How many rows and columns (counted from A1) a group's sheet may use.
#[derive(Debug, Clone, Copy)]
struct Limits {
    rows: u32,
    columns: u32,
}

/// The non-empty cells of a sheet, with whether each is shown as a percentage.
#[derive(Debug, Default)]
struct SheetCells {
    cells: HashMap<(u32, u32), (Data, bool)>,
    last_row: u32,
    last_column: u32,
}

impl SheetCells {
    fn get(&self, row: u32, column: u32) -> Option<&(Data, bool)> {
        self.cells.get(&(row, column))
    }
}

/// Why a sheet was not read.
#[derive(Debug)]
enum SheetFault {
    Calamine(calamine::XlsxError),
    /// A value at (row, column), outside the limits.
    Beyond(u32, u32),
    /// The workbook's cell budget ran out.
    TooManyCells,
}

impl SheetFault {
    fn error(&self, sheet: &str, limits: Limits, lang: Lang) -> XlsxError {
        let (rows, columns) = (limits.rows, limits.columns);
        match self {
            SheetFault::Calamine(e) => XlsxError {
                sheet: Some(sheet.to_string()),
                cell: None,
                message: match lang {
                    Lang::Vi => format!("không đọc được trang tính: {e}"),
                    Lang::En => format!("cannot read the sheet: {e}"),
                },
            },
            SheetFault::Beyond(row, column) => {
                let message = match lang {
                    Lang::Vi => format!(
                        "ô có giá trị nằm quá xa ngoài bảng của tệp mẫu (trang này dùng tối đa {rows} dòng và {columns} cột); hãy xoá những gì nằm ngoài bảng hoặc dùng tệp mẫu tải về"
                    ),
                    Lang::En => format!(
                        "the cell holds a value far outside the template's table (this sheet uses at most {rows} rows and {columns} columns); delete what lies outside the table or use the downloaded template"
                    ),
                };
                XlsxError {
                    sheet: Some(sheet.to_string()),
                    cell: Some(far_cell_name(*row, *column)),
                    message,
                }
            }
            SheetFault::TooManyCells => XlsxError {
                sheet: Some(sheet.to_string()),
                cell: None,
                message: match lang {
                    Lang::Vi => format!(
                        "tệp có hơn {MAX_CELLS} ô, quá lớn đối với một tệp mẫu; hãy dùng tệp mẫu tải về"
                    ),
                    Lang::En => {
                        format!(
                            "the file has more than {MAX_CELLS} cells, too many for a template; use the downloaded template"
                        )
                    }
                },
            },
        }
    }
}

/// The A1 name of any cell a file may claim, even beyond Excel's columns.
fn far_cell_name(row: u32, column: u32) -> String {
    match u16::try_from(column) {
        Ok(column) => cell_name(row, column),
        Err(_) => format!("R{}C{}", u64::from(row) + 1, u64::from(column) + 1),
    }
}

/// Streams a sheet's cells into a sparse map, refusing a value outside `limits`
/// and stopping when the workbook's cell budget runs out. A chart sheet reads as
/// empty. Empty cells (formatting only) are skipped wherever they are.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: Limits,
    budget: &mut usize,
) -> Result<SheetCells, SheetFault> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(SheetCells::default()),
        Err(e) => return Err(SheetFault::Calamine(e)),
    };
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|style| style.number_format.as_ref().is_some_and(|f| is_percent_format(&f.format_code)))
        .collect();
    let mut sheet = SheetCells::default();
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(SheetFault::Calamine)? {
        *budget = budget.checked_sub(1).ok_or(SheetFault::TooManyCells)?;
        let (row, column) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        if row >= limits.rows || column >= limits.columns {
            return Err(SheetFault::Beyond(row, column));
        }
        sheet.last_row = sheet.last_row.max(row);
        sheet.last_column = sheet.last_column.max(column);
        let shown_as_percent = percent.get(style).copied().unwrap_or(false);
        sheet.cells.insert((row, column), (value, shown_as_percent));
    }
    Ok(sheet)
}

/// What a column of a sheet holds, by its code in row 1.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    /// A leaf of the group's framework (index into its indicators).
    Leaf(usize),
    /// A leaf taken from monitoring data: not read.
    Kpi,
    /// No code in row 1.
    Blank,
    /// A code already reported as wrong.
    Refused,
}

struct Reading<'a> {
    assessment: &'a Assessment,
    lang: Lang,
    units: HashMap<&'a str, usize>,
    values: Vec<CellValue>,
    errors: Vec<XlsxError>,
}

impl Reading<'_> {
    fn message(&self, vi: String, en: String) -> String {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    fn sheet(&mut self, name: &str, group: usize, cells: &SheetCells) {
        if cells.cells.is_empty() {
            return;
        }
        let (last_row, last_column) = (cells.last_row, cells.last_column);
        let (assessment, lang) = (self.assessment, self.lang);
        let framework = &assessment.groups[group].framework;
        let text_at = |row: u32, column: u32| cell_text(cells, row, column, lang);
        let Ok(last_column) = u16::try_from(last_column) else { return };

        // Row 1: which leaf each column holds.
        let mut columns: Vec<(u16, Column)> = Vec::new();
        let mut seen: HashMap<usize, u16> = HashMap::new();
        for column in FIRST_INDICATOR_COLUMN..=last_column {
            let kind = match text_at(CODE_ROW, column.into()) {
                Ok(None) => Column::Blank,
                Ok(Some(code)) => self.header(name, column, &code, framework, &mut seen),
                Err(message) => {
                    self.errors.push(XlsxError::at(name, CODE_ROW, column, message));
                    Column::Refused
                }
            };
            columns.push((column, kind));
        }

        let mut rows_of_units: HashMap<usize, u32> = HashMap::new();
        let mut blank_reported: Vec<u16> = Vec::new();
        for row in FIRST_DATA_ROW..=last_row {
            let unit = self.unit(name, group, row, &text_at, &columns, &mut rows_of_units);
            for &(column, kind) in &columns {
                let (Column::Leaf(_) | Column::Blank) = kind else { continue };
                let text = match text_at(row, column.into()) {
                    Ok(Some(text)) => text,
                    Ok(None) => continue,
                    Err(message) => {
                        self.errors.push(XlsxError::at(name, row, column, message));
                        continue;
                    }
                };
                let Column::Leaf(leaf) = kind else {
                    if !blank_reported.contains(&column) {
                        blank_reported.push(column);
                        let message = self.message(
                            "cột có giá trị nhưng không có mã chỉ số ở dòng 1".into(),
                            "the column has values but no indicator code in row 1".into(),
                        );
                        self.errors.push(XlsxError::at(name, CODE_ROW, column, message));
                    }
                    continue;
                };
                let indicator = &framework.indicators[leaf];
                match indicator.parse_entry(&text) {
                    Ok(Entry::Missing) => {}
                    Ok(entry) => {
                        if let Some(unit) = unit {
                            let text =
                                if entry == Entry::NotApplicable { NOT_APPLICABLE.into() } else { text };
                            self.values.push(CellValue {
                                unit: self.assessment.units[unit].code.clone(),
                                indicator: indicator.code.clone(),
                                text,
                            });
                        }
                    }
                    Err(problem) => {
                        let context = match unit {
                            Some(u) => {
                                let unit = &self.assessment.units[u].code;
                                self.message(
                                    format!(" (đơn vị {unit}, chỉ số {})", indicator.code),
                                    format!(" (unit {unit}, indicator {})", indicator.code),
                                )
                            }
                            None => String::new(),
                        };
                        let message = format!("{}{context}", problem.message(self.lang));
                        self.errors.push(XlsxError::at(name, row, column, message));
                    }
                }
            }
        }
    }

    /// Checks the code of a column header.
    fn header(
        &mut self,
        sheet: &str,
        column: u16,
        code: &str,
        framework: &Framework,
        seen: &mut HashMap<usize, u16>,
    ) -> Column {
        let group = sheet;
        let refuse = |this: &mut Self, vi: String, en: String| {
            let message = this.message(vi, en);
            this.errors.push(XlsxError::at(sheet, CODE_ROW, column, message));
            Column::Refused
        };
        let Some(index) = framework.find(code) else {
            return refuse(
                self,
                format!("chỉ số \"{code}\" không có trong khung chỉ số của khối \"{group}\""),
                format!("indicator \"{code}\" is not in the framework of group \"{group}\""),
            );
        };
        let indicator = &framework.indicators[index];
        if !indicator.is_leaf() {
            return refuse(
                self,
                format!(
                    "chỉ số \"{code}\" có chỉ số con; điểm của nó được tính từ các chỉ số con, hãy nhập giá trị cho chỉ số con"
                ),
                format!(
                    "indicator \"{code}\" has children and is computed from them; enter values for its children"
                ),
            );
        }
        if let Some(&first) = seen.get(&index) {
            let first = super::cell_name(CODE_ROW, first);
            return refuse(
                self,
                format!("chỉ số \"{code}\" đã có cột ở ô {first}"),
                format!("indicator \"{code}\" already has a column at {first}"),
            );
        }
        seen.insert(index, column);
        if matches!(indicator.source, Source::Kpi(_)) { Column::Kpi } else { Column::Leaf(index) }
    }

    /// The unit of a data row, if its code is known, of this sheet's group and not
    /// seen before; errors otherwise (none for a wholly empty row).
    fn unit(
        &mut self,
        sheet: &str,
        group: usize,
        row: u32,
        text_at: &dyn Fn(u32, u32) -> Result<Option<String>, String>,
        columns: &[(u16, Column)],
        rows_of_units: &mut HashMap<usize, u32>,
    ) -> Option<usize> {
        let at = |message| XlsxError::at(sheet, row, UNIT_CODE_COLUMN, message);
        let code = match text_at(row, UNIT_CODE_COLUMN.into()) {
            Ok(Some(code)) => code,
            Ok(None) => {
                let has_values = columns.iter().any(|&(column, kind)| {
                    matches!(kind, Column::Leaf(_)) && !matches!(text_at(row, column.into()), Ok(None))
                });
                if has_values {
                    let message = self.message(
                        "dòng có giá trị nhưng không có mã đơn vị ở cột A".into(),
                        "the row has values but no unit code in column A".into(),
                    );
                    self.errors.push(at(message));
                }
                return None;
            }
            Err(message) => {
                self.errors.push(at(message));
                return None;
            }
        };
        let Some(&unit) = self.units.get(code.as_str()) else {
            let message = self.message(
                format!("mã đơn vị \"{code}\" không có trong danh sách đơn vị của đợt đánh giá"),
                format!("unit code \"{code}\" is not among the assessment's units"),
            );
            self.errors.push(at(message));
            return None;
        };
        let unit_group = self.assessment.units[unit].group;
        if unit_group != group {
            let other = &self.assessment.groups[unit_group].code;
            let message = self.message(
                format!(
                    "đơn vị \"{code}\" thuộc khối \"{other}\", không thuộc khối \"{sheet}\"; hãy nhập ở trang tính \"{other}\""
                ),
                format!(
                    "unit \"{code}\" belongs to group \"{other}\", not \"{sheet}\"; enter it on sheet \"{other}\""
                ),
            );
            self.errors.push(at(message));
            return None;
        }
        if let Some(&first) = rows_of_units.get(&unit) {
            let first = first + 1;
            let message = self.message(
                format!("đơn vị \"{code}\" đã có ở dòng {first}"),
                format!("unit \"{code}\" already appears on row {first}"),
            );
            self.errors.push(at(message));
            return None;
        }
        rows_of_units.insert(unit, row);
        Some(unit)
    }
}

/// The text of a cell as values.csv would hold it; `Ok(None)` for an empty cell,
/// `Err(message)` for a cell no rule can read (a date, an error value).
fn cell_text(cells: &SheetCells, row: u32, column: u32, lang: Lang) -> Result<Option<String>, String> {
    let (value, percent) = match cells.get(row, column) {
        Some((value, percent)) => (Some(value), *percent),
        None => (None, false),
    };
    let number = |v: f64| if percent { format!("{}%", number_text(v * 100.0)) } else { number_text(v) };
    match value {
        None | Some(Data::Empty) => Ok(None),
        Some(Data::String(s)) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_string()))
        }
        Some(Data::Float(v)) => Ok(Some(number(*v))),
        Some(Data::Int(v)) => Ok(Some(number(*v as f64))),
        Some(Data::Bool(b)) => {
            let (yes, no) = yes_no(lang);
            Ok(Some(if *b { yes } else { no }.to_string()))
        }
        Some(Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_)) => Err(match lang {
            Lang::Vi => "ô chứa ngày tháng hoặc giờ, không phải một giá trị; nếu là tỷ số a/b (ví dụ 3/4), hãy nhập dưới dạng văn bản (gõ dấu ' ở đầu: '3/4)".into(),
            Lang::En => "the cell holds a date or time, not a value; for a ratio a/b (e.g. 3/4), enter it as text (type a leading ': '3/4)".into(),
        }),
        Some(Data::Error(e)) => Err(match lang {
            Lang::Vi => format!("ô có lỗi công thức ({e})"),
            Lang::En => format!("the cell holds a formula error ({e})"),
        }),
    }
}
