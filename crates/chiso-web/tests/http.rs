//! HTTP tests: the real app on a free port with a fresh SQLite database (the
//! bundled Son La data imported as on a first start), driven by an HTTP client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "http/support.rs"]
mod support;

#[path = "http/pages.rs"]
mod pages;

#[path = "http/access.rs"]
mod access;

#[path = "http/admin.rs"]
mod admin;

#[path = "http/api.rs"]
mod api;

#[path = "http/postgres.rs"]
mod postgres;

#[path = "http/workflow.rs"]
mod workflow;

#[path = "http/hardening.rs"]
mod hardening;

#[path = "http/form.rs"]
mod form;

#[path = "http/contests.rs"]
mod contests;

#[path = "http/language.rs"]
mod language;

#[path = "http/history.rs"]
mod history;

#[path = "http/verification.rs"]
mod verification;

#[path = "http/feeds.rs"]
mod feeds;

#[path = "http/service_pages.rs"]
mod service_pages;
