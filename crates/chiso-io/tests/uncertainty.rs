//! Reading uncertainty specifications: the spec's own example, the bundled Son La
//! file, and every refusal named by file, line and field, in both languages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chiso_core::analysis::{UncertaintySpec, WeightNoise};
use chiso_core::{Aggregate, Lang, Normalise, Problem};
use chiso_io::ErrorKind;
use chiso_io::uncertainty::{self, Expected, SpecError, SpecErrorKind, Table, TomlType};
use std::path::PathBuf;

const FILE: &str = "spec.toml";

/// The example of docs/formats/analysis.md, verbatim.
const SPEC_EXAMPLE: &str = r#"samples = 1000          # Monte Carlo replications
seed = 42               # same seed, same results, whatever the number of threads

# composite frameworks only: alternatives, one drawn uniformly at random every sample
# (top-level keys: in TOML they must come before the first [[weights]] table)
normalise = [ { kind = "minmax", low = 1, high = 100 }, { kind = "zscore", mean = 10, sd = 2 } ]
aggregate = [ "arithmetic", "geometric" ]

[[weights]]             # perturb the weights of the indicators at one depth
depth = 1               # 1 = the top-level indicators (points mode) / the root's children (composite)
noise = 0.25            # each weight is multiplied by 1 + U(−noise, noise), independently, every sample

[[weights]]
depth = 2
noise = 0.25
"#;

fn refused(text: &str) -> Vec<SpecError> {
    match uncertainty::parse(text, FILE) {
        Ok(spec) => panic!("should be refused, but parsed to {spec:?}"),
        Err(errors) => errors.0,
    }
}

/// The single error of `text`.
fn only(text: &str) -> SpecError {
    let errors = refused(text);
    assert_eq!(errors.len(), 1, "expected one error, got: {errors:#?}");
    errors.into_iter().next().unwrap()
}

fn located(e: &SpecError, line: usize, field: &str) {
    assert_eq!(e.file, FILE, "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(e.field.as_deref(), Some(field), "{e}");
}

const HEAD: &str = "samples = 100\nseed = 1\n";

#[test]
fn the_spec_example_parses_to_the_expected_spec() {
    let spec = uncertainty::parse(SPEC_EXAMPLE, FILE).unwrap_or_else(|e| panic!("{}", e.report(Lang::En)));
    assert_eq!(
        spec,
        UncertaintySpec {
            samples: 1000,
            seed: 42,
            normalise: vec![
                Normalise::MinMax { low: 1.0, high: 100.0 },
                Normalise::ZScore { mean: 10.0, sd: 2.0 }
            ],
            aggregate: vec![Aggregate::Arithmetic, Aggregate::Geometric],
            weights: vec![WeightNoise { depth: 1, noise: 0.25 }, WeightNoise { depth: 2, noise: 0.25 }],
        }
    );
}

#[test]
fn the_bundled_son_la_spec_parses() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024/uncertainty.toml");
    let spec = uncertainty::load(&path).unwrap_or_else(|e| panic!("{}", e.report(Lang::En)));
    assert_eq!(
        spec,
        UncertaintySpec {
            samples: 1000,
            seed: 42,
            normalise: vec![],
            aggregate: vec![],
            weights: vec![WeightNoise { depth: 1, noise: 0.25 }],
        }
    );
}

#[test]
fn the_son_la_package_still_loads_with_the_spec_beside_it() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/sonla/2024");
    assert!(dir.join("uncertainty.toml").is_file());
    let package = chiso_io::Package::load(&dir).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!package.input_files().contains(&"uncertainty.toml"));
}

#[test]
fn defaults_and_spellings_follow_the_framework_file() {
    let text = "samples = 1\nseed = 0\nnormalise = [ { kind = \"minmax\" }, { kind = \"zscore\" }, \
                { kind = \" none \" }, { kind = \"minmax\", low = -5.5 } ]\naggregate = [\"geometric\"]\n\
                [[weights]]\ndepth = 3\nnoise = 0\n";
    let spec = uncertainty::parse(text, FILE).unwrap_or_else(|e| panic!("{}", e.report(Lang::En)));
    assert_eq!(
        spec.normalise,
        vec![
            Normalise::MinMax { low: 0.0, high: 100.0 },
            Normalise::ZScore { mean: 0.0, sd: 1.0 },
            Normalise::None,
            Normalise::MinMax { low: -5.5, high: 100.0 },
        ]
    );
    assert_eq!(spec.aggregate, vec![Aggregate::Geometric]);
    assert_eq!(spec.weights, vec![WeightNoise { depth: 3, noise: 0.0 }]);
    assert_eq!((spec.samples, spec.seed), (1, 0));
}

