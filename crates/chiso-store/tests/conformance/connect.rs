//! Opening a store: the URL's scheme picks the backend; a SQLite file is created
//! in WAL mode with foreign keys on.

use chiso_store::{Actor, Backend, NewSession, Role, Store, StoreError, UserId};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_url_creates_the_file_in_wal_mode_with_foreign_keys_on() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("chiso.db");
    for url in [format!("sqlite:{}", path.display()), format!("sqlite://{}", path.display())] {
        let store = Store::connect(&url).await.expect("the store opens");
        store.migrate().await.expect("migrations run");
        assert!(path.is_file(), "{url} created {}", path.display());
        assert_eq!(store.backend(), Backend::Sqlite);
        let mode: String =
            sqlx::query_scalar("PRAGMA journal_mode").fetch_one(store.pool()).await.expect("a mode");
        assert_eq!(mode, "wal");
        let foreign_keys: i64 =
            sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(store.pool()).await.expect("a setting");
        assert_eq!(foreign_keys, 1);
        // Foreign keys are enforced: a session of a user that does not exist is refused.
        let orphan =
            NewSession { id_hash: "h".into(), user_id: UserId(42), csrf_token: "c".into(), expires_at: 1 };
        assert!(matches!(store.create_session(&orphan).await, Err(StoreError::Conflict(_))));
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_sqlite_store_keeps_its_data_across_calls() {
    let store = Store::connect("sqlite::memory:").await.expect("the store opens");
    store.migrate().await.expect("migrations run");
    let user = chiso_store::NewUser {
        username: "lan".into(),
        display_name: "Lan".into(),
        password_hash: "x".into(),
        role: Role::Admin,
        unit_code: None,
    };
    let id = store.create_user(&user, Actor::System).await.expect("a user");
    assert_eq!(store.user(id).await.expect("a read").map(|u| u.username), Some("lan".into()));
}

#[tokio::test]
async fn an_unknown_url_scheme_is_refused() {
    let refused = Store::connect("mysql://root:secret@localhost/chiso").await;
    assert!(
        matches!(&refused, Err(StoreError::UnsupportedUrl(url)) if !url.contains("secret")),
        "{refused:?}"
    );
}
