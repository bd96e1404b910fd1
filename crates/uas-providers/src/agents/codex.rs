//! Codex CLI: `~/.codex/AGENTS.md`, `~/.codex/skills/`, hooks in
//! `~/.codex/hooks.json` (Claude shape, seconds). Each hook must be trusted
//! by its hash in Codex's `/hooks` before it runs.

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile, grouped_entry_seconds};
use crate::hookjson::HookShape;
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::SessionStart, "SessionStart"),
    (HookEvent::PromptSubmit, "UserPromptSubmit"),
    (HookEvent::PreToolUse, "PreToolUse"),
    (HookEvent::PostToolUse, "PostToolUse"),
    (HookEvent::Stop, "Stop"),
];

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Codex,
        instructions: Some("AGENTS.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::Grouped,
            events: EVENTS,
            entry: grouped_entry_seconds,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: Some(
                "Codex skips hooks until you trust them: start `codex`, open `/hooks` and trust the five `uas hook codex …` entries (trust is tied to each hook's hash, so it is asked again after uas changes them)",
            ),
            note: "exit 2 blocks only with a non-empty stderr (Codex 0.169 source)",
            plugin_events: &[],
        },
    }
}
