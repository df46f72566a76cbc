//! `chiso analyze uncertainty|sensitivity|gap` (docs/formats/analysis.md) on the
//! bundled Son La 2024 package, small packages written for the test, and the ASEM
//! composite package of the benchmarks. Sample counts are small: the whole file
//! runs in seconds in a debug build.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

#[allow(dead_code)]
#[path = "../../benches/asem/generate.rs"]
mod asem;

/// A specification file in its own temporary folder.
struct Spec {
    dir: tempfile::TempDir,
}

impl Spec {
    fn new(text: &str) -> Spec {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
        std::fs::write(dir.path().join("spec.toml"), text).unwrap_or_else(|e| panic!("write spec: {e}"));
        Spec { dir }
    }

    fn arg(&self) -> String {
        self.dir.path().join("spec.toml").display().to_string()
    }
}

/// `samples`, `seed`, then one `[[weights]]` per (depth, noise).
fn spec(samples: usize, seed: u64, weights: &[(usize, f64)]) -> Spec {
    let mut text = format!("samples = {samples}\nseed = {seed}\n");
    for (depth, noise) in weights {
        text.push_str(&format!("\n[[weights]]\ndepth = {depth}\nnoise = {noise}\n"));
    }
    Spec::new(&text)
}

fn analyze(kind: &str, package: &Path, extra: &[&str]) -> Run {
    analyze_with_env(kind, package, extra, &[])
}

