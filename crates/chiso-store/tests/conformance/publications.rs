use crate::rounds::{ADMIN, score_json, sonla_files};
use crate::support::{TestResult, data, each_backend};
use chiso_core::Lang;
use chiso_io::Package;
use chiso_store::{Decision, InputProblem, RoundStatus, StoreError, ValueChange, inputs_hash};

const DECISION: &str = "Quyết định số 123/QĐ-UBND ngày 20/03/2025";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publication_is_an_immutable_snapshot_with_the_hash_of_its_inputs() {
    each_backend(|store| async move {
        let round = store.import_round(sonla_files(), ADMIN).await?;
        assert!(store.latest_publication(round).await?.is_none());
        assert!(store.published_rounds().await?.is_empty());

        let first = store.publish_round(round, DECISION, ADMIN).await?;
        let publication = store.publication(first).await?.expect("the publication");
        let folder = Package::load(&data("sonla/2024")).expect("the folder loads");
        assert_eq!(publication.results_json(Lang::Vi), score_json(&folder, Lang::Vi));
        assert_eq!(publication.results_json(Lang::En), score_json(&folder, Lang::En));
        assert_eq!(publication.info.decision, DECISION);
        assert_eq!(publication.info.supersedes, None);
        assert_eq!(publication.info.inputs_hash, inputs_hash(&store.round_files(round).await?));
        assert_eq!(publication.info.inputs_hash, store.round_inputs_hash(round).await?);
        assert_eq!(publication.info.inputs_hash.len(), 64);
        assert_eq!(store.round(round).await?.map(|r| r.status), Some(RoundStatus::Published));

        // Publishing again (unchanged inputs) supersedes the first, with the same hash.
        let second = store.publish_round(round, DECISION, ADMIN).await?;
        let latest = store.latest_publication(round).await?.expect("the latest publication");
        assert_eq!((latest.info.id, latest.info.supersedes), (second, Some(first)));
        assert_eq!(latest.info.inputs_hash, publication.info.inputs_hash);
        let history: Vec<_> = store.publications(round).await?.into_iter().map(|p| p.id).collect();
        assert_eq!(history, [second, first]);

        // A correction changes the inputs, hence the hash; the old snapshots stay as they were.
        let correction = ValueChange {
            unit: "VPUBND".into(),
            indicator: "1.3".into(),
            value: "4/4".into(),
            note: None,
            expected_version: Some(1),
        };
        store.set_round_values(round, &[correction], ADMIN).await?;
        let third = store.publish_round(round, "Quyết định số 124/QĐ-UBND (đính chính)", ADMIN).await?;
        let corrected = store.publication(third).await?.expect("the correction");
        assert_eq!(corrected.info.supersedes, Some(second));
        assert_ne!(corrected.info.inputs_hash, publication.info.inputs_hash);
        assert_ne!(corrected.results_json_en, publication.results_json_en);
        assert_eq!(store.publication(first).await?, Some(publication.clone()));

        // The database itself refuses to change or delete a publication.
        let update = sqlx::query("UPDATE publications SET decision = 'x' WHERE id = $1")
            .bind(first.0)
            .execute(store.pool())
            .await;
        assert!(matches!(update.map_err(StoreError::from), Err(StoreError::Immutable(_))));
        let delete =
            sqlx::query("DELETE FROM publications WHERE id = $1").bind(first.0).execute(store.pool()).await;
        assert!(matches!(delete.map_err(StoreError::from), Err(StoreError::Immutable(_))));
        assert_eq!(store.publication(first).await?, Some(publication));

        let published = store.published_rounds().await?;
        assert_eq!(published.len(), 1);
        assert_eq!((published[0].round.id, published[0].latest.id), (round, third));
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_rounds_come_newest_year_first_and_a_decision_is_required() {
    each_backend(|store| async move {
        let older = store.import_round(sonla_files(), ADMIN).await?;
        sqlx::query("UPDATE rounds SET year = 2023 WHERE id = $1")
            .bind(older.0)
            .execute(store.pool())
            .await?;
        let newer = store.import_round(sonla_files(), ADMIN).await?;
        let draft = store.import_round(sonla_files(), ADMIN).await?;
        let empty = store.publish_round(older, "  ", ADMIN).await;
        assert!(matches!(empty, Err(StoreError::InvalidInput(_))), "{empty:?}");
        // The decision's date must be a real day; nothing is published otherwise.
        for bad in ["2025-02-30", "20/03/2025", "2025-3-20", "1900-01-01", "2025-03-20x"] {
            let refused = store.publish_round(older, Decision::new(DECISION, Some(bad.into())), ADMIN).await;
            assert!(
                matches!(&refused, Err(StoreError::InvalidInput(InputProblem::DecisionDate { date })) if date == bad),
                "{bad}: {refused:?}"
            );
        }
        assert!(store.publications(older).await?.is_empty());
        let dated = store.publish_round(older, Decision::new(DECISION, Some(" 2024-02-29 ".into())), ADMIN).await?;
        let info = store.publication(dated).await?.expect("the publication").info;
        assert_eq!(info.decided_on.as_deref(), Some("2024-02-29"));
        store.publish_round(newer, DECISION, ADMIN).await?;
        let published = store.published_rounds().await?;
        assert_eq!(published.iter().map(|p| p.latest.decided_on.as_deref()).collect::<Vec<_>>(), [None, Some("2024-02-29")]);
        let years: Vec<_> =
            store.published_rounds().await?.iter().map(|p| (p.round.id, p.round.year)).collect();
        assert_eq!(years, [(newer, 2024), (older, 2023)]);
        assert_eq!(store.round(draft).await?.map(|r| r.status), Some(RoundStatus::Draft));
        let missing = store.publish_round(chiso_store::RoundId(9999), DECISION, ADMIN).await;
        assert!(matches!(missing, Err(StoreError::NotFound { .. })), "{missing:?}");
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publications_of_a_round_form_one_chain() {
    each_backend(|store| async move {
        let round = store.import_round(sonla_files(), ADMIN).await?;
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.publish_round(round, DECISION, ADMIN).await })
            })
            .collect();
        for task in tasks {
            task.await??;
        }
        let history = store.publications(round).await?;
        assert_eq!(history.len(), 3);
        assert_eq!(history[2].supersedes, None);
        assert_eq!(history[1].supersedes, Some(history[2].id));
        assert_eq!(history[0].supersedes, Some(history[1].id));
        Ok(()) as TestResult
    })
    .await;
}
