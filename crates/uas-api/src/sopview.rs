//! The active SOP in words, for the ui: phases with their gates, rules with
//! what they match, and the enforcement mode.

use crate::{ApiError, App, EnforcementMode};
use serde::Serialize;
use uas_sop::def::Pattern;
use uas_sop::{Action, Approval, Rule, describe_evidence};

/// One phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PhaseView {
    /// Identifier.
    pub id: String,
    /// What happens in it.
    pub summary: String,
    /// Evidence its gate needs.
    pub enter: Vec<String>,
    /// The same, described.
    pub enter_described: Vec<String>,
    /// `agent` or `human` (a person opens the gate).
    pub approval: String,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RuleView {
    /// Identifier.
    pub id: String,
    /// `allow`, `warn`, `deny` or `ask`.
    pub action: String,
    /// What it matches, in words.
    pub matches: String,
    /// It applies only while one of these is missing.
    pub requires: Vec<String>,
    /// Recorded severity.
    pub severity: String,
    /// `sop` or `tamper`.
    pub violation: Option<String>,
    /// Told to the agent.
    pub reason: String,
}

/// The active SOP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SopView {
    /// Name.
    pub name: String,
    /// What it enforces.
    pub description: String,
    /// The file it came from (none: the built-in SOP).
    pub source: Option<String>,
    /// Files whose writing records the plan.
    pub plan_files: Vec<String>,
    /// Commands that count as test runs.
    pub test_commands: Vec<String>,
    /// Ordered phases.
    pub phases: Vec<PhaseView>,
    /// Ordered rules (the first that matches decides).
    pub rules: Vec<RuleView>,
    /// Observe or enforce, per agent.
    pub mode: EnforcementMode,
}

fn word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What a pattern matches, in words (`shell commands writing files: rm *`).
pub fn describe_pattern(p: &Pattern) -> String {
    let mut parts = Vec::new();
    parts.push(match &p.tool {
        Some(t) => format!("{} tools", word(t)),
        None => "any tool".into(),
    });
    let list =
        |label: &str, v: &[String]| (!v.is_empty()).then(|| format!("{label} {}", v.join(" | ")));
    parts.extend(list("named", &p.name));
    parts.extend(list("writing paths", &p.path));
    parts.extend(list("running", &p.command));
    parts.extend(list("writing only", &p.written));
    if p.writes {
        parts.push("that change files".into());
    }
    if p.read_only == Some(false) {
        parts.push("that are not read-only".into());
    }
    if p.uas_changes {
        parts.push("that change uas state".into());
    }
    if p.unhooked_agent {
        parts.push("that start an agent with its hooks off".into());
    }
    parts.join(", ")
}

fn rule_view(r: &Rule) -> RuleView {
    let mut reason = r.reason.clone();
    if r.action == Action::Ask {
        reason = format!(
            "{reason} (asks a person, waits up to {} s; without the service: {})",
            r.timeout_s.unwrap_or(uas_sop::ASK_TIMEOUT_S),
            word(&r.otherwise.unwrap_or(Action::Deny))
        );
    }
    RuleView {
        id: r.id.clone(),
        action: word(&r.action),
        matches: describe_pattern(&r.when),
        requires: r.requires.clone(),
        severity: r.severity.map_or_else(String::new, |s| word(&s)),
        violation: r.violation.map(|v| word(&v)),
        reason,
    }
}

impl App {
    /// The active SOP, readable.
    pub fn sop_view(&self) -> Result<SopView, ApiError> {
        let (sop, source) = self.sop()?;
        Ok(SopView {
            name: sop.name.clone(),
            description: sop.description.clone(),
            source: source.map(|p| p.display().to_string()),
            plan_files: sop.plan_files.clone(),
            test_commands: sop.test_commands.clone(),
            phases: sop
                .phases
                .iter()
                .map(|p| PhaseView {
                    id: p.id.clone(),
                    summary: p.summary.clone(),
                    enter_described: p
                        .enter
                        .iter()
                        .map(|e| describe_evidence(e).to_owned())
                        .collect(),
                    enter: p.enter.clone(),
                    approval: match p.approval {
                        Approval::Agent => "agent".into(),
                        Approval::Human => "human".into(),
                    },
                })
                .collect(),
            rules: sop.rules.iter().map(rule_view).collect(),
            mode: self.sop_mode()?,
        })
    }
}
