//! Load test of `chiso serve` (issue 11), with goose.
//!
//! Four kinds of simulated users share one running server:
//!
//! - **readers** (public, no sign-in): the overview `/rounds/1`, unit scorecards,
//!   `/map`, `/monitoring` and the JSON API (results, KPIs, observations);
//! - **reporters**: each signs in once as its unit's reporter, then loops: opens its
//!   unit's form in the open round, thinks, saves one to three values, follows the
//!   redirect back to the form;
//! - **appraisers**: sign in once, then read the round's board and unit forms;
//! - **API writers**: post new KPI observations with a bearer token, each to a
//!   scope and period of its own, so every accepted observation is a new row.
//!
//! Every save and observation the server acknowledged is written to a ledger; the
//! `verify` command compares it with what the database holds after the run.
//!
//!   chiso-load setup  --base URL --admin-password P --package DIR --out setup.json
//!   chiso-load run    --setup setup.json --out DIR [goose options...]
//!   chiso-load verify --ledger DIR/ledger.json --values values.tsv --observations obs.tsv
//!
//! `bench/load.sh` runs all three against a fresh server.
//!
//! `form-package`, `form-setup` and `form-run` (module `form`) are the scenario of
//! issue 12, 100 reporters saving their unit's form, run by `bench/form.sh`; it shares
//! the requests, sign-in, ledger and `verify` of this file.

use anyhow::{Context, Result, anyhow, bail};
use goose::config::GooseConfiguration;
use goose::prelude::*;
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use reqwest::redirect::Policy;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

mod form;
mod report;

use report::{summarise, table_header, table_row, verify};

/// Weights of the four scenarios: with 200 users, 120 readers, 32 reporters (one per
/// unit of the bundled package), 16 appraisers and 32 API writers.
const WEIGHT_READER: usize = 120;
const WEIGHT_REPORTER: usize = 32;
const WEIGHT_APPRAISER: usize = 16;
const WEIGHT_WRITER: usize = 32;
const WEIGHTS: usize = WEIGHT_READER + WEIGHT_REPORTER + WEIGHT_APPRAISER + WEIGHT_WRITER;

/// Appraiser accounts (`td01`…); simulated appraisers take them in turn.
const APPRAISER_ACCOUNTS: usize = 8;
/// The password of every account the script creates.
const USER_PASSWORD_ENV: &str = "CHISO_LOAD_PASSWORD";

/// What `setup` found and made, for `run`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Setup {
    base: String,
    /// The published round the public pages show.
    public_round: i64,
    /// The open round the reporters fill.
    round: i64,
    /// API token with observations:write.
    token: String,
    kpis: Vec<String>,
    /// (unit code, group code) in units.csv order.
    units: Vec<(String, String)>,
    /// Per group: the leaves a reporter may type a number into (linear rule, no
    /// other source), the values the load saves.
    numeric_leaves: BTreeMap<String, Vec<String>>,
}

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        bail!(
            "usage: chiso-load setup|run|verify|form-package|form-setup|form-run ... (see the top of src/main.rs)"
        );
    }
    let command = args.remove(0);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match command.as_str() {
        "setup" => runtime.block_on(setup(&args)),
        "run" => runtime.block_on(run(args)),
        "verify" => verify(&args),
        "form-package" => form::package(&args),
        "form-setup" => runtime.block_on(form::setup(&args)),
        "form-run" => runtime.block_on(form::run(args)),
        other => bail!("unknown command {other:?}: setup, run, verify, form-package, form-setup or form-run"),
    }
}

/// `--name value` from the arguments, removed from them.
fn take(args: &mut Vec<String>, name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    if i + 1 >= args.len() {
        return None;
    }
    let value = args.remove(i + 1);
    args.remove(i);
    Some(value)
}

fn need(args: &mut Vec<String>, name: &str) -> Result<String> {
    take(args, name).ok_or_else(|| anyhow!("{name} is required"))
}

// ---- setup ------------------------------------------------------------------------

