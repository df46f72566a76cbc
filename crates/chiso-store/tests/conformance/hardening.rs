//! Issue 11: sign-in throttling that parallel attempts cannot race, and a password
//! change that ends the user's other sessions.

use crate::rounds::ADMIN;
use crate::sessions::{MINUTE, START, with_test_clock};
use crate::support::{TestResult, each_backend};
use crate::users::new_user;
use chiso_store::{InputProblem, NewSession, Role, StoreError};
use std::sync::atomic::Ordering;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_11_parallel_sign_in_attempts_are_counted_exactly() {
    each_backend(|store| async move {
        let window = 15 * MINUTE;
        let attempts = (0..40).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count_login_attempt("user:lan|10.0.0.1", window, 5).await })
        });
        let mut allowed = 0;
        let mut counts = Vec::new();
        for attempt in attempts {
            let attempt = attempt.await??;
            allowed += usize::from(attempt.allowed);
            counts.push(attempt.attempts);
        }
        // Exactly five get through, whatever the interleaving; every count is distinct.
        assert_eq!(allowed, 5);
        counts.sort_unstable();
        assert_eq!(counts, (1..=40).collect::<Vec<i64>>());
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_11_a_throttle_window_ends_and_a_success_is_forgiven() {
    each_backend(|store| async move {
        let (store, now) = with_test_clock(store);
        let window = 15 * MINUTE;
        now.store(START, Ordering::SeqCst);
        for _ in 0..5 {
            assert!(store.count_login_attempt("k", window, 5).await?.allowed);
        }
        now.store(START + 10 * MINUTE, Ordering::SeqCst);
        let refused = store.count_login_attempt("k", window, 5).await?;
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_ms, 5 * MINUTE);
        // Another key is not affected.
        assert!(store.count_login_attempt("other", window, 5).await?.allowed);
        // The window ends: counting starts again.
        now.store(START + 15 * MINUTE, Ordering::SeqCst);
        let fresh = store.count_login_attempt("k", window, 5).await?;
        assert_eq!((fresh.allowed, fresh.attempts), (true, 1));
        // A success takes its own attempt back, or clears the key.
        store.forgive_login_attempts("k", false).await?;
        assert_eq!(store.count_login_attempt("k", window, 5).await?.attempts, 1);
        store.forgive_login_attempts("k", true).await?;
        assert_eq!(store.count_login_attempt("k", window, 5).await?.attempts, 1);
        now.store(START + 40 * MINUTE, Ordering::SeqCst);
        assert_eq!(store.delete_stale_login_attempts(START + 20 * MINUTE).await?, 2);
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_11_a_password_change_ends_every_other_session() {
    each_backend(|store| async move {
        let lan = store.create_user(&new_user("lan", Role::Reporter), ADMIN).await?;
        for id in ["phone", "office", "stolen"] {
            let session =
                NewSession { id_hash: id.into(), user_id: lan, csrf_token: "c".into(), expires_at: i64::MAX };
            store.create_session(&session).await?;
        }
        // Changed from the office: that session stays, the others end.
        store.set_password_hash(lan, "$argon2id$new", Some("office"), ADMIN).await?;
        assert!(store.session_user("office").await?.is_some());
        assert!(store.session_user("phone").await?.is_none());
        assert!(store.session_user("stolen").await?.is_none());
        // Reset by an administrator (or `chiso user passwd`): every session ends.
        store.set_password_hash(lan, "$argon2id$newer", None, ADMIN).await?;
        assert!(store.session_user("office").await?.is_none());
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_11_usernames_and_display_names_are_bounded() {
    each_backend(|store| async move {
        let long = "a".repeat(65);
        let refused = store.create_user(&new_user(&long, Role::Viewer), ADMIN).await;
        assert!(
            matches!(
                &refused,
                Err(StoreError::InvalidInput(InputProblem::TooLong { field: "username", max: 64 }))
            ),
            "{refused:?}"
        );
        store.create_user(&new_user(&"a".repeat(64), Role::Viewer), ADMIN).await?;
        let mut user = new_user("b", Role::Viewer);
        user.display_name = "x".repeat(201);
        assert!(matches!(store.create_user(&user, ADMIN).await, Err(StoreError::InvalidInput(_))));
        Ok(()) as TestResult
    })
    .await;
}
