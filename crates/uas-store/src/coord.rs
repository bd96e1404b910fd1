//! `coord_*`: sessions, file leases, named locks with fencing tokens and
//! their change log, for `uas-coord`'s SQLite backend. Every write runs in
//! the caller's `BEGIN IMMEDIATE` transaction, which is what makes a check
//! and the grant that follows it one step.

use crate::{Conn, StoreError, WriteTx, err};
use rusqlite::{OptionalExtension, Row, params};

/// One session row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The agent.
    pub agent: String,
    /// The agent's session id.
    pub session: String,
    /// The machine it runs on.
    pub host: String,
    /// The agent's process, when known.
    pub pid: Option<i64>,
    /// Its working directory.
    pub cwd: Option<String>,
    /// The repository identity of its working directory.
    pub repo: Option<String>,
    /// Its SOP phase.
    pub phase: Option<String>,
    /// First event, ms since the epoch.
    pub started_ms: i64,
    /// Newest event.
    pub last_seen_ms: i64,
    /// When it is over without another event.
    pub expires_ms: i64,
    /// When it ended (its end event, or a person).
    pub ended_ms: Option<i64>,
}

/// One lease row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    /// Repository identity ('' outside a repository).
    pub repo: String,
    /// Path inside the repository (absolute outside one).
    pub path: String,
    /// Holder agent.
    pub agent: String,
    /// Holder session.
    pub session: String,
    /// Holder's machine.
    pub host: String,
    /// Taken at.
    pub since_ms: i64,
    /// Lapses at (without another edit).
    pub expires_ms: i64,
}

/// One lock row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRow {
    /// The resource name.
    pub resource: String,
    /// Who holds it.
    pub holder: String,
    /// The grant's fencing token.
    pub token: i64,
    /// What the holder releases or extends it with.
    pub secret: String,
    /// Granted at.
    pub acquired_ms: i64,
    /// Lapses at.
    pub expires_ms: i64,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// Sequence number.
    pub seq: i64,
    /// When.
    pub ts_ms: i64,
    /// `session_started`, `lease_taken`, …
    pub kind: String,
    /// Agent concerned ('' for locks).
    pub agent: String,
    /// Session concerned.
    pub session: String,
    /// JSON detail.
    pub detail: String,
}

const SESSION_COLS: &str =
    "agent, session, host, pid, cwd, repo, phase, started_ms, last_seen_ms, expires_ms, ended_ms";

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        agent: r.get(0)?,
        session: r.get(1)?,
        host: r.get(2)?,
        pid: r.get(3)?,
        cwd: r.get(4)?,
        repo: r.get(5)?,
        phase: r.get(6)?,
        started_ms: r.get(7)?,
        last_seen_ms: r.get(8)?,
        expires_ms: r.get(9)?,
        ended_ms: r.get(10)?,
    })
}

fn lease_row(r: &Row<'_>) -> rusqlite::Result<LeaseRow> {
    Ok(LeaseRow {
        repo: r.get(0)?,
        path: r.get(1)?,
        agent: r.get(2)?,
        session: r.get(3)?,
        host: r.get(4)?,
        since_ms: r.get(5)?,
        expires_ms: r.get(6)?,
    })
}

fn lock_row(r: &Row<'_>) -> rusqlite::Result<LockRow> {
    Ok(LockRow {
        resource: r.get(0)?,
        holder: r.get(1)?,
        token: r.get(2)?,
        secret: r.get(5)?,
        acquired_ms: r.get(3)?,
        expires_ms: r.get(4)?,
    })
}

