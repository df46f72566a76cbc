//! `chiso score --format json`: one object, names in the chosen language, numbers
//! at full precision (floating-point noise below 1e-9 removed).

use super::clean;
use chiso_core::{Assessment, AssessmentResults, Framework, Lang, UnitResult};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use std::collections::HashMap;

#[derive(Serialize)]
struct Document<'a> {
    year: i32,
    name: &'a str,
    overall: Overall,
    groups: Vec<GroupJson<'a>>,
    units: Vec<UnitJson<'a>>,
}

#[derive(Serialize)]
struct Overall {
    mean: f64,
    units: usize,
    band: String,
    rule: &'static str,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    code: &'a str,
    name: &'a str,
    units: usize,
    mean: f64,
    bands: BandCounts<'a>,
}

struct BandCounts<'a>(&'a Framework, &'a [usize]);

impl Serialize for BandCounts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.1.len()))?;
        for (band, count) in self.0.bands.iter().zip(self.1) {
            map.serialize_entry(&band.code, count)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct UnitJson<'a> {
    code: &'a str,
    name: &'a str,
    group: &'a str,
    total: f64,
    band: &'a str,
    rank: usize,
    scores: Scores<'a>,
    missing: Codes<'a>,
    not_applicable: Codes<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<Sources<'a>>,
}

/// Where values taken from monitoring came from: `{"6.1.1": "kpi:docs_out_signed_rate 2024"}`.
struct Sources<'a>(&'a Framework, &'a [(usize, String)]);

impl Serialize for Sources<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.1.len()))?;
        for (indicator, source) in self.1 {
            map.serialize_entry(&self.0.indicators[*indicator].code, source)?;
        }
        map.end()
    }
}

struct Scores<'a>(&'a Framework, &'a UnitResult);

impl Serialize for Scores<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (indicator, score) in self.0.indicators.iter().zip(&self.1.scores) {
            if let Some(score) = score {
                map.serialize_entry(&indicator.code, &clean(*score))?;
            }
        }
        map.end()
    }
}

struct Codes<'a>(&'a Framework, &'a [usize]);

impl Serialize for Codes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for &i in self.1 {
            seq.serialize_element(&self.0.indicators[i].code)?;
        }
        seq.end()
    }
}

/// Writes the results as the spec's JSON document. `sources` says, per unit, which
/// values were taken from monitoring KPIs (a `sources` object on those units).
pub fn write(
    out: &mut impl std::io::Write,
    assessment: &Assessment,
    results: &AssessmentResults,
    sources: &HashMap<usize, Vec<(usize, String)>>,
    lang: Lang,
) -> serde_json::Result<()> {
    let first = &assessment.groups[0].framework;
    let document = Document {
        year: assessment.year,
        name: assessment.name.get(lang),
        overall: Overall {
            mean: clean(results.overall_mean),
            units: results.unit_count,
            band: first.bands[results.overall_band].code.clone(),
            rule: assessment.overall.code(),
        },
        groups: results
            .groups
            .iter()
            .map(|g| {
                let group = &assessment.groups[g.group];
                GroupJson {
                    code: &group.code,
                    name: group.name.get(lang),
                    units: g.units.len(),
                    mean: clean(g.mean),
                    bands: BandCounts(&group.framework, &g.band_counts),
                }
            })
            .collect(),
        units: results
            .units
            .iter()
            .map(|r| {
                let unit = &assessment.units[r.unit];
                let group = &assessment.groups[unit.group];
                let framework = &group.framework;
                UnitJson {
                    code: &unit.code,
                    name: unit.name.get(lang),
                    group: &group.code,
                    total: clean(r.total),
                    band: &framework.bands[r.band].code,
                    rank: r.rank,
                    scores: Scores(framework, r),
                    missing: Codes(framework, &r.missing),
                    not_applicable: Codes(framework, &r.not_applicable),
                    sources: sources.get(&r.unit).map(|s| Sources(framework, s)),
                }
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}
