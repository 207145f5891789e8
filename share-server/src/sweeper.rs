//! Background deletion of expired, revoked and used-up shares.
//!
//! Reads never depend on the sweeper (every read checks expiry itself); it exists so
//! that ciphertext does not outlive its share on disk. [`sweep_once`] is the whole job,
//! separate from the timer loop so tests can run it with a fake clock and no sleeping.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::clock::SharedClock;
use crate::metrics::Metrics;
use crate::storage::{Storage, StorageError, SweepReport};

/// Deletes everything unreadable at the clock's current time.
pub async fn sweep_once<S: Storage>(
    storage: &S,
    clock: &SharedClock,
    metrics: &Metrics,
) -> Result<SweepReport, StorageError> {
    let report = storage.sweep(clock.now_unix()).await?;
    Metrics::add(&metrics.swept, report.removed_shares as u64);
    if report.removed_shares > 0 {
        tracing::info!(removed = report.removed_shares, freed_bytes = report.freed_bytes, "swept shares");
    }
    Ok(report)
}

/// Runs [`sweep_once`] every `interval` until the returned task is aborted (or the
/// runtime shuts down). Errors are logged and retried on the next tick.
pub fn spawn<S: Storage>(
    storage: Arc<S>,
    clock: SharedClock,
    metrics: Arc<Metrics>,
    interval: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        // After a stall, one sweep catches up with everything; no burst of sweeps.
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = sweep_once(storage.as_ref(), &clock, &metrics).await {
                tracing::error!(%err, "sweep failed");
            }
        }
    })
}
