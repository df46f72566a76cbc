//! A published round as the public pages show it: its latest publication's
//! results (both languages), its frameworks (names, maxima, bands), the values as
//! written, the summary paragraph, and last year's totals for the "change" column.

use super::chart::{Chart, MapBand, MapUnit};
use super::results::{ResultsDoc, UnitDoc};
use crate::error::AppError;
use crate::geo;
use crate::state::AppState;
use chiso_core::{Assessment, Framework, Lang};
use chiso_io::render::report;
use chiso_store::{PublicationInfo, Round, RoundId, RoundValue};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug)]
pub struct RoundView {
    pub round: Round,
    pub publication: PublicationInfo,
    /// Vietnamese, English.
    docs: [ResultsDoc; 2],
    pub assessment: Assessment,
    /// (unit, indicator) → the value as written.
    values: HashMap<(String, String), String>,
    /// The text of `chiso report`, when the round's inputs are still those published.
    report: Option<[String; 2]>,
    /// The values and results behind the publication, under the same condition.
    pub scored: Option<Arc<Scored>>,
    pub previous: Option<Previous>,
    /// For a round run in the app: per unit, the self-assessed, appraised and final scores.
    stages: Option<serde_json::Value>,
    /// The province's published means of earlier years chiso holds no round for.
    pub earlier: Vec<chiso_io::package::earlier::EarlierFigure>,
}

/// What the analyses start from: the published round's values and their results.
#[derive(Debug)]
pub struct Scored {
    pub values: chiso_core::Values,
    pub results: chiso_core::AssessmentResults,
}

/// Last year's published round, for the change column: its results as they stand
/// for this year's units (through this round's lineage, restated where a unit did
/// not exist last year).
#[derive(Debug)]
pub struct Previous {
    pub round_id: RoundId,
    pub year: i32,
    /// This year's unit code → last year's total in percent of scale, and whether
    /// it is restated from predecessors.
    pub units: HashMap<String, (f64, bool)>,
    /// This year's unit code → the units of last year it continues (code, names),
    /// where it is not simply itself: a commune's former district, a merged
    /// department's predecessors.
    pub former: HashMap<String, Vec<(String, chiso_core::Names)>>,
}

fn parse(json: &str) -> Result<ResultsDoc, AppError> {
    serde_json::from_str(json)
        .map_err(|e| AppError::Internal(format!("a stored publication cannot be read: {e}")))
}

/// The view of round `id`'s latest publication; 404 unless it is published.
pub async fn load(state: &AppState, id: RoundId) -> Result<Arc<RoundView>, AppError> {
    let store = &state.store;
    let round = store.round(id).await?.ok_or(AppError::NotFound)?;
    let latest = store.publications(id).await?.into_iter().next().ok_or(AppError::NotFound)?;
    let published = store.published_rounds().await?;
    let previous = published.iter().find(|p| p.round.year == round.year - 1).map(|p| p.latest.clone());
    let key = (latest.id, previous.as_ref().map(|p| p.id));
    if let Some(view) = state.views.round(key) {
        return Ok(view);
    }
    let publication = store.publication(latest.id).await?.ok_or(AppError::NotFound)?;
    let docs = [parse(&publication.results_json_vi)?, parse(&publication.results_json_en)?];
    let stages = publication.stages_json.as_deref().and_then(|json| serde_json::from_str(json).ok());
    let package = store.round_package(id).await?;
    let values = store
        .round_values(id)
        .await?
        .into_iter()
        .map(|RoundValue { unit, indicator, value, .. }| ((unit, indicator), value))
        .collect();
    // The summary and the analyses need the values the results were scored from:
    // only while the round's inputs are still those published.
    let (report, scored) = if store.round_inputs_hash(id).await? == latest.inputs_hash {
        let results = package.score().map_err(|e| AppError::Internal(e.to_string()))?;
        let report = [Lang::Vi, Lang::En].map(|lang| report::render(&package.assessment, &results, lang));
        (Some(report), Some(Arc::new(Scored { values: package.values.clone(), results })))
    } else {
        (None, None)
    };
    let previous = match previous {
        Some(_) => {
            let codes = package.assessment.units.iter().map(|u| u.code.clone()).collect();
            let lineage = package.lineage.as_ref().map(|l| l.lineage.clone()).unwrap_or_default();
            store.restated_previous(round.year, codes, lineage).await?.map(|p| Previous {
                round_id: p.round,
                year: p.year,
                former: p
                    .units
                    .iter()
                    .filter(|(code, r)| r.from.iter().any(|f| f != *code))
                    .map(|(code, r)| {
                        let named = |f: &String| (f.clone(), p.names.get(f).cloned().unwrap_or_default());
                        (code.clone(), r.from.iter().map(named).collect())
                    })
                    .collect(),
                units: p
                    .units
                    .into_iter()
                    .filter_map(|(code, r)| r.figures.total.map(|percent| (code, (percent, r.restated))))
                    .collect(),
            })
        }
        None => None,
    };
    let earlier = package.earlier.clone().unwrap_or_default();
    let view = Arc::new(RoundView {
        round,
        publication: latest,
        earlier,
        docs,
        assessment: package.assessment,
        values,
        report,
        scored,
        previous,
        stages,
    });
    state.views.put_round(key, view.clone());
    Ok(view)
}

