//! The lifecycle events whose answer can refuse, decided from what the
//! hook observes rather than from the SOP's tool rules:
//! - a settings change mid-session (Claude's `ConfigChange`) is kept out of
//!   the session when a protected file changed outside uas, the session is
//!   locked, or a setting now switches the agent's hooks off;
//! - a subagent start (Cursor's `subagentStart`) is refused for a locked
//!   session, whose every tool call is refused too.

use uas_core::{AgentEvent, EventKind};
use uas_providers::ProbeEnv;
use uas_providers::guard::Change;
use uas_sop::{Action, Decision, LOCKED_RULE, RuleSeverity, SessionState, Violation};

/// The rule a refused settings change is recorded under.
pub const CONFIG_RULE: &str = "hooks-config";

/// Turns `decision` into a refusal where the event calls for one.
pub fn decide(
    probe: &ProbeEnv,
    event: &AgentEvent,
    state: &SessionState,
    changes: &[Change],
    decision: &mut Decision,
) {
    let (rule, reason) = match event.kind {
        EventKind::ConfigChange => {
            let mut why: Vec<String> = changes
                .iter()
                .map(|c| format!("{} ({})", c.path.display(), c.what))
                .collect();
            why.extend(
                uas_providers::offswitch::find(event.agent, probe)
                    .iter()
                    .map(ToString::to_string),
            );
            if let Some(lock) = &state.locked
                && why.is_empty()
            {
                why.push(format!("the session is locked: {}", lock.reason));
            }
            if why.is_empty() {
                return;
            }
            (
                CONFIG_RULE,
                format!(
                    "this settings change would change or switch off the hooks that keep the SOP in force, so it is kept out of this session: {}. A person can check it with `uas status` and restore it with `uas repair`.",
                    why.join("; ")
                ),
            )
        }
        EventKind::SubagentStart => {
            let Some(lock) = &state.locked else {
                return;
            };
            (
                LOCKED_RULE,
                format!(
                    "this session is locked: {} No subagent starts until a person checks the change (`uas status`).",
                    lock.reason
                ),
            )
        }
        _ => return,
    };
    decision.action = Action::Deny;
    decision.rule = Some(rule.into());
    decision.reason = reason;
    decision.severity = RuleSeverity::Critical;
    decision.violation = Some(Violation::Tamper);
}
