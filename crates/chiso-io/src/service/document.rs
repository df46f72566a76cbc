//! The JSON document of `chiso service-index --format json`: one serde type, for
//! whoever writes it and whoever reads it back.
//!
//! `{ "periods": [ { "period", "province": UNIT, "levels": { "department": [UNIT…],
//! "commune": [UNIT…] } } ] }`, UNIT = `{ "code", "name", "total", "max", "rank",
//! "change", "groups": [ { "code", "points", "max", "indicators": [ { "code",
//! "numerator", "denominator", "rate", "points", "max", "status" } ] } ],
//! "missing_inputs" }`. The province has no `rank`; 2.2 alone has a `value`. Numbers
//! in full precision (whole numbers written without a fraction); missing ones null.

use chiso_core::Lang;
use chiso_core::service_index::{
    Catalogue, IndicatorCode, IndicatorScore, PeriodScores, Rule, Scope, ScopeScore, ServiceIndex, Status,
    UnitId,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::io::{self, Write};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceIndexDocument {
    pub periods: Vec<PeriodDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodDocument {
    /// `2025-03`, `2025-Q1` or `2025`.
    pub period: String,
    pub province: UnitDocument,
    pub levels: LevelsDocument,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelsDocument {
    pub department: Vec<UnitDocument>,
    pub commune: Vec<UnitDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitDocument {
    pub code: String,
    pub name: String,
    #[serde(serialize_with = "number")]
    pub total: f64,
    #[serde(serialize_with = "number")]
    pub max: f64,
    /// Absent for the province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    #[serde(serialize_with = "optional_number")]
    pub change: Option<f64>,
    pub groups: Vec<GroupDocument>,
    /// Indicator codes.
    pub missing_inputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupDocument {
    /// `1` … `6`.
    pub code: String,
    #[serde(serialize_with = "number")]
    pub points: f64,
    #[serde(serialize_with = "number")]
    pub max: f64,
    pub indicators: Vec<IndicatorDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorDocument {
    pub code: String,
    #[serde(serialize_with = "optional_number")]
    pub numerator: Option<f64>,
    #[serde(serialize_with = "optional_number")]
    pub denominator: Option<f64>,
    #[serde(serialize_with = "optional_number")]
    pub rate: Option<f64>,
    /// 2.2 only (absent elsewhere): the mean handling time in days, null without
    /// finished dossiers.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "value_number",
        deserialize_with = "present"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub value: Option<Option<f64>>,
    #[serde(serialize_with = "number")]
    pub points: f64,
    #[serde(serialize_with = "number")]
    pub max: f64,
    /// `ok`, `no_data`, `not_applicable` or `missing_input`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: Status,
}

/// The province's code in the document (and the scope of its observations).
pub const PROVINCE_CODE: &str = "province";

/// The province's name in a language.
pub fn province_name(lang: Lang) -> &'static str {
    lang.pick("Toàn tỉnh", "Province")
}

impl ServiceIndexDocument {
    /// The document of `index`, names in `lang`; with `unit`, only that unit is
    /// listed (the province stays).
    pub fn new(index: &ServiceIndex, lang: Lang, unit: Option<UnitId>) -> Self {
        let periods =
            index.periods.iter().map(|p| PeriodDocument::new(p, &index.catalogue, lang, unit)).collect();
        ServiceIndexDocument { periods }
    }

    /// Writes the document, indented, with a final line break.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}

impl PeriodDocument {
    fn new(period: &PeriodScores, catalogue: &Catalogue, lang: Lang, only: Option<UnitId>) -> Self {
        let listed = |scores: &[ScopeScore]| -> Vec<UnitDocument> {
            scores
                .iter()
                .filter(|s| only.is_none() || s.unit() == only)
                .map(|s| UnitDocument::new(s, catalogue, lang))
                .collect()
        };
        PeriodDocument {
            period: period.period.to_string(),
            province: UnitDocument::new(&period.province, catalogue, lang),
            levels: LevelsDocument {
                department: listed(&period.departments),
                commune: listed(&period.communes),
            },
        }
    }
}

impl UnitDocument {
    fn new(score: &ScopeScore, catalogue: &Catalogue, lang: Lang) -> Self {
        let (code, name) = match score.scope {
            Scope::Province => (PROVINCE_CODE.to_string(), province_name(lang).to_string()),
            Scope::Unit(id) => {
                let unit = catalogue.unit(id);
                (unit.code.clone(), unit.name.clone())
            }
        };
        UnitDocument {
            code,
            name,
            total: score.total,
            max: score.max,
            rank: score.rank,
            change: score.change,
            groups: score
                .groups
                .iter()
                .map(|g| GroupDocument {
                    code: g.group.to_string(),
                    points: g.points,
                    max: g.max,
                    indicators: g.indicators.iter().map(IndicatorDocument::new).collect(),
                })
                .collect(),
            missing_inputs: score.missing_inputs.iter().map(|c| c.code().to_string()).collect(),
        }
    }
}

impl IndicatorDocument {
    fn new(i: &IndicatorScore) -> Self {
        IndicatorDocument {
            code: i.code.code().to_string(),
            numerator: i.numerator,
            denominator: i.denominator,
            rate: i.rate,
            value: (i.code.rule() == Rule::Mean).then_some(i.value),
            points: i.points,
            max: i.max,
            status: i.status,
        }
    }

    /// Its indicator.
    pub fn indicator(&self) -> Option<IndicatorCode> {
        IndicatorCode::parse(&self.code)
    }
}

/// A number in full precision; a whole one (a count) without a fraction.
fn number<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        s.serialize_i64(*value as i64)
    } else {
        s.serialize_f64(*value)
    }
}

fn optional_number<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => number(v, s),
        None => s.serialize_none(),
    }
}

fn value_number<S: Serializer>(value: &Option<Option<f64>>, s: S) -> Result<S::Ok, S::Error> {
    optional_number(&value.flatten(), s)
}

/// A key that is present, even as null: `Some(None)`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}