/// The value of the first hidden `csrf` input of a page.
fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Signs a plain reqwest client in; returns the session's CSRF token.
async fn sign_in(client: &reqwest::Client, base: &str, username: &str, password: &str) -> Result<String> {
    let page = client.get(format!("{base}/login")).send().await?.text().await?;
    let token = csrf_of(&page).context("no csrf field on /login")?;
    let response = client
        .post(format!("{base}/login"))
        .form(&[("csrf", token.as_str()), ("username", username), ("password", password), ("next", "/work")])
        .send()
        .await?;
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("signing in as {username}: {}", response.status());
    }
    let page = client.get(format!("{base}/work")).send().await?.text().await?;
    csrf_of(&page).context("no csrf field on /work")
}

async fn setup(args: &[String]) -> Result<()> {
    let mut args = args.to_vec();
    let base = need(&mut args, "--base")?.trim_end_matches('/').to_owned();
    let password = need(&mut args, "--admin-password")?;
    let package = PathBuf::from(need(&mut args, "--package")?);
    let out = PathBuf::from(need(&mut args, "--out")?);

    let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build()?;
    let csrf = sign_in(&client, &base, "admin", &password).await?;

    // A round run in the app from the bundled frameworks and units (no values).
    let files = ["assessment.toml", "frameworks/provincial.toml", "frameworks/district.toml", "units.csv"];
    let round = create_open_round(&client, &base, &csrf, &package, &files).await?;

    // An API token for the observation writers.
    let page = client
        .post(format!("{base}/admin/tokens"))
        .form(&[("csrf", csrf.as_str()), ("name", "load test"), ("scope", "observations:write")])
        .send()
        .await?
        .text()
        .await?;
    let marker = "data-testid=\"new-token\">";
    let start = page.find(marker).context("no new token on the tokens page")? + marker.len();
    let token = page[start..].split('<').next().unwrap_or_default().to_owned();

    let kpis: serde_json::Value = client.get(format!("{base}/api/v1/kpis")).send().await?.json().await?;
    let kpis: Vec<String> = kpis
        .as_array()
        .or_else(|| kpis.get("kpis").and_then(|k| k.as_array()))
        .context("GET /api/v1/kpis: no list")?
        .iter()
        .filter_map(|k| k.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .collect();
    if kpis.is_empty() {
        bail!("no KPIs in the catalogue");
    }

    let (units, numeric_leaves) = read_package(&package)?;
    let setup = Setup { base, public_round: 1, round, token, kpis, units, numeric_leaves };
    std::fs::write(&out, serde_json::to_string_pretty(&setup)?)?;
    eprintln!(
        "setup: round {} open, {} units, {} KPIs, token made",
        setup.round,
        setup.units.len(),
        setup.kpis.len()
    );
    Ok(())
}

/// Creates a round in the app (`POST /work/rounds`, as an admin uploads a package's
/// frameworks and units: `files`, relative to `package`) and opens it for
/// self-assessment. Returns the round's id.
async fn create_open_round(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    package: &Path,
    files: &[&str],
) -> Result<i64> {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_owned());
    for name in files {
        let bytes = std::fs::read(package.join(name)).with_context(|| format!("reading {name}"))?;
        form = form.part("files", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    }
    let response = client.post(format!("{base}/work/rounds")).multipart(form).send().await?;
    let created = location(&response);
    let round: i64 = created
        .strip_prefix("/work/rounds/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .with_context(|| format!("creating the round: {} {created:?}", response.status()))?;
    let response = client
        .post(format!("{base}/work/rounds/{round}/stage"))
        .form(&[("csrf", csrf), ("to", "open")])
        .send()
        .await?;
    if !location(&response).ends_with("message=stage") {
        bail!("opening round {round}: {} {:?}", response.status(), location(&response));
    }
    Ok(round)
}

/// Units and, per group, the numeric leaves of its framework.
/// (unit code, group code) in order, and per group its numeric leaves.
type PackageShape = (Vec<(String, String)>, BTreeMap<String, Vec<String>>);

fn read_package(package: &Path) -> Result<PackageShape> {
    let assessment: toml::Value = toml::from_str(&std::fs::read_to_string(package.join("assessment.toml"))?)?;
    let mut leaves = BTreeMap::new();
    for group in assessment.get("group").and_then(|g| g.as_array()).context("no [[group]]")? {
        let code = group.get("code").and_then(|c| c.as_str()).context("group code")?;
        let file = group.get("framework").and_then(|c| c.as_str()).context("group framework")?;
        let framework: toml::Value = toml::from_str(&std::fs::read_to_string(package.join(file))?)?;
        let codes: Vec<String> = framework
            .get("indicator")
            .and_then(|i| i.as_array())
            .context("no [[indicator]]")?
            .iter()
            .filter(|i| {
                i.get("source").is_none()
                    && i.get("rule").and_then(|r| r.get("kind")).and_then(|k| k.as_str()) == Some("linear")
            })
            .filter_map(|i| i.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .collect();
        leaves.insert(code.to_owned(), codes);
    }
    let units_csv = std::fs::read_to_string(package.join("units.csv"))?;
    let mut lines = units_csv.lines();
    let header: Vec<&str> = lines.next().context("empty units.csv")?.split(',').collect();
    let at =
        |name: &str| header.iter().position(|h| *h == name).with_context(|| format!("units.csv: {name}"));
    let (code, group) = (at("code")?, at("group")?);
    let units = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            (fields[code].to_owned(), fields[group].to_owned())
        })
        .collect();
    Ok((units, leaves))
}

// ---- what the run records -----------------------------------------------------------

static SETUP: OnceLock<Setup> = OnceLock::new();
static PASSWORD: OnceLock<String> = OnceLock::new();
/// Reporter lanes per unit: with more reporters than units, the leaves of a unit are
/// split between them, so no two simulated people save the same indicator.
static LANES: OnceLock<usize> = OnceLock::new();
static THINK: OnceLock<f64> = OnceLock::new();
static READERS: AtomicUsize = AtomicUsize::new(0);
static REPORTERS: AtomicUsize = AtomicUsize::new(0);
static APPRAISERS: AtomicUsize = AtomicUsize::new(0);
static WRITERS: AtomicUsize = AtomicUsize::new(0);
static SIGN_IN_STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

#[derive(Debug, Default)]
struct Timings {
    /// Microseconds, request sent to body read.
    times: Vec<u32>,
    ok: u64,
    failed: u64,
    /// Status (0: no answer) → count, of the failed ones.
    failures: BTreeMap<u16, u64>,
}

/// Per request name (the goose name, e.g. `page: unit scorecard`).
static TIMINGS: LazyLock<Mutex<BTreeMap<String, Timings>>> = LazyLock::new(Default::default);

#[derive(Debug, Default, Serialize, Deserialize)]
struct Ledger {
    round: i64,
    /// "unit|indicator" → how many saves of it were acknowledged, and the last value.
    saves: BTreeMap<String, (u64, String)>,
    /// Saves that failed without an answer that says nothing was stored (e.g. a
    /// timeout): "unit|indicator".
    uncertain_saves: BTreeSet<String>,
    save_requests_ok: u64,
    /// Reads of the form that showed another value than the reporter's last save
    /// ("unit|indicator"): a lost write seen while the run goes on.
    form_mismatches: Vec<String>,
    /// kpi|scope|period → value, each acknowledged with 201.
    observations: BTreeMap<String, f64>,
    uncertain_observations: BTreeSet<String>,
    observation_requests_ok: u64,
}

static LEDGER: LazyLock<Mutex<Ledger>> = LazyLock::new(Default::default);

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn record(name: &str, elapsed: Duration, ok: bool, status: u16) {
    let mut timings = lock(&TIMINGS);
    let entry = timings.entry(name.to_owned()).or_default();
    entry.times.push(elapsed.as_micros().min(u128::from(u32::MAX)) as u32);
    if ok {
        entry.ok += 1;
    } else {
        entry.failed += 1;
        *entry.failures.entry(status).or_default() += 1;
    }
}

/// What a checked request answered.
struct Answer {
    status: u16,
    location: String,
    body: String,
}

/// Sends a request through goose (which counts it in its own metrics) and records
/// its time to the whole body. `expect` is the status that means success; a 303 must
/// also lead where `location_ends` says. Returns the answer when it succeeded.
async fn send(
    user: &mut GooseUser,
    name: &str,
    method: GooseMethod,
    path: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    expect: u16,
    location_ends: Option<&str>,
) -> Result<Answer, Box<TransactionError>> {
    let builder = build(user.get_request_builder(&method, path)?);
    let request = GooseRequest::builder()
        .method(method)
        .path(path)
        .name(name)
        .set_request_builder(builder)
        .expect_status_code(expect)
        .build();
    let started = Instant::now();
    let mut goose = user.request(request).await?;
    let (status, location, body) = match goose.response {
        Ok(response) => {
            let status = response.status().as_u16();
            let location = location(&response);
            match response.text().await {
                Ok(body) => (status, location, Some(body)),
                Err(_) => (status, location, None),
            }
        }
        Err(_) => (0, String::new(), None),
    };
    let elapsed = started.elapsed();
    let ok = status == expect && body.is_some() && location_ends.is_none_or(|end| location.ends_with(end));
    record(name, elapsed, ok, status);
    if !ok {
        let tag = format!("{name}: {status} {location}");
        user.set_failure(&tag, &mut goose.request, None, body.as_deref().map(|b| &b[..b.len().min(400)]))?;
    }
    Ok(Answer { status, location, body: body.unwrap_or_default() })
}

/// Every user's HTTP client: cookies kept, redirects not followed (the journeys
/// follow them themselves, so that each request is timed on its own), gzip asked
/// for as browsers do.
async fn client(user: &mut GooseUser) -> TransactionResult {
    let builder = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .gzip(true)
        .timeout(Duration::from_secs(60))
        .user_agent("chiso-load");
    user.set_client_builder(builder).await?;
    Ok(())
}

/// A person's pause between opening a form and saving it: 1–3 s (× --think).
fn think() -> Duration {
    let scale = *THINK.get().unwrap_or(&1.0);
    Duration::from_secs_f64(rand::rng().random_range(0.5..1.5) * 2.0 * scale)
}

/// Signs the user in (the login form's token and cookie, then the post) and keeps
/// the session's CSRF token from /work.
async fn user_sign_in(user: &mut GooseUser, username: &str) -> Result<String, Box<TransactionError>> {
    LazyLock::force(&SIGN_IN_STARTED);
    let password = PASSWORD.get().cloned().unwrap_or_default();
    let page = send(user, "sign-in: GET /login", GooseMethod::Get, "/login", |b| b, 200, None).await?;
    let token = csrf_of(&page.body).unwrap_or_default();
    let form = [
        ("csrf", token.as_str()),
        ("username", username),
        ("password", password.as_str()),
        ("next", "/work"),
    ];
    send(user, "sign-in: POST /login", GooseMethod::Post, "/login", |b| b.form(&form), 303, Some("/work"))
        .await?;
    let work = send(user, "sign-in: GET /work", GooseMethod::Get, "/work", |b| b, 200, None).await?;
    Ok(csrf_of(&work.body).unwrap_or_default())
}

// ---- readers ----------------------------------------------------------------------

async fn reader_start(user: &mut GooseUser) -> TransactionResult {
    READERS.fetch_add(1, Ordering::SeqCst);
    client(user).await
}

fn setup_data() -> &'static Setup {
    SETUP.get().expect("setup loaded before the attack")
}

