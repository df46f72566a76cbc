use crate::rounds::{ADMIN, sonla_files};
use crate::support::{TestResult, data, each_backend};
use crate::users::new_user;
use chiso_io::Files;
use chiso_store::{Actor, AuditFilter, Clock, NewApiToken, NewObservation, Role, StoreError, UserId};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_is_audited_with_who_when_what_and_before_after() {
    each_backend(|store| async move {
        let now = Arc::new(AtomicI64::new(1_000));
        let read = Arc::clone(&now);
        let store = store.with_clock(Clock::from_fn(move || read.fetch_add(1_000, Ordering::SeqCst)));

        let round = store.import_round(sonla_files(), ADMIN).await?;
        store.publish_round(round, "Quyết định số 1/QĐ-UBND", ADMIN).await?;
        let monitoring = Files::snapshot_dir(&data("sonla/monitoring"))?;
        store.import_monitoring(monitoring, Actor::System).await?;
        let row = NewObservation {
            kpi: "docs_out_signed_rate".into(),
            scope: "province".into(),
            period: "2025-06".into(),
            value: 98.0,
            note: Some("báo cáo tháng 6".into()),
        };
        store.add_observations(&[row], Actor::User(UserId(2))).await?;
        let user = store.create_user(&new_user("lan", Role::Viewer), ADMIN).await?;
        store.set_user_disabled(user, true, ADMIN).await?;
        let token = NewApiToken {
            name: "feed".into(),
            token_hash: "h".into(),
            scopes: vec!["observations:write".into()],
        };
        let token = store.create_api_token(&token, ADMIN).await?;
        store.revoke_api_token(token, ADMIN).await?;

        let all = store.audit(&AuditFilter::default()).await?;
        let actions: Vec<_> = all.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "token.revoke",
                "token.create",
                "user.set_disabled",
                "user.create",
                "observations.add",
                "monitoring.import",
                "round.publish",
                "round.import",
            ]
        );
        assert!(all.windows(2).all(|w| w[0].at > w[1].at), "newest first, each at its own instant");
        let import = &all[7];
        assert_eq!(
            (import.actor.as_str(), import.entity.as_str(), import.entity_id.as_str()),
            ("user:1", "round", &*round.to_string())
        );
        assert_eq!(
            (import.before.clone(), import.after.as_ref().map(|a| a["year"].clone())),
            (None, Some(2024.into()))
        );
        let publish = &all[6];
        assert_eq!(publish.before.as_ref().map(|b| b["status"].clone()), Some("draft".into()));
        assert_eq!(publish.after.as_ref().map(|a| a["status"].clone()), Some("published".into()));
        assert_eq!(all[5].actor, "system");
        assert_eq!(all[4].actor, "user:2");
        assert!(all[1].after.is_some() && all[0].before.is_some() && all[0].after.is_some());

        // Filters: actor, action, entity, time window, limit.
        let by = |filter: AuditFilter| {
            let store = store.clone();
            async move {
                store.audit(&filter).await.map(|rows| rows.into_iter().map(|r| r.action).collect::<Vec<_>>())
            }
        };
        assert_eq!(
            by(AuditFilter { actor: Some("system".into()), ..Default::default() }).await?,
            ["monitoring.import"]
        );
        assert_eq!(
            by(AuditFilter { action: Some("round.publish".into()), ..Default::default() }).await?,
            ["round.publish"]
        );
        assert_eq!(
            by(AuditFilter { entity: Some("api_token".into()), ..Default::default() }).await?.len(),
            2
        );
        let (first_at, last_at) = (all[7].at, all[0].at);
        let window = AuditFilter { since: Some(first_at + 1), until: Some(last_at), ..Default::default() };
        assert_eq!(by(window).await?.len(), 6);
        assert_eq!(
            by(AuditFilter { limit: Some(3), ..Default::default() }).await?,
            ["token.revoke", "token.create", "user.set_disabled"]
        );

        // The log is append-only.
        let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(store.pool()).await;
        assert!(matches!(update.map_err(StoreError::from), Err(StoreError::Immutable(_))));
        let delete = sqlx::query("DELETE FROM audit_log").execute(store.pool()).await;
        assert!(matches!(delete.map_err(StoreError::from), Err(StoreError::Immutable(_))));
        assert_eq!(store.audit(&AuditFilter::default()).await?.len(), 8);
        Ok(()) as TestResult
    })
    .await;
}
