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
    /// Why the stored state could not be read (its state is then
    /// [`assumed`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

/// The state assumed for a session whose stored state cannot be read: the
/// worst case, so gates fail closed. It edited files (a commit needs a
/// passing test run first), and it has no plan (edits need one). Its working
/// directory is kept when the damaged text still names it.
pub fn assumed(text: &str) -> SessionState {
    let mut s = SessionState {
        cwd: text
            .split("\"cwd\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_owned),
        ..SessionState::default()
    };
    s.evidence.insert("edited".into());
    s
}

/// Reads stored state text: the state, or the assumed one and why not.
fn parse(text: &str) -> (SessionState, Option<String>) {
    match serde_json::from_str(text) {
        Ok(s) => (s, None),
        Err(e) => (
            assumed(text),
            Some(format!("stored SOP state is unreadable ({e})")),
        ),
    }
}

/// The state of a session (fresh when unknown; [`assumed`] with the reason
/// when unreadable).
pub fn load_checked(
    c: &impl Conn,
    agent: AgentId,
    session: &str,
) -> Result<(SessionState, Option<String>), StoreError> {
    Ok(uas_store::sessions::load(c, agent.as_str(), session)?
        .map(|t| parse(&t))
        .unwrap_or_default())
}

/// The state of a session (fresh when unknown, [`assumed`] when unreadable).
pub fn load(c: &impl Conn, agent: AgentId, session: &str) -> Result<SessionState, StoreError> {
    load_checked(c, agent, session).map(|(s, _)| s)
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
        .map(|r| {
            let (state, unreadable) = parse(&r.state);
            StoredSession {
                agent: r.agent,
                session: r.session,
                state,
                updated_ms: r.updated_ms,
                unreadable,
            }
        })
        .collect())
}
