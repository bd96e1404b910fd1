//! Answering in each agent's own protocol (verified against the real
//! agents where REAL-AGENTS.md says so).
//!
//! - Claude Code, Codex, Gemini CLI: deny = exit 2 with the reason on
//!   stderr and nothing on stdout (Gemini parses stdout first; Codex needs
//!   a non-empty stderr). Session start context goes in
//!   `hookSpecificOutput.additionalContext`.
//! - Copilot CLI: exit codes do not block `preToolUse`; deny is stdout
//!   `{"permissionDecision":"deny","permissionDecisionReason":…}`.
//! - Cursor: `{"permission":"allow"|"deny","user_message","agent_message"}`.
//! - Antigravity (`agy`): `{"decision":"allow"|"deny","reason"}` on
//!   PreToolUse, `{}` on its other events, always exit 0: it blocks the tool
//!   on a non-zero exit, a timeout or output it cannot parse, and reads an
//!   empty answer as `{}` (its own permission flow decides).
//! - OpenCode (our plugin): exit 2 makes the plugin throw with stderr.

use serde_json::json;
use uas_core::{AgentId, EventKind};
use uas_sop::{Action, Decision};

/// What `uas hook` prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// Bytes for stdout.
    pub stdout: String,
    /// Text for stderr.
    pub stderr: String,
    /// Exit code.
    pub exit: u8,
}

fn line(v: serde_json::Value) -> String {
    format!("{v}\n")
}

/// The answer for a decided event. `brief` is the session-start context.
pub fn respond(
    agent: AgentId,
    kind: EventKind,
    decision: &Decision,
    brief: Option<&str>,
) -> Response {
    let reason = format!("Universal Agent: {}", decision.reason);
    let deny = kind == EventKind::PreTool && decision.action == Action::Deny;
    let warn = kind == EventKind::PreTool && decision.action == Action::Warn;
    let mut r = Response::default();
    match agent {
        AgentId::Claude | AgentId::Codex | AgentId::Gemini | AgentId::Opencode => {
            if deny {
                r.stderr = format!("{reason}\n");
                r.exit = 2;
            } else if warn {
                r.stderr = format!("{reason}\n");
            } else if let (EventKind::SessionStart, Some(b), false) =
                (kind, brief, agent == AgentId::Opencode)
            {
                r.stdout = line(json!({
                    "hookSpecificOutput": {
                        "hookEventName": "SessionStart",
                        "additionalContext": b,
                    }
                }));
            }
        }
        AgentId::Copilot => {
            if deny {
                r.stdout = line(json!({
                    "permissionDecision": "deny",
                    "permissionDecisionReason": reason,
                }));
            } else if warn {
                r.stderr = format!("{reason}\n");
            }
        }
        AgentId::Cursor => match kind {
            EventKind::PreTool => {
                r.stdout = line(if deny {
                    json!({"permission": "deny", "user_message": reason, "agent_message": reason})
                } else if warn {
                    json!({"permission": "allow", "agent_message": reason})
                } else {
                    json!({"permission": "allow"})
                });
            }
            EventKind::Prompt => r.stdout = line(json!({"continue": true})),
            _ => {}
        },
        AgentId::Antigravity => {
            r.stdout = line(if kind != EventKind::PreTool {
                json!({})
            } else if deny {
                json!({"decision": "deny", "reason": reason})
            } else if warn {
                json!({"decision": "allow", "reason": reason})
            } else {
                json!({"decision": "allow"})
            });
        }
    }
    r
}