/// Registers a session or refreshes it. Returns whether it is new (or
/// was over and starts again).
pub fn beat(tx: &WriteTx<'_>, s: &SessionRow) -> Result<bool, StoreError> {
    let c = tx.sqlite();
    let live: Option<bool> = c
        .prepare_cached(
            "SELECT ended_ms IS NULL AND expires_ms > ?3 FROM coord_sessions WHERE agent = ?1 AND session = ?2",
        )
        .and_then(|mut st| {
            st.query_row(params![s.agent, s.session, s.last_seen_ms], |r| r.get(0))
                .optional()
        })
        .map_err(err(tx))?;
    c.prepare_cached(
        "INSERT INTO coord_sessions (agent, session, host, pid, cwd, repo, phase, started_ms, last_seen_ms, expires_ms, ended_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, NULL)
         ON CONFLICT (agent, session) DO UPDATE SET host = excluded.host,
           pid = coalesce(excluded.pid, pid), cwd = coalesce(excluded.cwd, cwd),
           repo = coalesce(excluded.repo, repo), phase = coalesce(excluded.phase, phase),
           started_ms = CASE WHEN ended_ms IS NULL AND expires_ms > excluded.last_seen_ms THEN started_ms ELSE excluded.started_ms END,
           last_seen_ms = excluded.last_seen_ms, expires_ms = excluded.expires_ms, ended_ms = NULL",
    )
    .and_then(|mut st| {
        st.execute(params![
            s.agent,
            s.session,
            s.host,
            s.pid,
            s.cwd,
            s.repo,
            s.phase,
            s.last_seen_ms,
            s.expires_ms
        ])
    })
    .map_err(err(tx))?;
    Ok(live != Some(true))
}

/// Marks a session ended and drops its leases; returns how many leases it
/// held, or `None` when the session is unknown or already over.
pub fn end(
    tx: &WriteTx<'_>,
    agent: &str,
    session: &str,
    now_ms: i64,
) -> Result<Option<usize>, StoreError> {
    let n = tx
        .sqlite()
        .prepare_cached(
            "UPDATE coord_sessions SET ended_ms = ?3 WHERE agent = ?1 AND session = ?2 AND ended_ms IS NULL AND expires_ms > ?3",
        )
        .and_then(|mut st| st.execute(params![agent, session, now_ms]))
        .map_err(err(tx))?;
    let leases = tx
        .sqlite()
        .prepare_cached("DELETE FROM coord_leases WHERE agent = ?1 AND session = ?2")
        .and_then(|mut st| st.execute(params![agent, session]))
        .map_err(err(tx))?;
    Ok((n > 0).then_some(leases))
}

/// One session, live or not.
pub fn session(
    c: &impl Conn,
    agent: &str,
    session: &str,
) -> Result<Option<SessionRow>, StoreError> {
    c.sqlite()
        .prepare_cached(&format!(
            "SELECT {SESSION_COLS} FROM coord_sessions WHERE agent = ?1 AND session = ?2"
        ))
        .and_then(|mut st| {
            st.query_row(params![agent, session], session_row)
                .optional()
        })
        .map_err(err(c))
}

/// Sessions, newest first: the live ones at `now_ms`, or all.
pub fn sessions(c: &impl Conn, now_ms: i64, all: bool) -> Result<Vec<SessionRow>, StoreError> {
    let mut st = c
        .sqlite()
        .prepare_cached(&format!(
            "SELECT {SESSION_COLS} FROM coord_sessions
             WHERE ?2 OR (ended_ms IS NULL AND expires_ms > ?1) ORDER BY last_seen_ms DESC"
        ))
        .map_err(err(c))?;
    let rows = st
        .query_map(params![now_ms, all], session_row)
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}

/// The live leases on `keys` held by sessions other than (`agent`,
/// `session`): a lease counts while it has not lapsed and its session is
/// live. A key path ending in `/` is a folder and matches every lease
/// inside it (`./`: the whole repository).
pub fn held_by_others(
    c: &impl Conn,
    keys: &[(String, String)],
    agent: &str,
    session: &str,
    now_ms: i64,
) -> Result<Vec<LeaseRow>, StoreError> {
    let mut st = c
        .sqlite()
        .prepare_cached(
            "SELECT l.repo, l.path, l.agent, l.session, l.host, l.since_ms, l.expires_ms
             FROM coord_leases l JOIN coord_sessions s ON s.agent = l.agent AND s.session = l.session
             WHERE l.repo = ?1
               AND (l.path = ?2 OR (substr(?2, -1) = '/'
                 AND (?2 = './' OR l.path = rtrim(?2, '/') OR substr(l.path, 1, length(?2)) = ?2)))
               AND NOT (l.agent = ?3 AND l.session = ?4)
               AND l.expires_ms > ?5 AND s.ended_ms IS NULL AND s.expires_ms > ?5",
        )
        .map_err(err(c))?;
    let mut out = Vec::new();
    for (repo, path) in keys {
        let rows = st
            .query_map(params![repo, path, agent, session, now_ms], lease_row)
            .map_err(err(c))?;
        for r in rows {
            out.push(r.map_err(err(c))?);
        }
    }
    Ok(out)
}

