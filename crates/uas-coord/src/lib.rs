//! Coordination between agents that run at once: who is working where
//! (sessions), who may change a file (leases) and named locks whose every
//! grant carries a fencing token.
//!
//! One synchronous [`Coordinator`] trait (its heaviest user is `uas hook`,
//! a short-lived process without a runtime) and two backends chosen by
//! `[coordination] backend`: [`SqliteCoordinator`] on the home's database
//! (one machine, nothing to start) and [`RedisCoordinator`] (a team: every
//! machine's uas sees the same sessions, leases and locks). The same
//! conformance suite (`tests/conformance.rs`) runs against both.
//!
//! No daemon: the hook is the heartbeat. Every hook event refreshes its
//! session; a session without events for `session_ttl_s` is over, and its
//! leases end with it, so a killed agent stops holding files within the TTL.

mod redis_backend;
pub mod repo;
pub mod sqlite;

pub use redis_backend::RedisCoordinator;
pub use repo::{LeaseKey, RepoId};
pub use sqlite::SqliteCoordinator;

use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};
use uas_core::Config;
use uas_core::config::{CoordinationConfig, Unreachable};

/// Something went wrong talking to the coordination backend.
#[derive(Debug, thiserror::Error)]
pub enum CoordError {
    /// The local database.
    #[error(transparent)]
    Store(#[from] uas_store::StoreError),
    /// The Redis server did not answer or refused.
    #[error(
        "coordination server {url} is unreachable ({detail}); check that it runs and that `[coordination] backend` in config.toml names it"
    )]
    Unreachable {
        /// The configured URL (password removed).
        url: String,
        /// What the client said.
        detail: String,
    },
    /// The Redis server answered something unexpected.
    #[error("coordination server {url}: {detail}")]
    Protocol {
        /// The configured URL (password removed).
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// `[coordination] backend` is neither `sqlite`, `off` nor a redis URL.
    #[error(
        "`[coordination] backend = \"{0}\"` is not a backend: use \"sqlite\", \"off\" or a URL such as \"redis://127.0.0.1:6379/0\""
    )]
    BadBackend(String),
}

/// A session as the hooks report it on every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Beat {
    /// The agent (`claude`, `codex`, …).
    pub agent: String,
    /// The agent's session id.
    pub session: String,
    /// The machine.
    pub host: String,
    /// The agent's process, when known.
    #[ts(type = "number | null")]
    pub pid: Option<u32>,
    /// Its working directory.
    pub cwd: Option<String>,
    /// The repository identity of its working directory.
    pub repo: Option<String>,
    /// Its SOP phase.
    pub phase: Option<String>,
}

/// A session with its times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SessionInfo {
    /// What the hooks reported.
    #[serde(flatten)]
    pub beat: Beat,
    /// First event (of this run of the session), ms since the epoch.
    #[ts(type = "number")]
    pub started_ms: i64,
    /// Newest event.
    #[ts(type = "number")]
    pub last_seen_ms: i64,
    /// When it is over without another event.
    #[ts(type = "number")]
    pub expires_ms: i64,
    /// When it ended, if it did (its end event or a person).
    #[ts(type = "number | null")]
    pub ended_ms: Option<i64>,
}

impl SessionInfo {
    /// Whether the session is live at `now_ms`.
    pub fn live(&self, now_ms: i64) -> bool {
        self.ended_ms.is_none() && self.expires_ms > now_ms
    }
}

/// A session's claim on a file or folder it edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Lease {
    /// What is leased.
    pub key: LeaseKey,
    /// Holder agent.
    pub agent: String,
    /// Holder session.
    pub session: String,
    /// Holder's machine.
    pub host: String,
    /// Held since, ms since the epoch.
    #[ts(type = "number")]
    pub since_ms: i64,
    /// Lapses at, without another edit.
    #[ts(type = "number")]
    pub expires_ms: i64,
}

