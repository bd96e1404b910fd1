//! Answering in the calling agent's own protocol: the SOP's decision as a
//! [`Verdict`], handed to the agent's module in `uas-providers`, which knows
//! the bytes and exit code its agent needs (verified against the real
//! agents where docs/agents.md says so).

use uas_core::{AgentId, EventKind};
use uas_providers::agents::{Answer, Verdict};
use uas_sop::{Action, Decision};

/// What `uas hook` prints and how it exits.
pub type Response = Answer;

/// The answer for a decided event. `brief` is the session-start context.
pub fn respond(
    agent: AgentId,
    kind: EventKind,
    decision: &Decision,
    brief: Option<&str>,
) -> Response {
    let reason = format!("Universal Agent: {}", decision.reason);
    // Only a pre-tool answer can block or warn; other events are answered.
    let verdict = match (kind, decision.action) {
        (EventKind::PreTool, Action::Deny) => Verdict::Deny(&reason),
        (EventKind::PreTool, Action::Warn) => Verdict::Warn(&reason),
        _ => Verdict::Allow,
    };
    (uas_providers::agents::spec(agent).answer)(kind, verdict, brief)
}