async fn read_overview(user: &mut GooseUser) -> TransactionResult {
    let path = format!("/rounds/{}", setup_data().public_round);
    send(user, "page: overview /rounds/1", GooseMethod::Get, &path, |b| b, 200, None).await?;
    Ok(())
}

async fn read_scorecard(user: &mut GooseUser) -> TransactionResult {
    let s = setup_data();
    let unit = s.units.choose(&mut rand::rng()).map(|u| u.0.clone()).unwrap_or_default();
    let path = format!("/rounds/{}/units/{unit}", s.public_round);
    send(user, "page: scorecard /rounds/1/units/{code}", GooseMethod::Get, &path, |b| b, 200, None).await?;
    Ok(())
}

async fn read_map(user: &mut GooseUser) -> TransactionResult {
    send(user, "page: /map", GooseMethod::Get, "/map", |b| b, 200, None).await?;
    Ok(())
}

async fn read_monitoring(user: &mut GooseUser) -> TransactionResult {
    send(user, "page: /monitoring", GooseMethod::Get, "/monitoring", |b| b, 200, None).await?;
    Ok(())
}

async fn read_api_results(user: &mut GooseUser) -> TransactionResult {
    let path = format!("/api/v1/rounds/{}/results", setup_data().public_round);
    send(user, "api: GET /api/v1/rounds/1/results", GooseMethod::Get, &path, |b| b, 200, None).await?;
    Ok(())
}

