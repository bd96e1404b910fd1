//! Protected files and locked sessions: the baseline uas takes after each
//! of its own changes, what `uas status` reports, and a person's approval
//! (`uas sop approve`) of a gate or a lock.

use crate::{ApiError, App};
use serde::Serialize;
use std::path::PathBuf;
use uas_audit::{NewEvent, Severity, Tx};
use uas_core::AgentId;
use uas_hook::sessions;
use uas_providers::guard::{Baseline, META_KEY, Watch, watched};
use uas_sop::{Approved, Lock};
use uas_store::meta;

/// A protected file that changed outside uas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct GuardChange {
    /// The file.
    pub path: PathBuf,
    /// What changed.
    pub what: String,
    /// Who noticed it first (`<agent> <session>`), `None` when only this
    /// check saw it.
    pub noticed_by: Option<String>,
    /// When it was noticed (ms since the epoch).
    pub noticed_ms: Option<i64>,
}

/// A session every tool call of which is denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LockedSession {
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// Why.
    pub lock: Lock,
}

/// `uas status`'s view of the protected files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct GuardReport {
    /// When uas last took the baseline (ms), and by which command.
    pub baseline_ms: Option<i64>,
    /// The command that took it.
    pub baseline_by: Option<String>,
    /// How many files are watched.
    pub watched: usize,
    /// Files changed outside uas since.
    pub changed: Vec<GuardChange>,
    /// Locked sessions.
    pub locked: Vec<LockedSession>,
}

/// How a person approved (recorded in the audit event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ApprovalMethod {
    /// `cli-terminal-code`, later `desktop`, `web`.
    pub method: String,
    /// The login name.
    pub user: String,
    /// The terminal the code was typed on.
    pub tty: Option<String>,
}

/// The result of `uas sop approve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ApproveReport {
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// What was approved.
    pub approved: Approved,
    /// The session's phase now.
    pub phase: String,
    /// The audit event.
    pub seq: u64,
}

/// What a session waits for a person to approve (shown before asking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PendingApproval {
    /// The agent.
    pub agent: String,
    /// The session.
    pub session: String,
    /// The session's working directory.
    pub cwd: Option<String>,
    /// Evidence waiting for approval (`plan`).
    pub awaiting: Vec<String>,
    /// The plan files that exist in the session's directory.
    pub plan_files: Vec<PathBuf>,
    /// The lock, when the session is locked.
    pub locked: Option<Lock>,
}

/// The SOP's plan files that exist in a session's working directory.
pub(crate) fn plan_files_in(sop: &uas_sop::Sop, cwd: Option<&str>) -> Vec<PathBuf> {
    cwd.map(|c| {
        sop.plan_files
            .iter()
            .map(|f| std::path::Path::new(c).join(f))
            .filter(|p| p.is_file())
            .collect()
    })
    .unwrap_or_default()
}

impl App {
    fn watched_files(&self) -> Vec<(PathBuf, Watch)> {
        let secrets: Vec<PathBuf> = self
            .sop_context()
            .secrets
            .iter()
            .map(PathBuf::from)
            .collect();
        watched(&self.home, &self.probe, &secrets)
    }

    /// Takes the protected-file baseline in `tx`: the files as uas just left
    /// them. Every uas operation that changes them calls it in the
    /// transaction that records the operation.
    pub(crate) fn take_baseline(&self, tx: &Tx<'_, '_>, by: &str) -> Result<(), ApiError> {
        let b = Baseline::take(self.watched_files(), by, uas_core::now_ms());
        meta::set(tx.store(), META_KEY, &b.to_text())?;
        Ok(())
    }

    /// Lifts every session's lock (after `uas repair` put the files back),
    /// one audit event each.
    pub(crate) fn unlock_all(&self, tx: &mut Tx<'_, '_>, by: &str) -> Result<usize, ApiError> {
        let locked: Vec<_> = sessions::list(tx.store(), None)?
            .into_iter()
            .filter(|s| s.state.locked.is_some())
            .collect();
        for mut s in locked.iter().cloned() {
            let Ok(agent) = s.agent.parse::<AgentId>() else {
                continue;
            };
            let lock = s.state.locked.take();
            tx.append(&NewEvent {
                ts_ms: uas_core::now_ms(),
                agent: s.agent.clone(),
                session: s.session.clone(),
                kind: "unlock".into(),
                severity: Severity::Warning,
                payload: serde_json::json!({"by": by, "lock": lock}).to_string(),
                decision: None,
            })?;
            sessions::save(tx.store(), agent, &s.session, &s.state)?;
        }
        Ok(locked.len())
    }

