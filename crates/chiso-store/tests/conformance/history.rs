//! A unit's history across three published rounds with a change of scale (2023 out
//! of 1000, 2024 and 2025 out of 100) and a merge in 2025: own results, restated
//! results marked, percent of scale compared; last year restated for the change.

use crate::rounds::ADMIN;
use crate::support::{TestResult, each_backend};
use chiso_io::Files;
use chiso_store::StoreError;
use std::collections::BTreeMap;

/// A round of one group: units A, B (2023, 2024) or AB, C (2025), two main
/// indicators of half the scale each, manual points.
fn round(year: i32, scale: f64, values: &[(&str, f64, f64)], lineage: Option<&str>) -> Files {
    let half = scale / 2.0;
    let assessment = format!(
        "year = {year}\nname = {{ vi = \"Đợt {year}\", en = \"Round {year}\" }}\noverall = \"mean_of_units\"\nrank_precision = 2\n\n\
         [[group]]\ncode = \"g\"\nname = {{ vi = \"Khối\", en = \"Group\" }}\nframework = \"f.toml\"\n"
    );
    let framework = format!(
        "id = \"f{year}\"\nname = {{ vi = \"Bộ chỉ số\", en = \"Index\" }}\nmethod = \"points\"\nscale = {scale}\n\n\
         [[band]]\ncode = \"any\"\nmin = 0\nlabel = {{ vi = \"Mọi mức\", en = \"Any\" }}\n\n\
         [[indicator]]\ncode = \"1\"\nname = {{ vi = \"Một\", en = \"One\" }}\nmax = {half}\nrule = {{ kind = \"manual\" }}\n\n\
         [[indicator]]\ncode = \"2\"\nname = {{ vi = \"Hai\", en = \"Two\" }}\nmax = {half}\nrule = {{ kind = \"manual\" }}\n"
    );
    let mut units = String::from("code,name,group\n");
    let mut rows = String::from("unit,indicator,value\n");
    for (code, one, two) in values {
        units.push_str(&format!("{code},Đơn vị {code},g\n"));
        rows.push_str(&format!("{code},1,{one}\n{code},2,{two}\n"));
    }
    let mut files = BTreeMap::from([
        ("assessment.toml".to_owned(), assessment.into_bytes()),
        ("f.toml".to_owned(), framework.into_bytes()),
        ("units.csv".to_owned(), units.into_bytes()),
        ("values.csv".to_owned(), rows.into_bytes()),
    ]);
    if let Some(lineage) = lineage {
        files.insert("lineage.csv".to_owned(), lineage.as_bytes().to_vec());
    }
    Files::Memory(files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_across_three_rounds_with_a_change_of_scale() {
    each_backend(|store| async move {
        // 2023 out of 1000: A 659.1 (65.91 %), B 500 (50 %).
        let r2023 = store
            .import_round(round(2023, 1000.0, &[("A", 400.0, 259.1), ("B", 250.0, 250.0)], None), ADMIN)
            .await?;
        store.publish_round(r2023, "Quyết định số 2923/QĐ-UBND", ADMIN).await?;
        // 2024 out of 100, the same units: A 74.8, B 60.
        let r2024 = store
            .import_round(round(2024, 100.0, &[("A", 40.0, 34.8), ("B", 30.0, 30.0)], None), ADMIN)
            .await?;
        store.publish_round(r2024, "Quyết định số 1/QĐ-UBND", ADMIN).await?;
        // 2025: A and B merged into AB (A weighs 3), C is new.
        let lineage = "from_year,from_code,to_code,kind,weight\n2024,A,AB,merge,3\n2024,B,AB,merge,1\n";
        let r2025 = store
            .import_round(round(2025, 100.0, &[("AB", 40.0, 40.0), ("C", 25.0, 25.0)], Some(lineage)), ADMIN)
            .await?;
        store.publish_round(r2025, "Quyết định số 2/QĐ-UBND", ADMIN).await?;

        let history = store.unit_history("AB").await?;
        let years: Vec<i32> = history.iter().map(|p| p.year).collect();
        assert_eq!(years, [2023, 2024, 2025]);
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
        // 2023: (3 × 65.91 + 50) / 4 % of 1000, restated from A and B.
        let first = &history[0];
        assert!(first.restated && first.scale == Some(1000.0));
        assert!(close(first.percent, (3.0 * 65.91 + 50.0) / 4.0), "{first:?}");
        assert!(close(first.total, (3.0 * 659.1 + 500.0) / 4.0), "{first:?}");
        assert_eq!(first.from.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        // 2024: (3 × 74.8 + 60) / 4 out of 100, restated; main indicator 1 in percent.
        let second = &history[1];
        assert!(second.restated && close(second.total, (3.0 * 74.8 + 60.0) / 4.0), "{second:?}");
        assert!(close(second.main.iter().find(|(c, _)| c == "1").map(|m| m.1), (3.0 * 80.0 + 60.0) / 4.0));
        // 2025: its own result, not restated.
        let own = &history[2];
        assert!(
            !own.restated && close(own.total, 80.0) && own.scale == Some(100.0) && close(own.percent, 80.0)
        );

        // A 2024 unit's history ends with its last round; an unknown unit is 404.
        let a = store.unit_history("A").await?;
        assert_eq!(
            a.iter().map(|p| (p.year, p.restated)).collect::<Vec<_>>(),
            [(2023, false), (2024, false)]
        );
        assert!(close(a[0].total, 659.1) && close(a[0].percent, 65.91));
        assert!(matches!(store.unit_history("ZZ").await, Err(StoreError::NotFound { .. })));
        // C is new in 2025: its history is its own result only.
        assert_eq!(store.unit_history("C").await?.len(), 1);

        // The change column of 2025: 2024 restated on AB; C has no past.
        let package = store.publication_package(store.publications(r2025).await?[0].id).await?.unwrap();
        let lineage = package.lineage.map(|l| l.lineage).unwrap_or_default();
        let previous = store.restated_previous(2025, vec!["AB".into(), "C".into()], lineage).await?.unwrap();
        assert_eq!(previous.year, 2024);
        assert!(previous.units["AB"].restated && !previous.units.contains_key("C"));
        assert!(close(previous.units["AB"].figures.total, (3.0 * 74.8 + 60.0) / 4.0));
        Ok(()) as TestResult
    })
    .await;
}
