//! [`AuditFeed`]: the one way to follow the log, for every consumer (`uas
//! audit tail --follow`, webhook forwarding, and next the WebSocket and the
//! tray).
//!
//! The store is the truth: each [`Subscription`] reads the records after
//! its own last sequence number from its own connection, so a slow
//! subscriber never makes the feed buffer anything and catches up by
//! itself after a lag. The feed only fans out wake-ups: one thread waits
//! on the follower socket (writers signal it after each commit, see
//! [`crate::follow`]) and bumps a generation counter that subscribers
//! wait on. A lost or coalesced wake-up loses nothing; a one second
//! safety net covers writers that could not signal.

use crate::follow::{Waker, followers_dir};
use crate::{AuditError, AuditLog, Filter, Record};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often subscribers re-read without a wake-up.
const SAFETY_NET: Duration = Duration::from_secs(1);

/// Most records one [`Subscription::next`] returns.
pub const BATCH: usize = 1000;

#[derive(Debug, Default)]
struct Signal {
    generation: Mutex<u64>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Signal {
    fn bump(&self) {
        if let Ok(mut g) = self.generation.lock() {
            *g += 1;
        }
        self.changed.notify_all();
    }

    fn current(&self) -> u64 {
        self.generation.lock().map(|g| *g).unwrap_or(0)
    }

    /// Waits until the generation moves past `seen` or `timeout` passes.
    fn wait_past(&self, seen: u64, timeout: Duration) {
        let Ok(g) = self.generation.lock() else {
            return;
        };
        let _ = self.changed.wait_timeout_while(g, timeout, |g| {
            *g == seen && !self.stop.load(Ordering::Relaxed)
        });
    }
}

/// Follows one home's log; hands out [`Subscription`]s.
#[derive(Debug)]
pub struct AuditFeed {
    db: PathBuf,
    busy: Duration,
    signal: Arc<Signal>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl AuditFeed {
    /// Starts following the log of database `db` in `audit_dir`. The wake-up
    /// socket is bound before this returns, so no event committed after it
    /// is missed by a subscription made later.
    pub fn start(audit_dir: &Path, db: &Path, busy: Duration) -> Result<Self, AuditError> {
        let dir = followers_dir(audit_dir);
        let waker = Waker::bind(&dir).map_err(|source| AuditError::Io {
            action: "bind a follower socket in",
            path: dir,
            source,
        })?;
        // Fail early on a missing or unreadable database.
        AuditLog::open(db, busy)?;
        let signal = Arc::new(Signal::default());
        let s = Arc::clone(&signal);
        let thread = std::thread::Builder::new()
            .name("uas-audit-feed".into())
            .spawn(move || {
                while !s.stop.load(Ordering::Relaxed) {
                    waker.wait(SAFETY_NET);
                    s.bump();
                }
            })
            .map_err(|source| AuditError::Io {
                action: "start the audit feed thread for",
                path: audit_dir.to_path_buf(),
                source,
            })?;
        Ok(Self {
            db: db.to_path_buf(),
            busy,
            signal,
            thread: Some(thread),
        })
    }

    /// A subscription that returns the records after `after` (0: from the
    /// start) that pass `filter`.
    pub fn subscribe(&self, after: u64, filter: Filter) -> Result<Subscription, AuditError> {
        Ok(Subscription {
            log: AuditLog::open(&self.db, self.busy)?,
            after,
            filter,
            signal: Arc::clone(&self.signal),
        })
    }
}

impl Drop for AuditFeed {
    fn drop(&mut self) {
        self.signal.stop.store(true, Ordering::Relaxed);
        self.signal.bump();
        // The thread ends within one safety-net interval; don't wait for it.
        drop(self.thread.take());
    }
}

/// One consumer's position in the log.
#[derive(Debug)]
pub struct Subscription {
    log: AuditLog,
    after: u64,
    filter: Filter,
    signal: Arc<Signal>,
}

impl Subscription {
    /// The last sequence number this subscription has read past.
    pub fn position(&self) -> u64 {
        self.after
    }

