//! The generator: the same bytes for the same options, a folder the reader accepts,
//! and an index with plausible, varied totals.

use super::*;
use crate::feed::NoProgress;
use crate::service::{ServiceOptions, ServiceRun, Source, Sources, read_folder, read_sources};
use chiso_core::service_index::{IndicatorCode, PeriodKind};

fn small() -> GenerateOptions {
    GenerateOptions { dossiers: 20_000, petitions: 800, ..GenerateOptions::default() }
}

fn generated(options: &GenerateOptions) -> GeneratedFolder {
    generate_in_memory(options).unwrap_or_else(|e| panic!("{e}"))
}

fn index(folder: &GeneratedFolder, period: PeriodKind) -> ServiceRun {
    let sources = Sources {
        units: Source::text("units.csv", &folder.units),
        procedures: Source::text("procedures.csv", &folder.procedures),
        dossiers: Source::text("dossiers.csv", &folder.dossiers),
        petitions: Some(Source::text("petitions.csv", &folder.petitions)),
    };
    let options = ServiceOptions { period, ..ServiceOptions::default() };
    read_sources(sources, &options, &NoProgress).unwrap_or_else(|e| panic!("{}", e.render(Lang::En)))
}

#[test]
fn the_same_options_give_the_same_bytes() {
    let a = generated(&small());
    let b = generated(&small());
    assert_eq!(a, b);
    let other = generated(&GenerateOptions { seed: 1, ..small() });
    assert_ne!(a.dossiers, other.dossiers, "another seed, other dossiers");
    assert_eq!(a.units.lines().count(), 91, "the header and the 90 units of 2025");
}

#[test]
fn the_folder_has_what_was_asked() {
    let options =
        GenerateOptions { units: Some(20), procedures: 120, dossiers: 5_000, petitions: 300, ..small() };
    let folder = generated(&options);
    let s = folder.summary;
    assert_eq!((s.units, s.procedures, s.dossiers, s.petitions), (20, 120, 5_000, 300));
    assert_eq!(folder.units.lines().count(), 21);
    assert_eq!(folder.procedures.lines().count(), 121);
    assert_eq!(folder.dossiers.lines().count(), 5_001);
    assert_eq!(folder.petitions.lines().count(), 301);
    assert!(s.pending > 0 && s.pending < 500, "some dossiers are pending at the end: {}", s.pending);
    let header = folder.dossiers.lines().next().unwrap_or_default();
    assert_eq!(header.split(',').count(), 18, "every optional column: {header}");
    // 15 departments and 5 communes; departments own more procedures.
    let owned = |unit: &str| folder.procedures.lines().filter(|l| l.split(',').nth(1) == Some(unit)).count();
    assert!(owned("STP") > owned("03646"), "a department owns more than a commune");
    // Received in order, in the months asked for, in office hours.
    let received: Vec<&str> = folder.dossiers.lines().skip(1).filter_map(|l| l.split(',').nth(4)).collect();
    assert!(received.windows(2).all(|w| w[0] <= w[1]));
    assert!(received.first().is_some_and(|r| r.starts_with("2025-07")), "{:?}", received.first());
    assert!(received.last().is_some_and(|r| r.starts_with("2026-06")), "{:?}", received.last());
    assert!(received.iter().all(|r| ("07:00:00"..="17:00:00").contains(&&r[11..])));
    let run = index(&folder, PeriodKind::Month);
    assert_eq!(run.rows, 20 + 120 + 5_000 + 300);
    assert_eq!(run.index.periods.len(), 12);
}

