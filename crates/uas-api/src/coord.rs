//! Coordination for front ends: sessions with their history, locks and
//! leases, on the backend the config names (`uas session`, `uas lock`,
//! `uas lease`, the monitor).

use crate::{ApiError, App};
use serde::Serialize;
use std::time::Duration;
use uas_coord::{CoordEvent, Coordinator, Lease, LeaseKey, LockGrant, SessionInfo};

/// A session, its leases and what happened to it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SessionDetail {
    /// The session (also when it is over, if the backend remembers it).
    pub session: SessionInfo,
    /// Whether it is live now.
    pub live: bool,
    /// The leases it holds.
    pub leases: Vec<Lease>,
    /// Its coordination changes, oldest first.
    pub history: Vec<CoordEvent>,
}

/// Which backend coordinates, and whether it answers.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CoordStatus {
    /// `[coordination] backend`.
    pub configured: String,
    /// What answers (`sqlite (…)`, the redis URL), or none.
    pub active: Option<String>,
    /// Set when the configured server did not answer: why, and the
    /// fallback that applies (`on_unreachable`).
    pub unreachable: Option<String>,
    /// Live sessions and leases (when something answers).
    pub sessions: usize,
    /// Live leases.
    pub leases: usize,
}

impl App {
    /// The configured coordinator; an unreachable server with
    /// `on_unreachable = "local"` gives this machine's (with a warning).
    fn coordinator(&self) -> Result<Box<dyn Coordinator>, ApiError> {
        let config = self.config()?;
        let db = self.home.database(&config.store.database);
        let o = uas_coord::open(&config, &db)?;
        match o.coordinator {
            Some(coordinator) => {
                if let Some(f) = &o.fallback {
                    tracing::warn!("{}; using this machine's database instead", f.error);
                }
                Ok(coordinator)
            }
            None => Err(match o.fallback {
                Some(f) => ApiError::Invalid(format!(
                    "{} (and `[coordination] on_unreachable` is not \"local\")",
                    f.error
                )),
                None => ApiError::Invalid(
                    "coordination is off (`[coordination] backend = \"off\"` in config.toml)"
                        .into(),
                ),
            }),
        }
    }

    /// The backend and what it holds (for `doctor` and the monitor).
    pub fn coord_status(&self) -> Result<CoordStatus, ApiError> {
        let config = self.config()?;
        let configured = config.coordination.backend.clone();
        let db = self.home.database(&config.store.database);
        let o = uas_coord::open(&config, &db)?;
        let unreachable = o.fallback.map(|f| {
            format!(
                "{}; on_unreachable = \"{}\"",
                f.error,
                match f.mode {
                    uas_core::config::Unreachable::Local => "local",
                    uas_core::config::Unreachable::Deny => "deny",
                    uas_core::config::Unreachable::Allow => "allow",
                }
            )
        });
        let (active, sessions, leases) = match &o.coordinator {
            Some(c) => (
                Some(c.describe()),
                c.sessions(false)?.len(),
                c.leases(None)?.len(),
            ),
            None => (None, 0, 0),
        };
        Ok(CoordStatus {
            configured,
            active,
            unreachable,
            sessions,
            leases,
        })
    }

    /// Live sessions (with `all`, also those that are over), newest first.
    pub fn coord_sessions(&self, all: bool) -> Result<Vec<SessionInfo>, ApiError> {
        Ok(self.coordinator()?.sessions(all)?)
    }

    /// One session by id (and agent, when two agents share an id).
    pub fn coord_session(
        &self,
        session: &str,
        agent: Option<&str>,
    ) -> Result<SessionDetail, ApiError> {
        let c = self.coordinator()?;
        let now = uas_core::now_ms();
        let matches: Vec<SessionInfo> = c
            .sessions(true)?
            .into_iter()
            .filter(|s| s.beat.session == session && agent.is_none_or(|a| s.beat.agent == a))
            .collect();
        let s = match matches.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(ApiError::Invalid(format!(
                    "no session `{session}` is known to coordination (`uas session list --all` lists them)"
                )));
            }
            _ => {
                return Err(ApiError::Invalid(format!(
                    "several agents have a session `{session}`; name one with --agent"
                )));
            }
        };
        let mut history = Vec::new();
        let mut after = 0;
        loop {
            let page = c.events_after(after, 1000)?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            history.extend(
                page.into_iter()
                    .filter(|e| e.session == s.beat.session && e.agent == s.beat.agent),
            );
        }
        Ok(SessionDetail {
            live: s.live(now),
            leases: c.leases(Some((&s.beat.agent, &s.beat.session)))?,
            session: s,
            history,
        })
    }

    /// Acquires `resource` for `holder`, waiting up to `wait`.
    pub fn lock_acquire(
        &self,
        resource: &str,
        holder: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Option<LockGrant>, ApiError> {
        if resource.trim().is_empty() {
            return Err(ApiError::Invalid(
                "a lock needs a resource name, e.g. `task:issue-123`".into(),
            ));
        }
        let c = self.coordinator()?;
        Ok(uas_coord::acquire(&*c, resource, holder, ttl, wait)?)
    }

    /// Releases the grant with `token` and its `secret`; false when it is
    /// not held with them.
    pub fn lock_release(&self, resource: &str, token: u64, secret: &str) -> Result<bool, ApiError> {
        Ok(self.coordinator()?.release(resource, token, secret)?)
    }

    /// Extends the grant with `token` and its `secret`.
    pub fn lock_extend(
        &self,
        resource: &str,
        token: u64,
        secret: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, ApiError> {
        Ok(self.coordinator()?.extend(resource, token, secret, ttl)?)
    }

    /// Whether `token` is the live grant of `resource` (a fencing check).
    pub fn lock_check(&self, resource: &str, token: u64) -> Result<bool, ApiError> {
        Ok(self.coordinator()?.validate(resource, token)?)
    }

    /// Live locks.
    pub fn locks(&self) -> Result<Vec<LockGrant>, ApiError> {
        Ok(self.coordinator()?.locks()?)
    }

    /// Live leases, optionally of one session.
    pub fn leases(&self, of: Option<(&str, &str)>) -> Result<Vec<Lease>, ApiError> {
        Ok(self.coordinator()?.leases(of)?)
    }

    /// Drops the lease on `what` (a path, or `repo:path` as listed).
    pub fn lease_release(&self, what: &str) -> Result<Lease, ApiError> {
        let config = self.config()?;
        let cwd = std::env::current_dir().unwrap_or_default();
        let key = LeaseKey::parse(what, &cwd, config.coordination.lease_scope);
        self.coordinator()?
            .release_lease(&key, None)?
            .ok_or_else(|| {
                ApiError::Invalid(format!(
                    "nobody holds a lease on {key} (`uas lease list` shows the leases)"
                ))
            })
    }

    /// Coordination changes after `seq`.
    pub fn coord_events(&self, after: u64, limit: usize) -> Result<Vec<CoordEvent>, ApiError> {
        Ok(self.coordinator()?.events_after(after, limit)?)
    }
}
