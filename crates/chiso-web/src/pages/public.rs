//! The public pages: overview of a published round, unit scorecard, map, and the
//! monitoring dashboard. No sign-in needed.

use super::{Chrome, PageCtx};
use crate::auth::MaybeSignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::views::PROVINCE;
use crate::views::analysis::Robustness;
use crate::views::chart::{Chart, KpiTarget};
use crate::views::round::{self, GroupView, MapView, UnitCard};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use chiso_core::Lang;
use chiso_core::kpi::Status;
use chiso_store::RoundId;
use std::sync::Arc;

#[derive(Template, WebTemplate)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    c: Chrome,
    title: String,
    rounds: Vec<(i64, i32, bool)>,
    round_id: i64,
    overall_mean: String,
    overall_band: String,
    overall_band_label: String,
    unit_count: usize,
    published_at: String,
    decision: String,
    report: Option<String>,
    groups: Vec<GroupView>,
    previous_year: Option<i32>,
    /// The province's mean in earlier years (own scale, percent of it) and this year's.
    earlier: Vec<(i32, String, String, String)>,
    /// Some change on last year compares with figures restated through lineage.
    restated_change: bool,
    /// This publication corrects an earlier one.
    correction: bool,
    robustness: RobustnessView,
    /// Preliminary results: the contest deadline ("" without one).
    preliminary: Option<String>,
}

/// The state of the rank-interval analysis, as the overview shows it.
#[derive(Debug)]
pub struct RobustnessView {
    /// "running", "ready" or "unavailable".
    state: &'static str,
    done: usize,
    total: usize,
    note: String,
}

impl RobustnessView {
    fn percent(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "empty.html")]
pub struct EmptyPage {
    c: Chrome,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub struct UnitPage {
    c: Chrome,
    round_id: i64,
    round_name: String,
    card: UnitCard,
    /// Preliminary results: the contest deadline ("" without one).
    preliminary: Option<String>,
    /// The gap analysis: `Some(None)` in the top band; `None` where it does not apply.
    next_band: Option<Option<crate::views::analysis::NextBandView>>,
    /// The unit across published rounds, when there is more than this one.
    history: Option<crate::views::history::HistoryView>,
    /// The year the change is on (no change card without an earlier round).
    previous_year: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "map.html")]
pub struct MapPage {
    c: Chrome,
    round_id: i64,
    round_name: String,
    map: MapView,
    /// Preliminary results: the contest deadline ("" without one).
    preliminary: Option<String>,
    /// Every published round's map, to switch between the units of each year (the
    /// 75 communes of 2025, the 12 districts of 2024): (round id, year, this one).
    years: Vec<(i64, i32, bool)>,
}

/// Every published round as (id, year, whether it is round `id`), newest first:
/// the links between a round's pages and those of other years.
async fn published_years(ctx: &PageCtx, id: RoundId) -> Result<Vec<(i64, i32, bool)>, AppError> {
    Ok(ctx
        .state
        .store
        .published_rounds()
        .await?
        .iter()
        .map(|p| (p.round.id.0, p.round.year, p.round.id == id))
        .collect())
}

/// The newest published round (by year), if any.
async fn latest_round(state: &AppState) -> Result<Option<RoundId>, AppError> {
    Ok(state.store.published_rounds().await?.first().map(|p| p.round.id))
}

/// The mark of preliminary results (the round's latest publication is
/// preliminary): the deadline for contests, formatted ("" without one). A final
/// publication has none.
async fn preliminary_mark(
    ctx: &PageCtx,
    publication: &chiso_store::PublicationInfo,
) -> Result<Option<String>, AppError> {
    if !publication.preliminary {
        return Ok(None);
    }
    let deadline = ctx.state.store.workflow(publication.round_id).await?.and_then(|w| w.contest_deadline);
    Ok(Some(deadline.map(|d| crate::i18n::format_datetime(d, ctx.lang)).unwrap_or_default()))
}

