//! Files in and out for chiso, synchronous: assessment packages (TOML and CSV) read
//! into `chiso-core` types with `FILE:LINE` errors, and results written out as
//! JSON, CSV, aligned tables and the published summary text, and as documents: the
//! decision (Word) and the reports (Markdown, Word, PDF; see [`report`]).
//!
//! Depends on `chiso-core` only; knows nothing of databases or HTTP.

// A located error is large (file, line, field, kind) but only built on the path
// that refuses a package, where its size costs nothing.
#![allow(clippy::result_large_err)]

mod csv_file;
pub mod documents;
mod docx_style;
pub mod error;
pub mod feed;
pub mod files;
pub mod monitoring;
pub mod open_data;
pub mod package;
pub mod render;
pub mod report;
pub mod results;
pub mod service;
pub mod toml_file;
pub mod uncertainty;
pub mod xlsx;

pub use error::{ErrorKind, PackageError, PackageErrors};
pub use files::Files;
pub use monitoring::MonitoringPackage;
pub use package::{Origins, Package, ValueOrigin};
pub use uncertainty::{SpecError, SpecErrors};
