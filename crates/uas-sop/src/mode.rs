//! Enforcement mode: `enforce` (the SOP's denials block) or `observe`
//! (enforcement paused: every decision is made and recorded as usual, but a
//! denial is answered as allow). Home-wide with per-agent overrides.
//!
//! The mode lives in the store (meta key [`MODE_KEY`]), never in a file an
//! agent could edit: only `uas sop mode` writes it, in the transaction of its
//! critical audit event, whose sequence number the setting keeps. A hook
//! honours `observe` only when that event backs it (a value written into
//! the database around `uas`, e.g. by an agent's script, is not). A missing
//! or unreadable value is `enforce`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The store's meta key of the enforcement mode.
pub const MODE_KEY: &str = "sop.mode";

/// Whether denials block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Mode {
    /// The SOP's denials block (the default).
    #[default]
    Enforce,
    /// Enforcement paused: decisions are recorded, denials are answered allow.
    Observe,
}

impl Mode {
    /// `enforce` or `observe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Observe => "observe",
        }
    }
}

/// One mode with who set it and when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ModeSetting {
    /// The mode.
    pub mode: Mode,
    /// When it was set (ms since the epoch; 0: never set).
    #[serde(default)]
    pub since_ms: i64,
    /// Who set it (login name and terminal).
    #[serde(default)]
    pub by: String,
    /// The audit sequence number of the `sop_mode` event that set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub seq: Option<u64>,
}

/// The home's enforcement mode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EnforcementMode {
    /// For every agent without an override.
    #[serde(default)]
    pub global: ModeSetting,
    /// Per-agent overrides, by agent name.
    #[serde(default)]
    pub agents: BTreeMap<String, ModeSetting>,
}

impl EnforcementMode {
    /// Reads the stored value: `None` (never set) is enforce; an unreadable
    /// value is enforce too (fail closed), with the reason in the second value.
    pub fn parse(stored: Option<&str>) -> (Self, Option<String>) {
        match stored.map(serde_json::from_str::<Self>) {
            None => (Self::default(), None),
            Some(Ok(m)) => (m, None),
            Some(Err(e)) => (
                Self::default(),
                Some(format!(
                    "the stored enforcement mode is unreadable ({e}); enforcing"
                )),
            ),
        }
    }

    /// The mode for `agent`.
    pub fn for_agent(&self, agent: &str) -> Mode {
        self.setting_for(agent).mode
    }

    /// The setting that applies to `agent` (its override, else the global).
    pub fn setting_for(&self, agent: &str) -> &ModeSetting {
        self.agents.get(agent).unwrap_or(&self.global)
    }

    /// Sets the mode for one agent, or for all (clearing the overrides).
    pub fn set(&mut self, agent: Option<&str>, setting: ModeSetting) {
        match agent {
            Some(a) => {
                self.agents.insert(a.to_owned(), setting);
            }
            None => {
                self.agents.clear();
                self.global = setting;
            }
        }
    }

    /// The scopes in observe mode: `("all agents" or the agent, setting)`.
    pub fn paused(&self) -> Vec<(String, &ModeSetting)> {
        let mut out = Vec::new();
        if self.global.mode == Mode::Observe {
            out.push(("all agents".to_owned(), &self.global));
        }
        for (agent, s) in &self.agents {
            if s.mode == Mode::Observe {
                out.push((agent.clone(), s));
            }
        }
        out
    }
}

/// Whether the audit event `event` (kind, JSON payload) is the `sop_mode`
/// event that made `setting`: same mode, same time.
pub fn backs(setting: &ModeSetting, kind: &str, payload: &str) -> bool {
    let Ok(p) = serde_json::from_str::<serde_json::Value>(payload) else {
        return false;
    };
    kind == "sop_mode"
        && p["mode"].as_str() == Some(setting.mode.as_str())
        && p["since_ms"].as_i64() == Some(setting.since_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observe() -> ModeSetting {
        ModeSetting {
            mode: Mode::Observe,
            since_ms: 1,
            by: "ann".into(),
            seq: Some(1),
        }
    }

    #[test]
    fn a_missing_or_unreadable_mode_enforces() {
        let (m, note) = EnforcementMode::parse(None);
        assert_eq!(m.for_agent("claude"), Mode::Enforce);
        assert!(note.is_none());
        let (m, note) = EnforcementMode::parse(Some("{\"global\": 3"));
        assert_eq!(m.for_agent("claude"), Mode::Enforce);
        assert!(note.expect("a note").contains("unreadable"));
    }

    #[test]
    fn an_agent_override_affects_only_that_agent_and_a_global_set_clears_it() {
        let mut m = EnforcementMode::default();
        m.set(Some("codex"), observe());
        assert_eq!(m.for_agent("codex"), Mode::Observe);
        assert_eq!(m.for_agent("claude"), Mode::Enforce);
        assert_eq!(m.paused().len(), 1);
        let text = serde_json::to_string(&m).expect("json");
        assert_eq!(EnforcementMode::parse(Some(&text)).0, m);
        m.set(None, ModeSetting::default());
        assert_eq!(m.for_agent("codex"), Mode::Enforce);
        assert!(m.paused().is_empty());
    }
}
