//! Sobol indices (placeholder until written).
