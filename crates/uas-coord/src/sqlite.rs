//! The SQLite backend: the `coord_*` tables of the home's database. Each
//! operation is one `BEGIN IMMEDIATE` transaction, so a check and the grant
//! that follows it cannot interleave with another writer's. The hook calls
//! [`on_event_in`] inside its audit transaction instead: one commit for
//! both.

use crate::{
    Beat, Claim, CoordError, CoordEvent, Coordinator, Lease, LeaseKey, LockGrant, SessionInfo,
    Ttls, ms,
};
use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;
use uas_store::coord as q;
use uas_store::{Conn, Db, OpenMode, WriteTx};

/// Coordination on one machine.
pub struct SqliteCoordinator {
    db: RefCell<Db>,
}

impl SqliteCoordinator {
    /// Opens the home's database at `path` (made by `uas init`).
    pub fn open(path: &Path) -> Result<Self, CoordError> {
        Self::open_as(path, OpenMode::Existing)
    }

    /// Opens the database at `path`, creating and migrating it if needed.
    pub fn create(path: &Path) -> Result<Self, CoordError> {
        Self::open_as(path, OpenMode::CreateAndMigrate)
    }

    fn open_as(path: &Path, mode: OpenMode) -> Result<Self, CoordError> {
        Ok(Self {
            db: RefCell::new(Db::open(path, mode, uas_store::BUSY_TIMEOUT)?),
        })
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&WriteTx<'_>) -> Result<T, CoordError>,
    ) -> Result<T, CoordError> {
        self.db.borrow_mut().write(f)
    }
}

fn lease(r: q::LeaseRow) -> Lease {
    Lease {
        key: LeaseKey {
            repo: r.repo,
            path: r.path,
        },
        agent: r.agent,
        session: r.session,
        host: r.host,
        since_ms: r.since_ms,
        expires_ms: r.expires_ms,
    }
}

fn grant(r: q::LockRow) -> LockGrant {
    LockGrant {
        resource: r.resource,
        holder: r.holder,
        token: r.token.max(0) as u64,
        secret: r.secret,
        acquired_ms: r.acquired_ms,
        expires_ms: r.expires_ms,
    }
}

fn event(
    tx: &WriteTx<'_>,
    now: i64,
    kind: &str,
    agent: &str,
    session: &str,
    detail: serde_json::Value,
) -> Result<(), CoordError> {
    q::append_event(tx, now, kind, agent, session, &detail.to_string())?;
    Ok(())
}

/// One hook event, inside the caller's write transaction (see
/// [`Coordinator::on_event`]).
pub fn on_event_in(
    tx: &WriteTx<'_>,
    beat: &Beat,
    keys: &[LeaseKey],
    ttls: Ttls,
    now: i64,
) -> Result<Claim, CoordError> {
    let row = q::SessionRow {
        agent: beat.agent.clone(),
        session: beat.session.clone(),
        host: beat.host.clone(),
        pid: beat.pid.map(i64::from),
        cwd: beat.cwd.clone(),
        repo: beat.repo.clone(),
        phase: beat.phase.clone(),
        started_ms: now,
        last_seen_ms: now,
        expires_ms: now + ms(ttls.session),
        ended_ms: None,
    };
    let new_session = q::beat(tx, &row)?;
    if new_session {
        event(
            tx,
            now,
            "session_started",
            &beat.agent,
            &beat.session,
            serde_json::json!({"host": beat.host, "cwd": beat.cwd, "repo": beat.repo}),
        )?;
    }
    let pairs: Vec<(String, String)> = keys
        .iter()
        .map(|k| (k.repo.clone(), k.path.clone()))
        .collect();
    let conflicts: Vec<Lease> = q::held_by_others(tx, &pairs, &beat.agent, &beat.session, now)?
        .into_iter()
        .map(lease)
        .collect();
    if conflicts.is_empty() {
        for k in keys.iter().filter(|k| !k.is_tree()) {
            let taken = q::take(
                tx,
                &q::LeaseRow {
                    repo: k.repo.clone(),
                    path: k.path.clone(),
                    agent: beat.agent.clone(),
                    session: beat.session.clone(),
                    host: beat.host.clone(),
                    since_ms: now,
                    expires_ms: now + ms(ttls.lease),
                },
            )?;
            if taken {
                event(
                    tx,
                    now,
                    "lease_taken",
                    &beat.agent,
                    &beat.session,
                    serde_json::json!({"lease": k.to_string()}),
                )?;
            }
        }
    }
    Ok(Claim {
        conflicts,
        new_session,
    })
}

/// The session ended, inside the caller's write transaction.
pub fn end_session_in(
    tx: &WriteTx<'_>,
    agent: &str,
    session: &str,
    now: i64,
) -> Result<bool, CoordError> {
    let ended = q::end(tx, agent, session, now)?;
    if let Some(leases) = ended {
        event(
            tx,
            now,
            "session_ended",
            agent,
            session,
            serde_json::json!({"leases_released": leases}),
        )?;
    }
    Ok(ended.is_some())
}

/// One session, read in the caller's transaction.
pub fn session_in(
    c: &impl Conn,
    agent: &str,
    session: &str,
) -> Result<Option<SessionInfo>, CoordError> {
    Ok(q::session(c, agent, session)?.map(session_info))
}

/// Live sessions, read in the caller's transaction.
pub fn sessions_in(c: &impl Conn, now: i64) -> Result<Vec<SessionInfo>, CoordError> {
    Ok(q::sessions(c, now, false)?
        .into_iter()
        .map(session_info)
        .collect())
}

/// Live leases, read in the caller's transaction.
pub fn leases_in(c: &impl Conn, now: i64) -> Result<Vec<Lease>, CoordError> {
    Ok(q::leases(c, now, None)?.into_iter().map(lease).collect())
}