/// One row of a ranking table.
#[derive(Debug, Clone)]
pub struct RankRow {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub total: f64,
    pub total_text: String,
    pub band: String,
    pub band_label: String,
    /// Total minus last year's, when the unit was there.
    pub change: Option<f64>,
    pub change_text: String,
    pub url: String,
    /// The 5–95% rank interval, once the uncertainty analysis is ready.
    pub interval: Option<super::analysis::RankInterval>,
    /// The codes of the units of last year it continues, space-separated (for the
    /// "formerly part of" filter).
    pub former: String,
}

#[derive(Debug, Clone)]
pub struct GroupView {
    pub code: String,
    pub name: String,
    pub unit_count: usize,
    pub mean_text: String,
    pub bands: Vec<(String, String, u64)>,
    pub chart: String,
    pub rows: Vec<RankRow>,
    /// Last year's units that several of this group's units came from (a commune's
    /// former district), to filter the ranking by: (code, name), by name.
    pub former_options: Vec<(String, String)>,
    /// Each unit's main indicators as percent of their maximum (the heat map).
    pub heat: super::heat::HeatMap,
}

/// A main indicator or any indicator of a scorecard.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub leaf: bool,
    pub value: String,
    pub points: String,
    pub max: String,
    /// Self-assessed and appraised points (rounds run in the app).
    pub stage_points: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct GapRow {
    pub code: String,
    pub name: String,
    pub points: String,
    pub max: String,
    pub gap: String,
}

