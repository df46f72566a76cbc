//! Variance-based sensitivity analysis: which uncertain input (each `[[weights]]`
//! entry, `normalise`, `aggregate`) drives the change of a group's ranking, measured
//! as the mean absolute rank change against the nominal ranks (COINr's target).

use super::error::AnalysisError;
use super::model::Model;
use super::sobol::{SobolDesign, SobolIndex, runs, sobol_indices};
use super::spec::UncertaintySpec;
use crate::assessment::Assessment;
use crate::value::Values;
use std::sync::OnceLock;

/// One uncertain input of the specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    /// A `[[weights]]` entry, by its (spec) depth.
    Weights {
        depth: usize,
    },
    Normalise,
    Aggregate,
}

impl Input {
    /// As written in JSON output: `weights:1`, `normalise`, `aggregate`.
    pub fn label(&self) -> String {
        match self {
            Input::Weights { depth } => format!("weights:{depth}"),
            Input::Normalise => "normalise".to_string(),
            Input::Aggregate => "aggregate".to_string(),
        }
    }
}

impl serde::Serialize for Input {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label())
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SensitivityResult {
    /// Base samples N.
    pub samples: usize,
    /// Model runs: N × (d + 2) for d inputs; 0 when the specification has no input.
    pub runs: usize,
    /// In the order of [`Assessment::groups`].
    pub groups: Vec<GroupSensitivity>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupSensitivity {
    /// Index into [`Assessment::groups`].
    pub group: usize,
    /// In draw order: weights entries in file order, then normalise, then aggregate.
    pub inputs: Vec<InputSensitivity>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InputSensitivity {
    pub input: Input,
    pub index: SobolIndex,
}

/// Sobol indices of every input for every group, from Saltelli's design with
/// `spec.samples` base samples and `bootstrap` resamples for the confidence
/// intervals. `progress` is called (from worker threads) with numbers of model runs.
pub fn sensitivity(
    assessment: &Assessment,
    values: &Values,
    spec: &UncertaintySpec,
    bootstrap: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<SensitivityResult, AnalysisError> {
    let model = Model::build(assessment, values, spec)?;
    if model.inputs.is_empty() {
        let groups =
            model.groups.iter().map(|g| GroupSensitivity { group: g.group, inputs: Vec::new() }).collect();
        return Ok(SensitivityResult { samples: spec.samples, runs: 0, groups });
    }
    let design = SobolDesign { dims: &model.dims, samples: spec.samples, bootstrap, seed: spec.seed };
    let failure = OnceLock::new();
    let outputs = model.groups.len();
    let indices = sobol_indices(
        &design,
        outputs,
        |x| {
            let mut scratch = model.scratch(1);
            let mut ranks = vec![0u32; model.unit_count];
            if let Err(e) = model.run(x, &mut scratch, &mut ranks, None) {
                let _ = failure.set(e);
                return vec![0.0; outputs];
            }
            model
                .groups
                .iter()
                .map(|g| {
                    let ranks = &ranks[g.offset..g.offset + g.members.len()];
                    let change: u64 =
                        ranks.iter().zip(&g.nominal).map(|(&r, &n)| u64::from(r.abs_diff(n))).sum();
                    change as f64 / g.members.len() as f64
                })
                .collect()
        },
        progress,
    );
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    let groups = model
        .groups
        .iter()
        .zip(indices)
        .map(|(g, indices)| GroupSensitivity {
            group: g.group,
            inputs: model
                .inputs
                .iter()
                .zip(indices)
                .map(|(&input, index)| InputSensitivity { input, index })
                .collect(),
        })
        .collect();
    Ok(SensitivityResult { samples: spec.samples, runs: runs(&design), groups })
}
