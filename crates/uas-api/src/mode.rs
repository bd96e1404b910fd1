//! `uas sop mode`: pausing enforcement (observe) and resuming it (enforce),
//! home-wide or per agent. The mode lives in the store, written only here,
//! in the transaction of its critical audit event.

use crate::{ApiError, App, ApprovalMethod};
use serde::Serialize;
use uas_audit::{NewEvent, Severity};
use uas_core::AgentId;
use uas_sop::{EnforcementMode, MODE_KEY, Mode, ModeSetting};
use uas_store::meta;

/// The result of `uas sop mode MODE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ModeReport {
    /// The mode before.
    pub before: EnforcementMode,
    /// The mode now.
    pub after: EnforcementMode,
    /// Per-agent overrides a home-wide change removed.
    pub cleared: Vec<String>,
    /// The audit event.
    pub seq: u64,
}

impl App {
    /// The enforcement mode, read-only (no database yet: enforce). An
    /// unreadable stored value reads as enforce, which is what the hooks do.
    pub fn sop_mode(&self) -> Result<EnforcementMode, ApiError> {
        Ok(self.sop_mode_checked()?.0)
    }

    /// The mode the hooks apply, and the scopes whose stored `observe` they
    /// ignore because no `sop_mode` audit event backs it (written into the
    /// database around uas): those read as enforce here too.
    pub fn sop_mode_checked(&self) -> Result<(EnforcementMode, Vec<String>), ApiError> {
        let log = match self.audit_log() {
            Ok(l) => l,
            Err(_) => return Ok((EnforcementMode::default(), Vec::new())),
        };
        let stored = meta::get(log.db(), MODE_KEY)?;
        let mut mode = EnforcementMode::parse(stored.as_deref()).0;
        let mut unbacked = Vec::new();
        let key = uas_audit::SigningKeys::load(&self.audit_dir())
            .ok()
            .flatten()
            .map(|k| k.verifying_key());
        let backed = |s: &ModeSetting| uas_hook::run::mode_backed(log.db(), s, key.as_ref());
        if mode.global.mode == Mode::Observe && !backed(&mode.global) {
            unbacked.push("all agents".to_owned());
            mode.global = ModeSetting::default();
        }
        for (agent, s) in mode.agents.iter_mut() {
            if s.mode == Mode::Observe && !backed(s) {
                unbacked.push(agent.clone());
                *s = ModeSetting::default();
            }
        }
        Ok((mode, unbacked))
    }

    /// Sets the mode for `agent` or for every agent (which clears the
    /// overrides). The caller has made sure a person asked for it (`how`).
    /// Recorded as a critical `sop_mode` event.
    pub fn set_sop_mode(
        &self,
        mode: Mode,
        agent: Option<AgentId>,
        how: &ApprovalMethod,
    ) -> Result<ModeReport, ApiError> {
        let mut j = self.journal()?;
        let since_ms = uas_core::now_ms();
        let scope_name = agent.map_or("all agents", |a| a.as_str());
        let sig = j.keys().sign_mode(mode.as_str(), since_ms, scope_name);
        j.write(|tx| {
            let stored = meta::get(tx.store(), MODE_KEY)?;
            let (before, _) = EnforcementMode::parse(stored.as_deref());
            let mut after = before.clone();
            let scope = agent.map(|a| a.as_str());
            let cleared = match scope {
                None => before.agents.keys().cloned().collect(),
                Some(_) => Vec::new(),
            };
            let mut setting = ModeSetting {
                mode,
                since_ms,
                by: match &how.tty {
                    Some(t) => format!("{} on {t}", how.user),
                    None => how.user.clone(),
                },
                seq: None,
            };
            // The event first: the setting keeps its sequence number, which
            // is what a hook checks before it honours `observe`.
            let rec = tx.append(&NewEvent {
                ts_ms: uas_core::now_ms(),
                agent: scope.unwrap_or("uas").into(),
                session: "-".into(),
                kind: "sop_mode".into(),
                severity: Severity::Critical,
                payload: serde_json::json!({
                    "mode": mode,
                    "since_ms": since_ms,
                    "scope": scope_name,
                    "sig": sig,
                    "before": before,
                    "cleared": cleared,
                    "how": how,
                })
                .to_string(),
                decision: None,
            })?;
            setting.seq = Some(rec.seq);
            after.set(scope, setting);
            let text = serde_json::to_string(&after)
                .map_err(|e| ApiError::Invalid(format!("mode: {e}")))?;
            meta::set(tx.store(), MODE_KEY, &text)?;
            Ok::<_, ApiError>(ModeReport {
                before,
                after,
                cleared,
                seq: rec.seq,
            })
        })
    }
}
