//! The analyses the public pages show: how robust each published rank is (the
//! uncertainty analysis, run once per publication in the background, its progress
//! visible) and what would move a unit to the next band (the gap analysis, cheap
//! enough to compute on request).

use super::round::RoundView;
use chiso_core::analysis::{self, AnalysisError, UncertaintyResult, UncertaintySpec, WeightNoise};
use chiso_core::{Lang, framework::Method};
use chiso_store::PublicationId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What the pages analyse: ±25% on the weights of the main indicators, 1,000
/// samples, a fixed seed — the spec of `data/sonla/2024/uncertainty.toml`, so the
/// page and `chiso analyze uncertainty` with that file give the same intervals.
pub fn page_spec() -> UncertaintySpec {
    UncertaintySpec {
        samples: 1000,
        seed: 42,
        normalise: Vec::new(),
        aggregate: Vec::new(),
        weights: vec![WeightNoise { depth: 1, noise: 0.25 }],
    }
}

/// The state of a publication's uncertainty analysis.
#[derive(Debug, Clone)]
pub enum Robustness {
    Running {
        done: usize,
        total: usize,
    },
    Ready(Arc<UncertaintyResult>),
    /// Why there is none: the analysis refused the package, or the round's inputs
    /// changed since publication (message in the page's language).
    Unavailable(String),
}

#[derive(Debug)]
struct Run {
    done: AtomicUsize,
    total: usize,
    result: OnceLock<Result<Arc<UncertaintyResult>, AnalysisError>>,
}

/// One uncertainty run per publication, kept for the life of the process: a
/// publication never changes and the run is deterministic, so a restart computes
/// the same intervals again.
#[derive(Debug, Default)]
pub struct AnalysisRuns {
    runs: Mutex<HashMap<PublicationId, Arc<Run>>>,
}

impl AnalysisRuns {
    /// The analysis of `view`'s publication; the first call starts it on a
    /// blocking thread and answers `Running`.
    pub fn robustness(&self, view: &Arc<RoundView>, lang: Lang) -> Robustness {
        if view.scored.is_none() {
            return Robustness::Unavailable(
                lang.pick(
                    "Dữ liệu của đợt đã thay đổi sau khi công bố; phân tích độ vững chỉ chạy trên dữ liệu đã công bố.",
                    "The round's data changed after publication; the robustness analysis runs on published data only.",
                )
                .into(),
            );
        }
        let spec = page_spec();
        let run = {
            let Ok(mut runs) = self.runs.lock() else {
                return Robustness::Unavailable("internal error".into());
            };
            runs.entry(view.publication.id)
                .or_insert_with(|| {
                    let run = Arc::new(Run {
                        done: AtomicUsize::new(0),
                        total: spec.samples,
                        result: OnceLock::new(),
                    });
                    start(run.clone(), view.clone(), spec);
                    run
                })
                .clone()
        };
        match run.result.get() {
            Some(Ok(result)) => Robustness::Ready(result.clone()),
            Some(Err(error)) => Robustness::Unavailable(error.message(&view.assessment, lang)),
            None => Robustness::Running { done: run.done.load(Ordering::Relaxed), total: run.total },
        }
    }
}

fn start(run: Arc<Run>, view: Arc<RoundView>, spec: UncertaintySpec) {
    let Some(scored) = view.scored.clone() else { return };
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let progress = |n: usize| {
            run.done.fetch_add(n, Ordering::Relaxed);
        };
        let result = analysis::uncertainty(&view.assessment, &scored.values, &spec, &progress).map(Arc::new);
        tracing::info!(
            publication = %view.publication.id.0,
            ok = result.is_ok(),
            ms = started.elapsed().as_millis() as u64,
            "uncertainty analysis done"
        );
        let _ = run.result.set(result);
    });
}

/// A unit's rank interval as the ranking table shows it.
#[derive(Debug, Clone)]
pub struct RankInterval {
    /// "2–5", or "3" when the interval is one rank.
    pub text: String,
    /// Positions on a 0..100 axis of ranks 1..n: the 5–95% range and the nominal rank.
    pub from: f64,
    pub width: f64,
    pub nominal: f64,
    /// "87%", only for a unit that can lose its band (kept in fewer than all the
    /// samples on the bands' scale): for the others it says nothing.
    pub band_kept: Option<String>,
    /// For sorting: the share kept, 1 when every counted sample kept the band or
    /// when no sample was on the bands' scale.
    pub band_kept_share: f64,
    /// Wider than a quarter of the group (as `chiso analyze uncertainty` flags it).
    pub wide: bool,
    /// What the bar says, for screen readers.
    pub label: String,
}