#[test]
fn the_index_is_plausible_and_ranks_mean_something() {
    let folder = generated(&small());
    // By quarter: a year's period would end after the data, and count the dossiers
    // pending at the end of June 2026 as late in "2026".
    let run = index(&folder, PeriodKind::Quarter);
    assert_eq!(run.index.periods.len(), 4, "2025-Q3 to 2026-Q2");
    for period in &run.index.periods {
        let province = &period.province;
        assert!(province.missing_inputs.is_empty(), "every input is there");
        assert!((70.0..=95.0).contains(&province.total), "{}: province {}", period.period, province.total);
        let rate = |code| province.indicator(code).and_then(|i| i.rate).unwrap_or(f64::NAN);
        let fully_online = rate(IndicatorCode::FullyOnlineDossiers);
        assert!((0.8..0.92).contains(&fully_online), "3.0: {fully_online}");
        let on_time = rate(IndicatorCode::OnTimeDossiers);
        assert!((0.94..0.99).contains(&on_time), "2.1: {on_time}");
        let satisfied = rate(IndicatorCode::DossierSatisfaction);
        assert!((0.92..0.99).contains(&satisfied), "6.3: {satisfied}");
        let petitions = rate(IndicatorCode::PetitionsOnTime);
        assert!((0.85..0.99).contains(&petitions), "6.1: {petitions}");
        let totals: Vec<f64> = period.departments.iter().map(|d| d.total).collect();
        assert_eq!(totals.len(), 15);
        let (low, high) = totals.iter().fold((f64::MAX, f64::MIN), |(l, h), &t| (l.min(t), h.max(t)));
        assert!(high - low > 5.0, "{}: departments from {low} to {high}", period.period);
        assert_eq!(period.communes.len(), 75);
    }
    // Dossiers attached (digitised) above 95 %, about 2 % disliked.
    let rows: Vec<Vec<&str>> = folder.dossiers.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let share = |column: usize| rows.iter().filter(|r| r[column] == "1").count() as f64 / rows.len() as f64;
    assert!(share(13) > 0.95, "attached: {}", share(13));
    assert!((0.01..0.04).contains(&share(17)), "disliked: {}", share(17));
    assert!(rows.iter().filter(|r| r[8] != "0").count() > 0, "some supplement days");
    assert!(share(8) < 0.01, "supplement days mostly 0");
}

#[test]
fn generate_writes_a_folder_the_reader_accepts() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let folder = dir.path().join("dvc");
    let options = GenerateOptions { dossiers: 3_000, petitions: 100, ..small() };
    let summary = generate(&folder, &options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.dossiers, 3_000);
    let mut names: Vec<String> = fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["dossiers.csv", "petitions.csv", "procedures.csv", "units.csv"],
        "no partial file left"
    );
    let run = read_folder(&folder, &ServiceOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("{}", e.render(Lang::En)));
    assert_eq!(run.skipped, 0);
    let in_memory = generated(&options);
    let read = |name: &str| fs::read_to_string(folder.join(name)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read("dossiers.csv"), in_memory.dossiers, "the files are the bytes of generate_to_writers");
    assert_eq!(read("units.csv"), in_memory.units);
}

#[test]
fn bad_options_are_refused() {
    let problem = |options: GenerateOptions| options.problem();
    assert_eq!(
        problem(GenerateOptions { from: (2025, 13), ..small() }),
        Some(OptionProblem::Month { month: 13 })
    );
    assert_eq!(problem(GenerateOptions { months: 0, ..small() }), Some(OptionProblem::Months { months: 0 }));
    assert_eq!(
        problem(GenerateOptions { units: Some(91), ..small() }),
        Some(OptionProblem::Units { asked: 91, max: 90 })
    );
    assert_eq!(problem(GenerateOptions { procedures: 0, ..small() }), Some(OptionProblem::NoProcedures));
    assert_eq!(problem(GenerateOptions { procedures: 0, dossiers: 0, ..small() }), None);
    let error = generate_in_memory(&GenerateOptions { months: 0, ..small() }).err();
    assert_eq!(error.map(|e| e.kind()), Some(io::ErrorKind::InvalidInput));
    // No procedure and no dossier: a folder of units (and petitions) only.
    let folder = generated(&GenerateOptions { procedures: 0, dossiers: 0, petitions: 10, ..small() });
    assert_eq!(folder.summary.petitions, 10);
}

#[test]
fn the_default_folder_is_a_few_megabytes() {
    let folder = generated(&GenerateOptions::default());
    let bytes = folder.units.len() + folder.procedures.len() + folder.dossiers.len() + folder.petitions.len();
    assert!((2_000_000..8_000_000).contains(&bytes), "{bytes} bytes");
}
