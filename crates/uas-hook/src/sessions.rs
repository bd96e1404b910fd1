//! Per-session SOP state: the typed view of `uas-store`'s `sop_sessions`.

use uas_core::AgentId;
use uas_sop::SessionState;
use uas_store::{Conn, StoreError, WriteTx};

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
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
pub fn load(c: &impl Conn, agent: AgentId, session: &str) -> Result<SessionState, StoreError> {
    Ok(uas_store::sessions::load(c, agent.as_str(), session)?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Stores the state of a session.
pub fn save(
    tx: &WriteTx<'_>,
    agent: AgentId,
    session: &str,
    state: &SessionState,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(state).unwrap_or_else(|_| "{}".into());
    uas_store::sessions::save(tx, agent.as_str(), session, &text, uas_core::now_ms())
}

/// Sessions, newest first, optionally only one id.
pub fn list(c: &impl Conn, session: Option<&str>) -> Result<Vec<StoredSession>, StoreError> {
    Ok(uas_store::sessions::list(c, session)?
        .into_iter()
        .map(|r| StoredSession {
            agent: r.agent,
            session: r.session,
            state: serde_json::from_str(&r.state).unwrap_or_default(),
            updated_ms: r.updated_ms,
        })
        .collect())
}