pub async fn home(ctx: PageCtx, who: MaybeSignedIn) -> Result<Response, AppError> {
    match latest_round(&ctx.state).await? {
        Some(id) => overview_page(&ctx, id, who).await.map(IntoResponse::into_response),
        None => Ok(EmptyPage { c: ctx.chrome(who.0.as_ref()) }.into_response()),
    }
}

pub async fn overview(
    ctx: PageCtx,
    Path(id): Path<i64>,
    who: MaybeSignedIn,
) -> Result<OverviewPage, AppError> {
    overview_page(&ctx, RoundId(id), who).await
}

async fn overview_page(ctx: &PageCtx, id: RoundId, who: MaybeSignedIn) -> Result<OverviewPage, AppError> {
    let view = round::load(&ctx.state, id).await?;
    let doc = view.doc(ctx.lang);
    let mut groups = view.groups(ctx.lang);
    let spec = crate::views::analysis::page_spec();
    let samples = ctx.lang.number(spec.samples as f64, 0);
    let robustness = match ctx.state.analyses.robustness(&view, ctx.lang) {
        Robustness::Running { done, total } => RobustnessView {
            state: "running",
            done,
            total,
            note: match ctx.lang {
                chiso_core::Lang::Vi => format!("Đang phân tích độ vững của xếp hạng ({samples} mẫu)…"),
                chiso_core::Lang::En => format!("Analysing how robust the ranking is ({samples} samples)…"),
            },
        },
        Robustness::Ready(result) => {
            let intervals = crate::views::analysis::intervals(&view, &result, ctx.lang);
            for row in groups.iter_mut().flat_map(|g| g.rows.iter_mut()) {
                row.interval = intervals.get(&row.code).cloned();
            }
            let at_risk = crate::views::analysis::band_at_risk(&view, &result, ctx.lang);
            let lang = ctx.lang;
            let names = |list: &[(String, f64)]| {
                list.iter()
                    .map(|(name, kept)| format!("{name} ({}%)", lang.number(kept * 100.0, 0)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let bands = match (lang, at_risk.len()) {
                (chiso_core::Lang::Vi, 0) => {
                    "Mọi đơn vị giữ nguyên xếp loại trong tất cả các mẫu.".to_owned()
                }
                (chiso_core::Lang::En, 0) => "Every unit keeps its band in all the samples.".to_owned(),
                (chiso_core::Lang::Vi, n) => {
                    format!("{n} đơn vị có thể mất xếp loại (tỷ lệ mẫu giữ xếp loại): {}.", names(&at_risk))
                }
                (chiso_core::Lang::En, n) => {
                    format!(
                        "{n} units can lose their band (share of samples keeping it): {}.",
                        names(&at_risk)
                    )
                }
            };
            RobustnessView {
                state: "ready",
                done: result.samples,
                total: result.samples,
                note: match lang {
                    chiso_core::Lang::Vi => format!(
                        "Độ vững: khoảng thứ hạng 5–95% khi trọng số của các chỉ số chính thay đổi ngẫu nhiên ±25% ({samples} mẫu). {bands} ⚑: khoảng rộng hơn một phần tư số đơn vị của khối."
                    ),
                    chiso_core::Lang::En => format!(
                        "Robustness: the 5–95% rank interval when the main indicators' weights vary at random by ±25% ({samples} samples). {bands} ⚑: wider than a quarter of the group."
                    ),
                },
            }
        }
        Robustness::Unavailable(note) => RobustnessView { state: "unavailable", done: 0, total: 0, note },
    };
    // A final publication replacing preliminary results is no correction.
    let list = ctx.state.store.publications(id).await?;
    let correction =
        view.publication.supersedes.is_some_and(|s| list.iter().any(|p| p.id == s && !p.preliminary));
    let preliminary = preliminary_mark(ctx, &view.publication).await?;
    let rounds = published_years(ctx, id).await?;
    Ok(OverviewPage {
        c: ctx.chrome(who.0.as_ref()),
        title: doc.name.clone(),
        rounds,
        round_id: id.0,
        overall_mean: doc.overall.mean.map_or("—".into(), |m| ctx.lang.number(m, 2)),
        overall_band: doc.overall.band.clone(),
        overall_band_label: view.overall_band_label(ctx.lang),
        unit_count: doc.overall.units,
        published_at: crate::i18n::publication_date(&view.publication, ctx.lang),
        decision: crate::bundled::decision_text(&view.publication.decision, ctx.lang),
        report: view.report(ctx.lang).map(str::to_owned),
        groups,
        previous_year: view.previous.as_ref().map(|p| p.year),
        earlier: view.earlier_means(ctx.lang),
        restated_change: view.any_restated_change(),
        correction,
        robustness,
        preliminary,
    })
}

pub async fn unit(
    ctx: PageCtx,
    Path((id, code)): Path<(i64, String)>,
    who: MaybeSignedIn,
) -> Result<UnitPage, AppError> {
    let view = round::load(&ctx.state, RoundId(id)).await?;
    let card = view.unit(&code, ctx.lang).ok_or(AppError::NotFound)?;
    Ok(UnitPage {
        c: ctx.chrome(who.0.as_ref()),
        round_id: id,
        round_name: view.doc(ctx.lang).name.clone(),
        next_band: crate::views::analysis::next_band(&view, &code, ctx.lang),
        preliminary: preliminary_mark(&ctx, &view.publication).await?,
        previous_year: view.previous.as_ref().map(|p| p.year),
        history: crate::views::history::load(
            &ctx.state,
            &code,
            view.main_indicators(&code, ctx.lang),
            ctx.lang,
        )
        .await?,
        card,
    })
}

pub async fn latest_map(ctx: PageCtx, who: MaybeSignedIn) -> Result<Response, AppError> {
    match latest_round(&ctx.state).await? {
        Some(id) => map_page(&ctx, id, who).await.map(IntoResponse::into_response),
        None => Ok(EmptyPage { c: ctx.chrome(who.0.as_ref()) }.into_response()),
    }
}

pub async fn map(ctx: PageCtx, Path(id): Path<i64>, who: MaybeSignedIn) -> Result<MapPage, AppError> {
    map_page(&ctx, RoundId(id), who).await
}

async fn map_page(ctx: &PageCtx, id: RoundId, who: MaybeSignedIn) -> Result<MapPage, AppError> {
    let view = round::load(&ctx.state, id).await?;
    let years = published_years(ctx, id).await?;
    Ok(MapPage {
        c: ctx.chrome(who.0.as_ref()),
        round_id: id.0,
        round_name: view.doc(ctx.lang).name.clone(),
        map: view.map(ctx.lang),
        preliminary: preliminary_mark(ctx, &view.publication).await?,
        years,
    })
}

/// One KPI card of the dashboard.
#[derive(Debug, Clone)]
pub struct KpiCard {
    code: String,
    name: String,
    unit: String,
    status: &'static str,
    status_label: String,
    value_text: String,
    period_text: String,
    target_text: Option<String>,
    basis: Option<String>,
    progress_percent: Option<u32>,
    progress_text: String,
    forecast_text: Option<String>,
    has_series: bool,
    chart: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "monitoring.html")]
pub struct MonitoringPage {
    c: Chrome,
    year: Option<i32>,
    alerts: Vec<KpiCard>,
    kpis: Vec<KpiCard>,
}

/// The dashboard's content in one language, derived once per data version.
#[derive(Debug)]
pub struct MonitoringCards {
    year: Option<i32>,
    alerts: Vec<KpiCard>,
    kpis: Vec<KpiCard>,
}

pub async fn monitoring(ctx: PageCtx, who: MaybeSignedIn) -> Result<MonitoringPage, AppError> {
    let (version, monitoring) = crate::views::cache::current_monitoring(&ctx.state).await?;
    let cards = match ctx.state.views.monitoring_cards.get(version, &ctx.lang) {
        Some(cards) => cards,
        None => {
            let cards = Arc::new(monitoring_cards(&monitoring, ctx.lang));
            ctx.state.views.monitoring_cards.put(version, ctx.lang, cards.clone());
            cards
        }
    };
    Ok(MonitoringPage {
        c: ctx.chrome(who.0.as_ref()),
        year: cards.year,
        alerts: cards.alerts.clone(),
        kpis: cards.kpis.clone(),
    })
}

fn monitoring_cards(monitoring: &chiso_core::kpi::Monitoring, lang: Lang) -> MonitoringCards {
    let year = monitoring.latest_year(PROVINCE);
    let mut kpis = Vec::new();
    if let Some(year) = year {
        for status in monitoring.statuses(PROVINCE, year) {
            let kpi = &monitoring.catalogue.kpis[status.kpi];
            let number = |v: f64| crate::i18n::grouped(lang, v, 3);
            let years: Vec<i32> = {
                let series = monitoring.series(status.kpi, PROVINCE);
                let first = series.iter().map(|o| o.period.year()).min();
                match first {
                    Some(first) => (first..=year).collect(),
                    None => Vec::new(),
                }
            };
            let values: Vec<Option<f64>> =
                years.iter().map(|&y| monitoring.yearly_value(status.kpi, PROVINCE, y)).collect();
            let target = status.target.as_ref();
            kpis.push(KpiCard {
                code: kpi.code.clone(),
                name: kpi.name.get(lang).to_owned(),
                unit: kpi.unit.get(lang).to_owned(),
                status: status.status.code(),
                status_label: status.status.label().get(lang).to_owned(),
                value_text: status.value.map_or("—".into(), |(_, v)| number(v)),
                period_text: status.latest.as_ref().map_or(String::new(), |(period, _)| period.to_string()),
                target_text: target
                    .map(|t| format!("{} {} ({})", number(t.value), kpi.unit.get(lang), t.year)),
                basis: target.and_then(|t| t.basis.as_ref()).map(|b| b.get(lang).to_owned()),
                progress_percent: status.progress.map(|p| (p * 100.0).clamp(0.0, 100.0).round() as u32),
                progress_text: status
                    .progress
                    .map_or(String::new(), |p| format!("{} %", lang.number(p * 100.0, 1))),
                forecast_text: status.forecast.map(number),
                has_series: values.iter().any(Option::is_some),
                chart: Chart::Kpi {
                    years,
                    values,
                    target: target.map(|t| KpiTarget {
                        year: t.year,
                        value: t.value,
                        label: lang.pick("Mục tiêu", "Target").into(),
                    }),
                    unit: kpi.unit.get(lang).to_owned(),
                    series: kpi.name.get(lang).to_owned(),
                    percent: kpi.is_percent(),
                    lower_is_better: kpi.direction == chiso_core::kpi::Direction::Down,
                }
                .json(),
            });
        }
    }
    let mut alerts: Vec<KpiCard> = kpis
        .iter()
        .filter(|k| [Status::OffTrack, Status::AtRisk, Status::Missed].iter().any(|s| s.code() == k.status))
        .cloned()
        .collect();
    let rank = |code: &str| match code {
        "off_track" | "missed" => 0,
        _ => 1,
    };
    alerts.sort_by_key(|k| rank(k.status));
    MonitoringCards { year, alerts, kpis }
}

/// One row of the changes page, formatted.
#[derive(Debug)]
pub struct ChangeRow {
    code: String,
    name: String,
    total: (String, String),
    rank: (String, String),
    band: (String, String),
    indicators: Vec<(String, String, String)>,
}

/// One publication of a round, for the list on the changes page.
#[derive(Debug)]
pub struct PublicationRow {
    id: i64,
    published_at: String,
    decision: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
pub struct ChangesPage {
    c: Chrome,
    round_id: i64,
    round_name: String,
    publications: Vec<PublicationRow>,
    /// The publication shown and the one it supersedes, formatted (date · decision).
    shown: String,
    superseded: Option<String>,
    /// The superseded publication was preliminary results: the shown one replaces
    /// them rather than correcting a final publication.
    replaces_preliminary: bool,
    rows: Vec<ChangeRow>,
    /// Preliminary results: the contest deadline ("" without one).
    preliminary: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ChangesQuery {
    publication: Option<i64>,
}

/// What a correction changed: a publication (the latest by default) against the
/// one it supersedes.
pub async fn changes(
    ctx: PageCtx,
    Path(id): Path<i64>,
    axum::extract::Query(query): axum::extract::Query<ChangesQuery>,
    who: MaybeSignedIn,
) -> Result<ChangesPage, AppError> {
    let view = round::load(&ctx.state, RoundId(id)).await?;
    let list = ctx.state.store.publications(RoundId(id)).await?;
    let shown = match query.publication {
        Some(p) => list.iter().find(|info| info.id.0 == p).ok_or(AppError::NotFound)?,
        None => list.first().ok_or(AppError::NotFound)?,
    };
    let describe = |info: &chiso_store::PublicationInfo| {
        let decision = crate::bundled::decision_text(&info.decision, ctx.lang);
        format!("{} · {decision}", crate::i18n::publication_date(info, ctx.lang))
    };
    let doc = |json: &str| -> Result<crate::views::results::ResultsDoc, AppError> {
        serde_json::from_str(json)
            .map_err(|e| AppError::Internal(format!("a stored publication cannot be read: {e}")))
    };
    let json = |p: &chiso_store::Publication| match ctx.lang {
        chiso_core::Lang::Vi => p.results_json_vi.clone(),
        chiso_core::Lang::En => p.results_json_en.clone(),
    };
    let mut rows = Vec::new();
    let replaces_preliminary = list.iter().any(|info| Some(info.id) == shown.supersedes && info.preliminary);
    let superseded = match shown.supersedes {
        Some(previous) => {
            let old = ctx.state.store.publication(previous).await?.ok_or(AppError::NotFound)?;
            let new = ctx.state.store.publication(shown.id).await?.ok_or(AppError::NotFound)?;
            let order = |group: &str| -> Vec<String> {
                view.assessment
                    .groups
                    .iter()
                    .find(|g| g.code == group)
                    .map(|g| g.framework.indicators.iter().map(|i| i.code.clone()).collect())
                    .unwrap_or_default()
            };
            let number = |x: Option<f64>| x.map_or("—".to_owned(), |x| ctx.lang.number(x, 2));
            let rank = |x: Option<usize>| x.map_or("—".to_owned(), |x| x.to_string());
            let band = |group: &str, x: &Option<String>| {
                x.as_ref().map_or("—".to_owned(), |b| view.band_label(group, b, ctx.lang))
            };
            for change in crate::views::changes::diff(&doc(&json(&old))?, &doc(&json(&new))?, order) {
                rows.push(ChangeRow {
                    total: (number(change.total.0), number(change.total.1)),
                    rank: (rank(change.rank.0), rank(change.rank.1)),
                    band: (band(&change.group, &change.band.0), band(&change.group, &change.band.1)),
                    indicators: change
                        .indicators
                        .iter()
                        .map(|(code, a, b)| (code.clone(), number(*a), number(*b)))
                        .collect(),
                    code: change.code,
                    name: change.name,
                });
            }
            Some(old.info).map(|info| describe(&info))
        }
        None => None,
    };
    Ok(ChangesPage {
        c: ctx.chrome(who.0.as_ref()),
        round_id: id,
        round_name: view.doc(ctx.lang).name.clone(),
        publications: list
            .iter()
            .map(|info| PublicationRow {
                id: info.id.0,
                published_at: crate::i18n::publication_date(info, ctx.lang),
                decision: crate::bundled::decision_text(&info.decision, ctx.lang),
                current: info.id == shown.id,
            })
            .collect(),
        shown: describe(shown),
        superseded,
        replaces_preliminary,
        rows,
        preliminary: preliminary_mark(&ctx, &view.publication).await?,
    })
}
