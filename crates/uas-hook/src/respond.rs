//! Answering in the calling agent's own protocol: the SOP's decision as a
//! [`Verdict`], handed to the agent's module in `uas-providers`, which knows
//! the bytes and exit code its agent needs (verified against the real
//! agents where docs/agents.md says so).

use uas_core::{AgentId, EventKind};
use uas_providers::agents::{Answer, Verdict};
use uas_sop::{Action, Decision};

/// What `uas hook` prints and how it exits.
pub type Response = Answer;

/// Whether the answer to `agent`'s `event` can refuse what it announces.
/// A name the agent does not have is decided as a pre-tool call, so it can.
pub fn blocks(agent: AgentId, event: &str) -> bool {
    uas_providers::agents::spec(agent)
        .event(event)
        .is_none_or(|e| e.blocks)
}

/// The answer for a decided event. `brief` is the session-start context.
pub fn respond(
    agent: AgentId,
    kind: EventKind,
    event: &str,
    decision: &Decision,
    brief: Option<&str>,
) -> Response {
    let reason = format!("Universal Agent: {}", decision.reason);
    // Only an event that can refuse is answered with a deny or a warning;
    // the others are answered (and their decision recorded) as they are.
    let verdict = match (blocks(agent, event), decision.action) {
        // An `ask` is resolved before answering; one that was not is a deny.
        (true, Action::Deny | Action::Ask) => Verdict::Deny(&reason),
        (true, Action::Warn) => Verdict::Warn(&reason),
        _ => Verdict::Allow,
    };
    (uas_providers::agents::spec(agent).answer)(kind, verdict, brief)
}
