//! The shapes of an answer, shared by the agent modules.

use serde_json::json;
use uas_core::EventKind;

/// What the SOP decided, as an agent's protocol needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// Go ahead.
    Allow,
    /// Go ahead, with a warning for the agent.
    Warn(&'a str),
    /// Block the tool, with the reason.
    Deny(&'a str),
}

/// What `uas hook` prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    /// Bytes for stdout.
    pub stdout: String,
    /// Text for stderr.
    pub stderr: String,
    /// Exit code.
    pub exit: u8,
}

/// One JSON value and a newline.
pub(crate) fn line(v: serde_json::Value) -> String {
    format!("{v}\n")
}

/// Claude Code, Codex, Gemini CLI and our OpenCode plugin: deny = exit 2
/// with the reason on stderr and nothing on stdout (Gemini parses stdout
/// first; Codex needs a non-empty stderr). With `context`, the session
/// brief goes in `hookSpecificOutput.additionalContext` at session start.
pub(crate) fn exit_2(
    kind: EventKind,
    verdict: Verdict<'_>,
    brief: Option<&str>,
    context: bool,
) -> Answer {
    let mut a = Answer::default();
    match verdict {
        Verdict::Deny(reason) => {
            a.stderr = format!("{reason}\n");
            a.exit = 2;
        }
        Verdict::Warn(reason) => a.stderr = format!("{reason}\n"),
        Verdict::Allow => {
            if let (EventKind::SessionStart, Some(b), true) = (kind, brief, context) {
                a.stdout = line(json!({
                    "hookSpecificOutput": {
                        "hookEventName": "SessionStart",
                        "additionalContext": b,
                    }
                }));
            }
        }
    }
    a
}

/// Claude Code and Codex `PermissionRequest`: a refusal is
/// `{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"deny","message":…}}}`
/// on stdout with exit 0; anything else says nothing, so the agent's own
/// dialog and rules decide (uas never approves on a person's behalf).
pub(crate) fn permission_request(verdict: Verdict<'_>) -> Answer {
    let mut a = Answer::default();
    if let Verdict::Deny(reason) = verdict {
        a.stdout = line(json!({
            "hookSpecificOutput": {
                "hookEventName": "PermissionRequest",
                "decision": {"behavior": "deny", "message": reason},
            }
        }));
    }
    a
}
