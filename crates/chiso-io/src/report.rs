//! The province's report on a round (báo cáo kết quả) and the steering
//! committee's monitoring report (báo cáo theo dõi chỉ tiêu), each as Markdown,
//! Word (.docx) and PDF, in Vietnamese or English.
//!
//! Each report is first built as a model in one language ([`Report`],
//! [`MonitoringReport`]): every text worded and every number written as shown.
//! The three renderers only lay the model out, escaping it for their format, so
//! the three files say the same thing. The PDF is typeset in memory with typst
//! and its embedded fonts: no file is read and nothing is downloaded.

mod colour;
mod docx;
mod error;
mod markdown;
mod model;
mod monitoring;
mod pdf;
mod typst_world;

pub use error::DocumentError;
pub use model::{
    BandCount, CloseUnit, GapGroup, GroupSection, IndicatorHead, Labels, RankRow, Report, ReportMeta,
    RobustGroup, RobustRow, Robustness, WeakIndicator,
};
pub use monitoring::{KpiRow, MonitoringLabels, MonitoringReport, RiskItem};

use chiso_core::analysis::UncertaintyResult;
use chiso_core::kpi::Monitoring;
use chiso_core::{Assessment, AssessmentResults, Lang};

/// The report as Markdown. The robustness section needs `uncertainty` (it is left
/// out without it).
pub fn report_markdown(
    assessment: &Assessment,
    results: &AssessmentResults,
    uncertainty: Option<&UncertaintyResult>,
    meta: &ReportMeta,
    lang: Lang,
) -> String {
    markdown::report(&Report::build(assessment, results, uncertainty, meta, lang))
}

/// The report as a Word document (.docx bytes).
pub fn report_docx(
    assessment: &Assessment,
    results: &AssessmentResults,
    uncertainty: Option<&UncertaintyResult>,
    meta: &ReportMeta,
    lang: Lang,
) -> Result<Vec<u8>, DocumentError> {
    docx::report(&Report::build(assessment, results, uncertainty, meta, lang))
}

/// The report as PDF bytes (A4).
pub fn report_pdf(
    assessment: &Assessment,
    results: &AssessmentResults,
    uncertainty: Option<&UncertaintyResult>,
    meta: &ReportMeta,
    lang: Lang,
) -> Result<Vec<u8>, DocumentError> {
    pdf::report(&Report::build(assessment, results, uncertainty, meta, lang))
}

/// The monitoring report of `scope` ("province" or a unit's code) in `year`, as
/// Markdown.
pub fn monitoring_markdown(monitoring: &Monitoring, scope: &str, year: i32, lang: Lang) -> String {
    markdown::monitoring(&MonitoringReport::build(monitoring, scope, year, lang))
}

/// The monitoring report as a Word document (.docx bytes).
pub fn monitoring_docx(
    monitoring: &Monitoring,
    scope: &str,
    year: i32,
    lang: Lang,
) -> Result<Vec<u8>, DocumentError> {
    docx::monitoring(&MonitoringReport::build(monitoring, scope, year, lang))
}

/// The monitoring report as PDF bytes (A4).
pub fn monitoring_pdf(
    monitoring: &Monitoring,
    scope: &str,
    year: i32,
    lang: Lang,
) -> Result<Vec<u8>, DocumentError> {
    pdf::monitoring(&MonitoringReport::build(monitoring, scope, year, lang))
}

#[cfg(test)]
mod tests;