#[test]
fn inline_weights_and_a_bom_are_accepted() {
    let text = "\u{feff}samples = 5\nseed = 7\nweights = [ { depth = 1, noise = 0.1 }, { depth = 2, noise = 0.5 } ]\n";
    let spec = uncertainty::parse(text, FILE).unwrap_or_else(|e| panic!("{}", e.report(Lang::En)));
    assert_eq!(spec.weights.len(), 2);
}

#[test]
fn an_unknown_top_level_key_is_named_with_the_allowed_keys() {
    let e = only(&format!("{HEAD}sampels = 10\n[[weights]]\ndepth = 1\nnoise = 0.1\n"));
    located(&e, 3, "sampels");
    assert!(matches!(&e.kind, SpecErrorKind::UnknownKey { key, table: Table::Top, .. } if key == "sampels"));
    let en = e.render(Lang::En);
    assert_eq!(
        en,
        "spec.toml:3: unknown key \"sampels\" at the top level; the keys allowed here are: \"samples\", \
         \"seed\", \"normalise\", \"aggregate\", \"weights\" (field: sampels)"
    );
    let vi = e.render(Lang::Vi);
    assert!(vi.starts_with("spec.toml:3: khóa \"sampels\" không dùng được ở cấp cao nhất"), "{vi}");
    assert!(vi.ends_with("(trường: sampels)"), "{vi}");
}

#[test]
fn an_unknown_key_inside_weights_is_named() {
    let e = only(&format!("{HEAD}[[weights]]\ndepth = 1\nnoise = 0.1\nnoice = 0.2\n"));
    located(&e, 6, "weights.noice");
    let en = e.render(Lang::En);
    assert!(en.contains("unknown key \"noice\" in a [[weights]] table"), "{en}");
    assert!(en.contains("\"depth\", \"noise\""), "{en}");
}

#[test]
fn a_top_level_key_written_after_weights_is_caught_with_a_hint() {
    let text = "samples = 100\n[[weights]]\ndepth = 1\nnoise = 0.1\nseed = 4\n";
    let errors = refused(text);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    // The missing seed concerns the whole file: no line, listed first.
    assert_eq!((errors[0].line, errors[0].field.as_deref()), (None, Some("seed")));
    assert_eq!(errors[0].kind, SpecErrorKind::Problem(Problem::MissingField));
    located(&errors[1], 5, "weights.seed");
    let en = errors[1].render(Lang::En);
    assert!(en.contains("write it before the first [[weights]] table"), "{en}");
    assert!(errors[1].render(Lang::Vi).contains("trước bảng [[weights]] đầu tiên"));
}

#[test]
fn unknown_keys_in_normalise_depend_on_its_kind() {
    let text = format!(
        "{HEAD}normalise = [\n  {{ kind = \"minmax\", low = 1, sd = 2 }},\n  {{ kind = \"none\", mean = 0 }},\n  {{ low = 1, colour = 2 }},\n]\n"
    );
    let errors = refused(&text);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    located(&errors[0], 4, "normalise.sd");
    assert!(matches!(
        &errors[0].kind,
        SpecErrorKind::UnknownKey { key, table: Table::Normalise { kind: Some(k) }, allowed }
            if key == "sd" && k == "minmax" && *allowed == ["kind", "low", "high"]
    ));
    located(&errors[1], 5, "normalise.mean");
    assert!(errors[1].render(Lang::En).contains("of kind \"none\"; the keys allowed here are: \"kind\""));
    // No kind: the kind is missing, and keys are checked against every kind's.
    located(&errors[2], 6, "normalise.kind");
    assert_eq!(errors[2].kind, SpecErrorKind::Problem(Problem::MissingField));
    located(&errors[3], 6, "normalise.colour");
}

