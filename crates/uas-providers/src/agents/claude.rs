//! Claude Code: `~/.claude/CLAUDE.md`, `~/.claude/skills/`, hooks in
//! `~/.claude/settings.json` (`hooks.<Event>[{hooks:[{type,command,timeout(s)}]}]`).

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, Verdict, grouped_entry_seconds, on,
    on_failure, protocol, stdin_as_is,
};
use crate::hookjson::HookShape;
use serde_json::Value;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    on(EventKind::Prompt, "UserPromptSubmit"),
    on(EventKind::PreTool, "PreToolUse"),
    on(EventKind::PostTool, "PostToolUse"),
    // Claude reports failed tools here instead of PostToolUse; audited so
    // failed test runs are on record (they are never evidence).
    on_failure("PostToolUseFailure"),
    on(EventKind::Stop, "Stop"),
    on(EventKind::SessionEnd, "SessionEnd"),
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
            entry: grouped_entry_seconds,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "blocks by exit 2 + stderr or permissionDecision JSON (verified with Claude Code 2.1.197)",
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        tool_success,
        answer,
        project_hook_files: &["*/.claude/settings.json", "*/.claude/settings.local.json"],
        protected_files: &["settings.local.json"],
    }
}

/// Claude fires PostToolUse only for tools that succeeded (failures go to
/// PostToolUseFailure); an interrupted tool did not finish.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    Some(
        response
            .and_then(|r| r.get("interrupted"))
            .and_then(Value::as_bool)
            != Some(true),
    )
}

/// Exit 2 + stderr; the session brief as `additionalContext`.
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    protocol::exit_2(kind, verdict, brief, true)
}
