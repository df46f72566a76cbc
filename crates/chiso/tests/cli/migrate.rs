//! `chiso migrate`: creates or upgrades the database named by the options.

use crate::support::*;

#[test]
fn migrate_creates_chiso_db_in_the_data_directory_and_can_run_again() {
    let dir = Package::empty();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let first = chiso(&["migrate", "--data-dir", &data_arg, "--lang", "en"]);
    assert!(first.success, "{}", first.stderr);
    assert!(first.stdout.is_empty());
    assert!(first.stderr.contains("The database is ready: sqlite:"), "{}", first.stderr);
    assert!(data.join("chiso.db").is_file());
    let again = chiso(&["migrate", "--data-dir", &data_arg]);
    assert!(again.success, "{}", again.stderr);
}

#[test]
fn the_database_url_comes_from_the_environment_too() {
    let dir = Package::empty();
    let url = format!("sqlite:{}", dir.path().join("other.db").display());
    let run = chiso_with_env(&["migrate"], &[("CHISO_DATABASE_URL", &url)]);
    assert!(run.success, "{}", run.stderr);
    assert!(dir.path().join("other.db").is_file());
}

#[test]
fn an_unknown_database_scheme_is_refused_clearly() {
    let run = chiso(&["migrate", "--database-url", "mysql://user:secret@db/chiso", "--lang", "en"]);
    assert!(!run.success);
    assert!(run.stderr.contains("unsupported database URL"), "{}", run.stderr);
    assert!(!run.stderr.contains("secret"), "a password must never be printed: {}", run.stderr);
}
