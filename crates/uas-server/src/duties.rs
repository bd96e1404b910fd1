//! What the running service owns: the audit feed (one follower for the
//! whole service, which counts metrics and wakes live clients), and, for
//! the home's one service, spool import, WAL size and webhook forwarding.

use crate::Metrics;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::watch;
use uas_api::App;

/// How often spooled events are imported.
const TICK: Duration = Duration::from_secs(15);

/// Starts the feed thread; the receiver holds the newest sequence number.
pub(crate) async fn start_feed(
    app: &App,
    metrics: Arc<Metrics>,
) -> Result<watch::Receiver<u64>, uas_api::ApiError> {
    let (head, counts, mut sub) = crate::blocking(app, |app| {
        let head = app.audit_head()?;
        let counts = app.audit_counts()?;
        let sub = app.audit_follow(Some(head), uas_audit::Filter::default())?;
        Ok((head, counts, sub))
    })
    .await?;
    metrics.seed(counts);
    let (tx, rx) = watch::channel(head);
    std::thread::Builder::new()
        .name("uas-serve-feed".into())
        .spawn(move || {
            loop {
                match sub.next(Duration::from_secs(5)) {
                    Ok(batch) => {
                        for r in &batch {
                            metrics.observe(r);
                        }
                        if tx.send(sub.position()).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("audit feed: {e}; retrying");
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            }
        })
        .map_err(|e| uas_api::ApiError::Internal(format!("cannot start the feed thread: {e}")))?;
    Ok(rx)
}

/// Starts spool import and webhook forwarding.
pub(crate) fn start(app: &App, metrics: Arc<Metrics>) {
    let a = app.clone();
    let _ = std::thread::Builder::new()
        .name("uas-serve-tick".into())
        .spawn(move || {
            loop {
                if let Err(e) = a.service_tick() {
                    tracing::warn!("periodic audit write: {e}");
                }
                std::thread::sleep(TICK);
            }
        });
    let a = app.clone();
    let has_hooks = a.config().is_ok_and(|c| !c.audit.webhooks.is_empty());
    if has_hooks {
        let _ = std::thread::Builder::new()
            .name("uas-serve-webhooks".into())
            .spawn(move || {
                let r = a.audit_forward(true, 100, |p| {
                    if p.error.is_some() {
                        metrics.webhook_failures.fetch_add(1, Ordering::Relaxed);
                    }
                    true
                });
                if let Err(e) = r {
                    tracing::warn!("webhook forwarding stopped: {e}");
                }
            });
    }
}