#[test]
fn samples_must_be_at_least_one() {
    let e = only("samples = 0\nseed = 1\n[[weights]]\ndepth = 1\nnoise = 0.1\n");
    located(&e, 1, "samples");
    assert_eq!(e.kind, SpecErrorKind::TooSmall { min: 1, found: 0 });
    assert_eq!(
        e.render(Lang::En),
        "spec.toml:1: must be an integer of at least 1, but is 0 (field: samples)"
    );
    assert_eq!(
        e.render(Lang::Vi),
        "spec.toml:1: phải là số nguyên từ 1 trở lên, nhưng là 0 (trường: samples)"
    );
}

#[test]
fn seed_must_not_be_negative_and_depth_must_be_at_least_one() {
    let errors = refused("samples = 5\nseed = -1\n[[weights]]\ndepth = 0\nnoise = 0.1\n");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    located(&errors[0], 2, "seed");
    assert_eq!(errors[0].kind, SpecErrorKind::TooSmall { min: 0, found: -1 });
    located(&errors[1], 4, "weights.depth");
    assert_eq!(errors[1].kind, SpecErrorKind::TooSmall { min: 1, found: 0 });
}

#[test]
fn noise_must_lie_in_zero_to_one() {
    let text = format!(
        "{HEAD}[[weights]]\ndepth = 1\nnoise = -0.1\n\n[[weights]]\ndepth = 2\nnoise = 1\n\n[[weights]]\ndepth = 3\nnoise = 1.5\n"
    );
    let errors = refused(&text);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    located(&errors[0], 5, "weights.noise");
    assert_eq!(errors[0].kind, SpecErrorKind::NoiseOutOfRange { found: -0.1 });
    assert_eq!(
        errors[0].render(Lang::En),
        "spec.toml:5: noise must lie in [0, 1) (0 ≤ noise < 1), but is -0.1 (field: weights.noise)"
    );
    located(&errors[1], 9, "weights.noise");
    assert_eq!(errors[1].kind, SpecErrorKind::NoiseOutOfRange { found: 1.0 });
    located(&errors[2], 13, "weights.noise");
    assert!(errors[2].render(Lang::Vi).contains("noise phải nằm trong [0, 1)"));
}

#[test]
fn a_depth_perturbed_twice_is_refused() {
    let text = format!("{HEAD}[[weights]]\ndepth = 1\nnoise = 0.1\n\n[[weights]]\ndepth = 1\nnoise = 0.2\n");
    let e = only(&text);
    located(&e, 8, "weights.depth");
    assert_eq!(e.kind, SpecErrorKind::DuplicateDepth { depth: 1, first_line: 3 });
    assert!(e.render(Lang::En).contains("depth 1 already has a [[weights]] table on line 3"));
    assert!(e.render(Lang::Vi).contains("độ sâu 1 đã có bảng [[weights]] ở dòng 3"));
}

#[test]
fn a_missing_depth_or_noise_is_named_at_its_table() {
    let errors = refused(&format!("{HEAD}[[weights]]\ndepth = 1\n\n[[weights]]\nnoise = 0.2\n"));
    assert_eq!(errors.len(), 2, "{errors:#?}");
    located(&errors[0], 3, "weights.noise");
    located(&errors[1], 6, "weights.depth");
    assert!(errors.iter().all(|e| e.kind == SpecErrorKind::Problem(Problem::MissingField)));
}

#[test]
fn a_bad_normalise_kind_is_named() {
    let e = only(&format!("{HEAD}normalise = [ {{ kind = \"rank\" }} ]\n"));
    located(&e, 3, "normalise.kind");
    assert_eq!(
        e.kind,
        SpecErrorKind::Problem(Problem::UnknownWord {
            found: "rank".into(),
            expected: &["minmax", "zscore", "none"]
        })
    );
    assert_eq!(
        e.render(Lang::En),
        "spec.toml:3: \"rank\" is not allowed here; use one of: \"minmax\", \"zscore\", \"none\" (field: normalise.kind)"
    );
}