/// A lock grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LockGrant {
    /// The resource (`task:issue-123`).
    pub resource: String,
    /// Who holds it.
    pub holder: String,
    /// The fencing token: larger than every earlier grant's on this
    /// resource. Protected operations check it with [`Coordinator::validate`].
    #[ts(type = "number")]
    pub token: u64,
    /// What the holder proves itself with to release or extend the grant:
    /// only the acquirer gets it (the token is public, shown by `locks`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub secret: String,
    /// Granted at, ms since the epoch.
    #[ts(type = "number")]
    pub acquired_ms: i64,
    /// Lapses at.
    #[ts(type = "number")]
    pub expires_ms: i64,
}

/// A change, for subscribers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CoordEvent {
    /// Sequence number (resume after it).
    #[ts(type = "number")]
    pub seq: u64,
    /// When, ms since the epoch.
    #[ts(type = "number")]
    pub ts_ms: i64,
    /// `session_started`, `session_ended`, `lease_taken`, `lease_released`,
    /// `lock_acquired`, `lock_released`.
    pub kind: String,
    /// The agent concerned ('' for locks).
    pub agent: String,
    /// The session concerned ('' for locks).
    pub session: String,
    /// What changed (JSON).
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
}

/// How long things last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttls {
    /// A session without events is over after this.
    pub session: Duration,
    /// A lease without another edit lapses after this.
    pub lease: Duration,
}

impl Ttls {
    /// From the config.
    pub fn of(c: &CoordinationConfig) -> Self {
        Self {
            session: Duration::from_secs(c.session_ttl_s),
            lease: Duration::from_secs(c.lease_ttl_s),
        }
    }
}

/// What one hook event did to coordination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    /// Leases on the event's files held by other live sessions; nothing
    /// was taken when this is not empty.
    pub conflicts: Vec<Lease>,
    /// The session is new (or started again after it was over).
    pub new_session: bool,
}