#[derive(Debug, Clone)]
pub struct UnitCard {
    pub code: String,
    pub name: String,
    pub group_name: String,
    pub total_text: String,
    pub band: String,
    pub band_label: String,
    pub rank: usize,
    pub group_units: usize,
    pub change_text: String,
    pub points_chart: String,
    pub radar_chart: String,
    pub rows: Vec<IndicatorRow>,
    pub gaps: Vec<GapRow>,
    pub points_mode: bool,
    /// Self-assessed, appraised and final totals (rounds run in the app).
    pub stage_totals: Option<(String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct MapView {
    pub chart: String,
    pub legend: Vec<(String, String, usize)>,
    pub placed: usize,
    /// Units without coordinates (provincial agencies), by group name.
    pub unplaced: Vec<(String, usize)>,
}

impl RoundView {
    pub fn doc(&self, lang: Lang) -> &ResultsDoc {
        &self.docs[usize::from(lang == Lang::En)]
    }

    pub fn report(&self, lang: Lang) -> Option<&str> {
        self.report.as_ref().map(|texts| texts[usize::from(lang == Lang::En)].as_str())
    }

    fn framework(&self, group: &str) -> Option<&Framework> {
        self.assessment.groups.iter().find(|g| g.code == group).map(|g| &g.framework)
    }

    pub fn band_label(&self, group: &str, band: &str, lang: Lang) -> String {
        self.framework(group)
            .and_then(|f| f.bands.iter().find(|b| b.code == band))
            .map_or_else(|| band.to_owned(), |b| b.label.get(lang).to_owned())
    }

    /// The overall band's label (bands of the first group's framework).
    pub fn overall_band_label(&self, lang: Lang) -> String {
        let first = self.assessment.groups.first().map(|g| g.code.clone()).unwrap_or_default();
        self.band_label(&first, &self.doc(lang).overall.band, lang)
    }

    /// The change on last year in points of this year's scale (last year's total
    /// taken as percent of its own scale, so a change of scale compares); marked
    /// `*` where last year's figure is restated from the unit's predecessors.
    fn change(&self, unit: &UnitDoc, lang: Lang) -> (Option<f64>, String) {
        let before = self.previous.as_ref().and_then(|p| p.units.get(&unit.code));
        let scale = self
            .assessment
            .units
            .iter()
            .position(|u| u.code == unit.code)
            .and_then(|u| self.assessment.framework_of(u).scale)
            .unwrap_or(100.0);
        match (unit.total, before) {
            (Some(now), Some(&(percent, restated))) => {
                let change = now - percent * scale / 100.0;
                let sign = if change > 0.0 { "+" } else { "" };
                let mark = if restated { "*" } else { "" };
                (Some(change), format!("{sign}{}{mark}", lang.number(change, 2)))
            }
            _ => (None, "—".into()),
        }
    }

    /// The units of last year that `code` continues, if it is not simply itself.
    fn former_of(&self, code: &str) -> &[(String, chiso_core::Names)] {
        self.previous.as_ref().and_then(|p| p.former.get(code)).map_or(&[], Vec::as_slice)
    }

    /// The main indicators of `unit`'s framework: (code, name).
    pub fn main_indicators(&self, unit: &str, lang: Lang) -> Vec<(String, String)> {
        let Some(u) = self.assessment.units.iter().position(|x| x.code == unit) else { return Vec::new() };
        let framework = self.assessment.framework_of(u);
        framework
            .top
            .iter()
            .map(|&i| {
                (framework.indicators[i].code.clone(), framework.indicators[i].name.get(lang).to_owned())
            })
            .collect()
    }

    /// The province's means of earlier years, each on its own scale and as percent
    /// of it, then this round's the same way: (year, "659,1 / 1000", "65,91 %",
    /// source); empty when the package holds none.
    pub fn earlier_means(&self, lang: Lang) -> Vec<(i32, String, String, String)> {
        if self.earlier.is_empty() {
            return Vec::new();
        }
        let mut rows: Vec<(i32, String, String, String)> = self
            .earlier
            .iter()
            .map(|e| {
                let mean = format!("{} / {}", lang.plain(e.mean), lang.plain(e.scale));
                (e.year, mean, format!("{} %", lang.number(e.percent(), 2)), e.source(lang).to_owned())
            })
            .collect();
        let scale = self.assessment.groups.first().and_then(|g| g.framework.scale).unwrap_or(100.0);
        if let Some(mean) = self.doc(lang).overall.mean {
            let text = format!("{} / {}", lang.number(mean, 2), lang.plain(scale));
            let percent = format!("{} %", lang.number(mean / scale * 100.0, 2));
            rows.push((self.round.year, text, percent, lang.pick("Đợt này", "This round").to_owned()));
        }
        rows
    }

    /// Whether any change on last year is taken from restated figures.
    pub fn any_restated_change(&self) -> bool {
        self.previous.as_ref().is_some_and(|p| p.units.values().any(|&(_, restated)| restated))
    }

    pub fn groups(&self, lang: Lang) -> Vec<GroupView> {
        let doc = self.doc(lang);
        doc.groups
            .iter()
            .map(|group| {
                let bands: Vec<(String, String, u64)> = group
                    .band_counts()
                    .into_iter()
                    .map(|(code, count)| (self.band_label(&group.code, &code, lang), code, count))
                    .collect();
                let chart = Chart::Bands {
                    labels: bands.iter().map(|b| b.0.clone()).collect(),
                    codes: bands.iter().map(|b| b.1.clone()).collect(),
                    counts: bands.iter().map(|b| b.2).collect(),
                    axis: lang.pick("Số đơn vị", "Units").into(),
                }
                .json();
                let rows = doc
                    .units
                    .iter()
                    .filter(|u| u.group == group.code)
                    .map(|unit| {
                        let (change, change_text) = self.change(unit, lang);
                        let total = unit.total.unwrap_or(f64::NAN);
                        RankRow {
                            rank: unit.rank,
                            code: unit.code.clone(),
                            name: unit.name.clone(),
                            total,
                            total_text: lang.number(total, 2),
                            band: unit.band.clone(),
                            band_label: self.band_label(&group.code, &unit.band, lang),
                            change,
                            change_text,
                            url: format!("/rounds/{}/units/{}", self.round.id, unit.code),
                            interval: None,
                            former: super::filters::former_codes(self.former_of(&unit.code)),
                        }
                    })
                    .collect::<Vec<RankRow>>();
                let former_options =
                    super::filters::former_options(rows.iter().map(|r| self.former_of(&r.code)), lang);
                let heat = super::heat::heat_map(self, &group.code, lang);
                GroupView {
                    code: group.code.clone(),
                    name: group.name.clone(),
                    unit_count: group.units,
                    mean_text: group.mean.map_or("—".into(), |m| lang.number(m, 2)),
                    bands,
                    chart,
                    rows,
                    former_options,
                    heat,
                }
            })
            .collect()
    }

    pub fn unit(&self, code: &str, lang: Lang) -> Option<UnitCard> {
        let doc = self.doc(lang);
        let unit = doc.units.iter().find(|u| u.code == code)?;
        let group = doc.groups.iter().find(|g| g.code == unit.group)?;
        let framework = self.framework(&unit.group)?;
        let points_mode = framework.is_points();
        let stage = self.stages.as_ref().map(|s| &s["units"][&unit.code]).filter(|s| s.is_object());
        let stage_number = |v: &serde_json::Value| v.as_f64().map_or("—".into(), |x| lang.number(x, 2));
        let score = |code: &str| unit.scores.get(code).copied();
        let na = |code: &str| unit.not_applicable.iter().any(|c| c == code);
        let points_text = |code: &str| match score(code) {
            Some(points) => lang.number(points, 2),
            None if na(code) => lang.pick("không áp dụng", "not applicable").into(),
            None => "—".into(),
        };
        let max_text = |max: f64| if points_mode { lang.plain(max) } else { String::new() };
        let mut labels = Vec::new();
        let (mut points, mut maxima, mut percent) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &framework.top {
            let indicator = &framework.indicators[i];
            let got = score(&indicator.code).unwrap_or(0.0);
            labels.push(format!("{} {}", indicator.code, indicator.name.get(lang)));
            points.push(got);
            maxima.push(indicator.max);
            percent.push(if indicator.max > 0.0 {
                (got / indicator.max * 1000.0).round() / 10.0
            } else {
                0.0
            });
        }
        let rows = framework
            .indicators
            .iter()
            .map(|indicator| IndicatorRow {
                code: indicator.code.clone(),
                name: indicator.name.get(lang).to_owned(),
                depth: indicator.depth,
                leaf: indicator.is_leaf(),
                value: if indicator.is_leaf() {
                    let written = self
                        .values
                        .get(&(unit.code.clone(), indicator.code.clone()))
                        .map(|text| readable_value(indicator, text, lang))
                        .unwrap_or_else(|| "—".into());
                    match unit.sources.get(&indicator.code) {
                        Some(source) => format!("{written} ({source})"),
                        None => written,
                    }
                } else {
                    String::new()
                },
                points: points_text(&indicator.code),
                max: max_text(indicator.max),
                stage_points: stage.map(|s| {
                    let scores = &s["indicators"][&indicator.code];
                    (stage_number(&scores[0]), stage_number(&scores[1]))
                }),
            })
            .collect();
        let mut gaps: Vec<(f64, &chiso_core::framework::Indicator)> = framework
            .leaves
            .iter()
            .map(|&i| &framework.indicators[i])
            .filter(|indicator| points_mode && !na(&indicator.code))
            .map(|indicator| (indicator.max - score(&indicator.code).unwrap_or(0.0), indicator))
            .filter(|(gap, _)| *gap > 1e-9)
            .collect();
        gaps.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.def_index.cmp(&b.1.def_index)));
        let gaps = gaps
            .into_iter()
            .take(5)
            .map(|(gap, indicator)| GapRow {
                code: indicator.code.clone(),
                name: indicator.name.get(lang).to_owned(),
                points: points_text(&indicator.code),
                max: lang.plain(indicator.max),
                gap: lang.number(gap, 2),
            })
            .collect();
        let total = unit.total.unwrap_or(f64::NAN);
        Some(UnitCard {
            code: unit.code.clone(),
            name: unit.name.clone(),
            group_name: group.name.clone(),
            total_text: lang.number(total, 2),
            band: unit.band.clone(),
            band_label: self.band_label(&unit.group, &unit.band, lang),
            rank: unit.rank,
            group_units: group.units,
            change_text: self.change(unit, lang).1,
            points_chart: Chart::Points {
                labels: labels.clone(),
                points,
                max: maxima,
                points_name: lang.pick("Điểm đạt", "Points").into(),
                max_name: lang.pick("Điểm tối đa", "Maximum").into(),
            }
            .json(),
            radar_chart: Chart::Radar {
                labels,
                percent,
                series: lang.pick("% điểm tối đa", "% of maximum").into(),
            }
            .json(),
            rows,
            gaps,
            points_mode,
            stage_totals: stage.map(|s| {
                (stage_number(&s["self"]), stage_number(&s["appraised"]), stage_number(&s["final"]))
            }),
        })
    }

