//! The hook's use of [`crate::workspace`]: a shell call allowed in a
//! session without a plan is bracketed by two `git status` snapshots, and
//! files it changed are recorded as a violation naming them.

use crate::workspace::{self, Skipped, Snapshot};
use serde_json::json;
use std::path::Path;
use uas_audit::{AuditError, NewEvent, Severity, Tx};
use uas_core::{AgentEvent, EventKind, ToolClass};
use uas_sop::{Action, Decision, SessionState};
use uas_store::meta;

fn key(event: &AgentEvent) -> String {
    format!("workspace.{}.{}", event.agent, event.session)
}

/// At a pre-tool shell call the SOP allowed in a session without a plan,
/// stores the snapshot; at the post-tool event, compares and records.
pub(crate) fn around_shell(
    tx: &mut Tx<'_, '_>,
    event: &AgentEvent,
    state: &mut SessionState,
    decision: &Decision,
    notes: &mut Vec<String>,
) -> Result<(), AuditError> {
    let tool = event.tool.as_ref().or(state.pending_tool.as_ref());
    if !tool.is_some_and(|t| t.class == ToolClass::Shell) {
        return Ok(());
    }
    let Some(cwd) = event.cwd.clone().or_else(|| state.cwd.clone()) else {
        return Ok(());
    };
    match event.kind {
        EventKind::PreTool if decision.action != Action::Deny && !state.has("plan") => {
            match workspace::snapshot(Path::new(&cwd)) {
                Ok(s) => {
                    let text = serde_json::to_string(&s).unwrap_or_default();
                    meta::set(tx.store(), &key(event), &text)?;
                }
                Err(Skipped::NotARepo) => {}
                Err(Skipped::Git(why)) => {
                    notes.push(format!("workspace not snapshotted: {why}"));
                }
            }
        }
        EventKind::PostTool => {
            let Some(before) = meta::take(tx.store(), &key(event))?
                .and_then(|t| serde_json::from_str::<Snapshot>(&t).ok())
            else {
                return Ok(());
            };
            let after = match workspace::snapshot(&before.root) {
                Ok(a) => a,
                Err(Skipped::NotARepo) => return Ok(()),
                Err(Skipped::Git(why)) => {
                    notes.push(format!("workspace not compared: {why}"));
                    return Ok(());
                }
            };
            let files = workspace::changed(&before, &after);
            if files.is_empty() {
                return Ok(());
            }
            let reason = format!(
                "a shell call changed workspace files before a plan was written: {}",
                files.join(", ")
            );
            let record = tx.append(&NewEvent {
                ts_ms: event.received_ms,
                agent: event.agent.as_str().into(),
                session: event.session.clone(),
                kind: "workspace_changed".into(),
                severity: Severity::Error,
                payload: json!({
                    "observed": "git-status",
                    "repository": before.root,
                    "files": files,
                    "command": tool.and_then(|t| t.command.as_deref()),
                })
                .to_string(),
                decision: Some(
                    json!({"action": "warn", "rule": "workspace-changed-without-plan", "reason": reason, "severity": "error", "violation": "sop"})
                        .to_string(),
                ),
            })?;
            // Edits as far as the SOP is concerned: tests before a commit.
            state.evidence.insert("edited".into());
            state.last_edit_seq = record.seq;
            notes.push(format!("{reason} (event {})", record.seq));
        }
        _ => {}
    }
    Ok(())
}