fn analyze_with_env(kind: &str, package: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args: Vec<String> = vec!["analyze".into(), kind.into(), package.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    chiso_with_env(&args, env)
}

fn json(run: &Run) -> Value {
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().unwrap_or_else(|| panic!("not an array: {value}"))
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().map(String::as_str).collect()
}

/// The analysis was refused: non-zero exit, nothing on stdout, something on stderr.
#[track_caller]
fn assert_refused(run: &Run) {
    assert!(!run.success, "chiso should have refused, but printed:\n{}", run.stdout);
    assert!(run.code.is_some_and(|c| c != 0), "a refusal exits non-zero: {:?}", run.code);
    assert_eq!(run.stdout, "", "nothing on stdout when refused");
    assert!(!run.stderr.is_empty(), "a refusal says why on stderr");
}

// ---------------------------------------------------------------------------
// uncertainty
// ---------------------------------------------------------------------------

#[test]
fn uncertainty_lists_every_unit_with_ordered_percentiles_and_the_rank_of_chiso_score() {
    let spec = spec(200, 7, &[(1, 0.25)]);
    let doc = json(&analyze("uncertainty", &sonla(), &["--spec", &spec.arg(), "--format", "json"]));
    assert_eq!(keys(&doc), ["samples", "seed", "groups"]);
    assert_eq!((doc["samples"].as_u64(), doc["seed"].as_u64()), (Some(200), Some(7)));
    let scored = score_json(&sonla(), &[]);
    let groups = array(&doc["groups"]);
    let codes: Vec<&str> = groups.iter().filter_map(|g| g["code"].as_str()).collect();
    assert_eq!(codes, ["provincial", "district"]);
    let mut seen = 0;
    for g in groups {
        assert_eq!(keys(g), ["code", "units"]);
        let units = array(&g["units"]);
        let in_group = array(&scored["units"]).iter().filter(|u| u["group"] == g["code"]).count();
        assert_eq!(units.len(), in_group, "every unit of group {}", g["code"]);
        let mut previous = 0;
        for u in units {
            assert_eq!(keys(u), ["code", "name", "nominal", "mean", "median", "q05", "q95", "band_kept"]);
            let code = u["code"].as_str().unwrap_or_default();
            let nominal = u["nominal"].as_u64().unwrap_or_else(|| panic!("nominal of {code}"));
            assert_eq!(nominal, unit(&scored, code)["rank"].as_u64().unwrap_or(0), "{code}: nominal rank");
            assert!(nominal >= previous, "units in nominal rank order");
            previous = nominal;
            let (q05, median, q95) = (num(&u["q05"]), num(&u["median"]), num(&u["q95"]));
            assert!(1.0 <= q05 && q05 <= median && median <= q95, "{code}: {q05} ≤ {median} ≤ {q95}");
            assert!(q95 <= units.len() as f64, "{code}: q95 within the group");
            let kept = num(&u["band_kept"]);
            assert!((0.0..=1.0).contains(&kept), "{code}: band_kept {kept}");
            assert_eq!(u["name"], unit(&scored, code)["name"], "{code}: name in the default language");
            seen += 1;
        }
    }
    assert_eq!(seen, 32, "all 32 units of Son La 2024");
}

#[test]
fn uncertainty_with_the_same_seed_prints_the_same_result_twice() {
    let spec = spec(200, 11, &[(1, 0.25), (2, 0.25)]);
    let spec_arg = spec.arg();
    let args = ["--spec", spec_arg.as_str(), "--format", "json"];
    let first = analyze("uncertainty", &sonla(), &args);
    let second = analyze("uncertainty", &sonla(), &args);
    first.assert_success();
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn uncertainty_does_not_depend_on_the_number_of_threads() {
    // 200 samples are 4 chunks of 64: with 2 threads they finish out of order.
    let spec = spec(200, 3, &[(1, 0.25), (2, 0.25)]);
    let spec_arg = spec.arg();
    let args = ["--spec", spec_arg.as_str(), "--format", "json"];
    let one = analyze_with_env("uncertainty", &sonla(), &args, &[("RAYON_NUM_THREADS", "1")]);
    let two = analyze_with_env("uncertainty", &sonla(), &args, &[("RAYON_NUM_THREADS", "2")]);
    one.assert_success();
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn uncertainty_without_noise_keeps_every_rank_and_band() {
    let spec = spec(70, 1, &[(1, 0.0), (2, 0.0)]);
    let doc = json(&analyze("uncertainty", &sonla(), &["--spec", &spec.arg(), "--format", "json"]));
    for g in array(&doc["groups"]) {
        for u in array(&g["units"]) {
            let nominal = num(&u["nominal"]);
            for key in ["mean", "median", "q05", "q95"] {
                assert_eq!(num(&u[key]), nominal, "{}: {key}", u["code"]);
            }
            assert_eq!(num(&u["band_kept"]), 1.0, "{}", u["code"]);
        }
    }
}

/// Three units with 50 points each: A all on indicator 1, B all on indicator 2,
/// C half on each. Perturbing depth 1, A and B swap first and last place, C stays
/// second.
fn three_way_tie() -> Package {
    small_package(&values_csv(&[
        ("A", "1.1", "100"),
        ("A", "1.2", "có"),
        ("B", "2.1", "20"),
        ("B", "2.2", "1/1"),
        ("B", "2.3", "4"),
        ("B", "2.4", "head"),
        ("C", "1.1", "100"),
        ("C", "2.1", "20"),
        ("C", "2.2", "1/2"),
    ]))
}

#[test]
fn uncertainty_table_flags_wide_intervals_with_a_legend_in_both_languages() {
    let package = three_way_tie();
    let spec = spec(200, 5, &[(1, 0.25)]);
    let line = |text: &str, code: &str| -> String {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(code))
            .unwrap_or_else(|| panic!("no row for {code} in:\n{text}"))
            .to_string()
    };
    for (lang, legend) in [
        ("vi", ["rộng hơn một phần tư khối (hơn 0,75 hạng)", "(2/3 đơn vị)"]),
        ("en", ["wider than a quarter of the group (more than 0.75 ranks)", "(2 of 3 units)"]),
    ] {
        let run = analyze("uncertainty", package.path(), &["--spec", &spec.arg(), "--lang", lang]);
        run.assert_success();
        let text = &run.stdout;
        assert_contains_all(text, &legend);
        assert_contains_all(text, &["200"]);
        assert!(line(text, "A").trim_end().ends_with('⚑'), "A swings between 1st and 3rd:\n{text}");
        assert!(line(text, "B").trim_end().ends_with('⚑'), "B too:\n{text}");
        assert!(!line(text, "C").trim_end().ends_with('⚑'), "C is always 2nd:\n{text}");
        assert!(line(text, "C").contains("2 – 2"), "C's interval:\n{text}");
    }
    let en = analyze("uncertainty", package.path(), &["--spec", &spec.arg(), "--lang", "en"]);
    let vi = analyze("uncertainty", package.path(), &["--spec", &spec.arg()]);
    assert_contains_all(&en.stdout, &["Median", "5–95%", "Band kept", "1 – 3"]);
    assert_contains_all(&vi.stdout, &["Trung vị", "Khoảng 5–95%", "Giữ xếp loại", "1 – 3"]);
}

#[test]
fn uncertainty_on_the_asem_composite_package_draws_methods_too() {
    let dir = asem_package();
    let spec = Spec::new(&asem::uncertainty_toml().replace("samples = 10000", "samples = 100"));
    let doc = json(&analyze("uncertainty", dir.path(), &["--spec", &spec.arg(), "--format", "json"]));
    let units = array(&doc["groups"][0]["units"]);
    assert_eq!(units.len(), 51);
    assert_eq!(units[0]["code"], "CHE");
    assert!(units.iter().any(|u| num(&u["q95"]) > num(&u["q05"])), "some rank moves");
}

// ---------------------------------------------------------------------------
// sensitivity
// ---------------------------------------------------------------------------

#[test]
fn sensitivity_reports_finite_indices_for_every_input_over_n_times_d_plus_2_runs() {
    let spec = spec(64, 9, &[(1, 0.25), (2, 0.25)]);
    let run =
        analyze("sensitivity", &sonla(), &["--spec", &spec.arg(), "--bootstrap", "20", "--format", "json"]);
    let doc = json(&run);
    assert_eq!(keys(&doc), ["samples", "runs", "groups"]);
    assert_eq!(num(&doc["samples"]), 64.0);
    assert_eq!(num(&doc["runs"]), 64.0 * (2.0 + 2.0), "N × (d + 2), d = 2");
    for g in array(&doc["groups"]) {
        assert_eq!(keys(g), ["code", "inputs"]);
        let inputs = array(&g["inputs"]);
        let labels: Vec<&str> = inputs.iter().filter_map(|i| i["input"].as_str()).collect();
        assert_eq!(labels, ["weights:1", "weights:2"]);
        for input in inputs {
            assert_eq!(keys(input), ["input", "si", "si_ci", "sti", "sti_ci"]);
            for key in ["si", "sti"] {
                assert!(num(&input[key]).is_finite(), "{key} of {input}");
                let ci = array(&input[format!("{key}_ci")]);
                assert_eq!(ci.len(), 2);
                assert!(num(&ci[0]) <= num(&ci[1]), "{key}_ci of {input}");
            }
        }
    }
}

#[test]
fn sensitivity_on_the_asem_package_names_normalise_and_aggregate_and_explains_itself() {
    let dir = asem_package();
    let spec = Spec::new(&asem::uncertainty_toml().replace("samples = 10000", "samples = 32"));
    let doc = json(&analyze(
        "sensitivity",
        dir.path(),
        &["--spec", &spec.arg(), "--bootstrap", "10", "--format", "json"],
    ));
    assert_eq!(num(&doc["runs"]), 32.0 * 6.0, "4 inputs");
    let labels: Vec<&str> =
        array(&doc["groups"][0]["inputs"]).iter().filter_map(|i| i["input"].as_str()).collect();
    assert_eq!(labels, ["weights:1", "weights:2", "normalise", "aggregate"]);
    let table =
        analyze("sensitivity", dir.path(), &["--spec", &spec.arg(), "--bootstrap", "10", "--lang", "en"]);
    table.assert_success();
    assert_contains_all(
        &table.stdout,
        &["Si (first order)", "STi (total)", "normalisation method", "B = 10"],
    );
}

// ---------------------------------------------------------------------------
// gap
// ---------------------------------------------------------------------------

/// A value that earns a leaf's full points under its rule.
fn full_value(rule: &chiso_core::Rule, max: f64) -> String {
    use chiso_core::Rule;
    match rule {
        Rule::Boolean => "có".into(),
        Rule::Linear { to, .. } => format!("{to}"),
        Rule::Steps { steps, .. } => steps
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(threshold, _)| format!("{threshold}"))
            .unwrap_or_default(),
        Rule::Count { cap } => format!("{cap}"),
        Rule::Manual => format!("{max}"),
        // The best of the group: nobody has more.
        Rule::Relative => "1000000000".into(),
        Rule::Ratio => "1/1".into(),
        Rule::Choice { options } => options
            .iter()
            .max_by(|a, b| a.points.total_cmp(&b.points))
            .map(|o| o.code.clone())
            .unwrap_or_default(),
    }
}

/// A copy of Son La 2024 in which `unit` has the full points of these leaves.
fn sonla_with_full_points(unit: &str, group: &str, leaves: &[String]) -> Package {
    let package = Package::copy_of_sonla();
    let loaded = chiso_io::Package::load(package.path()).unwrap_or_else(|e| panic!("{e:?}"));
    let group = loaded.assessment.groups.iter().find(|g| g.code == group);
    let framework = &group.unwrap_or_else(|| panic!("no group")).framework;
    let mut rows = String::new();
    for code in leaves {
        let indicator =
            &framework.indicators[framework.find(code).unwrap_or_else(|| panic!("no leaf {code}"))];
        let rule = indicator.rule.as_ref().unwrap_or_else(|| panic!("{code} is not a leaf"));
        rows.push_str(&format!("{unit},{code},{},\n", csv_field(&full_value(rule, indicator.max))));
    }
    let kept: String = package
        .read("values.csv")
        .lines()
        .filter(|l| !leaves.iter().any(|code| l.starts_with(&format!("{unit},{code},"))))
        .map(|l| format!("{l}\n"))
        .collect();
    package.write("values.csv", &(kept + &rows));
    package
}

#[test]
fn gap_json_has_the_unit_its_next_band_and_every_leaf_largest_gain_first() {
    let doc = json(&analyze("gap", &sonla(), &["--unit", "VPUBND", "--format", "json"]));
    assert_eq!(
        keys(&doc),
        [
            "unit",
            "name",
            "group",
            "total",
            "rounded",
            "band",
            "rank",
            "next",
            "reachable",
            "leaves",
            "shortest"
        ]
    );
    assert_eq!((doc["unit"].as_str(), doc["group"].as_str()), (Some("VPUBND"), Some("provincial")));
    assert_eq!(doc["name"], "Văn phòng UBND tỉnh");
    assert_eq!((num(&doc["rounded"]), doc["band"].as_str(), num(&doc["rank"])), (84.21, Some("fair"), 3.0));
    assert_eq!(round(num(&doc["total"]), 2), 84.21);
    assert_eq!(keys(&doc["next"]), ["band", "min", "needed"]);
    assert_eq!((doc["next"]["band"].as_str(), num(&doc["next"]["min"])), (Some("good"), 85.0));
    assert_close(num(&doc["next"]["needed"]), 0.79, 1e-9);
    assert_eq!(doc["reachable"], true);
    let leaves = array(&doc["leaves"]);
    let gains: Vec<f64> = leaves.iter().map(|l| num(&l["gain"])).collect();
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "largest gain first: {gains:?}");
    for leaf in leaves {
        assert_eq!(keys(leaf), ["code", "name", "points", "max", "gain"]);
        assert!(num(&leaf["points"]) < num(&leaf["max"]) && num(&leaf["gain"]) > 0.0, "{leaf}");
    }
}

