//! Rendering results.