#[test]
fn minmax_low_must_be_below_high_and_zscore_sd_positive() {
    let text = format!(
        "{HEAD}normalise = [\n  {{ kind = \"minmax\", low = 100, high = 1 }},\n  {{ kind = \"minmax\", low = 5, high = 5 }},\n  {{ kind = \"zscore\", mean = 10, sd = 0 }},\n  {{ kind = \"minmax\", low = 200 }},\n]\n"
    );
    let errors = refused(&text);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    located(&errors[0], 4, "normalise.high");
    assert_eq!(errors[0].kind, SpecErrorKind::Problem(Problem::BadNormaliseRange { low: 100.0, high: 1.0 }));
    assert!(errors[0].render(Lang::En).contains("low (100) must be less than high (1)"));
    located(&errors[1], 5, "normalise.high");
    located(&errors[2], 6, "normalise.sd");
    assert_eq!(errors[2].kind, SpecErrorKind::Problem(Problem::NotPositive { found: 0.0 }));
    // With the default high (100), low = 200 is above it.
    located(&errors[3], 7, "normalise.high");
}

#[test]
fn a_bad_aggregate_name_is_named() {
    let e = only(&format!("{HEAD}aggregate = [ \"arithmetic\", \"harmonic\" ]\n"));
    located(&e, 3, "aggregate");
    assert_eq!(
        e.kind,
        SpecErrorKind::Problem(Problem::UnknownWord {
            found: "harmonic".into(),
            expected: &["arithmetic", "geometric"]
        })
    );
    assert!(e.render(Lang::Vi).contains("giá trị \"harmonic\" không hợp lệ"));
}

#[test]
fn an_alternative_listed_twice_is_refused() {
    let text = format!(
        "{HEAD}normalise = [\n  {{ kind = \"minmax\", low = 1, high = 100 }},\n  {{ kind = \"minmax\", high = 100.0, low = 1.0 }},\n]\naggregate = [\"geometric\", \"geometric\"]\n"
    );
    let errors = refused(&text);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    located(&errors[0], 5, "normalise");
    assert_eq!(errors[0].kind, SpecErrorKind::DuplicateAlternative { first_line: 4 });
    located(&errors[1], 7, "aggregate");
    assert_eq!(errors[1].kind, SpecErrorKind::DuplicateAlternative { first_line: 7 });
}

#[test]
fn wrong_types_are_named_with_what_was_expected() {
    let text = "samples = \"1000\"\nseed = 4.5\nnormalise = { kind = \"minmax\" }\naggregate = \"geometric\"\n\
                [weights]\ndepth = 1\nnoise = 0.1\n";
    let errors = refused(text);
    assert_eq!(errors.len(), 5, "{errors:#?}");
    let expect = [
        (1, "samples", Expected::Integer, TomlType::String),
        (2, "seed", Expected::Integer, TomlType::Float),
        (3, "normalise", Expected::NormaliseList, TomlType::Table),
        (4, "aggregate", Expected::AggregateList, TomlType::String),
        (5, "weights", Expected::WeightsTables, TomlType::Table),
    ];
    for (e, (line, field, expected, found)) in errors.iter().zip(expect) {
        located(e, line, field);
        assert_eq!(e.kind, SpecErrorKind::WrongType { expected, found });
    }
    assert_eq!(
        errors[0].render(Lang::En),
        "spec.toml:1: must be an integer, but is a string (field: samples)"
    );
    assert_eq!(
        errors[0].render(Lang::Vi),
        "spec.toml:1: phải là một số nguyên, nhưng là một chuỗi (trường: samples)"
    );
    assert!(
        errors[4]
            .render(Lang::En)
            .contains("must be [[weights]] tables (an array of tables), but is a table")
    );
}

#[test]
fn wrong_types_inside_tables_and_lists() {
    let text = format!(
        "{HEAD}normalise = [ \"minmax\", {{ kind = 1 }}, {{ kind = \"zscore\", sd = \"two\" }} ]\naggregate = [ 1 ]\n\
         [[weights]]\ndepth = 1.0\nnoise = true\n\n[[weights]]\ndepth = 2\nnoise = nan\n"
    );
    let errors = refused(&text);
    let summary: Vec<(Option<usize>, Option<&str>, &SpecErrorKind)> =
        errors.iter().map(|e| (e.line, e.field.as_deref(), &e.kind)).collect();
    use SpecErrorKind::{NotFinite, WrongType};
    assert_eq!(
        summary,
        vec![
            (Some(3), Some("normalise"), &WrongType { expected: Expected::Table, found: TomlType::String }),
            (
                Some(3),
                Some("normalise.kind"),
                &WrongType { expected: Expected::Text, found: TomlType::Integer }
            ),
            (
                Some(3),
                Some("normalise.sd"),
                &WrongType { expected: Expected::Number, found: TomlType::String }
            ),
            (Some(4), Some("aggregate"), &WrongType { expected: Expected::Text, found: TomlType::Integer }),
            (
                Some(6),
                Some("weights.depth"),
                &WrongType { expected: Expected::Integer, found: TomlType::Float }
            ),
            (
                Some(7),
                Some("weights.noise"),
                &WrongType { expected: Expected::Number, found: TomlType::Boolean }
            ),
            (Some(11), Some("weights.noise"), &NotFinite),
        ]
    );
}

