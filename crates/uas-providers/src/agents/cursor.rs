//! Cursor: no user-level instruction file (user rules live in its settings);
//! project rules as `.cursor/rules/universal-agent.mdc`; skills in
//! `~/.cursor/skills/`; hooks in `~/.cursor/hooks.json`
//! (`{"version":1,"hooks":{"preToolUse":[{"command":…}]}}`).

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile};
use crate::hookjson::HookShape;
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::SessionStart, "sessionStart"),
    (HookEvent::PromptSubmit, "beforeSubmitPrompt"),
    (HookEvent::PreToolUse, "preToolUse"),
    (HookEvent::PostToolUse, "postToolUse"),
    (HookEvent::Stop, "stop"),
    (HookEvent::SessionEnd, "sessionEnd"),
];

fn entry(command: &str, event: &str) -> serde_json::Value {
    // Timeout units are disputed (ms vs s), so we leave Cursor's default.
    if event == "preToolUse" {
        serde_json::json!({"command": command, "failClosed": true})
    } else {
        serde_json::json!({"command": command})
    }
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Cursor,
        instructions: None,
        project_instructions: Some(".cursor/rules/universal-agent.mdc"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::Flat,
            events: EVENTS,
            entry,
            required_root: &[("version", 1)],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Closed,
            approval: Some(
                "the Cursor CLI asks you to trust each workspace on first run; hooks run after you accept",
            ),
            note: "fails open unless failClosed:true, which uas sets on preToolUse",
            plugin_events: &[],
        },
    }
}
