//! What the desktop app shows besides the screens: its preferences (kept
//! in `~/.agent/desktop.json`, where agents may not write), the tray's
//! state, where secrets live and who runs the long-running duties. The
//! desktop crate draws these; it decides nothing itself.

use crate::alerts::Violation;
use crate::{ApiError, App, HealthStatus};
use serde::{Deserialize, Serialize};
use uas_core::fsx::{Overwrite, write_atomic};

/// The desktop app's preferences and bookmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DesktopPrefs {
    /// No pop-ups.
    pub do_not_disturb: bool,
    /// The newest record the app has looked at for alerts.
    pub last_seen_seq: u64,
    /// Violations up to here were seen by a person (the window was opened).
    pub acknowledged_seq: u64,
    /// The person was told that no OS keyring answered.
    pub told_no_keyring: bool,
}

/// The settings screen's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DesktopSettings {
    /// Starts hidden in the tray when you log in.
    pub start_at_login: bool,
    /// The autostart entry when start at login is on (Linux: ~/.config/autostart/…desktop).
    pub autostart_entry: Option<String>,
    /// No pop-ups; the tray still counts.
    pub do_not_disturb: bool,
    /// Where the home's secrets live, in words.
    pub secrets: String,
    /// false: no OS keyring answered and secrets are in a file.
    pub secrets_in_keyring: bool,
    /// Who runs the long-running duties (this app, or a `uas serve`).
    pub duties: String,
}

/// The tray's overall state, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrayLevel {
    /// Health is degraded or down.
    Degraded,
    /// Violations nobody has looked at.
    Violations,
    /// Requests wait for a person.
    Approvals,
    /// Enforcement is paused (observe mode).
    Paused,
    /// All well.
    Ok,
}

impl TrayLevel {
    /// The name of its icon (`icons/tray/<name>.png`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Degraded => "degraded",
            Self::Violations => "violations",
            Self::Approvals => "approvals",
            Self::Paused => "paused",
            Self::Ok => "ok",
        }
    }
}

/// One agent in the tray's Agents menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AgentLine {
    /// The agent.
    pub agent: String,
    /// `Claude Code: enforcing, 2 sessions`.
    pub line: String,
}

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TraySnapshot {
    /// The icon.
    pub level: TrayLevel,
    /// Requests waiting for a person.
    pub pending: u64,
    /// Violations nobody has looked at.
    pub unseen: u64,
    /// The newest violations (newest first, at most 5).
    pub recent: Vec<Violation>,
    /// One line per detected agent.
    pub agents: Vec<AgentLine>,
    /// The service's health.
    pub health: HealthStatus,
    /// The worst health check's detail when not ok.
    pub health_detail: Option<String>,
    /// Enforcement is paused for every agent.
    pub paused: bool,
}

impl TraySnapshot {
    /// The state the icon shows: down first, then what a person must look
    /// at now (violations, requests), then lasting conditions (degraded,
    /// paused), so a lasting warning never hides a new violation.
    pub fn level_of(health: HealthStatus, unseen: u64, pending: u64, paused: bool) -> TrayLevel {
        if health == HealthStatus::Down {
            TrayLevel::Degraded
        } else if unseen > 0 {
            TrayLevel::Violations
        } else if pending > 0 {
            TrayLevel::Approvals
        } else if health == HealthStatus::Degraded {
            TrayLevel::Degraded
        } else if paused {
            TrayLevel::Paused
        } else {
            TrayLevel::Ok
        }
    }

    /// The tooltip: the counts in one line.
    pub fn tooltip(&self) -> String {
        let mut parts = Vec::new();
        if self.pending > 0 {
            parts.push(format!("{} waiting for approval", self.pending));
        }
        if self.unseen > 0 {
            parts.push(format!("{} new violations", self.unseen));
        }
        let which = self
            .health_detail
            .as_deref()
            .and_then(|d| d.split(':').next())
            .map_or(String::new(), |n| format!(" ({n})"));
        match self.health {
            HealthStatus::Ok => {}
            HealthStatus::Degraded => parts.push(format!("degraded{which}")),
            HealthStatus::Down => parts.push(format!("down{which}")),
        }
        parts.push(if self.paused {
            "enforcement paused".into()
        } else {
            "enforcing".into()
        });
        format!("Universal Agent: {}", parts.join(", "))
    }
}

