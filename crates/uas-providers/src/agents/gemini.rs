//! Gemini CLI (legacy/enterprise): `~/.gemini/GEMINI.md`, `~/.gemini/skills/`,
//! hooks in `~/.gemini/settings.json` (`BeforeTool`…, timeout in ms).

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile};
use crate::hookjson::HookShape;
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::SessionStart, "SessionStart"),
    (HookEvent::PromptSubmit, "BeforeAgent"),
    (HookEvent::PreToolUse, "BeforeTool"),
    (HookEvent::PostToolUse, "AfterTool"),
    (HookEvent::Stop, "AfterAgent"),
    (HookEvent::SessionEnd, "SessionEnd"),
];

fn entry(command: &str, _event: &str) -> serde_json::Value {
    serde_json::json!({"hooks": [{"type": "command", "command": command, "name": "universal-agent", "timeout": 10000}]})
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Gemini,
        instructions: Some("GEMINI.md"),
        project_instructions: Some("GEMINI.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "settings.json",
            shape: HookShape::Grouped,
            events: EVENTS,
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "deny by exit 2 needs an empty stdout (Gemini CLI 0.61 parses stdout first)",
            plugin_events: &[],
        },
    }
}
