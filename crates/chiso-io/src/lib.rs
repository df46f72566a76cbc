//! Files in and out for chiso, synchronous: assessment packages (TOML and CSV) read
//! into `chiso-core` types with `FILE:LINE` errors, and results written out as
//! JSON, CSV, aligned tables and the published summary text.
//!
//! Depends on `chiso-core` only; knows nothing of databases or HTTP.

mod csv_file;
pub mod error;
pub mod package;
pub mod render;
pub mod toml_file;

pub use error::{ErrorKind, PackageError, PackageErrors};
pub use package::{Package, ValueOrigin};
