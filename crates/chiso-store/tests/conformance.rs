//! The store's conformance suite: every test runs against SQLite (a temporary file)
//! and, when `CHISO_TEST_DATABASE_URL` is set, against a fresh PostgreSQL database,
//! so both backends keep the same behaviour behind one API.
//!
//! ```sh
//! CHISO_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p chiso-store
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "conformance/support.rs"]
mod support;

#[path = "conformance/audit.rs"]
mod audit;
#[path = "conformance/backup.rs"]
mod backup;
#[path = "conformance/connect.rs"]
mod connect;
#[path = "conformance/hardening.rs"]
mod hardening;
#[path = "conformance/history.rs"]
mod history;
#[path = "conformance/migrations.rs"]
mod migrations;
#[path = "conformance/monitoring.rs"]
mod monitoring;
#[path = "conformance/publications.rs"]
mod publications;
#[path = "conformance/rounds.rs"]
mod rounds;
#[path = "conformance/service_feeds.rs"]
mod service_feeds;
#[path = "conformance/sessions.rs"]
mod sessions;
#[path = "conformance/tokens.rs"]
mod tokens;
#[path = "conformance/users.rs"]
mod users;
#[path = "conformance/workflow.rs"]
mod workflow;
