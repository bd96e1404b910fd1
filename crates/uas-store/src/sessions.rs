//! `sop_sessions`: each session's SOP state (JSON owned by `uas-sop`),
//! written in the same transaction as the event that changed it.

use crate::{Conn, StoreError, WriteTx, err};
use rusqlite::{OptionalExtension, params};

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The agent.
    pub agent: String,
    /// The session id.
    pub session: String,
    /// Its state, as JSON text.
    pub state: String,
    /// Last change, ms since the epoch.
    pub updated_ms: i64,
}

/// The stored state of a session, when there is one.
pub fn load(c: &impl Conn, agent: &str, session: &str) -> Result<Option<String>, StoreError> {
    c.sqlite()
        .prepare_cached("SELECT state FROM sop_sessions WHERE agent = ?1 AND session = ?2")
        .and_then(|mut s| {
            s.query_row(params![agent, session], |r| r.get(0))
                .optional()
        })
        .map_err(err(c))
}

/// Stores the state of a session.
pub fn save(
    tx: &WriteTx<'_>,
    agent: &str,
    session: &str,
    state: &str,
    updated_ms: i64,
) -> Result<(), StoreError> {
    tx.sqlite()
        .prepare_cached(
            "INSERT INTO sop_sessions (agent, session, state, updated_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (agent, session) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms",
        )
        .and_then(|mut s| s.execute(params![agent, session, state, updated_ms]))
        .map(|_| ())
        .map_err(err(tx))
}

/// Sessions, newest first, optionally only one id.
pub fn list(c: &impl Conn, session: Option<&str>) -> Result<Vec<SessionRow>, StoreError> {
    let mut stmt = c
        .sqlite()
        .prepare(
            "SELECT agent, session, state, updated_ms FROM sop_sessions
             WHERE ?1 IS NULL OR session = ?1 ORDER BY updated_ms DESC, rowid DESC",
        )
        .map_err(err(c))?;
    let rows = stmt
        .query_map(params![session], |r| {
            Ok(SessionRow {
                agent: r.get(0)?,
                session: r.get(1)?,
                state: r.get(2)?,
                updated_ms: r.get(3)?,
            })
        })
        .map_err(err(c))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err(c))
}