/// Takes or refreshes a lease (replacing a lapsed or dead holder's).
/// Returns whether it is new for this session.
pub fn take(tx: &WriteTx<'_>, l: &LeaseRow) -> Result<bool, StoreError> {
    let c = tx.sqlite();
    let mine: Option<bool> = c
        .prepare_cached(
            "SELECT agent = ?3 AND session = ?4 AND expires_ms > ?5 FROM coord_leases WHERE repo = ?1 AND path = ?2",
        )
        .and_then(|mut st| {
            st.query_row(params![l.repo, l.path, l.agent, l.session, l.since_ms], |r| r.get(0))
                .optional()
        })
        .map_err(err(tx))?;
    c.prepare_cached(
        "INSERT INTO coord_leases (repo, path, agent, session, host, since_ms, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (repo, path) DO UPDATE SET
           since_ms = CASE WHEN agent = excluded.agent AND session = excluded.session AND expires_ms > excluded.since_ms
             THEN since_ms ELSE excluded.since_ms END,
           agent = excluded.agent, session = excluded.session, host = excluded.host,
           expires_ms = excluded.expires_ms",
    )
    .and_then(|mut st| {
        st.execute(params![
            l.repo,
            l.path,
            l.agent,
            l.session,
            l.host,
            l.since_ms,
            l.expires_ms
        ])
    })
    .map_err(err(tx))?;
    Ok(mine != Some(true))
}

/// Live leases (lapsed ones and those of sessions that are over are left
/// out), optionally of one session.
pub fn leases(
    c: &impl Conn,
    now_ms: i64,
    of: Option<(&str, &str)>,
) -> Result<Vec<LeaseRow>, StoreError> {
    let (agent, session) = of.unzip();
    let mut st = c
        .sqlite()
        .prepare_cached(
            "SELECT l.repo, l.path, l.agent, l.session, l.host, l.since_ms, l.expires_ms
             FROM coord_leases l JOIN coord_sessions s ON s.agent = l.agent AND s.session = l.session
             WHERE l.expires_ms > ?1 AND s.ended_ms IS NULL AND s.expires_ms > ?1
               AND (?2 IS NULL OR (l.agent = ?2 AND l.session = ?3))
             ORDER BY l.since_ms, l.repo, l.path",
        )
        .map_err(err(c))?;
    let rows = st
        .query_map(params![now_ms, agent, session], lease_row)
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}

/// Drops the lease on (`repo`, `path`), only when (`agent`, `session`)
/// holds it if given. Returns the dropped row.
pub fn release_lease(
    tx: &WriteTx<'_>,
    repo: &str,
    path: &str,
    holder: Option<(&str, &str)>,
) -> Result<Option<LeaseRow>, StoreError> {
    let (agent, session) = holder.unzip();
    tx.sqlite()
        .prepare_cached(
            "DELETE FROM coord_leases WHERE repo = ?1 AND path = ?2 AND (?3 IS NULL OR (agent = ?3 AND session = ?4))
             RETURNING repo, path, agent, session, host, since_ms, expires_ms",
        )
        .and_then(|mut st| {
            st.query_row(params![repo, path, agent, session], lease_row)
                .optional()
        })
        .map_err(err(tx))
}