    /// The next records (at most [`BATCH`]) that pass the filter. Returns at
    /// once when there are new records; otherwise waits for a writer for up
    /// to `wait` (zero: never) and returns what arrived, possibly nothing.
    pub fn next(&mut self, wait: Duration) -> Result<Vec<Record>, AuditError> {
        let deadline = Instant::now() + wait;
        loop {
            // Read the generation first: a wake-up after the read below is
            // then never missed.
            let seen = self.signal.current();
            let batch = self.log.read_after(self.after, BATCH)?;
            if let Some(last) = batch.last() {
                self.after = last.seq;
                let passing: Vec<Record> = batch
                    .into_iter()
                    .filter(|r| self.filter.accepts(r))
                    .collect();
                if !passing.is_empty() {
                    return Ok(passing);
                }
                continue;
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            self.signal
                .wait_past(seen, (deadline - now).min(SAFETY_NET));
        }
    }

    /// Waits until a writer commits something after this subscription's
    /// position, or `wait` passes (for consumers that read the log their
    /// own way, such as webhook delivery). True when there is news.
    pub fn wait_for_news(&mut self, wait: Duration) -> Result<bool, AuditError> {
        let deadline = Instant::now() + wait;
        loop {
            let seen = self.signal.current();
            if let Some((head, _)) = self.log.head()?
                && head > self.after
            {
                self.after = head;
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            self.signal
                .wait_past(seen, (deadline - now).min(SAFETY_NET));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Journal, NewEvent, Severity, testdb};
    use uas_core::config::KeyStoreKind;

    fn ev(session: &str, severity: Severity) -> NewEvent {
        NewEvent {
            ts_ms: 1,
            agent: "claude".into(),
            session: session.into(),
            kind: "pre_tool".into(),
            severity,
            payload: "{}".into(),
            decision: None,
        }
    }

    #[test]
    fn subscribers_each_get_every_event_from_their_own_position() {
        let (dir, db) = testdb::create();
        let audit = dir.path().join("audit");
        let mut j =
            Journal::open(&audit, &db, Duration::from_secs(1), KeyStoreKind::File).expect("j");
        j.append(&ev("a", Severity::Info)).expect("1");
        let feed = AuditFeed::start(&audit, &db, Duration::from_secs(1)).expect("feed");
        let mut from_start = feed.subscribe(0, Filter::default()).expect("sub");
        let mut from_now = feed.subscribe(1, Filter::default()).expect("sub");
        let mut errors = feed
            .subscribe(
                0,
                Filter {
                    min_severity: Some(Severity::Error),
                    session: None,
                },
            )
            .expect("sub");
        assert_eq!(from_start.next(Duration::ZERO).expect("n").len(), 1);
        assert!(from_now.next(Duration::ZERO).expect("n").is_empty());
        // A writer in another thread; the waiting subscriber is woken.
        let writer = std::thread::spawn(move || {
            j.append(&ev("b", Severity::Error)).expect("2");
            j.append(&ev("b", Severity::Info)).expect("3");
        });
        let mut got = Vec::new();
        while got.len() < 2 {
            let batch = from_now.next(Duration::from_secs(10)).expect("n");
            assert!(!batch.is_empty(), "woken with nothing new");
            got.extend(batch.into_iter().map(|r| r.seq));
        }
        writer.join().expect("writer");
        assert_eq!(got, [2, 3]);
        assert_eq!(from_start.next(Duration::ZERO).expect("n").len(), 2);
        let errs: Vec<u64> = errors
            .next(Duration::ZERO)
            .expect("n")
            .into_iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(errs, [2], "filtered");
        assert_eq!(errors.position(), 3, "read past the filtered ones");
        assert!(from_now.wait_for_news(Duration::ZERO).is_ok_and(|n| !n));
    }
}
