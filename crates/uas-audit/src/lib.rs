//! The audit log: every agent action, append-only and hash-chained.
//!
//! Each record's hash is SHA-256 over a canonical encoding of its fields and
//! the previous record's hash ([`chain`]). Writers take SQLite's write lock
//! with `BEGIN IMMEDIATE`, so sequence numbers are contiguous across
//! processes. After each append the chain head is signed (ed25519) into a
//! checkpoint file outside the database ([`checkpoint`]), so deleting the
//! newest rows is detected by [`verify`] too. Readers follow the log across
//! processes ([`follow`]): a datagram wakes them and they catch up by
//! sequence number, so nothing is lost when one is slow or restarts.
//!
//! The rows live in `uas-store` (`audit_events`), which owns the database,
//! its settings and every query; this crate computes the chain, signs
//! checkpoints and verifies. It runs inside `uas hook`, a process agents
//! start on every tool call: no runtime, one connection, no checkpoint on
//! close. The schema is created by `uas-store`'s migrations (`uas init`).

pub mod chain;
pub mod checkpoint;
pub mod export;
pub mod feed;
pub mod follow;
pub mod journal;
pub mod keys;
pub mod sink;
pub mod verify;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_store::events::{self, EventRow};
use uas_store::{Db, OpenMode, StoreError, WriteTx};

pub use chain::{GENESIS, Hash};
pub use checkpoint::{Checkpoint, CheckpointError, CheckpointFile, SlotError};
pub use ed25519_dalek::VerifyingKey;
pub use feed::{AuditFeed, Subscription};
pub use journal::{Journal, spool};
pub use keys::{KeyLocation, SigningKeys};
pub use verify::{Problem, ProblemKind, VerifyReport};

/// Default WAL size above which a writer checkpoints and truncates the WAL
/// after its commit. Short-lived processes (hooks) never share a wal-index:
/// each one rebuilds it by reading the whole WAL, and SQLite's own
/// auto-checkpoint never restarts the WAL for them (its progress lives in
/// that index). So the WAL is truncated here instead: reading 256 KiB costs
/// ~0.1 ms, a truncating checkpoint (two fsyncs) is paid by one write in ~20.
/// Long-running writers raise it with [`AuditLog::set_wal_limit`].
pub const WAL_LIMIT_HOOK: u64 = 256 * 1024;

/// WAL limit for long-running or bulk writers (SQLite's default size).
pub const WAL_LIMIT_BULK: u64 = 4 * 1024 * 1024;

/// How bad an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Normal activity.
    Info,
    /// A warn rule matched, or an input could not be read.
    Warning,
    /// An action was denied.
    Error,
    /// Tampering: a write to uas's own files or hooks, a drifted hook config.
    Critical,
}

impl Severity {
    /// The lower-case name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
        }
    }

    /// Parses a stored or user-given name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "info" => Self::Info,
            "warning" | "warn" => Self::Warning,
            "error" => Self::Error,
            "critical" => Self::Critical,
            _ => return None,
        })
    }
}

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Milliseconds since the epoch.
    pub ts_ms: i64,
    /// The agent (`claude`, …) or `uas` for uas's own events.
    pub agent: String,
    /// The agent's session id (or `-`).
    pub session: String,
    /// What happened (`pre_tool`, `session_start`, `malformed`, `drift`, …).
    pub kind: String,
    /// How bad it is.
    pub severity: Severity,
    /// The event as JSON text (stored and hashed byte for byte).
    pub payload: String,
    /// The decision as JSON text, when one was made.
    pub decision: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Record {
    /// Sequence number, contiguous from 1.
    pub seq: u64,
    /// Milliseconds since the epoch.
    pub ts_ms: i64,
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// What happened.
    pub kind: String,
    /// Severity name.
    pub severity: String,
    /// The event JSON.
    pub payload: String,
    /// The decision JSON.
    pub decision: Option<String>,
    /// Hash of the previous record (hex).
    pub prev_hash: String,
    /// This record's hash (hex).
    pub hash: String,
}