/// Sessions, leases and locks, on one backend.
pub trait Coordinator {
    /// `sqlite` or the redis URL without its password.
    fn describe(&self) -> String;
    /// One hook event: registers or refreshes the session and, for an edit,
    /// takes leases on `keys`, unless another live session holds one of
    /// them (then nothing is taken and the holders are returned).
    fn on_event(&self, beat: &Beat, keys: &[LeaseKey], ttls: Ttls) -> Result<Claim, CoordError>;
    /// One session, when the backend knows it (live or, on SQLite, over).
    fn session(&self, agent: &str, session: &str) -> Result<Option<SessionInfo>, CoordError>;
    /// The session ended: it and its leases are gone. Whether it was live.
    fn end_session(&self, agent: &str, session: &str) -> Result<bool, CoordError>;
    /// Live sessions, or (with `all`) also those that are over that the
    /// backend still remembers, newest first.
    fn sessions(&self, all: bool) -> Result<Vec<SessionInfo>, CoordError>;
    /// Live leases, optionally of one (agent, session).
    fn leases(&self, of: Option<(&str, &str)>) -> Result<Vec<Lease>, CoordError>;
    /// Drops a lease (only the given holder's, when given).
    fn release_lease(
        &self,
        key: &LeaseKey,
        holder: Option<(&str, &str)>,
    ) -> Result<Option<Lease>, CoordError>;
    /// Grants `resource` to `holder` for `ttl` when nobody holds it.
    fn try_acquire(
        &self,
        resource: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, CoordError>;
    /// Releases the grant with `token` and `secret`; false when it is not
    /// held with them (it lapsed, another holder has it now, or the secret
    /// is wrong).
    fn release(&self, resource: &str, token: u64, secret: &str) -> Result<bool, CoordError>;
    /// Extends the grant with `token` and `secret` to `ttl` from now;
    /// `None` when it is not held with them any more.
    fn extend(
        &self,
        resource: &str,
        token: u64,
        secret: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, CoordError>;
    /// Whether `token` is the live grant of `resource`: what a protected
    /// operation checks before it acts (a stale holder's token fails).
    fn validate(&self, resource: &str, token: u64) -> Result<bool, CoordError>;
    /// Live locks.
    fn locks(&self) -> Result<Vec<LockGrant>, CoordError>;
    /// Changes after `seq`, oldest first, at most `limit`.
    fn events_after(&self, seq: u64, limit: usize) -> Result<Vec<CoordEvent>, CoordError>;
}

/// Acquires `resource`, waiting up to `wait` for the holder to release it
/// (or for its grant to lapse). Polls with a backoff from 2 ms to 50 ms.
pub fn acquire(
    c: &dyn Coordinator,
    resource: &str,
    holder: &str,
    ttl: Duration,
    wait: Duration,
) -> Result<Option<LockGrant>, CoordError> {
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(2);
    loop {
        if let Some(g) = c.try_acquire(resource, holder, ttl)? {
            return Ok(Some(g));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Which backend the config names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// Coordination switched off.
    Off,
    /// The home's database.
    Sqlite,
    /// A Redis server.
    Redis(String),
}

impl Backend {
    /// Reads `[coordination] backend`.
    pub fn of(c: &CoordinationConfig) -> Result<Self, CoordError> {
        match c.backend.as_str() {
            "off" => Ok(Self::Off),
            "sqlite" | "" => Ok(Self::Sqlite),
            u if u.starts_with("redis://") || u.starts_with("rediss://") => {
                Ok(Self::Redis(u.to_owned()))
            }
            other => Err(CoordError::BadBackend(other.to_owned())),
        }
    }
}

/// The coordinator a process uses, after the `on_unreachable` fallback.
pub struct Opened {
    /// The coordinator (`None`: switched off, or unreachable with
    /// `on_unreachable = "allow"` or `"deny"`).
    pub coordinator: Option<Box<dyn Coordinator>>,
    /// Set when the configured server could not be reached: why, and what
    /// was done instead.
    pub fallback: Option<Fallback>,
}

/// The configured server was unreachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// The error.
    pub error: String,
    /// What applies instead.
    pub mode: Unreachable,
}

/// Opens the configured backend: the database at `db` for SQLite. A Redis
/// server that does not answer within `[coordination] timeout_ms` gives the
/// `on_unreachable` fallback: the local database, or nothing (the caller
/// denies or allows edits by [`Fallback::mode`]).
pub fn open(config: &Config, db: &Path) -> Result<Opened, CoordError> {
    let c = &config.coordination;
    let local = || -> Result<Box<dyn Coordinator>, CoordError> {
        Ok(Box::new(SqliteCoordinator::open(db)?))
    };
    match Backend::of(c)? {
        Backend::Off => Ok(Opened {
            coordinator: None,
            fallback: None,
        }),
        Backend::Sqlite => Ok(Opened {
            coordinator: Some(local()?),
            fallback: None,
        }),
        Backend::Redis(url) => {
            match RedisCoordinator::connect(&url, Duration::from_millis(c.timeout_ms)) {
                Ok(r) => Ok(Opened {
                    coordinator: Some(Box::new(r)),
                    fallback: None,
                }),
                Err(e) => {
                    let fallback = Some(Fallback {
                        error: e.to_string(),
                        mode: c.on_unreachable,
                    });
                    let coordinator = match c.on_unreachable {
                        Unreachable::Local => Some(local()?),
                        Unreachable::Deny | Unreachable::Allow => None,
                    };
                    Ok(Opened {
                        coordinator,
                        fallback,
                    })
                }
            }
        }
    }
}

/// This machine's name (`/proc/sys/kernel/hostname`, else `HOSTNAME`).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// A fresh lock secret: 128 random bits, hex.
pub(crate) fn new_secret() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No randomness: a secret nobody can guess is not available, and a
        // predictable one would let anyone release the lock.
        tracing::warn!("no system randomness for a lock secret");
        b = (uas_core::now_ms() as u128 ^ u128::from(std::process::id())).to_le_bytes();
    }
    hex::encode(b)
}

pub(crate) fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}
