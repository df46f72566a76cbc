use crate::rounds::ADMIN;
use crate::support::{TestResult, each_backend};
use crate::users::new_user;
use chiso_store::{Actor, AuditFilter, Clock, NewSession, Role, Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub const MINUTE: i64 = 60_000;
pub const START: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// The store with a clock the test moves.
pub fn with_test_clock(store: Store) -> (Store, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(START));
    let read = Arc::clone(&now);
    (store.with_clock(Clock::from_fn(move || read.load(Ordering::SeqCst))), now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_and_can_slide() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        let user = store.create_user(&new_user("lan", Role::Viewer), ADMIN).await?;
        let session = NewSession {
            id_hash: "hash-1".into(),
            user_id: user,
            csrf_token: "csrf".into(),
            expires_at: START + 30 * MINUTE,
        };
        store.create_session(&session).await?;
        let duplicate = store.create_session(&session).await;
        assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");

        now.store(START + 10 * MINUTE, Ordering::SeqCst);
        let (found, found_user) = store.session_user("hash-1").await?.expect("a valid session");
        assert_eq!((found.user_id, found.created_at, found.csrf_token.as_str()), (user, START, "csrf"));
        assert_eq!(found_user.username, "lan");
        assert!(store.touch_session("hash-1", Some(START + 40 * MINUTE)).await?);
        assert_eq!(
            store.session("hash-1").await?.map(|s| (s.last_seen_at, s.expires_at)),
            Some((START + 10 * MINUTE, START + 40 * MINUTE))
        );

        now.store(START + 40 * MINUTE, Ordering::SeqCst);
        assert!(store.session("hash-1").await?.is_none(), "expired at its expiry");
        assert!(store.session_user("hash-1").await?.is_none());
        assert!(
            !store.touch_session("hash-1", Some(START + 90 * MINUTE)).await?,
            "an expired session is not revived"
        );
        assert_eq!(store.delete_expired_sessions().await?, 1);
        assert_eq!(store.delete_expired_sessions().await?, 0);

        let again = NewSession { id_hash: "hash-2".into(), ..session };
        store.create_session(&again).await?;
        assert!(store.delete_session("hash-2", Actor::User(user)).await?);
        assert!(!store.delete_session("hash-2", Actor::User(user)).await?);
        let expired = store
            .audit(&AuditFilter { action: Some("sessions.expire".into()), ..Default::default() })
            .await?;
        assert_eq!(
            (expired.len(), expired[0].at, expired[0].actor.as_str()),
            (1, START + 40 * MINUTE, "system")
        );
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_failures_are_counted_in_a_window_and_cleared() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        for minute in [0, 5, 10] {
            now.store(START + minute * MINUTE, Ordering::SeqCst);
            store.record_login_failure("lan").await?;
        }
        store.record_login_failure("minh").await?;
        assert_eq!(store.recent_login_failures("lan", START + 5 * MINUTE).await?, 2);
        assert_eq!(store.recent_login_failures("lan", START).await?, 3);
        store.clear_login_failures("lan").await?;
        assert_eq!(store.recent_login_failures("lan", START).await?, 0);
        assert_eq!(store.recent_login_failures("minh", START).await?, 1);
        let audit = store.audit(&AuditFilter { entity_id: Some("lan".into()), ..Default::default() }).await?;
        assert_eq!(
            audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>()[..2],
            ["login.failures_cleared", "login.failure"]
        );
        Ok(()) as TestResult
    })
    .await;
}
