//! Antigravity CLI (`agy`): shares `~/.gemini/GEMINI.md`; skills in
//! `~/.gemini/config/skills/`; hooks in `~/.gemini/config/hooks.json` under a
//! top-level named hook set that is all ours (`"enabled": true` plus its
//! events). agy has five events and no SessionStart. Its tool events take
//! `{matcher, hooks:[…]}` entries, its other events a flat list of commands;
//! the nested form on a non-tool event makes agy reject the whole file.
//! Timeouts are in seconds. Sources (third-party captures from agy 1.1.17
//! and 1.1.25, C3) are in docs/agents.md; no agy binary runs here.

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile};
use crate::hookjson::{HookShape, OWN_GROUP};
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::PromptSubmit, "PreInvocation"),
    (HookEvent::PreToolUse, "PreToolUse"),
    (HookEvent::PostToolUse, "PostToolUse"),
    (HookEvent::Stop, "PostInvocation"),
    (HookEvent::Stop, "Stop"),
];

/// Tool events match every tool (`.*`: a gate on some tools only makes the
/// model reach for another); the others are plain commands.
fn entry(command: &str, event: &str) -> serde_json::Value {
    let hook = serde_json::json!({"type": "command", "command": command, "timeout": 10});
    if matches!(event, "PreToolUse" | "PostToolUse") {
        serde_json::json!({"matcher": ".*", "hooks": [hook]})
    } else {
        hook
    }
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Antigravity,
        // The config dir is ~/.gemini/config; the instructions live one up.
        instructions: Some("../GEMINI.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::OwnGroup(OWN_GROUP),
            events: EVENTS,
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Closed,
            approval: None,
            note: "hook file shape, payload and answer are from third-party captures of agy 1.1.17/1.1.25 (no agy runs here); agy 1.1.11 was reported to read hooks only from plugins",
            plugin_events: &[],
        },
    }
}