    /// The protected files and locked sessions, read-only: changes a hook
    /// already noticed, and changes since the last hook (not saved).
    pub fn guard_report(&self) -> Result<GuardReport, ApiError> {
        let log = match self.audit_log() {
            Ok(l) => l,
            // No database yet: nothing set up to guard.
            Err(_) => return Ok(GuardReport::default()),
        };
        let stored = meta::get(log.db(), META_KEY)?;
        let mut report = GuardReport {
            locked: sessions::list(log.db(), None)?
                .into_iter()
                .filter_map(|s| {
                    s.state.locked.clone().map(|lock| LockedSession {
                        agent: s.agent,
                        session: s.session,
                        lock,
                    })
                })
                .collect(),
            ..GuardReport::default()
        };
        let Some(text) = stored else {
            return Ok(report);
        };
        let Some(mut b) = Baseline::parse(&text) else {
            report.changed.push(GuardChange {
                path: PathBuf::from(format!("meta `{META_KEY}`")),
                what: "the stored baseline is unreadable".into(),
                noticed_by: None,
                noticed_ms: None,
            });
            return Ok(report);
        };
        report.baseline_ms = Some(b.taken_ms);
        report.baseline_by = Some(b.by.clone());
        report.watched = b.files.len();
        report.changed = b
            .changed()
            .map(|e| GuardChange {
                path: e.path.clone(),
                what: "changed".into(),
                noticed_by: e.changed.as_ref().map(|s| s.by.clone()),
                noticed_ms: e.changed.as_ref().map(|s| s.at_ms),
            })
            .collect();
        let (fresh, _) = b.check("uas status", uas_core::now_ms());
        for c in fresh {
            match report.changed.iter_mut().find(|g| g.path == c.path) {
                Some(g) => g.what = c.what,
                None => report.changed.push(GuardChange {
                    path: c.path,
                    what: c.what,
                    noticed_by: None,
                    noticed_ms: None,
                }),
            }
        }
        Ok(report)
    }

    /// What `session` waits for a person to approve.
    pub fn sop_pending(
        &self,
        session: &str,
        agent: Option<AgentId>,
    ) -> Result<PendingApproval, ApiError> {
        let (sop, _) = self.sop()?;
        let picked = self.pick_session(Some(session), agent, std::path::Path::new("/"))?;
        let cwd = picked.state.cwd.clone();
        let plan_files = plan_files_in(&sop, cwd.as_deref());
        Ok(PendingApproval {
            agent: picked.agent,
            session: picked.session,
            cwd,
            awaiting: picked.state.awaiting.iter().cloned().collect(),
            plan_files,
            locked: picked.state.locked,
        })
    }

    /// `uas sop approve`: a person approves what `session` waits for (its
    /// awaiting evidence) and lifts its lock, accepting the protected files
    /// as they are now (a new baseline). The caller has made sure a person
    /// is at a terminal no agent controls; `how` is recorded.
    pub fn sop_approve(
        &self,
        session: &str,
        agent: Option<AgentId>,
        how: &ApprovalMethod,
    ) -> Result<ApproveReport, ApiError> {
        let (sop, _) = self.sop()?;
        let picked = self.pick_session(Some(session), agent, std::path::Path::new("/"))?;
        let agent_id: AgentId = picked
            .agent
            .parse()
            .map_err(|_| ApiError::Invalid(format!("unknown agent `{}`", picked.agent)))?;
        let mut j = self.journal()?;
        j.write(|tx| {
            let mut state = sessions::load(tx.store(), agent_id, &picked.session)?;
            let approved = sop.approve(&mut state);
            if approved.evidence.is_empty() && approved.unlocked.is_none() {
                return Err(ApiError::Conflict(format!(
                    "session {} of {} waits for no approval and is not locked",
                    picked.session, picked.agent
                )));
            }
            if approved.unlocked.is_some() {
                self.take_baseline(tx, "sop approve")?;
            }
            let phase = sop.phase(&state).1.id.clone();
            let rec = tx.append(&NewEvent {
                ts_ms: uas_core::now_ms(),
                agent: picked.agent.clone(),
                session: picked.session.clone(),
                kind: "approval".into(),
                severity: if approved.unlocked.is_some() {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                payload: serde_json::json!({
                    "approved": approved,
                    "phase": phase,
                    "how": how,
                })
                .to_string(),
                decision: None,
            })?;
            sessions::save(tx.store(), agent_id, &picked.session, &state)?;
            Ok::<_, ApiError>(ApproveReport {
                agent: picked.agent.clone(),
                session: picked.session.clone(),
                approved,
                phase,
                seq: rec.seq,
            })
        })
    }
}

impl App {
    /// Refuses `program` (what a person runs: `uas serve`, the desktop app)
    /// when an AI agent process is among this process's ancestors: it
    /// could answer its own approvals. The attempt is recorded as a
    /// critical tamper event.
    pub fn refuse_under_agent(&self, program: &str) -> Result<(), ApiError> {
        let Some(a) = uas_core::ancestry::agent_ancestor() else {
            return Ok(());
        };
        let _ = self.audit_append(&[uas_audit::NewEvent {
            ts_ms: uas_core::now_ms(),
            agent: a.agent.clone(),
            session: "-".into(),
            kind: "tamper".into(),
            severity: uas_audit::Severity::Critical,
            payload: serde_json::json!({
                "refused": program,
                "agent_pid": a.pid,
                "agent_command": a.command,
            })
            .to_string(),
            decision: Some(r#"{"action":"deny"}"#.into()),
        }]);
        Err(ApiError::Invalid(format!(
            "refused: `{program}` was started by an AI agent (pid {}, {}); only a person may run it, from a terminal or desktop no agent started (recorded as a tamper attempt)",
            a.pid, a.agent
        )))
    }
}
