//! The hook's side of the protected-file baseline
//! ([`uas_providers::guard`]): after each of a session's calls, any change
//! of a file that keeps the SOP in force, made by anything but uas, is a
//! critical tamper event and locks the session.

use serde_json::json;
use std::path::PathBuf;
use uas_audit::{AuditError, NewEvent, Severity, Tx};
use uas_core::{AgentEvent, EventKind, Home};
use uas_providers::ProbeEnv;
use uas_providers::guard::{Baseline, Change, META_KEY, watched};
use uas_sop::{Lock, SessionState};
use uas_store::{Conn, meta};

/// Compares the protected files with the stored baseline inside the hook's
/// write transaction (on every event), saving what moved; the first hook on a home takes the
/// baseline. A stored baseline that cannot be read is itself a change.
pub fn changes(
    tx: &Tx<'_, '_>,
    home: &Home,
    probe: &ProbeEnv,
    secrets: &[PathBuf],
    by: &str,
) -> Result<Vec<Change>, AuditError> {
    let now = uas_core::now_ms();
    let stored = meta::get(tx.store(), META_KEY)?;
    let (mut changes, mut baseline) = match stored.as_deref().map(Baseline::parse) {
        Some(Some(b)) => (Vec::new(), b),
        found => {
            let b = Baseline::take(watched(home, probe, secrets), "hook", now);
            meta::set(tx.store(), META_KEY, &b.to_text())?;
            let lost = found.is_some().then(|| Change {
                path: PathBuf::from(format!(
                    "{} (meta `{META_KEY}`)",
                    tx.store().db_path().display()
                )),
                watch: uas_providers::guard::Watch::Whole,
                what: "the stored baseline is unreadable; a new one was taken".into(),
            });
            return Ok(lost.into_iter().collect());
        }
    };
    let (found, dirty) = baseline.check(by, now);
    changes.extend(found);
    if dirty {
        meta::set(tx.store(), META_KEY, &baseline.to_text())?;
    }
    Ok(changes)
}

/// Records `changes` as one critical tamper event and, when the event is
/// part of the agent's turn, locks the session. Returns the event's sequence number.
pub fn record(
    tx: &mut Tx<'_, '_>,
    event: &AgentEvent,
    state: &mut SessionState,
    changes: &[Change],
) -> Result<u64, AuditError> {
    let files: Vec<String> = changes
        .iter()
        .map(|c| c.path.display().to_string())
        .collect();
    let list = changes
        .iter()
        .map(|c| format!("{} ({})", c.path.display(), c.what))
        .collect::<Vec<_>>()
        .join(", ");
    // A change first seen at a session start or a prompt happened between
    // the agent's turns (a person editing their config): recorded, but not
    // blamed on the session. Around a tool call, or at its turn's end, it
    // is the session's doing as far as anyone can tell.
    // A settings change event may be a person's edit noticed mid-session:
    // recorded (and kept out of the session), not blamed.
    let locks = matches!(
        event.kind,
        EventKind::PreTool
            | EventKind::Permission
            | EventKind::PostTool
            | EventKind::SubagentStart
            | EventKind::SubagentStop
            | EventKind::Compact
            | EventKind::Stop
            | EventKind::AgentError
    );
    let after = match &event.tool {
        Some(t) => format!("after a `{}` call", t.name),
        None => format!("at a `{}` event", event.agent_event),
    };
    let reason = format!("a protected file changed outside uas ({after}): {list}.");
    let record = tx.append(&NewEvent {
        ts_ms: event.received_ms,
        agent: event.agent.as_str().into(),
        session: event.session.clone(),
        kind: "tamper".into(),
        severity: Severity::Critical,
        payload: json!({
            "observed": "protected-files",
            "changes": changes,
            "agent_event": event.agent_event,
            "tool": event.tool.as_ref().map(|t| &t.name),
            "locked": locks,
        })
        .to_string(),
        decision: Some(
            json!({"action": "deny", "rule": "protected-files", "reason": reason, "severity": "critical", "violation": "tamper"})
                .to_string(),
        ),
    })?;
    if locks && state.locked.is_none() {
        state.locked = Some(Lock {
            reason,
            files,
            seq: record.seq,
            at_ms: event.received_ms,
        });
    }
    Ok(record.seq)
}