/// The lock on `resource`, lapsed or not.
pub fn lock(c: &impl Conn, resource: &str) -> Result<Option<LockRow>, StoreError> {
    c.sqlite()
        .prepare_cached(
            "SELECT resource, holder, token, acquired_ms, expires_ms, secret FROM coord_locks WHERE resource = ?1",
        )
        .and_then(|mut st| {
            st.query_row(params![resource], lock_row)
            .optional()
        })
        .map_err(err(c))
}

/// Every lock that has not lapsed at `now_ms`.
pub fn locks(c: &impl Conn, now_ms: i64) -> Result<Vec<LockRow>, StoreError> {
    let mut st = c
        .sqlite()
        .prepare_cached(
            "SELECT resource, holder, token, acquired_ms, expires_ms, secret FROM coord_locks
             WHERE expires_ms > ?1 ORDER BY resource",
        )
        .map_err(err(c))?;
    let rows = st.query_map(params![now_ms], lock_row).map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}

/// The next fencing token of `resource` (one more than the last handed out).
pub fn next_token(tx: &WriteTx<'_>, resource: &str) -> Result<i64, StoreError> {
    tx.sqlite()
        .prepare_cached(
            "INSERT INTO coord_fences (resource, token) VALUES (?1, 1)
             ON CONFLICT (resource) DO UPDATE SET token = token + 1 RETURNING token",
        )
        .and_then(|mut st| st.query_row(params![resource], |r| r.get(0)))
        .map_err(err(tx))
}

/// Writes a grant (replacing a lapsed one).
pub fn put_lock(tx: &WriteTx<'_>, l: &LockRow) -> Result<(), StoreError> {
    tx.sqlite()
        .prepare_cached(
            "INSERT INTO coord_locks (resource, holder, token, acquired_ms, expires_ms, secret) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (resource) DO UPDATE SET holder = excluded.holder, token = excluded.token,
               acquired_ms = excluded.acquired_ms, expires_ms = excluded.expires_ms, secret = excluded.secret",
        )
        .and_then(|mut st| {
            st.execute(params![
                l.resource,
                l.holder,
                l.token,
                l.acquired_ms,
                l.expires_ms,
                l.secret
            ])
        })
        .map(|_| ())
        .map_err(err(tx))
}

/// Deletes the grant of `resource` with `token` and `secret`; whether
/// there was one.
pub fn delete_lock(
    tx: &WriteTx<'_>,
    resource: &str,
    token: i64,
    secret: &str,
) -> Result<bool, StoreError> {
    tx.sqlite()
        .prepare_cached(
            "DELETE FROM coord_locks WHERE resource = ?1 AND token = ?2 AND secret = ?3",
        )
        .and_then(|mut st| st.execute(params![resource, token, secret]))
        .map(|n| n > 0)
        .map_err(err(tx))
}

/// Appends a change; returns its sequence number.
pub fn append_event(
    tx: &WriteTx<'_>,
    ts_ms: i64,
    kind: &str,
    agent: &str,
    session: &str,
    detail: &str,
) -> Result<i64, StoreError> {
    tx.sqlite()
        .prepare_cached(
            "INSERT INTO coord_events (ts_ms, kind, agent, session, detail) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING seq",
        )
        .and_then(|mut st| {
            st.query_row(params![ts_ms, kind, agent, session, detail], |r| r.get(0))
        })
        .map_err(err(tx))
}

/// Changes after `seq`, oldest first, at most `limit`.
pub fn events_after(c: &impl Conn, seq: i64, limit: usize) -> Result<Vec<EventRow>, StoreError> {
    let mut st = c
        .sqlite()
        .prepare_cached(
            "SELECT seq, ts_ms, kind, agent, session, detail FROM coord_events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )
        .map_err(err(c))?;
    let rows = st
        .query_map(params![seq, limit as i64], |r| {
            Ok(EventRow {
                seq: r.get(0)?,
                ts_ms: r.get(1)?,
                kind: r.get(2)?,
                agent: r.get(3)?,
                session: r.get(4)?,
                detail: r.get(5)?,
            })
        })
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}