impl App {
    /// The desktop preferences (defaults when the file is missing or
    /// unreadable, which is said in the log: they are bookmarks, not state
    /// anything depends on).
    pub fn desktop_prefs(&self) -> DesktopPrefs {
        let path = self.home().desktop_file();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!("{}: {e}; using the defaults", path.display());
                DesktopPrefs::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DesktopPrefs::default(),
            Err(e) => {
                tracing::warn!("{}: {e}; using the defaults", path.display());
                DesktopPrefs::default()
            }
        }
    }

    /// Saves the desktop preferences (atomically).
    pub fn save_desktop_prefs(&self, prefs: &DesktopPrefs) -> Result<(), ApiError> {
        let path = self.home().desktop_file();
        let mut bytes = serde_json::to_vec_pretty(prefs)
            .map_err(|e| ApiError::Internal(format!("cannot encode preferences: {e}")))?;
        bytes.push(b'\n');
        write_atomic(&path, &bytes, Overwrite::Replace)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(())
    }

    /// Where the home's secrets (the audit signing key, from which the API
    /// token is derived) live, and whether that is the OS keyring.
    pub fn secrets_location(&self) -> (String, bool) {
        match uas_audit::SigningKeys::load(&self.audit_dir()) {
            Ok(Some(k)) => (
                k.location().to_string(),
                matches!(k.location(), uas_audit::KeyLocation::Keyring),
            ),
            Ok(None) => ("no signing key yet (run `uas init`)".into(), true),
            Err(e) => (format!("the signing key cannot be read: {e}"), false),
        }
    }

    /// Who runs the long-running duties: `None` when nobody holds
    /// `serve.lock`, else what the holder wrote about itself.
    pub fn duties_owner(&self) -> Option<String> {
        let lock = self.home().service_lock_file();
        uas_core::service::running(&lock).then(|| {
            uas_core::service::description(&lock)
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "another process".into())
        })
    }

    /// The tray's view: health, mode, one line per agent. `unseen`,
    /// `recent` and `pending` (requests waiting) come from the caller,
    /// which follows the feed and reads the inbox for its own notifications.
    pub fn tray_snapshot(
        &self,
        unseen: u64,
        recent: Vec<Violation>,
        pending: u64,
    ) -> Result<TraySnapshot, ApiError> {
        let health = self.health();
        let health_detail = health
            .checks
            .iter()
            .find(|c| c.status == health.status && c.status != HealthStatus::Ok)
            .map(|c| format!("{}: {}", c.name, c.detail));
        let paused = self
            .sop_mode()
            .is_ok_and(|m| m.global.mode == uas_sop::Mode::Observe);
        let agents = self.agent_lines();
        Ok(TraySnapshot {
            level: TraySnapshot::level_of(health.status, unseen, pending, paused),
            pending,
            unseen,
            recent,
            agents,
            health: health.status,
            health_detail,
            paused,
        })
    }

    /// `Claude Code: enforcing, 2 sessions` for every detected agent.
    fn agent_lines(&self) -> Vec<AgentLine> {
        let Ok(status) = self.status() else {
            return Vec::new();
        };
        let sessions = self.coord_sessions(false).unwrap_or_default();
        status
            .agents
            .iter()
            .filter(|a| a.detection.installed || a.configured)
            .map(|a| {
                let id = a.detection.agent;
                let state = if !a.configured {
                    "not set up".to_owned()
                } else if !a.off.is_empty() || a.hook_bins.iter().any(|b| b.problem.is_some()) {
                    "hooks switched off".to_owned()
                } else if !a.drift.is_empty() {
                    format!("drift in {} files", a.drift.len())
                } else if a.hooks == crate::HookState::AwaitingApproval {
                    "hooks wait for your approval in the agent".to_owned()
                } else if status.mode.for_agent(id.as_str()) == uas_sop::Mode::Observe {
                    "observe only".to_owned()
                } else {
                    "enforcing".to_owned()
                };
                let n = sessions
                    .iter()
                    .filter(|s| s.beat.agent == id.as_str())
                    .count();
                let live = match n {
                    0 => String::new(),
                    1 => ", 1 session".to_owned(),
                    n => format!(", {n} sessions"),
                };
                AgentLine {
                    agent: id.as_str().to_owned(),
                    line: format!("{}: {state}{live}", id.display_name()),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_state_wins() {
        use HealthStatus::*;
        assert_eq!(
            TraySnapshot::level_of(Down, 3, 2, true),
            TrayLevel::Degraded
        );
        assert_eq!(
            TraySnapshot::level_of(Degraded, 3, 2, true),
            TrayLevel::Violations
        );
        assert_eq!(
            TraySnapshot::level_of(Degraded, 0, 2, true),
            TrayLevel::Approvals
        );
        assert_eq!(
            TraySnapshot::level_of(Degraded, 0, 0, true),
            TrayLevel::Degraded
        );
        assert_eq!(
            TraySnapshot::level_of(Ok, 3, 2, true),
            TrayLevel::Violations
        );
        assert_eq!(TraySnapshot::level_of(Ok, 0, 2, true), TrayLevel::Approvals);
        assert_eq!(TraySnapshot::level_of(Ok, 0, 0, true), TrayLevel::Paused);
        assert_eq!(TraySnapshot::level_of(Ok, 0, 0, false), TrayLevel::Ok);
    }
}