/// The audit log could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The database file does not exist.
    #[error("{0} does not exist: run `uas init`")]
    Missing(PathBuf),
    /// The database failed (locked, corrupt, too new, …).
    #[error("audit {0}")]
    Store(#[from] StoreError),
    /// A file next to the database (checkpoint, key) failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we tried.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS's answer.
        #[source]
        source: std::io::Error,
    },
    /// The signing key is unusable.
    #[error("audit signing key: {0}")]
    Key(String),
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only records at or above this severity.
    pub min_severity: Option<Severity>,
    /// Only this session.
    pub session: Option<String>,
}

impl Filter {
    /// True when the record passes.
    pub fn accepts(&self, r: &Record) -> bool {
        if let Some(min) = self.min_severity
            && Severity::parse(&r.severity).is_none_or(|s| s < min)
        {
            return false;
        }
        self.session.as_ref().is_none_or(|s| *s == r.session)
    }
}

/// An open audit log (one connection to the local database).
pub struct AuditLog {
    db: Db,
    wal_limit: u64,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.db.path())
            .finish()
    }
}

/// A write transaction holding SQLite's write lock (`BEGIN IMMEDIATE`).
pub struct Tx<'a, 'b> {
    tx: &'a WriteTx<'b>,
    head: Option<(u64, Hash)>,
}

impl AuditLog {
    /// Opens an existing database (created and migrated by `uas init`).
    /// `busy` bounds how long a write waits for another writer.
    pub fn open(path: &Path, busy: Duration) -> Result<Self, AuditError> {
        let db = match Db::open(path, OpenMode::Existing, busy) {
            Err(StoreError::Missing { path }) => return Err(AuditError::Missing(path)),
            other => other?,
        };
        Ok(Self {
            db,
            wal_limit: WAL_LIMIT_HOOK,
        })
    }

    /// Sets the WAL size that triggers a truncating checkpoint after a commit.
    pub fn set_wal_limit(&mut self, bytes: u64) {
        self.wal_limit = bytes;
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// Runs `f` inside `BEGIN IMMEDIATE … COMMIT`; an error rolls back.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<AuditError>,
    {
        let out = self.db.write(|wtx| {
            let head = read_head(wtx).map_err(|e| Wrapped(E::from(e)))?;
            let mut tx = Tx { tx: wtx, head };
            f(&mut tx).map_err(Wrapped)
        });
        let out = match out {
            Ok(v) => v,
            Err(Wrapped(e)) => return Err(e),
        };
        self.db.truncate_wal_if_larger(self.wal_limit);
        Ok(out)
    }

    /// Appends one event in its own transaction.
    pub fn append(&mut self, event: &NewEvent) -> Result<Record, AuditError> {
        self.write(|tx| tx.append(event))
    }

    /// Appends many events in one transaction (batched writers).
    pub fn append_batch(&mut self, events: &[NewEvent]) -> Result<Vec<Record>, AuditError> {
        self.write(|tx| events.iter().map(|e| tx.append(e)).collect())
    }

    /// The newest sequence number and hash, if any.
    pub fn head(&self) -> Result<Option<(u64, Hash)>, AuditError> {
        read_head(&self.db)
    }

    /// Records with `seq > after`, oldest first, at most `limit`.
    pub fn read_after(&self, after: u64, limit: usize) -> Result<Vec<Record>, AuditError> {
        Ok(events::read_after(&self.db, after, limit)?
            .into_iter()
            .map(Record::from)
            .collect())
    }

    /// The database, for the other tables (SOP sessions, sinks).
    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Carries the caller's error type through [`Db::write`], which needs
/// `From<StoreError>`.
struct Wrapped<E>(E);

impl<E: From<AuditError>> From<StoreError> for Wrapped<E> {
    fn from(e: StoreError) -> Self {
        Wrapped(E::from(AuditError::from(e)))
    }
}

impl Tx<'_, '_> {
    /// Appends an event; the sequence number and hashes are computed here.
    pub fn append(&mut self, e: &NewEvent) -> Result<Record, AuditError> {
        let (seq, prev) = match self.head {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS),
        };
        let hash = chain::hash_fields(&chain::Fields {
            seq,
            ts_ms: e.ts_ms,
            agent: &e.agent,
            session: &e.session,
            kind: &e.kind,
            severity: e.severity.as_str(),
            payload: &e.payload,
            decision: e.decision.as_deref(),
            prev_hash: &prev,
        });
        let row = EventRow {
            seq,
            ts_ms: e.ts_ms,
            agent: e.agent.clone(),
            session: e.session.clone(),
            kind: e.kind.clone(),
            severity: e.severity.as_str().into(),
            payload: e.payload.clone(),
            decision: e.decision.clone(),
            prev_hash: prev.to_vec(),
            hash: hash.to_vec(),
        };
        events::insert(self.tx, &row)?;
        self.head = Some((seq, hash));
        Ok(Record::from(row))
    }

    /// The chain head inside this transaction.
    pub fn head(&self) -> Option<(u64, Hash)> {
        self.head
    }

    /// The transaction, for tables updated with the event (SOP sessions).
    pub fn store(&self) -> &WriteTx<'_> {
        self.tx
    }
}

