//! GitHub Copilot CLI: `~/.copilot/copilot-instructions.md`,
//! `~/.copilot/skills/`, hooks under `"hooks"` in `~/.copilot/settings.json`
//! (camelCase events, `{type:"command", bash, timeoutSec}`). Exit codes do
//! not block preToolUse; only the JSON decision does.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, Verdict, known_failure, on,
    protocol::line, stdin_as_is,
};
use crate::hookjson::HookShape;
use serde_json::{Value, json};
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "sessionStart"),
    on(EventKind::Prompt, "userPromptSubmitted"),
    on(EventKind::PreTool, "preToolUse"),
    on(EventKind::PostTool, "postToolUse"),
    on(EventKind::Stop, "agentStop"),
    on(EventKind::SessionEnd, "sessionEnd"),
    known_failure("postToolUseFailure"),
];

fn entry(command: &str, _event: &str) -> serde_json::Value {
    serde_json::json!({"type": "command", "bash": command, "timeoutSec": 10})
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Copilot,
        instructions: Some("copilot-instructions.md"),
        project_instructions: Some(".github/copilot-instructions.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "settings.json",
            shape: HookShape::Flat,
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: Some(
                "repository hooks (.github/hooks) load only in trusted folders; the user-level hooks uas writes need no approval",
            ),
            note: "blocks only via permissionDecision JSON on stdout (Copilot CLI 1.0.102)",
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        tool_success,
        answer,
        project_hook_files: &["*/.github/hooks/*"],
        // config.json is read for disableAllHooks but not protected: the
        // real CLI (1.0.102) writes it itself at every start.
        protected_files: &[],
    }
}

/// `toolResult.resultType` says `success` or not.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    response
        .and_then(|r| r.get("resultType"))
        .and_then(Value::as_str)
        .map(|t| t == "success")
}

/// Exit codes do not block `preToolUse`: deny is stdout
/// `{"permissionDecision":"deny","permissionDecisionReason":…}`.
fn answer(_kind: EventKind, verdict: Verdict<'_>, _brief: Option<&str>) -> Answer {
    let mut a = Answer::default();
    match verdict {
        Verdict::Deny(reason) => {
            a.stdout = line(json!({
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }));
        }
        Verdict::Warn(reason) => a.stderr = format!("{reason}\n"),
        Verdict::Allow => {}
    }
    a
}
