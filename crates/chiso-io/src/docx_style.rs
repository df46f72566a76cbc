//! The look shared by chiso's Word documents (the decision, the reports): A4, Times
//! New Roman, 13 pt body and 14 pt titles, as Vietnam's administrative documents
//! are set (Decree 30/2020/NĐ-CP), and the few paragraph shapes they use.

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts};

/// A4 in twentieths of a point.
pub(crate) const A4: (u32, u32) = (11_906, 16_838);
/// Half-points: 13 pt body, 14 pt titles, 10 pt in wide tables.
pub(crate) const BODY: usize = 26;
pub(crate) const TITLE: usize = 28;
pub(crate) const SMALL: usize = 20;

pub(crate) fn run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .size(BODY)
        .fonts(RunFonts::new().ascii("Times New Roman").hi_ansi("Times New Roman").cs("Times New Roman"))
}

pub(crate) fn line(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

pub(crate) fn centred(text: &str, bold: bool, size: usize) -> Paragraph {
    let r = run(text).size(size);
    Paragraph::new().align(AlignmentType::Center).add_run(if bold { r.bold() } else { r })
}

pub(crate) fn justified(text: &str) -> Paragraph {
    Paragraph::new().align(AlignmentType::Both).add_run(run(text))
}

/// The document's bytes (.docx is a zip archive).
pub(crate) fn pack(docx: Docx) -> Result<Vec<u8>, String> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.into_inner())
}
