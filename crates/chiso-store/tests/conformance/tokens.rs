use crate::rounds::ADMIN;
use crate::sessions::{MINUTE, START, with_test_clock};
use crate::support::{TestResult, each_backend};
use chiso_store::{AuditFilter, NewApiToken, StoreError};
use std::sync::atomic::Ordering;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_api_token_is_no_longer_active() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        let token = NewApiToken {
            name: "Hệ thống quản lý văn bản".into(),
            token_hash: "token-hash".into(),
            scopes: vec!["observations:write".into(), "rounds:read".into()],
        };
        let id = store.create_api_token(&token, ADMIN).await?;
        let clash = store.create_api_token(&token, ADMIN).await;
        assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
        let spaced = NewApiToken { token_hash: "other".into(), scopes: vec!["a b".into()], ..token.clone() };
        assert!(matches!(store.create_api_token(&spaced, ADMIN).await, Err(StoreError::InvalidInput(_))));

        let active = store.active_api_token("token-hash").await?.expect("an active token");
        assert_eq!((active.id, active.created_by.as_str(), active.last_used_at), (id, "user:1", None));
        assert!(active.has_scope("observations:write") && !active.has_scope("users:write"));
        now.store(START + MINUTE, Ordering::SeqCst);
        store.touch_api_token(id).await?;
        assert_eq!(
            store.active_api_token("token-hash").await?.and_then(|t| t.last_used_at),
            Some(START + MINUTE)
        );

        store.revoke_api_token(id, ADMIN).await?;
        assert!(store.active_api_token("token-hash").await?.is_none());
        store.revoke_api_token(id, ADMIN).await?;
        let listed = store.api_tokens().await?;
        assert_eq!((listed.len(), listed[0].revoked_at), (1, Some(START + MINUTE)));
        let missing = store.revoke_api_token(chiso_store::ApiTokenId(99), ADMIN).await;
        assert!(matches!(missing, Err(StoreError::NotFound { .. })), "{missing:?}");
        let audit =
            store.audit(&AuditFilter { entity: Some("api_token".into()), ..Default::default() }).await?;
        assert_eq!(
            audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
            ["token.revoke", "token.create"]
        );
        assert!(!format!("{audit:?}").contains("token-hash"), "the audit log never holds a token hash");
        Ok(()) as TestResult
    })
    .await;
}
