//! The published results document, read back: chiso-io's one type for it.

pub use chiso_io::results::*;