    /// The map: each unit with an area (a Son La commune of 2025 or district of
    /// 2024, see `geo`) filled with its band's colour; the others counted by group.
    pub fn map(&self, lang: Lang) -> MapView {
        let doc = self.doc(lang);
        // Bands in the framework's order (best first), as the legend lists them.
        let order = |code: &str| {
            self.assessment
                .groups
                .iter()
                .flat_map(|g| g.framework.bands.iter().position(|b| b.code == code))
                .next()
                .unwrap_or(usize::MAX)
        };
        let mut placed: Vec<(&UnitDoc, geo::Feature)> = Vec::new();
        let mut unplaced: Vec<(String, usize)> = Vec::new();
        for unit in &doc.units {
            match geo::feature(&unit.code) {
                Some(feature) => placed.push((unit, feature)),
                None => {
                    let group =
                        doc.groups.iter().find(|g| g.code == unit.group).map_or("", |g| g.name.as_str());
                    match unplaced.iter_mut().find(|(name, _)| name == group) {
                        Some((_, count)) => *count += 1,
                        None => unplaced.push((group.to_owned(), 1)),
                    }
                }
            }
        }
        let mut bands: Vec<(MapBand, usize)> = Vec::new();
        for (unit, _) in &placed {
            match bands.iter_mut().find(|(b, _)| b.code == unit.band) {
                Some((_, count)) => *count += 1,
                None => bands.push((
                    MapBand {
                        code: unit.band.clone(),
                        label: self.band_label(&unit.group, &unit.band, lang),
                    },
                    1,
                )),
            }
        }
        bands.sort_by_key(|(b, _)| order(&b.code));
        let units = placed
            .iter()
            .map(|(unit, _)| MapUnit {
                code: unit.code.clone(),
                name: unit.name.clone(),
                short: short_name(&unit.name).to_owned(),
                total: lang.number(unit.total.unwrap_or(f64::NAN), 2),
                band: bands.iter().position(|(b, _)| b.code == unit.band).unwrap_or(0),
                url: format!("/rounds/{}/units/{}", self.round.id, unit.code),
            })
            .collect();
        let count = placed.len();
        let features = placed.into_iter().map(|(_, feature)| feature).collect();
        MapView {
            legend: bands.iter().map(|(b, count)| (b.code.clone(), b.label.clone(), *count)).collect(),
            chart: Chart::Map {
                areas: geo::FeatureCollection::new(features),
                aspect: geo::aspect(),
                units,
                bands: bands.into_iter().map(|(b, _)| b).collect(),
                tooltip_total: lang.pick("Tổng điểm", "Total").into(),
            }
            .json(),
            placed: count,
            unplaced,
        }
    }
}