async fn read_api_kpis(user: &mut GooseUser) -> TransactionResult {
    send(user, "api: GET /api/v1/kpis", GooseMethod::Get, "/api/v1/kpis", |b| b, 200, None).await?;
    Ok(())
}

async fn read_api_observations(user: &mut GooseUser) -> TransactionResult {
    let path = "/api/v1/observations?limit=100";
    send(user, "api: GET /api/v1/observations?limit=100", GooseMethod::Get, path, |b| b, 200, None).await?;
    Ok(())
}

// ---- reporters --------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Reporter {
    unit: String,
    leaves: Vec<String>,
    csrf: String,
    /// The last value this reporter saved per leaf (it is the only one saving it).
    saved: HashMap<String, String>,
}

async fn reporter_start(user: &mut GooseUser) -> TransactionResult {
    client(user).await?;
    let s = setup_data();
    let ordinal = REPORTERS.fetch_add(1, Ordering::SeqCst);
    let lanes = *LANES.get().unwrap_or(&1);
    let (unit, group) = s.units[ordinal % s.units.len()].clone();
    let lane = (ordinal / s.units.len()) % lanes;
    let leaves: Vec<String> = s
        .numeric_leaves
        .get(&group)
        .map(|all| {
            all.iter().enumerate().filter(|(i, _)| i % lanes == lane).map(|(_, c)| c.clone()).collect()
        })
        .unwrap_or_default();
    let csrf = user_sign_in(user, &format!("bc.{}", unit.to_lowercase())).await?;
    user.set_session_data(Reporter { unit, leaves, csrf, saved: HashMap::new() });
    Ok(())
}

