//! Webhook sinks: deliver every event in order, remember the last delivered
//! sequence number per sink (`audit_sinks`), retry with backoff, and resume
//! from there after a failure or a restart.

use crate::{AuditError, AuditLog, Record};
use std::time::Duration;

/// Where one sink stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SinkProgress {
    /// The sink's name.
    pub name: String,
    /// Events delivered in this run.
    pub delivered: u64,
    /// The last delivered sequence number.
    pub last_seq: u64,
    /// The error that stopped delivery, if any.
    pub error: Option<String>,
}

/// Retry policy.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// First wait.
    pub initial: Duration,
    /// Longest wait.
    pub max: Duration,
    /// Attempts per batch before giving up for this run.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(30),
            attempts: 6,
        }
    }
}

/// The last sequence number delivered to `name` (0 when new). A changed URL
/// keeps the position: it is the same sink moved.
pub fn last_delivered(log: &AuditLog, name: &str, url: &str) -> Result<u64, AuditError> {
    Ok(uas_store::sinks::register(
        log.db(),
        name,
        url,
        uas_core::now_ms(),
    )?)
}

fn set_delivered(log: &AuditLog, name: &str, seq: u64) -> Result<(), AuditError> {
    Ok(uas_store::sinks::set_delivered(
        log.db(),
        name,
        seq,
        uas_core::now_ms(),
    )?)
}

/// Delivers everything after the sink's position, `batch` events per call
/// of `post` (which gets the JSON body). Stops at the first batch that still
/// fails after the backoff's attempts; the position keeps what was delivered.
pub fn deliver(
    log: &AuditLog,
    name: &str,
    url: &str,
    batch: usize,
    backoff: Backoff,
    mut post: impl FnMut(&[u8]) -> Result<(), String>,
    mut sleep: impl FnMut(Duration),
) -> Result<SinkProgress, AuditError> {
    let mut last = last_delivered(log, name, url)?;
    let mut delivered = 0;
    loop {
        let events: Vec<Record> = log.read_after(last, batch.max(1))?;
        let Some(end) = events.last().map(|r| r.seq) else {
            return Ok(SinkProgress {
                name: name.into(),
                delivered,
                last_seq: last,
                error: None,
            });
        };
        let body = serde_json::to_vec(&serde_json::json!({
            "sink": name,
            "first_seq": events[0].seq,
            "last_seq": end,
            "events": events,
        }))
        .unwrap_or_default();
        let mut wait = backoff.initial;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match post(&body) {
                Ok(()) => break,
                Err(e) if attempt >= backoff.attempts => {
                    return Ok(SinkProgress {
                        name: name.into(),
                        delivered,
                        last_seq: last,
                        error: Some(format!("{e} (after {attempt} attempts)")),
                    });
                }
                Err(e) => {
                    tracing::warn!("sink {name}: {e}; retrying in {wait:?}");
                    sleep(wait);
                    wait = (wait * 2).min(backoff.max);
                }
            }
        }
        delivered += events.len() as u64;
        last = end;
        set_delivered(log, name, last)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewEvent, Severity, testdb};

    #[test]
    fn retries_with_backoff_and_resumes_where_it_stopped() {
        let (_d, db) = testdb::create();
        let mut log = AuditLog::open(&db, Duration::from_secs(1)).expect("open");
        for i in 0..5 {
            log.append(&NewEvent {
                ts_ms: i,
                agent: "a".into(),
                session: "s".into(),
                kind: "k".into(),
                severity: Severity::Info,
                payload: "{}".into(),
                decision: None,
            })
            .expect("append");
        }
        let mut bodies = Vec::new();
        let mut calls = 0;
        let mut waits = Vec::new();
        let backoff = Backoff {
            attempts: 3,
            ..Backoff::default()
        };
        // Batch 1 fails twice then succeeds; batch 2 always fails.
        let p = deliver(
            &log,
            "hook",
            "http://x",
            2,
            backoff,
            |b| {
                calls += 1;
                if calls <= 2 || calls >= 4 {
                    return Err(format!("503 on call {calls}"));
                }
                bodies.push(serde_json::from_slice::<serde_json::Value>(b).expect("json"));
                Ok(())
            },
            |d| waits.push(d),
        )
        .expect("deliver");
        assert_eq!((p.delivered, p.last_seq), (2, 2));
        assert!(
            p.error
                .as_deref()
                .is_some_and(|e| e.contains("after 3 attempts"))
        );
        assert_eq!(bodies[0]["last_seq"], 2);
        assert_eq!(
            waits[..2],
            [Duration::from_millis(200), Duration::from_millis(400)]
        );
        // A later run resumes after #2 and delivers the rest.
        let mut seen = Vec::new();
        let p = deliver(
            &log,
            "hook",
            "http://x",
            2,
            backoff,
            |b| {
                let v: serde_json::Value = serde_json::from_slice(b).expect("json");
                seen.push(v["first_seq"].as_u64().unwrap_or(0));
                Ok(())
            },
            |_| {},
        )
        .expect("deliver");
        assert_eq!((p.delivered, p.last_seq, p.error), (3, 5, None));
        assert_eq!(seen, [3, 5]);
    }
}
