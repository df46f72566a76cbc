//! Persistence for chiso (being built).
