//! `GET /health`: each subsystem's state folded into ok / degraded / down,
//! from the same checks as `uas doctor` (in constant time: the chain's head
//! against the signed checkpoint, not the whole chain) plus the protected
//! files and the registries. Read-only.

use crate::{App, CheckStatus};
use serde::Serialize;

/// How a subsystem (or the whole) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HealthStatus {
    /// Working.
    Ok,
    /// Working with a problem a person should look at.
    Degraded,
    /// Not working: events are not recorded, or nothing is enforced.
    Down,
}

/// One subsystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct HealthCheck {
    /// `store`, `audit`, `coordination`, `registries`, `hook-configs`,
    /// `hooks:<agent>`, …
    pub name: String,
    /// Its state.
    pub status: HealthStatus,
    /// What was found (and what to do).
    pub detail: String,
}

/// The whole: the worst of the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct HealthReport {
    /// Overall.
    pub status: HealthStatus,
    /// Every subsystem.
    pub checks: Vec<HealthCheck>,
}

/// Checks whose failure means nothing is recorded: down, not degraded.
const VITAL: &[&str] = &["home", "database", "audit"];

impl App {
    /// The service's health.
    pub fn health(&self) -> HealthReport {
        let doctor = self.doctor_at(crate::doctor::Depth::Quick);
        let mut checks: Vec<HealthCheck> = doctor
            .checks
            .into_iter()
            .filter(|c| c.id != "agents")
            .map(|c| {
                let name = if c.id == "database" {
                    "store".to_owned()
                } else {
                    c.id
                };
                let status = match c.status {
                    CheckStatus::Ok => HealthStatus::Ok,
                    CheckStatus::Warn => HealthStatus::Degraded,
                    CheckStatus::Fail if VITAL.contains(&name.as_str()) || name == "store" => {
                        HealthStatus::Down
                    }
                    CheckStatus::Fail => HealthStatus::Degraded,
                };
                let detail = match c.fix {
                    Some(fix) => format!("{} ({fix})", c.summary),
                    None => c.summary,
                };
                HealthCheck {
                    name,
                    status,
                    detail,
                }
            })
            .collect();
        checks.push(match self.guard_report() {
            Ok(g) if g.changed.is_empty() && g.locked.is_empty() => HealthCheck {
                name: "hook-configs".into(),
                status: HealthStatus::Ok,
                detail: format!("{} protected files as uas left them", g.watched),
            },
            Ok(g) => HealthCheck {
                name: "hook-configs".into(),
                status: HealthStatus::Degraded,
                detail: format!(
                    "{} protected files changed outside uas, {} sessions locked (see `uas status`; `uas repair` puts them back)",
                    g.changed.len(),
                    g.locked.len()
                ),
            },
            Err(e) => HealthCheck {
                name: "hook-configs".into(),
                status: HealthStatus::Degraded,
                detail: e.to_string(),
            },
        });
        checks.push(self.registries_check());
        let status = checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(HealthStatus::Ok);
        HealthReport { status, checks }
    }

    fn registries_check(&self) -> HealthCheck {
        let name = "registries".to_owned();
        let config = match self.config() {
            Ok(c) => c,
            Err(e) => {
                return HealthCheck {
                    name,
                    status: HealthStatus::Degraded,
                    detail: e.to_string(),
                };
            }
        };
        if config.skills.registries.is_empty() {
            return HealthCheck {
                name,
                status: HealthStatus::Ok,
                detail: "no registries configured".into(),
            };
        }
        match self.skill_search("") {
            Ok(hits) => HealthCheck {
                name,
                status: HealthStatus::Ok,
                detail: format!(
                    "{} registries answer, {} skills",
                    config.skills.registries.len(),
                    hits.len()
                ),
            },
            Err(e) => HealthCheck {
                name,
                status: HealthStatus::Degraded,
                detail: e.to_string(),
            },
        }
    }
}