/// The `value` attribute of the form control `name="NAME"` of a page (whatever the
/// order of its attributes).
fn field(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let start = page[..at].rfind('<')?;
    let end = at + page[at..].find('>')?;
    let tag = &page[start..end];
    let value = tag.find(" value=\"")? + " value=\"".len();
    Some(tag[value..].split('"').next()?.to_owned())
}

/// Opens the unit's form, thinks, saves one to three of the reporter's leaves with
/// the versions the form showed, and follows the redirect back to the form.
async fn reporter_edit(user: &mut GooseUser) -> TransactionResult {
    let me = user.get_session_data_unchecked::<Reporter>().clone();
    let round = setup_data().round;
    let form_path = format!("/work/rounds/{round}/units/{}", me.unit);
    let page =
        send(user, "work: unit form (reporter)", GooseMethod::Get, &form_path, |b| b, 200, None).await?;
    if page.status != 200 || me.leaves.is_empty() {
        return Ok(());
    }
    let mut mismatched = Vec::new();
    let (chosen, values) = {
        let mut rng = rand::rng();
        let count = rng.random_range(1..=3).min(me.leaves.len());
        let chosen: Vec<String> = me.leaves.choose_multiple(&mut rng, count).cloned().collect();
        let values: Vec<(String, String, String)> = chosen
            .iter()
            .map(|code| {
                let current = field(&page.body, &format!("v:{code}"));
                let version = field(&page.body, &format!("ver:{code}")).unwrap_or_else(|| "0".into());
                let last = me.saved.get(code).cloned().unwrap_or_default();
                if current.as_deref().is_some_and(|c| c != last) {
                    mismatched.push(code.clone());
                }
                // A new value: neither what the form shows nor what was saved last
                // (a save of the stored text changes nothing and is not a write).
                let mut value = rng.random_range(0..=100u32);
                while Some(value.to_string()) == current || value.to_string() == last {
                    value = (value + 1) % 101;
                }
                (code.clone(), value.to_string(), version)
            })
            .collect();
        (chosen, values)
    };
    if !mismatched.is_empty() {
        let mut ledger = lock(&LEDGER);
        for code in &mismatched {
            ledger.form_mismatches.push(format!("{}|{code}", me.unit));
        }
    }
    tokio::time::sleep(think()).await;
    let mut form: Vec<(String, String)> = vec![("csrf".into(), me.csrf.clone()), ("save".into(), "1".into())];
    for (code, value, version) in &values {
        form.push((format!("v:{code}"), value.clone()));
        form.push((format!("ver:{code}"), version.clone()));
    }
    let save_path = format!("{form_path}/save");
    let answer = send(
        user,
        "work: POST save",
        GooseMethod::Post,
        &save_path,
        |b| b.form(&form),
        303,
        Some("?message=saved"),
    )
    .await?;
    {
        let mut ledger = lock(&LEDGER);
        ledger.round = round;
        if answer.status == 303 && answer.location.ends_with("?message=saved") {
            ledger.save_requests_ok += 1;
            for (code, value, _) in &values {
                let entry = ledger.saves.entry(format!("{}|{code}", me.unit)).or_default();
                entry.0 += 1;
                entry.1 = value.clone();
            }
            drop(ledger);
            let me = user.get_session_data_unchecked_mut::<Reporter>();
            for (code, value, _) in &values {
                me.saved.insert(code.clone(), value.clone());
            }
        } else if answer.status == 0 || answer.status >= 500 {
            for code in &chosen {
                ledger.uncertain_saves.insert(format!("{}|{code}", me.unit));
            }
        }
    }
    if answer.status == 303 {
        let to = answer.location.clone();
        send(user, "work: unit form (reporter)", GooseMethod::Get, &to, |b| b, 200, None).await?;
    }
    Ok(())
}