/// The rank intervals of every unit of a ready analysis, by unit code.
pub fn intervals(view: &RoundView, result: &UncertaintyResult, lang: Lang) -> HashMap<String, RankInterval> {
    let mut out = HashMap::new();
    for group in &result.groups {
        let n = group.units.len().max(1) as f64;
        // Rank r sits at the middle of its slot of the 0..100 axis.
        let at = |rank: f64| (rank - 0.5) / n * 100.0;
        for u in &group.units {
            let (lo, hi) = (u.q05.round(), u.q95.round());
            let text =
                if lo == hi { lang.plain(lo) } else { format!("{}–{}", lang.plain(lo), lang.plain(hi)) };
            let band_kept =
                u.band_kept.filter(|&k| k < 1.0).map(|k| format!("{}%", lang.number(k * 100.0, 0)));
            let label = match (lang, &band_kept) {
                (Lang::Vi, Some(kept)) => {
                    format!("Hạng {} (5–95%: {text}); giữ xếp loại trong {kept} số mẫu", u.nominal)
                }
                (Lang::En, Some(kept)) => {
                    format!("Rank {} (5–95%: {text}); band kept in {kept} of samples", u.nominal)
                }
                (Lang::Vi, None) => format!("Hạng {} (5–95%: {text})", u.nominal),
                (Lang::En, None) => format!("Rank {} (5–95%: {text})", u.nominal),
            };
            out.insert(
                view.assessment.units[u.unit].code.clone(),
                RankInterval {
                    text,
                    from: at(u.q05) - 50.0 / n,
                    width: (u.q95 - u.q05) / n * 100.0 + 100.0 / n,
                    nominal: at(u.nominal as f64),
                    band_kept,
                    band_kept_share: u.band_kept.unwrap_or(1.0),
                    wide: u.q95 - u.q05 > n / 4.0,
                    label,
                },
            );
        }
    }
    out
}

/// The units that can lose their band: kept in fewer than all the samples on the
/// bands' scale, fewest first, as (name, share kept).
pub fn band_at_risk(view: &RoundView, result: &UncertaintyResult, lang: Lang) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = result
        .groups
        .iter()
        .flat_map(|g| &g.units)
        .filter_map(|u| {
            let kept = u.band_kept.filter(|&k| k < 1.0)?;
            Some((view.assessment.units[u.unit].name.get(lang).to_owned(), kept))
        })
        .collect();
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

/// "To reach the next band" on a unit's scorecard.
#[derive(Debug, Clone)]
pub struct NextBandView {
    pub band: String,
    pub band_label: String,
    /// "+3,20".
    pub needed: String,
    /// Code, name, points it adds: the shortest list, greedy by gain.
    pub leaves: Vec<(String, String, String)>,
    pub reachable: bool,
}

/// The gap analysis of one unit; `None` for composite frameworks, for rounds whose
/// data changed since publication, and for units in the top band (`Some(None)`).
pub fn next_band(view: &RoundView, code: &str, lang: Lang) -> Option<Option<NextBandView>> {
    let scored = view.scored.as_ref()?;
    let a = &view.assessment;
    let unit = a.units.iter().position(|u| u.code == code)?;
    let framework = a.framework_of(unit);
    if !matches!(framework.method, Method::Points) {
        return None;
    }
    let gap = analysis::gap(a, &scored.values, &scored.results, unit).ok()?;
    let Some(next) = gap.next else { return Some(None) };
    let band = &framework.bands[next.band];
    let gains: HashMap<usize, f64> = gap.leaves.iter().map(|l| (l.indicator, l.gain)).collect();
    Some(Some(NextBandView {
        band: band.code.clone(),
        band_label: band.label.get(lang).to_owned(),
        needed: format!("+{}", lang.number(next.needed, 2)),
        leaves: gap
            .shortest
            .iter()
            .map(|&i| {
                let indicator = &framework.indicators[i];
                let gain = gains.get(&i).copied().unwrap_or(0.0);
                (
                    indicator.code.clone(),
                    indicator.name.get(lang).to_owned(),
                    format!("+{}", lang.number(gain, 2)),
                )
            })
            .collect(),
        reachable: gap.reachable,
    }))
}
