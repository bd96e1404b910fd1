//! Per-session SOP state in the `sop_sessions` table.

use rusqlite::{Connection, OptionalExtension, params};
use uas_core::AgentId;
use uas_sop::SessionState;

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredSession {
    /// The agent.
    pub agent: String,
    /// The session id.
    pub session: String,
    /// Its state.
    pub state: SessionState,
    /// Last change, ms since the epoch.
    pub updated_ms: i64,
}

/// The state of a session (fresh when unknown or unreadable).
pub fn load(conn: &Connection, agent: AgentId, session: &str) -> rusqlite::Result<SessionState> {
    let text: Option<String> = conn
        .prepare_cached("SELECT state FROM sop_sessions WHERE agent = ?1 AND session = ?2")?
        .query_row(params![agent.as_str(), session], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Stores the state of a session.
pub fn save(
    conn: &Connection,
    agent: AgentId,
    session: &str,
    state: &SessionState,
) -> rusqlite::Result<()> {
    let text = serde_json::to_string(state).unwrap_or_else(|_| "{}".into());
    conn.prepare_cached(
        "INSERT INTO sop_sessions (agent, session, state, updated_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (agent, session) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms",
    )?
    .execute(params![agent.as_str(), session, text, uas_core::now_ms()])?;
    Ok(())
}

/// Sessions, newest first, optionally only one id.
pub fn list(conn: &Connection, session: Option<&str>) -> rusqlite::Result<Vec<StoredSession>> {
    let mut stmt = conn.prepare(
        "SELECT agent, session, state, updated_ms FROM sop_sessions
         WHERE ?1 IS NULL OR session = ?1 ORDER BY updated_ms DESC, rowid DESC",
    )?;
    let rows = stmt.query_map(params![session], |r| {
        let text: String = r.get(2)?;
        Ok(StoredSession {
            agent: r.get(0)?,
            session: r.get(1)?,
            state: serde_json::from_str(&text).unwrap_or_default(),
            updated_ms: r.get(3)?,
        })
    })?;
    rows.collect()
}