#[test]
fn gap_shortest_list_once_completed_reaches_the_next_band_and_one_less_does_not() {
    // VPUBND is 0.79 short of good; BDT (with not-applicable leaves) 16.53 short of
    // fair; Vân Hồ (128) 1.08 short of fair.
    for (code, group) in [("VPUBND", "provincial"), ("BDT", "provincial"), ("128", "district")] {
        let doc = json(&analyze("gap", &sonla(), &["--unit", code, "--format", "json"]));
        assert_eq!(doc["reachable"], true, "{code}");
        let next = doc["next"]["band"].as_str().unwrap_or_else(|| panic!("{code}: no next band"));
        let shortest = strings(&doc["shortest"]);
        assert!(!shortest.is_empty(), "{code}");
        let all = sonla_with_full_points(code, group, &shortest).score_json(&[]);
        let scored = unit(&all, code);
        assert_eq!(scored["band"], next, "{code} after completing {shortest:?}: {scored}");
        let fewer = &shortest[..shortest.len() - 1];
        let short = sonla_with_full_points(code, group, fewer).score_json(&[]);
        assert_eq!(unit(&short, code)["band"], doc["band"], "{code}: {fewer:?} is not enough");
    }
}

#[test]
fn gap_table_shows_the_next_band_and_the_shortest_list_in_both_languages() {
    let vi = analyze("gap", &sonla(), &["--unit", "VPUBND"]);
    vi.assert_success();
    assert_contains_all(
        &vi.stdout,
        &["84,21", "Khá", "hạng 3/20", "Tốt (từ 85)", "0,79", "Ngắn nhất", "Thêm vào tổng"],
    );
    let en = analyze("gap", &sonla(), &["--unit", "VPUBND", "--lang", "en"]);
    en.assert_success();
    assert_contains_all(
        &en.stdout,
        &["84.21", "Fair", "rank 3 of 20", "Good (from 85)", "0.79", "Shortest way"],
    );
}

