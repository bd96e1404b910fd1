//! GitHub Copilot CLI: `~/.copilot/copilot-instructions.md`,
//! `~/.copilot/skills/`, hooks under `"hooks"` in `~/.copilot/settings.json`
//! (camelCase events, `{type:"command", bash, timeoutSec}`). Exit codes do
//! not block preToolUse; only the JSON decision does.

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile};
use crate::hookjson::HookShape;
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::SessionStart, "sessionStart"),
    (HookEvent::PromptSubmit, "userPromptSubmitted"),
    (HookEvent::PreToolUse, "preToolUse"),
    (HookEvent::PostToolUse, "postToolUse"),
    (HookEvent::Stop, "agentStop"),
    (HookEvent::SessionEnd, "sessionEnd"),
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
            events: EVENTS,
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
            plugin_events: &[],
        },
    }
}
