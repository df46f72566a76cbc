//! Fields of a service folder's rows, parsed by the rules of the assessment
//! package: boolean words (`1/true/yes/có/x`, `0/false/no/không`, any letter case),
//! numbers (`2`, `2,5`, `2.5`), ISO 8601 local times or dates.

use super::error::ServiceProblem;
use super::rows::Row;
use chiso_core::number::parse_number;
use chiso_core::rule::parse_boolean;
use chiso_core::service_index::{Date, Moment, RecordProblem};

/// A field that is refused: its column and why.
#[derive(Debug)]
pub(crate) struct FieldError {
    pub column: &'static str,
    pub problem: ServiceProblem,
}

impl From<RecordProblem> for FieldError {
    fn from(problem: RecordProblem) -> Self {
        FieldError { column: problem.field(), problem: ServiceProblem::Record(problem) }
    }
}

/// One row being read: fields by their position in the format's column list.
pub(crate) struct Fields<'r, R: ?Sized> {
    pub rows: &'r R,
    /// Per column of the format, its position in the file (None: absent column).
    pub index: &'r [Option<usize>],
    pub columns: &'r [&'static str],
}

impl<R: Row + ?Sized> Fields<'_, R> {
    /// The text of column `i` of the format ("" for an absent column).
    pub(crate) fn text(&self, i: usize) -> &str {
        self.index[i].map_or("", |at| self.rows.get(at))
    }

    pub(crate) fn present(&self, i: usize) -> bool {
        self.index[i].is_some()
    }

    fn error(&self, i: usize, problem: ServiceProblem) -> FieldError {
        FieldError { column: self.columns[i], problem }
    }

    /// A required, non-empty text.
    pub(crate) fn required(&self, i: usize) -> Result<&str, FieldError> {
        match self.text(i) {
            "" => Err(self.error(i, ServiceProblem::Empty)),
            text => Ok(text),
        }
    }

    /// A required boolean.
    pub(crate) fn boolean(&self, i: usize) -> Result<bool, FieldError> {
        let text = self.text(i);
        let parsed = match text {
            // the usual spellings at once, the rest by the package's rule
            "yes" | "1" | "true" | "có" | "x" => Some(true),
            "no" | "0" | "false" | "không" => Some(false),
            _ => parse_boolean(text),
        };
        parsed.ok_or_else(|| match text {
            "" => self.error(i, ServiceProblem::Empty),
            _ => self.error(i, ServiceProblem::NotBoolean { text: shown(text) }),
        })
    }

    /// An optional column's boolean: false when the column is absent.
    pub(crate) fn optional_boolean(&self, i: usize) -> Result<bool, FieldError> {
        if self.present(i) { self.boolean(i) } else { Ok(false) }
    }

    /// A boolean that may be left empty (`default` then).
    pub(crate) fn boolean_or(&self, i: usize, default: bool) -> Result<bool, FieldError> {
        if self.text(i).is_empty() { Ok(default) } else { self.boolean(i) }
    }

    /// A required time.
    pub(crate) fn time(&self, i: usize) -> Result<Moment, FieldError> {
        self.optional_time(i)?.ok_or_else(|| self.error(i, ServiceProblem::Empty))
    }

    /// A time that may be empty.
    pub(crate) fn optional_time(&self, i: usize) -> Result<Option<Moment>, FieldError> {
        match self.text(i) {
            "" => Ok(None),
            text => Moment::parse(text)
                .map(Some)
                .ok_or_else(|| self.error(i, ServiceProblem::BadTime { text: shown(text) })),
        }
    }

    /// A date that may be empty (a time is accepted: its date counts).
    pub(crate) fn optional_date(&self, i: usize) -> Result<Option<Date>, FieldError> {
        Ok(self.optional_time(i)?.map(Moment::date))
    }

    /// A number that may be empty (0 then, and 0 for an absent column).
    pub(crate) fn number_or_zero(&self, i: usize) -> Result<f64, FieldError> {
        match self.text(i) {
            "" => Ok(0.0),
            text => parse_number(text)
                .ok_or_else(|| self.error(i, ServiceProblem::NotANumber { text: shown(text) })),
        }
    }

    /// A word of a fixed list, parsed by `parse`; `problem` builds the refusal.
    pub(crate) fn word<T>(
        &self,
        i: usize,
        parse: impl Fn(&str) -> Option<T>,
        problem: impl Fn(String) -> ServiceProblem,
    ) -> Result<T, FieldError> {
        let text = self.required(i)?;
        parse(text).ok_or_else(|| self.error(i, problem(shown(text))))
    }
}

/// A field's text for a message: at most 60 characters.
pub(crate) fn shown(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