#[test]
fn gap_of_a_unit_in_the_top_band_says_so() {
    let doc = json(&analyze("gap", &sonla(), &["--unit", "STTTT", "--format", "json"]));
    assert_eq!((doc["band"].as_str(), num(&doc["rank"])), (Some("good"), 1.0));
    assert_eq!(doc["next"], Value::Null);
    assert_eq!(doc["reachable"], false);
    assert_eq!(array(&doc["shortest"]).len(), 0);
    let en = analyze("gap", &sonla(), &["--unit", "STTTT", "--lang", "en"]);
    en.assert_success();
    assert_contains_all(&en.stdout, &["already in the top band (Good)"]);
    let vi = analyze("gap", &sonla(), &["--unit", "STTTT"]);
    assert_contains_all(&vi.stdout, &["đã ở xếp loại cao nhất (Tốt)"]);
}

#[test]
fn gap_of_an_unknown_unit_names_the_code_and_points_to_chiso_score() {
    for (lang, words) in [("vi", "không có đơn vị nào mã \"NOPE\""), ("en", "no unit with code \"NOPE\"")]
    {
        let run = analyze("gap", &sonla(), &["--unit", "NOPE", "--lang", lang]);
        assert_refused(&run);
        assert_contains_all(&run.stderr, &[words, "chiso score"]);
    }
}

