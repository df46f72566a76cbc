use crate::rounds::ADMIN;
use crate::support::{TestResult, each_backend};
use chiso_store::{AuditFilter, Clash, NewSession, NewUser, Role, StoreError, UserId};

pub fn new_user(username: &str, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("Người dùng {username}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        unit_code: (role == Role::Reporter).then(|| "STTTT".to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_are_unique_and_a_clash_is_a_conflict() {
    each_backend(|store| async move {
        let lan = store.create_user(&new_user("lan", Role::Reporter), ADMIN).await?;
        let clash = store.create_user(&new_user("lan", Role::Viewer), ADMIN).await;
        assert!(matches!(&clash, Err(StoreError::Conflict(Clash::UsernameTaken { username })) if username == "lan"), "{clash:?}");
        let bad = store.create_user(&new_user("two words", Role::Viewer), ADMIN).await;
        assert!(matches!(bad, Err(StoreError::InvalidInput(_))), "{bad:?}");
        store.create_user(&new_user("an", Role::Admin), ADMIN).await?;

        let user = store.user(lan).await?.expect("by id");
        assert_eq!(store.user_by_username("lan").await?, Some(user.clone()));
        assert_eq!(
            (user.role, user.unit_code.as_deref(), user.disabled),
            (Role::Reporter, Some("STTTT"), false)
        );
        assert!(store.user_by_username("nobody").await?.is_none());
        assert!(store.user(UserId(999)).await?.is_none());
        let names: Vec<_> = store.users().await?.into_iter().map(|u| u.username).collect();
        assert_eq!(names, ["an", "lan"]);

        store.set_password_hash(lan, "$argon2id$new", None, ADMIN).await?;
        assert_eq!(store.user(lan).await?.map(|u| u.password_hash), Some("$argon2id$new".into()));
        store.update_user(lan, "Nguyễn Thị Lan", Role::Appraiser, None, ADMIN).await?;
        let updated = store.user(lan).await?.expect("the user");
        assert_eq!(
            (updated.display_name.as_str(), updated.role, updated.unit_code),
            ("Nguyễn Thị Lan", Role::Appraiser, None)
        );
        let missing = store.set_password_hash(UserId(999), "x", None, ADMIN).await;
        assert!(matches!(missing, Err(StoreError::NotFound { .. })), "{missing:?}");

        // Disabling a user ends the user's sessions.
        let session =
            NewSession { id_hash: "h1".into(), user_id: lan, csrf_token: "c".into(), expires_at: i64::MAX };
        store.create_session(&session).await?;
        store.set_user_disabled(lan, true, ADMIN).await?;
        assert!(store.user(lan).await?.expect("the user").disabled);
        assert!(store.session("h1").await?.is_none());
        store.set_user_disabled(lan, false, ADMIN).await?;

        let audit = store
            .audit(&AuditFilter {
                entity: Some("user".into()),
                entity_id: Some(lan.to_string()),
                ..Default::default()
            })
            .await?;
        let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "user.set_disabled",
                "user.set_disabled",
                "session.create",
                "user.update",
                "user.set_password",
                "user.create"
            ]
        );
        let text = format!("{audit:?}");
        assert!(!text.contains("argon2"), "the audit log never holds a password hash");
        assert_eq!(audit[1].before.as_ref().map(|b| b["disabled"].clone()), Some(false.into()));
        assert_eq!(audit[1].after.as_ref().map(|a| a["disabled"].clone()), Some(true.into()));
        Ok(()) as TestResult
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_concurrent_creates_of_one_username_exactly_one_wins() {
    each_backend(|store| async move {
        let attempts: Vec<_> = (0..2)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.create_user(&new_user("minh", Role::Viewer), ADMIN).await })
            })
            .collect();
        let mut outcomes = Vec::new();
        for attempt in attempts {
            outcomes.push(attempt.await?);
        }
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
        assert!(outcomes.iter().any(|o| matches!(o, Err(StoreError::Conflict(_)))), "{outcomes:?}");
        assert_eq!(store.users().await?.len(), 1);
        Ok(()) as TestResult
    })
    .await;
}
