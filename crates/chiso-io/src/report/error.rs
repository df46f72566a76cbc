//! Why a document could not be made. These are failures of the libraries that
//! write the files (the model and the markup are ours), so the reader is told
//! plainly in their language, and the library's own text goes to the logs.

use chiso_core::Lang;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// docx-rs could not write the Word document.
    #[error("writing the Word document: {0}")]
    Docx(String),
    /// Typst refused the markup (its diagnostics, in English).
    #[error("typesetting the PDF: {0}")]
    Typeset(String),
    /// typst-pdf could not write the typeset document.
    #[error("writing the PDF: {0}")]
    Pdf(String),
}

impl DocumentError {
    /// What to tell a reader, in `lang` only (the `Display` text, with the
    /// library's English, is for logs).
    pub fn message(&self, lang: Lang) -> &'static str {
        match self {
            DocumentError::Docx(_) => lang.pick(
                "Không tạo được tệp Word của tài liệu; vui lòng báo cho quản trị viên.",
                "The Word document could not be made; please tell the administrator.",
            ),
            DocumentError::Typeset(_) | DocumentError::Pdf(_) => lang.pick(
                "Không tạo được tệp PDF của tài liệu; vui lòng báo cho quản trị viên.",
                "The PDF document could not be made; please tell the administrator.",
            ),
        }
    }
}