#[test]
fn gap_refuses_the_composite_asem_package() {
    let dir = asem_package();
    let run = analyze("gap", dir.path(), &["--unit", "VNM", "--lang", "en"]);
    assert_refused(&run);
    assert_contains_all(&run.stderr, &["group \"asem\" uses the composite method", "points frameworks only"]);
}

// ---------------------------------------------------------------------------
// refusals
// ---------------------------------------------------------------------------

#[test]
fn a_spec_with_an_unknown_key_is_refused_with_its_file_and_line() {
    let spec = Spec::new("samples = 100\nseed = 1\n\n[[weights]]\ndepth = 1\nnoise = 0.25\nsamples = 5\n");
    for kind in ["uncertainty", "sensitivity"] {
        let run = analyze(kind, &sonla(), &["--spec", &spec.arg(), "--lang", "en"]);
        assert_refused(&run);
        assert_contains_all(
            &run.stderr,
            &[
                &format!("{}:7: unknown key \"samples\" in a [[weights]] table", spec.arg()),
                "write it before",
            ],
        );
    }
    let vi = analyze("uncertainty", &sonla(), &["--spec", &spec.arg()]);
    assert_refused(&vi);
    assert_contains_all(&vi.stderr, &[&format!("{}:7: khóa \"samples\"", spec.arg()), "bị từ chối"]);
}

#[test]
fn a_spec_depth_the_package_does_not_have_gets_the_engine_message() {
    let spec = spec(10, 1, &[(4, 0.25)]);
    let en = analyze("uncertainty", &sonla(), &["--spec", &spec.arg(), "--lang", "en"]);
    assert_refused(&en);
    assert_contains_all(
        &en.stderr,
        &["group \"provincial\": its framework has no indicator at depth 4 (the deepest is 3)"],
    );
    let vi = analyze("sensitivity", &sonla(), &["--spec", &spec.arg()]);
    assert_refused(&vi);
    assert_contains_all(
        &vi.stderr,
        &["khối \"provincial\": khung chỉ số không có chỉ số nào ở độ sâu 4 (sâu nhất là 3)"],
    );
}

#[test]
fn method_alternatives_are_refused_for_a_points_package() {
    let spec = Spec::new("samples = 10\nseed = 1\naggregate = [\"arithmetic\", \"geometric\"]\n");
    let run = analyze("uncertainty", &sonla(), &["--spec", &spec.arg(), "--lang", "en"]);
    assert_refused(&run);
    assert_contains_all(&run.stderr, &["is scored in points mode"]);
}

#[test]
fn a_refused_package_is_reported_as_by_chiso_score() {
    let package = Package::copy_of_sonla();
    package.append("values.csv", "STTT,1.1,head,\n");
    let spec = spec(10, 1, &[(1, 0.25)]);
    let run = analyze("uncertainty", package.path(), &["--spec", &spec.arg(), "--lang", "en"]);
    run.error_at(at_line("values.csv", package.line_of("values.csv", "STTT,1.1,head")));
    let gap = analyze("gap", package.path(), &["--unit", "STTTT", "--lang", "en"]);
    assert_eq!(gap.stderr, package.score(&["--lang", "en"]).stderr);
    assert_eq!(gap.stdout, "");
}

fn asem_package() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("chiso-asem-")
        .tempdir()
        .unwrap_or_else(|e| panic!("no temp dir: {e}"));
    asem::write_package(dir.path()).unwrap_or_else(|e| panic!("generating the ASEM package: {e}"));
    dir
}
