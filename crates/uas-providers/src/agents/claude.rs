//! Claude Code: `~/.claude/CLAUDE.md`, `~/.claude/skills/`, hooks in
//! `~/.claude/settings.json` (`hooks.<Event>[{hooks:[{type,command,timeout(s)}]}]`).

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile, grouped_entry_seconds};
use crate::hookjson::HookShape;
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::SessionStart, "SessionStart"),
    (HookEvent::PromptSubmit, "UserPromptSubmit"),
    (HookEvent::PreToolUse, "PreToolUse"),
    (HookEvent::PostToolUse, "PostToolUse"),
    // Claude reports failed tools here instead of PostToolUse; audited so
    // failed test runs are on record (they are never evidence).
    (HookEvent::PostToolUse, "PostToolUseFailure"),
    (HookEvent::Stop, "Stop"),
    (HookEvent::SessionEnd, "SessionEnd"),
];

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Claude,
        instructions: Some("CLAUDE.md"),
        project_instructions: Some("CLAUDE.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "settings.json",
            shape: HookShape::Grouped,
            events: EVENTS,
            entry: grouped_entry_seconds,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "blocks by exit 2 + stderr or permissionDecision JSON (verified with Claude Code 2.1.197)",
            plugin_events: &[],
        },
    }
}