#[test]
fn a_syntax_error_names_its_line() {
    let e = only("samples = 1000\nseed = = 42\n[[weights]]\ndepth = 1\nnoise = 0.25\n");
    located(&e, 2, "seed");
    assert!(matches!(&e.kind, SpecErrorKind::File(ErrorKind::TomlSyntax { .. })), "{e:?}");
    assert!(e.render(Lang::En).starts_with("spec.toml:2: invalid TOML: "), "{e}");
    assert!(e.render(Lang::Vi).starts_with("spec.toml:2: TOML không hợp lệ: "), "{e}");
}

#[test]
fn every_syntax_error_is_reported_one_per_line() {
    let text = "samples = 1000 x\nseed = = 42\n[[weights]]\ndepth = 1\nnoise = 0.25 0.3\ndepth = 2\n";
    let errors = refused(text);
    let lines: Vec<Option<usize>> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![Some(1), Some(2), Some(5), Some(6)], "{errors:#?}");
    assert!(errors.iter().all(|e| matches!(e.kind, SpecErrorKind::File(ErrorKind::TomlSyntax { .. }))));
    // The duplicate key is TOML's own error.
    assert_eq!(errors[3].field.as_deref(), Some("depth"));
}

#[test]
fn every_problem_of_a_file_is_reported_in_line_order() {
    let text = "samples = 0\nseed = 42\ncolour = \"red\"\nnormalise = [ { kind = \"minmax\", low = 9, high = 3 } ]\n\
                aggregate = [ \"median\" ]\n\n[[weights]]\ndepth = 1\nnoise = 2\n\n[[weights]]\ndepth = 1\nnoise = 0.1\nsamples = 5\n";
    let errors = refused(text);
    let at: Vec<(Option<usize>, Option<&str>)> =
        errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
    assert_eq!(
        at,
        vec![
            (Some(1), Some("samples")),
            (Some(3), Some("colour")),
            (Some(4), Some("normalise.high")),
            (Some(5), Some("aggregate")),
            (Some(9), Some("weights.noise")),
            (Some(12), Some("weights.depth")),
            (Some(14), Some("weights.samples")),
        ]
    );
}

#[test]
fn missing_samples_and_seed_and_nothing_to_vary() {
    let errors = refused("# nothing here\n");
    let kinds: Vec<(&SpecErrorKind, Option<&str>, Option<usize>)> =
        errors.iter().map(|e| (&e.kind, e.field.as_deref(), e.line)).collect();
    let missing = SpecErrorKind::Problem(Problem::MissingField);
    assert_eq!(
        kinds,
        vec![
            (&missing, Some("samples"), None),
            (&missing, Some("seed"), None),
            (&SpecErrorKind::NothingToVary, None, None),
        ]
    );
    assert_eq!(errors[0].render(Lang::En), "spec.toml: required field is missing (field: samples)");
    assert_eq!(
        errors[2].render(Lang::En),
        "spec.toml: the specification varies nothing: give at least one [[weights]] table, normalise or aggregate"
    );
    // Empty lists vary nothing either.
    let e = only("samples = 1\nseed = 1\nnormalise = []\naggregate = []\n");
    assert_eq!(e.kind, SpecErrorKind::NothingToVary);
}

#[test]
fn numbers_too_large_are_refused() {
    let e = only("samples = 99999999999999999999\nseed = 1\n[[weights]]\ndepth = 1\nnoise = 0.1\n");
    located(&e, 1, "samples");
    assert!(matches!(e.kind, SpecErrorKind::TooLarge { .. }));
}