// ---- appraisers -------------------------------------------------------------------

async fn appraiser_start(user: &mut GooseUser) -> TransactionResult {
    client(user).await?;
    let ordinal = APPRAISERS.fetch_add(1, Ordering::SeqCst);
    let username = format!("td{:02}", ordinal % APPRAISER_ACCOUNTS + 1);
    user_sign_in(user, &username).await?;
    Ok(())
}

async fn appraiser_board(user: &mut GooseUser) -> TransactionResult {
    let path = format!("/work/rounds/{}", setup_data().round);
    send(user, "work: board /work/rounds/2", GooseMethod::Get, &path, |b| b, 200, None).await?;
    Ok(())
}

async fn appraiser_form(user: &mut GooseUser) -> TransactionResult {
    let s = setup_data();
    let unit = s.units.choose(&mut rand::rng()).map(|u| u.0.clone()).unwrap_or_default();
    let path = format!("/work/rounds/{}/units/{unit}", s.round);
    send(user, "work: unit form (appraiser)", GooseMethod::Get, &path, |b| b, 200, None).await?;
    Ok(())
}

// ---- API writers ------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Writer {
    scope: String,
    next_day: i64,
}

async fn writer_start(user: &mut GooseUser) -> TransactionResult {
    client(user).await?;
    let ordinal = WRITERS.fetch_add(1, Ordering::SeqCst);
    user.set_session_data(Writer { scope: format!("load-w{ordinal:03}"), next_day: 0 });
    Ok(())
}

