//! Antigravity CLI (`agy`): shares `~/.gemini/GEMINI.md`; skills in
//! `~/.gemini/config/skills/`; hooks in `~/.gemini/config/hooks.json` under a
//! top-level named group that is all ours. Formats are third-party-confirmed
//! only (AGENT-FORMATS.md, C3); no agy binary was available to verify.

use super::{AgentSpec, Facts, FailureMode, HookEvent, HookFile, grouped_entry_seconds};
use crate::hookjson::{HookShape, OWN_GROUP};
use uas_core::AgentId;

const EVENTS: &[(HookEvent, &str)] = &[
    (HookEvent::SessionStart, "SessionStart"),
    (HookEvent::PreToolUse, "PreToolUse"),
    (HookEvent::PostToolUse, "PostToolUse"),
    (HookEvent::Stop, "Stop"),
];

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
            entry: grouped_entry_seconds,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Closed,
            approval: None,
            note: "hook file shape and timeout units are from third-party sources, not verified against agy",
            plugin_events: &[],
        },
    }
}
