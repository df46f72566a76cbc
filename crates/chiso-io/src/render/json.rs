//! `chiso score --format json`: one object, names in the chosen language, numbers
//! at full precision (floating-point noise below 1e-9 removed).

use super::clean;
use chiso_core::{Assessment, AssessmentResults, Framework, Lang, UnitResult};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::ser::Formatter;
use std::collections::HashMap;
use std::io;

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
    document.serialize(&mut serde_json::Serializer::with_formatter(&mut *out, Pretty::default()))?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// The layout of serde_json's `PrettyFormatter` (two spaces per level), byte for
/// byte, but each line break is written with its indentation in one call, not one
/// call per level: a national document has a third of a million lines.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// Writes `,` if asked, then a line break and the current depth's indentation.
    fn new_line(&self, out: &mut (impl io::Write + ?Sized), comma: bool) -> io::Result<()> {
        const DEPTH: usize = 32;
        const LINE: [u8; 2 + 2 * DEPTH] = {
            let mut line = [b' '; 2 + 2 * DEPTH];
            (line[0], line[1]) = (b',', b'\n');
            line
        };
        let levels = self.depth.min(DEPTH);
        out.write_all(&LINE[usize::from(!comma)..2 + 2 * levels])?;
        (levels..self.depth).try_for_each(|_| out.write_all(b"  "))
    }
}

impl Formatter for Pretty {
    fn begin_array<W: io::Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: io::Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out, false)?;
        }
        out.write_all(b"]")
    }

    fn begin_array_value<W: io::Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, !first)
    }

    fn end_array_value<W: io::Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: io::Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: io::Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out, false)?;
        }
        out.write_all(b"}")
    }

    fn begin_object_key<W: io::Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.new_line(out, !first)
    }

    fn begin_object_value<W: io::Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: io::Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Pretty;
    use serde::Serialize;

    #[test]
    fn pretty_writes_the_same_bytes_as_serde_json() {
        let mut deep = serde_json::json!({"leaf": [1.5, {}, [], "x"]});
        for depth in 0..40 {
            deep = serde_json::json!({ "depth": depth, "empty": {}, "list": [deep, [], {"a": null}] });
        }
        for value in [deep, serde_json::json!([]), serde_json::json!({}), serde_json::json!(1)] {
            let mut ours = Vec::new();
            value
                .serialize(&mut serde_json::Serializer::with_formatter(&mut ours, Pretty::default()))
                .unwrap_or_else(|e| panic!("{e}"));
            let theirs = serde_json::to_vec_pretty(&value).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        }
    }
}