/// A unit's name without the kind of unit, for the small labels of the map: "Xã
/// Mường Bú" → "Mường Bú", "Son La City" → "Son La" (the tooltip has the full name).
fn short_name(name: &str) -> &str {
    const KINDS_BEFORE: [&str; 7] =
        ["Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Phường ", "Xã ", "Đặc khu "];
    const KINDS_AFTER: [&str; 6] = [" Commune", " Ward", " District", " Town", " City", " Special Zone"];
    let short = KINDS_BEFORE.iter().find_map(|kind| name.strip_prefix(kind)).unwrap_or(name);
    let short = KINDS_AFTER.iter().find_map(|kind| short.strip_suffix(kind)).unwrap_or(short);
    if short.trim().is_empty() { name } else { short }
}

/// A value as written in values.csv, for reading: a choice by its label, yes/no in
/// the page's language, numbers with the language's decimal mark.
fn readable_value(indicator: &chiso_core::framework::Indicator, text: &str, lang: Lang) -> String {
    use chiso_core::Value;
    use chiso_core::rule::Rule;
    let text = text.trim();
    if text.is_empty() {
        return "—".into();
    }
    if text.eq_ignore_ascii_case("na") {
        return lang.pick("không áp dụng", "not applicable").into();
    }
    let Some(rule) = &indicator.rule else { return text.into() };
    match (rule.parse_value(text, indicator.max), rule) {
        (Ok(Value::Bool(yes)), _) => {
            if yes { lang.pick("có", "yes") } else { lang.pick("không", "no") }.into()
        }
        (Ok(Value::Choice(i)), Rule::Choice { options }) => {
            options.get(i).map_or_else(|| text.to_owned(), |o| o.label.get(lang).to_owned())
        }
        (Ok(Value::Number(_) | Value::Ratio(..)), _) => match lang {
            Lang::Vi => text.replace('.', ","),
            Lang::En => text.replace(',', "."),
        },
        _ => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn map_labels_drop_the_kind_of_unit_in_both_languages() {
        assert_eq!(short_name("Xã Mường Bú"), "Mường Bú");
        assert_eq!(short_name("Thành phố Sơn La"), "Sơn La");
        assert_eq!(short_name("Son La City"), "Son La");
        assert_eq!(short_name("Chieng Son Commune"), "Chieng Son");
        assert_eq!(short_name("Xã "), "Xã ", "nothing left: the whole name");
        assert_eq!(short_name("<img src=x>"), "<img src=x>");
    }
}
