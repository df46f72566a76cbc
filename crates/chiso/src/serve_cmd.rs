//! `chiso serve`: opens (or creates) the database, imports the bundled Son La data
//! on the first start, and serves the web app until SIGTERM or Ctrl-C.

use crate::cli::{DatabaseArgs, LogFormat, ServeArgs};
use anyhow::Context;
use chiso_core::Lang;
use chiso_store::Store;
use chiso_web::{AppState, Bundled, FirstStart, WebConfig};
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpListener;

/// The database URL without its password: postgres://user:secret@host/db → postgres://…@host/db.
pub fn redacted(url: &str) -> String {
    match url.split_once('@') {
        Some((scheme_user, rest)) if scheme_user.contains("://") => {
            format!("{}://…@{rest}", scheme_user.split("://").next().unwrap_or(""))
        }
        _ => url.to_owned(),
    }
}

/// Connects to the database the settings name (creating the data directory for
/// SQLite) and runs pending migrations.
pub async fn open_store(database: &DatabaseArgs) -> anyhow::Result<Store> {
    if database.database_url.is_none() {
        std::fs::create_dir_all(&database.data_dir)
            .with_context(|| format!("creating the data directory {}", database.data_dir.display()))?;
    }
    let url = database.url();
    let store =
        Store::connect(&url).await.with_context(|| format!("opening the database {}", redacted(&url)))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called,
/// not when it is first polled, so a signal right after start-up is not lost.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    let ctrl_c = tokio::signal::ctrl_c();
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}

/// The feeds' settings: the defaults, or what the operator set in the
/// environment (`docs/service-feeds.md`): `CHISO_FEED_TICK_MS`,
/// `CHISO_FEED_BACKOFF_SECS`, `CHISO_FEED_LEASE_SECS`, `CHISO_FEED_TIMEOUT_SECS`,
/// `CHISO_FEED_MAX_MB`.
fn feed_settings() -> anyhow::Result<chiso_web::feeds::FeedSettings> {
    let mut settings = chiso_web::feeds::FeedSettings::default();
    let number = |name: &str| -> anyhow::Result<Option<u64>> {
        match std::env::var(name) {
            Ok(text) => text
                .trim()
                .parse::<u64>()
                .map(Some)
                .with_context(|| format!("{name}={text:?} is not a whole number")),
            Err(_) => Ok(None),
        }
    };
    if let Some(ms) = number("CHISO_FEED_TICK_MS")? {
        settings.tick = Duration::from_millis(ms.max(10));
    }
    if let Some(secs) = number("CHISO_FEED_BACKOFF_SECS")? {
        settings.backoff = Duration::from_secs(secs);
    }
    if let Some(secs) = number("CHISO_FEED_LEASE_SECS")? {
        settings.lease = Duration::from_secs(secs.max(1));
    }
    if let Some(secs) = number("CHISO_FEED_TIMEOUT_SECS")? {
        settings.request_timeout = Duration::from_secs(secs.max(1));
        settings.read_timeout = settings.read_timeout.min(settings.request_timeout);
    }
    if let Some(mb) = number("CHISO_FEED_MAX_MB")? {
        settings.max_bytes = mb.saturating_mul(1024 * 1024);
    }
    Ok(settings)
}

pub fn run(args: ServeArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    init_tracing(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        // First, so that a SIGTERM during a long first start still stops cleanly.
        let shutdown = shutdown_signal()?;
        let store = open_store(&args.database).await?;
        tracing::info!(database = %redacted(&args.database.url()), "database ready");
        let admin_password = std::env::var("CHISO_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
        let bundled = if args.demo { Bundled::Demo } else { Bundled::WithRoundInPreparation };
        match chiso_web::first_start(&store, admin_password, bundled).await.context("first start")? {
            FirstStart::AlreadyInitialised => {}
            FirstStart::Initialised => eprintln!(
                "{}",
                lang.pick(
                    "Lần chạy đầu: đã nạp dữ liệu Sơn La; tài khoản admin dùng mật khẩu trong CHISO_ADMIN_PASSWORD.",
                    "First start: Son La data imported; the admin account uses the password in CHISO_ADMIN_PASSWORD."
                )
            ),
            FirstStart::InitialisedWithPassword(password) => eprintln!(
                "{}\n    admin / {password}\n{}",
                lang.pick(
                    "Lần chạy đầu: đã nạp dữ liệu Sơn La và tạo tài khoản quản trị:",
                    "First start: Son La data imported and an admin account created:"
                ),
                lang.pick(
                    "Mật khẩu chỉ hiện lần này; hãy đổi ở trang Quản trị › Người dùng.",
                    "The password is shown only this once; change it under Administration › Users."
                )
            ),
        }
        let listener =
            TcpListener::bind(&args.addr).await.with_context(|| format!("listening on {}", args.addr))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "{} http://{addr}/  ({})",
            lang.pick("chiso đang chạy: mở", "chiso is running: open"),
            lang.pick("Ctrl-C để dừng", "Ctrl-C to stop")
        );
        let cleaner = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(3600));
                loop {
                    every.tick().await;
                    if let Err(error) = store.delete_expired_sessions().await {
                        tracing::warn!(%error, "could not delete expired sessions");
                    }
                }
            })
        };
        // Scheduled feeds of the public-service index run beside the web server.
        let feeds = chiso_web::feeds::spawn(store.clone(), feed_settings()?);
        let state = AppState::new(store.clone(), WebConfig {
                secure_cookies: args.secure_cookies,
                trust_proxy: args.trust_proxy,
                ..WebConfig::default()
            });
        chiso_web::serve(listener, state, shutdown).await.context("serving")?;
        cleaner.abort();
        feeds.abort();
        store.close().await;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
