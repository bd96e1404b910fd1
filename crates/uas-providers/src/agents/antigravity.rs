//! Antigravity CLI (`agy`): shares `~/.gemini/GEMINI.md`; skills in
//! `~/.gemini/config/skills/`; hooks in `~/.gemini/config/hooks.json` under a
//! top-level named hook set that is all ours (`"enabled": true` plus its
//! events). agy has five events and no SessionStart. Its tool events take
//! `{matcher, hooks:[…]}` entries, its other events a flat list of commands;
//! the nested form on a non-tool event makes agy reject the whole file.
//! Timeouts are in seconds. Sources (third-party captures from agy 1.1.17
//! and 1.1.25, C3) are in docs/agents.md; no agy binary runs here.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict, on,
    protocol::line,
};
use crate::hookjson::{HookShape, OWN_GROUP};
use serde_json::{Map, Value, json};
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::Prompt, "PreInvocation"),
    on(EventKind::PreTool, "PreToolUse"),
    on(EventKind::PostTool, "PostToolUse"),
    on(EventKind::Stop, "PostInvocation"),
    on(EventKind::Stop, "Stop"),
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
        presence: Presence {
            binaries: &["agy", "antigravity"],
            inside_vars: &[],
            dir_var: None,
            default_dir: ".gemini/config",
            marker_file: Some("hooks.json"),
        },
        // The config dir is ~/.gemini/config; the instructions live one up.
        instructions: Some("../GEMINI.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::OwnGroup(OWN_GROUP),
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Closed,
            approval: None,
            note: "hook file shape, payload and answer are from third-party captures of agy 1.1.17/1.1.25 (no agy runs here); agy 1.1.11 was reported to read hooks only from plugins",
            unseen: &[
                "agy versions that read hooks only from installed plugins run none of ours (unproven here: no agy runs on this machine)",
                "`allow` does not suppress agy's own confirmation prompt",
            ],
        },
        events: EVENTS,
        adapt_stdin,
        tool_success,
        answer,
        off_switches: crate::offswitch::none,
        managed_off: crate::offswitch::none,
        launch_off: LaunchFlags::default(),
        project_settings: None,
        project_hook_files: &[
            "*/.agents/hooks.json",
            "*/.agent/hooks.json",
            "*/_agents/hooks.json",
        ],
        protected_files: &[],
    }
}

/// agy sends protojson: the call under `toolCall {name, args}` (PascalCase
/// argument keys), `conversationId`, and the project in `workspacePaths`
/// (empty in headless runs, where a command's `Cwd` is the best we have).
fn adapt_stdin(v: &mut Map<String, Value>) {
    if !v.contains_key("session_id")
        && let Some(id) = v.get("conversationId").cloned()
    {
        v.insert("session_id".into(), id);
    }
    let call = v.get("toolCall").filter(|t| t.is_object()).cloned();
    let root = v
        .get("workspacePaths")
        .and_then(|w| w.get(0))
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            call.as_ref()
                .and_then(|c| c.get("args"))
                .and_then(|a| a.get("Cwd"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    if !v.contains_key("cwd")
        && let Some(root) = root
    {
        v.insert("cwd".into(), Value::String(root));
    }
    if let Some(call) = call {
        if let Some(name) = call.get("name").filter(|n| n.is_string()) {
            v.entry("tool_name").or_insert(name.clone());
        }
        if let Some(args) = call.get("args") {
            v.entry("tool_input").or_insert(args.clone());
        }
    }
}

/// agy reports only a top-level `error` string ("" or absent when the tool
/// succeeded).
fn tool_success(event: &Value, _response: Option<&Value>) -> Option<bool> {
    Some(
        event
            .get("error")
            .is_none_or(|e| e.is_null() || e.as_str() == Some("")),
    )
}

/// `{"decision":"allow"|"deny","reason"}` on PreToolUse, `{}` elsewhere,
/// always exit 0: agy blocks the tool on a non-zero exit, a timeout or an
/// answer it cannot parse, and reads an empty one as `{}` (its own
/// permission flow decides).
fn answer(kind: EventKind, verdict: Verdict<'_>, _brief: Option<&str>) -> Answer {
    Answer {
        stdout: line(match (kind, verdict) {
            (EventKind::PreTool, Verdict::Deny(r)) => json!({"decision": "deny", "reason": r}),
            (EventKind::PreTool, Verdict::Warn(r)) => json!({"decision": "allow", "reason": r}),
            (EventKind::PreTool, Verdict::Allow) => json!({"decision": "allow"}),
            _ => json!({}),
        }),
        ..Answer::default()
    }
}
