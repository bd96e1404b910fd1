//! Effects, not intentions: a shell call can write a leased file in ways no
//! parser reads (`python -c`, `perl -pi`, `$F`, globs, `make`). So around
//! every allowed shell call, the files other live sessions hold in its
//! repository are stat'ed before and after (size, mtime, inode; kept in the
//! `meta` table between the two events), and one that changed is recorded
//! as a `lease_violated` event naming the file and its holder.

use crate::coordination::HookCoordination;
use serde_json::json;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use uas_audit::{AuditError, NewEvent, Severity, Tx};
use uas_core::{AgentEvent, EventKind, ToolClass};
use uas_sop::{Action, Decision, SessionState};
use uas_store::meta;

fn key(event: &AgentEvent) -> String {
    format!("leasewatch.{}.{}", event.agent, event.session)
}

/// mtime (s, ns), size and inode: what a write changes.
type Stamp = (i64, i64, u64, u64);

/// A file's identity as far as a change goes (`None`: absent).
fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.mtime(), m.mtime_nsec(), m.size(), m.ino()))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Watched {
    /// Absolute path -> (holder, stamp before, the lease's expiry then).
    files: BTreeMap<String, (String, Option<Stamp>, i64)>,
}

/// Others' leases in the repository of `cwd` (and those outside any
/// repository), by absolute path.
fn others_files(
    tx: &Tx<'_, '_>,
    coord: &HookCoordination,
    event: &AgentEvent,
    cwd: &str,
) -> BTreeMap<String, uas_coord::Lease> {
    let repo = uas_coord::repo::repo_of(Path::new(cwd));
    let Ok(leases) = coord.others_leases(tx.store(), event.agent.as_str(), &event.session) else {
        return BTreeMap::new();
    };
    leases
        .into_iter()
        .filter_map(|l| {
            let path = match &repo {
                _ if l.key.repo.is_empty() => Path::new(&l.key.path).to_path_buf(),
                Some(r) if r.id == l.key.repo => r.root.join(&l.key.path),
                _ => return None,
            };
            Some((path.display().to_string(), l))
        })
        .collect()
}

/// Stamps others' leased files at an allowed pre-tool shell call and
/// compares at its post-tool event. A file whose holder edited it in
/// between (its lease was refreshed) is the holder's change, not this
/// call's.
pub(crate) fn around_shell(
    tx: &mut Tx<'_, '_>,
    coord: &HookCoordination,
    event: &AgentEvent,
    state: &SessionState,
    decision: &Decision,
    notes: &mut Vec<String>,
) -> Result<(), AuditError> {
    let tool = event.tool.as_ref().or(state.pending_tool.as_ref());
    if !tool.is_some_and(|t| t.class == ToolClass::Shell) {
        return Ok(());
    }
    let Some(cwd) = event.cwd.as_deref().or(state.cwd.as_deref()) else {
        return Ok(());
    };
    match event.kind {
        EventKind::PreTool => {
            // A call whose post event never came (refused by the user)
            // must not leave its stamps for the next one.
            meta::remove(tx.store(), &key(event))?;
            if decision.action == Action::Deny {
                return Ok(());
            }
            let files: BTreeMap<_, _> = others_files(tx, coord, event, cwd)
                .into_iter()
                .map(|(path, l)| {
                    let stamp = stamp(Path::new(&path));
                    (
                        path,
                        (
                            format!("{} session {}", l.agent, l.session),
                            stamp,
                            l.expires_ms,
                        ),
                    )
                })
                .collect();
            if !files.is_empty() {
                let text = serde_json::to_string(&Watched { files }).unwrap_or_default();
                meta::set(tx.store(), &key(event), &text)?;
            }
        }
        EventKind::PostTool => {
            let Some(before) = meta::take(tx.store(), &key(event))?
                .and_then(|t| serde_json::from_str::<Watched>(&t).ok())
            else {
                return Ok(());
            };
            let now = others_files(tx, coord, event, cwd);
            let changed: Vec<(String, String)> = before
                .files
                .into_iter()
                .filter(|(path, (_, was, expires))| {
                    now.get(path).is_some_and(|l| l.expires_ms == *expires)
                        && stamp(Path::new(path)) != *was
                })
                .map(|(path, (holder, _, _))| (path, holder))
                .collect();
            if changed.is_empty() {
                return Ok(());
            }
            let reason = format!(
                "a shell call changed files another agent session holds: {}",
                changed
                    .iter()
                    .map(|(p, h)| format!("{p} (held by {h})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let record = tx.append(&NewEvent {
                ts_ms: event.received_ms,
                agent: event.agent.as_str().into(),
                session: event.session.clone(),
                kind: "lease_violated".into(),
                severity: Severity::Error,
                payload: json!({
                    "observed": "stat",
                    "files": changed.iter().map(|(p, h)| json!({"path": p, "holder": h})).collect::<Vec<_>>(),
                    "command": tool.and_then(|t| t.command.as_deref()),
                })
                .to_string(),
                decision: Some(
                    json!({"action": "warn", "rule": crate::coordination::LEASE_RULE, "reason": reason, "severity": "error", "violation": "sop"})
                        .to_string(),
                ),
            })?;
            notes.push(format!("{reason} (event {})", record.seq));
        }
        _ => {}
    }
    Ok(())
}
