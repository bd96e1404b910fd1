//! The facade over hooks, the SOP and the audit log: what `uas hook`,
//! `uas sop …`, `uas audit …` and `uas setup git` call.

use crate::{ApiError, App};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_audit::{AuditLog, Journal, NewEvent, Record, Severity, SigningKeys, VerifyReport};
use uas_core::{AgentId, Config, fsx};
use uas_hook::sessions::{self, StoredSession};
use uas_sop::{Gate, SessionState, Sop};

/// How long interactive commands wait for the database lock.
const BUSY: Duration = Duration::from_secs(5);

/// `uas sop phase`: a session and where it stands.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SessionPhase {
    /// The stored session.
    #[serde(flatten)]
    pub session: StoredSession,
    /// Its phase.
    pub phase: String,
    /// 1-based index of the phase.
    pub phase_index: usize,
    /// What the next phase needs.
    pub next: Option<Gate>,
}

/// `uas sop advance`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AdvanceReport {
    /// The agent of the session.
    pub agent: String,
    /// The session.
    pub session: String,
    /// Evidence recorded.
    pub recorded: Vec<String>,
    /// The phase after advancing.
    pub phase: String,
    /// Audit sequence number of the advance record.
    pub seq: u64,
}

/// One SOP rule that matched an explained event.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct MatchingRule {
    /// The rule's id.
    pub rule: String,
    /// What it does.
    pub action: uas_sop::Action,
    /// Evidence it requires.
    pub requires: Vec<String>,
    /// Whether the session has that evidence.
    pub requirements_met: bool,
}

/// `uas sop explain`: how an event would be decided.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ExplainReport {
    /// The agent's event name used.
    pub event_name: String,
    /// The event, normalized.
    pub event: uas_core::AgentEvent,
    /// The session state it is decided against.
    pub state: SessionState,
    /// The rules that match, in order.
    pub matching_rules: Vec<MatchingRule>,
    /// The decision.
    pub decision: uas_sop::Decision,
}

/// `uas sop gate commit`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct GateReport {
    /// True when the commit may go ahead.
    pub allowed: bool,
    /// Why.
    pub reason: String,
    /// The agent session the gate looked at, if any.
    pub session: Option<String>,
}

impl App {
    /// The home's `config.toml` (defaults when it does not exist).
    pub fn config(&self) -> Result<Config, ApiError> {
        Ok(Config::load(&self.home.config_file())?)
    }

    /// `<home>/audit`.
    pub fn audit_dir(&self) -> PathBuf {
        uas_audit::audit_dir(&self.home)
    }

    fn database(&self, config: &Config) -> PathBuf {
        self.home.database(&config.store.database)
    }

    /// The writer (creates the signing key on first use).
    pub fn journal(&self) -> Result<Journal, ApiError> {
        let config = self.config()?;
        Ok(Journal::open(
            &self.audit_dir(),
            &self.database(&config),
            BUSY,
            config.audit.key_store,
        )?)
    }

    /// A wake-up socket for following the log (bind it before the first
    /// read, so no event written in between is missed).
    pub fn audit_waker(&self) -> Result<uas_audit::follow::Waker, ApiError> {
        let dir = uas_audit::follow::followers_dir(&self.audit_dir());
        uas_audit::follow::Waker::bind(&dir).map_err(|source| {
            ApiError::Fs(fsx::FsError {
                action: "bind a follower socket in",
                path: dir,
                source,
            })
        })
    }

    /// A reader.
    pub fn audit_log(&self) -> Result<AuditLog, ApiError> {
        let config = self.config()?;
        Ok(AuditLog::open(&self.database(&config), BUSY)?)
    }

    /// One hook call (`uas hook <agent> <event>`); always answers.
    pub fn hook(&self, agent: &str, event: &str, input: &[u8]) -> uas_hook::Outcome {
        let env = uas_hook::HookEnv {
            home: self.home.clone(),
            probe: self.probe.clone(),
            uas_bin: self.hook_bin_path(),
        };
        uas_hook::run(&env, agent, event, input)
    }

    /// `uas audit verify`.
    pub fn audit_verify(&self) -> Result<VerifyReport, ApiError> {
        let log = self.audit_log()?;
        let dir = self.audit_dir();
        let checkpoint = uas_audit::CheckpointFile::in_dir(&dir).read();
        let (key, location) = match SigningKeys::load(&dir) {
            Ok(Some(k)) => (Ok(k.verifying_key()), Some(k.location().to_string())),
            Ok(None) => (Err("no signing key exists yet".to_owned()), None),
            Err(e) => (Err(e.to_string()), None),
        };
        Ok(uas_audit::verify::verify(&log, checkpoint, key, location)?)
    }

    /// Appends events written by uas itself (not by a hook).
    pub fn audit_append(&self, events: &[NewEvent]) -> Result<Vec<Record>, ApiError> {
        let mut j = self.journal()?;
        Ok(j.write(|tx| {
            events
                .iter()
                .map(|e| tx.append(e))
                .collect::<Result<Vec<_>, _>>()
        })?)
    }