fn read_head(c: &impl uas_store::Conn) -> Result<Option<(u64, Hash)>, AuditError> {
    Ok(events::head(c)?.map(|(seq, hash)| (seq, chain::to_hash(&hash))))
}

impl From<EventRow> for Record {
    fn from(r: EventRow) -> Self {
        Record {
            seq: r.seq,
            ts_ms: r.ts_ms,
            agent: r.agent,
            session: r.session,
            kind: r.kind,
            severity: r.severity,
            payload: r.payload,
            decision: r.decision,
            prev_hash: hex::encode(r.prev_hash),
            hash: hex::encode(r.hash),
        }
    }
}

/// `<home>/audit`: checkpoint, key, follower sockets, spool.
pub fn audit_dir(home: &uas_core::Home) -> PathBuf {
    home.root().join("audit")
}

#[cfg(test)]
pub(crate) mod testdb {
    //! A migrated database in a temp dir, created by the real migrations.
    use std::path::PathBuf;

    pub fn create() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.db");
        uas_store::Db::open(
            &path,
            uas_store::OpenMode::CreateAndMigrate,
            uas_store::BUSY_TIMEOUT,
        )
        .expect("store");
        (dir, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn ev(i: usize) -> NewEvent {
        NewEvent {
            ts_ms: 1_000 + i as i64,
            agent: "claude".into(),
            session: format!("s{}", i % 3),
            kind: "pre_tool".into(),
            severity: if i.is_multiple_of(5) {
                Severity::Error
            } else {
                Severity::Info
            },
            payload: format!("{{\"i\":{i}}}"),
            decision: i.is_multiple_of(2).then(|| "{\"action\":\"allow\"}".into()),
        }
    }

    #[test]
    fn appends_are_contiguous_and_chained() {
        let (_d, path) = testdb::create();
        let mut log = AuditLog::open(&path, Duration::from_secs(1)).expect("open");
        let a = log.append(&ev(1)).expect("a");
        let b = log.append_batch(&[ev(2), ev(3)]).expect("b");
        assert_eq!((a.seq, b[0].seq, b[1].seq), (1, 2, 3));
        assert_eq!(a.prev_hash, hex::encode(GENESIS));
        assert_eq!(b[0].prev_hash, a.hash);
        assert_eq!(b[1].prev_hash, b[0].hash);
        let back = log.read_after(1, 10).expect("read");
        assert_eq!(back, b);
        assert_eq!(log.head().expect("head").map(|h| h.0), Some(3));
    }

    #[test]
    fn missing_database_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tmp");
        let err = AuditLog::open(&dir.path().join("nope.db"), Duration::from_secs(1))
            .expect_err("missing");
        assert!(err.to_string().contains("uas init"), "{err}");
    }

    #[test]
    fn filter_by_severity_and_session() {
        let r = |sev: &str, s: &str| Record {
            seq: 1,
            ts_ms: 0,
            agent: "a".into(),
            session: s.into(),
            kind: "k".into(),
            severity: sev.into(),
            payload: "{}".into(),
            decision: None,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let f = Filter {
            min_severity: Some(Severity::Error),
            session: Some("x".into()),
        };
        assert!(f.accepts(&r("critical", "x")));
        assert!(!f.accepts(&r("info", "x")));
        assert!(!f.accepts(&r("error", "y")));
    }
}