/// The date `days` after 2001-01-01 (proleptic Gregorian), as `YYYY-MM-DD`.
fn day(days: i64) -> String {
    // Howard Hinnant's civil_from_days, from 1970-01-01.
    let z = days + 11_323 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Posts one to three observations (different KPIs, one new day) for the writer's scope.
async fn writer_post(user: &mut GooseUser) -> TransactionResult {
    let me = user.get_session_data_unchecked_mut::<Writer>();
    let period = day(me.next_day);
    me.next_day += 1;
    let scope = me.scope.clone();
    let s = setup_data();
    let rows: Vec<(String, f64)> = {
        let mut rng = rand::rng();
        let mut kpis = s.kpis.clone();
        kpis.shuffle(&mut rng);
        let count = rng.random_range(1..=3).min(kpis.len());
        kpis.into_iter().take(count).map(|k| (k, f64::from(rng.random_range(0..=10_000)) / 100.0)).collect()
    };
    let body = serde_json::json!({
        "observations": rows.iter().map(|(kpi, value)| serde_json::json!({
            "kpi": kpi, "scope": scope, "period": period, "value": value
        })).collect::<Vec<_>>()
    });
    let token = s.token.clone();
    let answer = send(
        user,
        "api: POST /api/v1/observations",
        GooseMethod::Post,
        "/api/v1/observations",
        |b| b.bearer_auth(token).json(&body),
        201,
        None,
    )
    .await?;
    let mut ledger = lock(&LEDGER);
    if answer.status == 201 {
        ledger.observation_requests_ok += 1;
        for (kpi, value) in rows {
            ledger.observations.insert(format!("{kpi}|{scope}|{period}"), value);
        }
    } else if answer.status == 0 || answer.status >= 500 {
        for (kpi, _) in rows {
            ledger.uncertain_observations.insert(format!("{kpi}|{scope}|{period}"));
        }
    }
    Ok(())
}

// ---- run ----------------------------------------------------------------------------

async fn run(args: Vec<String>) -> Result<()> {
    let mut args = args;
    let setup_file = need(&mut args, "--setup")?;
    let out = PathBuf::from(need(&mut args, "--out")?);
    std::fs::create_dir_all(&out)?;
    let setup: Setup = serde_json::from_str(&std::fs::read_to_string(&setup_file)?)?;
    let think_scale: f64 = take(&mut args, "--think").map(|t| t.parse()).transpose()?.unwrap_or(1.0);
    PASSWORD.set(std::env::var(USER_PASSWORD_ENV).context(USER_PASSWORD_ENV)?).ok();
    THINK.set(think_scale).ok();

    // The rest are goose's own options (--users, --increase-time, --run-time, ...).
    let mut goose_args = vec!["chiso-load".to_owned()];
    goose_args.extend(args);
    let config = GooseConfiguration::parse_args_default(&goose_args[1..])
        .map_err(|e| anyhow!("goose options: {e}"))?;
    let users = config.users.unwrap_or(200);
    let reporters = (users * WEIGHT_REPORTER).div_ceil(WEIGHTS) + 1;
    LANES.set(reporters.div_ceil(setup.units.len()).max(1)).ok();
    let base = setup.base.clone();
    SETUP.set(setup).map_err(|_| anyhow!("setup set twice"))?;

    let wait = |min: f64, max: f64| {
        (Duration::from_secs_f64(min * think_scale), Duration::from_secs_f64(max * think_scale))
    };
    let (reader_min, reader_max) = wait(1.0, 3.0);
    let (appraiser_min, appraiser_max) = wait(1.0, 3.0);
    let (writer_min, writer_max) = wait(1.0, 3.0);
    let (reporter_min, reporter_max) = wait(1.0, 3.0);

    let started = Instant::now();
    let metrics = GooseAttack::initialize_with_config(config)?
        .register_scenario(
            scenario!("Reader")
                .set_weight(WEIGHT_READER)?
                .set_wait_time(reader_min, reader_max)?
                .register_transaction(transaction!(reader_start).set_on_start())
                .register_transaction(transaction!(read_overview).set_weight(3)?)
                .register_transaction(transaction!(read_scorecard).set_weight(4)?)
                .register_transaction(transaction!(read_map).set_weight(1)?)
                .register_transaction(transaction!(read_monitoring).set_weight(2)?)
                .register_transaction(transaction!(read_api_results).set_weight(1)?)
                .register_transaction(transaction!(read_api_kpis).set_weight(1)?)
                .register_transaction(transaction!(read_api_observations).set_weight(1)?),
        )
        .register_scenario(
            scenario!("Reporter")
                .set_weight(WEIGHT_REPORTER)?
                .set_wait_time(reporter_min, reporter_max)?
                .register_transaction(transaction!(reporter_start).set_on_start())
                .register_transaction(transaction!(reporter_edit)),
        )
        .register_scenario(
            scenario!("Appraiser")
                .set_weight(WEIGHT_APPRAISER)?
                .set_wait_time(appraiser_min, appraiser_max)?
                .register_transaction(transaction!(appraiser_start).set_on_start())
                .register_transaction(transaction!(appraiser_board).set_weight(1)?)
                .register_transaction(transaction!(appraiser_form).set_weight(2)?),
        )
        .register_scenario(
            scenario!("ApiWriter")
                .set_weight(WEIGHT_WRITER)?
                .set_wait_time(writer_min, writer_max)?
                .register_transaction(transaction!(writer_start).set_on_start())
                .register_transaction(transaction!(writer_post)),
        )
        .set_default(GooseDefault::Host, base.as_str())?
        .execute()
        .await?;
    let wall = started.elapsed();

    let ledger = std::mem::take(&mut *lock(&LEDGER));
    std::fs::write(out.join("ledger.json"), serde_json::to_string_pretty(&ledger)?)?;
    let summary = summarise(wall, metrics.duration, &ledger);
    std::fs::write(out.join("summary.txt"), &summary)?;
    print!("{summary}");
    Ok(())
}