#[test]
fn load_names_the_file_as_given_and_reports_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.toml");
    let errors = uncertainty::load(&path).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].kind, SpecErrorKind::File(ErrorKind::FileMissing));
    assert_eq!(errors.0[0].render(Lang::En), format!("{}: file not found", path.display()));

    std::fs::write(&path, "samples = 0\nseed = 1\n[[weights]]\ndepth = 1\nnoise = 0.1\n").unwrap();
    let errors = uncertainty::load(&path).unwrap_err();
    assert_eq!(errors.0[0].file, path.display().to_string());
    let report = errors.report(Lang::En);
    assert_eq!(
        report,
        format!(
            "The uncertainty specification {0} was refused: 1 error(s); nothing was analysed.\n\
             {0}:1: must be an integer of at least 1, but is 0 (field: samples)\n",
            path.display()
        )
    );
    assert!(
        errors
            .report(Lang::Vi)
            .starts_with(&format!("Đặc tả phân tích bất định {} bị từ chối: 1 lỗi", path.display()))
    );
    assert_eq!(errors.to_string(), "the uncertainty specification has 1 error(s)");

    std::fs::write(&path, b"samples = \xff\n").unwrap();
    let errors = uncertainty::load(&path).unwrap_err();
    assert_eq!(errors.0[0].kind, SpecErrorKind::File(ErrorKind::NotUtf8));
}

#[test]
fn an_unclosed_array_is_reported_where_the_parser_gives_up() {
    let text = "samples = 1000\nseed = 42\nnormalise = [ { kind = \"minmax\", low = 1, high = 100 }\n\
                aggregate = [ \"arithmetic\" ]\n\n[[weights]]\ndepth = 1\nnoise = 0.25\n";
    let errors = refused(text);
    // The parser reads on into the array: the first error is where the `]` was due,
    // the last says the array was never closed.
    assert_eq!(errors.first().and_then(|e| e.line), Some(4), "{errors:#?}");
    let last = errors.last().unwrap().render(Lang::En);
    assert!(last.starts_with("spec.toml:8: invalid TOML: unclosed array"), "{last}");
}

#[test]
fn issue_11_numbers_may_carry_an_exponent_as_toml_allows() {
    // TOML integers have no exponent: `samples = 1e2` is a float, refused as such.
    let e = only("samples = 1e2\nseed = 1\n[[weights]]\ndepth = 1\nnoise = 0.25\n");
    located(&e, 1, "samples");
    assert!(matches!(e.kind, SpecErrorKind::WrongType { .. }), "{e:?}");
    let text = "samples = 100\nseed = 1\n\
                normalise = [ { kind = \"minmax\", low = 1E+0, high = 1e2 }, { kind = \"zscore\", mean = -1.5e1, sd = 2.0E0 } ]\n\
                [[weights]]\ndepth = 1\nnoise = 2.5e-1\n\n[[weights]]\ndepth = 2\nnoise = 1_0e-2\n";
    let spec = uncertainty::parse(text, FILE).unwrap_or_else(|e| panic!("{}", e.report(Lang::En)));
    assert_eq!(
        spec.normalise,
        vec![Normalise::MinMax { low: 1.0, high: 100.0 }, Normalise::ZScore { mean: -15.0, sd: 2.0 }]
    );
    assert_eq!(
        spec.weights,
        vec![WeightNoise { depth: 1, noise: 0.25 }, WeightNoise { depth: 2, noise: 0.1 }]
    );
}

#[test]
fn issue_11_an_overflowing_or_infinite_number_is_not_finite() {
    for value in ["1e400", "-1e400", "inf", "+inf", "-inf", "nan"] {
        let text = format!("{HEAD}[[weights]]\ndepth = 1\nnoise = {value}\n");
        let e = only(&text);
        located(&e, 5, "weights.noise");
        assert_eq!(e.kind, SpecErrorKind::NotFinite, "{value}: {e}");
        assert!(e.render(Lang::Vi).contains("phải là một số hữu hạn"), "{}", e.render(Lang::Vi));
        assert!(e.render(Lang::En).contains("must be a finite number"), "{}", e.render(Lang::En));
    }
}