    /// The active SOP, its file (`None`: built in) and any problem loading it.
    pub fn sop(&self) -> Result<(Sop, Option<PathBuf>), ApiError> {
        let config = self.config()?;
        Ok(Sop::load_active(&self.home.sop_dir(), &config.sop.active)?)
    }

    /// The SOP engine's view of this machine (placeholders).
    pub fn sop_context(&self) -> uas_sop::Context {
        uas_hook::run::sop_context(&uas_hook::HookEnv {
            home: self.home.clone(),
            probe: self.probe.clone(),
            uas_bin: self.hook_bin_path(),
        })
    }

    /// `uas sop explain`: normalizes `input` as `agent`'s `event_name`
    /// (default: the payload's `hook_event_name`, else `PreToolUse`) and
    /// shows how the SOP decides it, against the session's stored state or,
    /// with `fresh`, a new session. Records nothing.
    pub fn sop_explain(
        &self,
        input: &[u8],
        agent: AgentId,
        event_name: Option<&str>,
        fresh: bool,
    ) -> Result<ExplainReport, ApiError> {
        let raw: serde_json::Value = serde_json::from_slice(input)
            .map_err(|e| ApiError::Invalid(format!("the event is not JSON: {e}")))?;
        let name = event_name
            .map(str::to_owned)
            .or_else(|| raw["hook_event_name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "PreToolUse".into());
        let event = uas_hook::normalize::normalize(
            agent,
            &name,
            input,
            uas_core::now_ms(),
            Some(&self.probe.user_home),
        )
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
        let (sop, _) = self.sop()?;
        let ctx = self.sop_context();
        let state = if fresh {
            SessionState::default()
        } else {
            self.sop_sessions(Some(&event.session))
                .ok()
                .and_then(|l| l.into_iter().find(|s| s.session.agent == agent.as_str()))
                .map(|s| s.session.state)
                .unwrap_or_default()
        };
        let decision = sop.decide(&ctx, &state, &event);
        let matching_rules = sop
            .matching_rules(&ctx, &state, &event)
            .into_iter()
            .map(|(r, met)| MatchingRule {
                rule: r.id.clone(),
                action: r.action,
                requires: r.requires.clone(),
                requirements_met: met,
            })
            .collect();
        Ok(ExplainReport {
            event_name: name,
            event,
            state,
            matching_rules,
            decision,
        })
    }

    /// Sessions and their phases, newest first.
    pub fn sop_sessions(&self, session: Option<&str>) -> Result<Vec<SessionPhase>, ApiError> {
        let (sop, _) = self.sop()?;
        let log = self.audit_log()?;
        let list = sessions::list(log.db(), session)?;
        Ok(list
            .into_iter()
            .map(|s| {
                let (i, phase) = sop.phase(&s.state);
                SessionPhase {
                    phase: phase.id.clone(),
                    phase_index: i + 1,
                    next: sop.next_gate(&s.state),
                    session: s,
                }
            })
            .collect())
    }

    /// Picks a session: the given one, else the newest whose working
    /// directory is `cwd` (or contains it), else the newest.
    pub(crate) fn pick_session(
        &self,
        session: Option<&str>,
        agent: Option<AgentId>,
        cwd: &Path,
    ) -> Result<StoredSession, ApiError> {
        let log = self.audit_log()?;
        let all = sessions::list(log.db(), session)?;
        let all: Vec<_> = all
            .into_iter()
            .filter(|s| agent.is_none_or(|a| s.agent == a.as_str()))
            .collect();
        let here = all
            .iter()
            .find(|s| s.state.cwd.as_deref().is_some_and(|c| cwd.starts_with(c)));
        here.or(all.first()).cloned().ok_or_else(|| {
            ApiError::Invalid(match session {
                Some(s) => format!("no session `{s}` is known (see `uas sop phase`)"),
                None => "no agent session has been recorded yet; start an agent first".into(),
            })
        })
    }

    /// `uas sop advance`: records the plan (the SOP's manual evidence) for a
    /// session, audited.
    pub fn sop_advance(
        &self,
        session: Option<&str>,
        agent: Option<AgentId>,
        cwd: &Path,
    ) -> Result<AdvanceReport, ApiError> {
        let (sop, _) = self.sop()?;
        let picked = self.pick_session(session, agent, cwd)?;
        let agent_id: AgentId = picked
            .agent
            .parse()
            .map_err(|_| ApiError::Invalid(format!("unknown agent `{}`", picked.agent)))?;
        let mut j = self.journal()?;
        j.write(|tx| {
            let mut state: SessionState = sessions::load(tx.store(), agent_id, &picked.session)?;
            let recorded = sop.advance(&mut state)?;
            let phase = sop.phase(&state).1.id.clone();
            let rec = tx.append(&NewEvent {
                ts_ms: uas_core::now_ms(),
                agent: picked.agent.clone(),
                session: picked.session.clone(),
                kind: "sop_advance".into(),
                severity: Severity::Info,
                payload: serde_json::json!({"recorded": recorded, "phase": phase, "by": "uas sop advance"})
                    .to_string(),
                decision: None,
            })?;
            sessions::save(tx.store(), agent_id, &picked.session, &state)?;
            Ok::<_, ApiError>(AdvanceReport {
                agent: picked.agent.clone(),
                session: picked.session.clone(),
                recorded,
                phase,
                seq: rec.seq,
            })
        })
    }

    /// The commit gate outside any agent (git pre-commit): the newest agent
    /// session working in `repo` must have a passing test run after its last
    /// edit. A repository no agent session worked in is a human's: allowed.
    pub fn sop_gate_commit(&self, repo: &Path) -> Result<GateReport, ApiError> {
        let (sop, _) = self.sop()?;
        let log = self.audit_log()?;
        let all = sessions::list(log.db(), None)?;
        let repo = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
        drop(log);
        let states: Vec<&SessionState> = all.iter().map(|s| &s.state).collect();
        let mut verdict = uas_sop::commit_gate::decide(&sop, &repo, &states);
        // A session whose state cannot be read and whose directory is
        // unknown may be working here: fail closed.
        if verdict.allowed
            && let Some(i) = all
                .iter()
                .position(|s| s.unreadable.is_some() && s.state.cwd.is_none())
        {
            verdict = uas_sop::commit_gate::CommitVerdict {
                allowed: false,
                reason: format!(
                    "the SOP state of {} session {} cannot be read ({}), so uas cannot tell whether it worked here; commit after that session records its next event, or check `uas sop phase --session {}`",
                    all[i].agent,
                    all[i].session,
                    all[i].unreadable.as_deref().unwrap_or_default(),
                    all[i].session
                ),
                session: Some(i),
            };
        }
        let newest = verdict.session.map(|i| &all[i]);
        let report = GateReport {
            allowed: verdict.allowed,
            reason: verdict.reason,
            session: newest.map(|s| s.session.clone()),
        };
        self.audit_append(&[NewEvent {
            ts_ms: uas_core::now_ms(),
            agent: newest.map_or("git".into(), |s| s.agent.clone()),
            session: report.session.clone().unwrap_or_else(|| "-".into()),
            kind: "git_commit_gate".into(),
            severity: if report.allowed {
                Severity::Info
            } else {
                Severity::Error
            },
            payload: serde_json::json!({"repo": repo, "reason": report.reason}).to_string(),
            decision: Some(
                serde_json::json!({"action": if report.allowed { "allow" } else { "deny" }})
                    .to_string(),
            ),
        }])?;
        Ok(report)
    }

    /// `uas setup git`: a pre-commit hook running the commit gate. A foreign
    /// pre-commit hook is never replaced.
    pub fn setup_git(&self, repo: &Path) -> Result<PathBuf, ApiError> {
        let git_dir = repo.join(".git");
        if !git_dir.is_dir() {
            return Err(ApiError::Invalid(format!(
                "{} is not the top of a git repository (no .git folder)",
                repo.display()
            )));
        }
        self.hook_bin_is_installed()?;
        let hook = git_dir.join("hooks/pre-commit");
        let script = uas_sop::commit_gate::pre_commit_script(&self.uas_bin, self.home.root());
        match std::fs::read_to_string(&hook) {
            Ok(existing) if !existing.contains(uas_sop::commit_gate::PRE_COMMIT_MARKER) => {
                return Err(ApiError::Invalid(format!(
                    "{} already exists and is not ours; add this line to it instead:\n  {}",
                    hook.display(),
                    uas_sop::commit_gate::pre_commit_line(&self.uas_bin)
                )));
            }
            _ => {}
        }
        fsx::create_dir_all(hook.parent().unwrap_or(&git_dir))?;
        fsx::write_atomic(&hook, script.as_bytes(), fsx::Overwrite::Replace)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).map_err(
                |source| fsx::FsError {
                    action: "chmod",
                    path: hook.clone(),
                    source,
                },
            )?;
        }
        Ok(hook)
    }

    /// Records drift of hook configuration files as critical audit events
    /// (once per distinct drift, not on every status call).
    pub(crate) fn record_hook_drift(&self, drifts: &[(AgentId, PathBuf, String)]) {
        let Ok(mut journal) = self.journal() else {
            return;
        };
        let result = journal.write(|tx| {
            for (agent, path, reason) in drifts {
                let payload = serde_json::json!({"path": path, "reason": reason}).to_string();
                let last = uas_store::events::latest_payload(
                    tx.store(),
                    "hook_config_drift",
                    agent.as_str(),
                )?;
                if last.as_deref() == Some(payload.as_str()) {
                    continue;
                }
                tx.append(&NewEvent {
                    ts_ms: uas_core::now_ms(),
                    agent: agent.as_str().into(),
                    session: "-".into(),
                    kind: "hook_config_drift".into(),
                    severity: Severity::Critical,
                    payload,
                    decision: None,
                })?;
            }
            Ok::<_, uas_audit::AuditError>(())
        });
        if let Err(e) = result {
            tracing::warn!("could not record hook drift in the audit log: {e}");
        }
    }
}
