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
        let log = match self.audit_log() {
            Ok(l) => l,
            Err(_) => return Ok(EnforcementMode::default()),
        };
        let stored = meta::get(log.db(), MODE_KEY)?;
        Ok(EnforcementMode::parse(stored.as_deref()).0)
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
        j.write(|tx| {
            let stored = meta::get(tx.store(), MODE_KEY)?;
            let (before, _) = EnforcementMode::parse(stored.as_deref());
            let mut after = before.clone();
            let scope = agent.map(|a| a.as_str());
            let cleared = match scope {
                None => before.agents.keys().cloned().collect(),
                Some(_) => Vec::new(),
            };
            after.set(
                scope,
                ModeSetting {
                    mode,
                    since_ms: uas_core::now_ms(),
                    by: match &how.tty {
                        Some(t) => format!("{} on {t}", how.user),
                        None => how.user.clone(),
                    },
                },
            );
            let text = serde_json::to_string(&after)
                .map_err(|e| ApiError::Invalid(format!("mode: {e}")))?;
            meta::set(tx.store(), MODE_KEY, &text)?;
            let rec = tx.append(&NewEvent {
                ts_ms: uas_core::now_ms(),
                agent: scope.unwrap_or("uas").into(),
                session: "-".into(),
                kind: "sop_mode".into(),
                severity: Severity::Critical,
                payload: serde_json::json!({
                    "mode": mode,
                    "scope": scope.unwrap_or("all agents"),
                    "before": before,
                    "cleared": cleared,
                    "how": how,
                })
                .to_string(),
                decision: None,
            })?;
            Ok::<_, ApiError>(ModeReport {
                before,
                after,
                cleared,
                seq: rec.seq,
            })
        })
    }
}
