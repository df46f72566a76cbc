//! What the pages show, built from the store: published results (parsed once per
//! publication and cached), the round's frameworks and values, coordinates.

pub mod analysis;
pub mod cache;
pub mod changes;
pub mod chart;
pub mod filters;
pub mod heat;
pub mod history;
pub mod results;
pub mod round;
pub mod service;

/// The scope of the province's own KPI observations (the others are unit codes).
pub const PROVINCE: &str = "province";
