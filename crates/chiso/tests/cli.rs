//! End-to-end tests of the `chiso` command line: every test runs the real binary
//! on a package folder (the bundled Son La 2024 package, a broken copy of it, or a
//! small package written for the test) and reads stdout, stderr and the exit code.
//!
//! One test binary (fast to link, one process per test case); the cases live in
//! `tests/cli/*.rs`, grouped by what they exercise.

#[path = "cli/support.rs"]
mod support;

#[path = "cli/analyze.rs"]
mod analyze;
#[path = "cli/backup.rs"]
mod backup;
#[path = "cli/check_report.rs"]
mod check_report;
#[path = "cli/composite.rs"]
mod composite;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/errors_together.rs"]
mod errors_together;
#[path = "cli/feed.rs"]
mod feed;

#[path = "cli/feed_kill.rs"]
mod feed_kill;
#[path = "cli/language.rs"]
mod language;
#[path = "cli/migrate.rs"]
mod migrate;
#[path = "cli/monitoring.rs"]
mod monitoring;
#[path = "cli/ranks_and_means.rs"]
mod ranks_and_means;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/score.rs"]
mod score;
#[path = "cli/serve_and_users.rs"]
mod serve_and_users;
#[path = "cli/service_data.rs"]
mod service_data;
#[path = "cli/service_index.rs"]
mod service_index;
#[path = "cli/service_index_errors.rs"]
mod service_index_errors;
#[path = "cli/values.rs"]
mod values;
