//! The loop `chiso serve` runs beside the web server: claim a due source, pull
//! it, repeat; when none is due, wait a tick. Sources are claimed through the
//! store with a lease, so several app servers on one database share the work and
//! never pull the same source at once.

use super::FeedSettings;
use super::pull::{PullReport, pull};
use chiso_store::Store;
use tokio::task::JoinHandle;

/// Starts the loop; it runs until the task is aborted (or the runtime stops: a
/// pull cut short stores nothing, and its lease expires).
pub fn spawn(store: Store, settings: FeedSettings) -> JoinHandle<()> {
    tokio::spawn(async move {
        let (temp, lease) = (std::env::temp_dir(), settings.lease);
        let removed = tokio::task::spawn_blocking(move || super::stage::remove_stale(&temp, lease)).await;
        if let Ok(removed @ 1..) = removed {
            tracing::info!(removed, "removed the staging folders of pulls cut short");
        }
        loop {
            let lease_ms = settings.lease.as_millis() as i64;
            match store.claim_due_service_source(lease_ms).await {
                Ok(Some(source)) => match pull(&store, &source, &settings).await {
                    Ok(PullReport::Stored { hash, rows }) => {
                        tracing::info!(source = %source.name, %hash, rows, "pull stored a new snapshot");
                    }
                    Ok(PullReport::Unchanged { .. }) => {
                        tracing::info!(source = %source.name, "pull: content unchanged");
                    }
                    Ok(PullReport::Failed(_)) => {}
                    Err(error) => {
                        tracing::error!(source = %source.name, %error, "pull could not be recorded");
                        tokio::time::sleep(settings.tick).await;
                    }
                },
                Ok(None) => tokio::time::sleep(settings.tick).await,
                Err(error) => {
                    tracing::warn!(%error, "could not look for due sources");
                    tokio::time::sleep(settings.tick).await;
                }
            }
        }
    })
}
