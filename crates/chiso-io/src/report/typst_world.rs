//! Typst as a library: a `World` of one in-memory page of markup and the fonts
//! embedded in `typst-assets` (Libertinus Serif covers Vietnamese). Nothing is
//! read from disk or the network: a file other than the page, or a package, is
//! "not found". The fonts and the standard library are built once per process.

use super::error::DocumentError;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// How many compilations a memoised result may go unused before it is dropped, so
/// a long-running server does not keep every report it ever made.
const CACHE_AGE: usize = 10;

/// One page of typst markup, compiled on its own.
struct Page {
    main: Source,
}

impl World for Page {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(not_found(id)) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// No date: a report says only the dates its data gives, and the same data
    /// always gives the same document.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().as_rootless_path().to_path_buf())
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")
}

/// Typesets `markup` and writes it as PDF.
pub(crate) fn compile_pdf(markup: String) -> Result<Vec<u8>, DocumentError> {
    let page = Page { main: Source::new(FileId::new(None, VirtualPath::new("/report.typ")), markup) };
    let compiled = typst::compile::<PagedDocument>(&page).output;
    typst::comemo::evict(CACHE_AGE);
    let document = compiled.map_err(|d| DocumentError::Typeset(messages(&d)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|d| DocumentError::Pdf(messages(&d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vietnamese_page_becomes_a_pdf() {
        let pdf = compile_pdf("#set text(font: \"Libertinus Serif\")\nXếp hạng chuyển đổi số".into())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn broken_markup_is_an_error_not_a_panic() {
        let error = compile_pdf("#let x = (".into()).err();
        assert!(matches!(error, Some(DocumentError::Typeset(_))), "{error:?}");
    }

    #[test]
    fn files_and_packages_are_not_found_offline() {
        let error = compile_pdf("#import \"@preview/cetz:0.3.0\": *".into()).err();
        assert!(matches!(error, Some(DocumentError::Typeset(_))), "{error:?}");
        let error = compile_pdf("#image(\"/etc/passwd\")".into()).err();
        assert!(matches!(error, Some(DocumentError::Typeset(_))), "{error:?}");
    }
}