fn session_info(r: q::SessionRow) -> SessionInfo {
    SessionInfo {
        beat: Beat {
            agent: r.agent,
            session: r.session,
            host: r.host,
            pid: r.pid.and_then(|p| u32::try_from(p).ok()),
            cwd: r.cwd,
            repo: r.repo,
            phase: r.phase,
        },
        started_ms: r.started_ms,
        last_seen_ms: r.last_seen_ms,
        expires_ms: r.expires_ms,
        ended_ms: r.ended_ms,
    }
}

impl Coordinator for SqliteCoordinator {
    fn describe(&self) -> String {
        format!("sqlite ({})", self.db.borrow().path().display())
    }

    fn on_event(&self, beat: &Beat, keys: &[LeaseKey], ttls: Ttls) -> Result<Claim, CoordError> {
        self.write(|tx| on_event_in(tx, beat, keys, ttls, uas_core::now_ms()))
    }

    fn session(&self, agent: &str, session: &str) -> Result<Option<SessionInfo>, CoordError> {
        session_in(&*self.db.borrow(), agent, session)
    }

    fn end_session(&self, agent: &str, session: &str) -> Result<bool, CoordError> {
        self.write(|tx| end_session_in(tx, agent, session, uas_core::now_ms()))
    }

    fn sessions(&self, all: bool) -> Result<Vec<SessionInfo>, CoordError> {
        let db = self.db.borrow();
        Ok(q::sessions(&*db, uas_core::now_ms(), all)?
            .into_iter()
            .map(session_info)
            .collect())
    }

    fn leases(&self, of: Option<(&str, &str)>) -> Result<Vec<Lease>, CoordError> {
        let db = self.db.borrow();
        Ok(q::leases(&*db, uas_core::now_ms(), of)?
            .into_iter()
            .map(lease)
            .collect())
    }

    fn release_lease(
        &self,
        key: &LeaseKey,
        holder: Option<(&str, &str)>,
    ) -> Result<Option<Lease>, CoordError> {
        self.write(|tx| {
            // After the write lock: a wait for it must not shorten a grant.
            let now = uas_core::now_ms();
            let r = q::release_lease(tx, &key.repo, &key.path, holder)?.map(lease);
            if let Some(l) = &r {
                event(
                    tx,
                    now,
                    "lease_released",
                    &l.agent,
                    &l.session,
                    serde_json::json!({"lease": key.to_string()}),
                )?;
            }
            Ok(r)
        })
    }

    fn try_acquire(
        &self,
        resource: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, CoordError> {
        self.write(|tx| {
            // After the write lock: a wait for it must not shorten a grant.
            let now = uas_core::now_ms();
            if q::lock(tx, resource)?.is_some_and(|l| l.expires_ms > now) {
                return Ok(None);
            }
            let row = q::LockRow {
                resource: resource.to_owned(),
                holder: holder.to_owned(),
                token: q::next_token(tx, resource)?,
                secret: crate::new_secret(),
                acquired_ms: now,
                expires_ms: now + ms(ttl),
            };
            q::put_lock(tx, &row)?;
            event(
                tx,
                now,
                "lock_acquired",
                "",
                "",
                serde_json::json!({"resource": resource, "holder": holder, "token": row.token}),
            )?;
            Ok(Some(grant(row)))
        })
    }

    fn release(&self, resource: &str, token: u64, secret: &str) -> Result<bool, CoordError> {
        self.write(|tx| {
            // After the write lock: a wait for it must not shorten a grant.
            let now = uas_core::now_ms();
            let live = q::lock(tx, resource)?.is_some_and(|l| {
                l.token == token as i64 && l.secret == secret && l.expires_ms > now
            });
            let deleted = q::delete_lock(tx, resource, token as i64, secret)?;
            if live && deleted {
                event(
                    tx,
                    now,
                    "lock_released",
                    "",
                    "",
                    serde_json::json!({"resource": resource, "token": token}),
                )?;
            }
            Ok(live && deleted)
        })
    }

    fn extend(
        &self,
        resource: &str,
        token: u64,
        secret: &str,
        ttl: Duration,
    ) -> Result<Option<LockGrant>, CoordError> {
        self.write(|tx| match q::lock(tx, resource)? {
            Some(mut l)
                if l.token == token as i64
                    && l.secret == secret
                    && l.expires_ms > uas_core::now_ms() =>
            {
                l.expires_ms = uas_core::now_ms() + ms(ttl);
                q::put_lock(tx, &l)?;
                Ok(Some(grant(l)))
            }
            _ => Ok(None),
        })
    }

    fn validate(&self, resource: &str, token: u64) -> Result<bool, CoordError> {
        let db = self.db.borrow();
        let now = uas_core::now_ms();
        Ok(q::lock(&*db, resource)?.is_some_and(|l| l.token == token as i64 && l.expires_ms > now))
    }

    fn locks(&self) -> Result<Vec<LockGrant>, CoordError> {
        let db = self.db.borrow();
        Ok(q::locks(&*db, uas_core::now_ms())?
            .into_iter()
            .map(|l| LockGrant {
                secret: String::new(),
                ..grant(l)
            })
            .collect())
    }

    fn events_after(&self, seq: u64, limit: usize) -> Result<Vec<CoordEvent>, CoordError> {
        let db = self.db.borrow();
        Ok(q::events_after(&*db, seq as i64, limit)?
            .into_iter()
            .map(|e| CoordEvent {
                seq: e.seq.max(0) as u64,
                ts_ms: e.ts_ms,
                kind: e.kind,
                agent: e.agent,
                session: e.session,
                detail: serde_json::from_str(&e.detail).unwrap_or_default(),
            })
            .collect())
    }
}
