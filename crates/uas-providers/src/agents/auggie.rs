//! Auggie (Augment's CLI): user rules in `~/.augment/rules/`,
//! `~/.augment/skills/`, hooks in `~/.augment/settings.json` (Claude's
//! shape, timeout in ms; its prompt event is `PromptSubmit`). Events carry
//! `conversation_id` and `workspace_roots` instead of a session and a cwd.
//! Proven with the real CLI 0.36.0 against a local stand-in for Augment's
//! service.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    known, on, protocol,
};
use crate::hookjson::HookShape;
use serde_json::{Map, Value};
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    on(EventKind::Prompt, "PromptSubmit"),
    on(EventKind::PreTool, "PreToolUse"),
    on(EventKind::PostTool, "PostToolUse"),
    on(EventKind::Stop, "Stop"),
    on(EventKind::SessionEnd, "SessionEnd"),
    // Accepted in its settings, never sent by 0.36.0.
    known(EventKind::Other, "Notification"),
];

fn entry(command: &str, _event: &str) -> Value {
    serde_json::json!({"hooks": [{"type": "command", "command": command, "timeout": 10000}]})
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Auggie,
        presence: Presence {
            binaries: &["auggie"],
            inside_vars: &["AUGMENT_CONVERSATION_ID"],
            dir_var: None,
            default_dir: ".augment",
            marker_file: Some("settings.json"),
        },
        // Auggie reads every `~/.augment/rules/*.md` as a user rule (it does
        // not read `~/.augment/user-guidelines.md` or a user AGENTS.md).
        instructions: Some("rules/universal-agent.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "settings.json",
            shape: HookShape::Grouped,
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "blocks by exit 2 + stderr or permissionDecision JSON (real CLI 0.36.0); a hook that cannot start or times out lets the tool run; Augment's service turns hooks on per account (`enable_hooks`), which uas cannot see",
            unseen: &[
                "hooks run only while Augment's service enables them for the account (feature flag `enable_hooks`, 0.36.0)",
                "SessionStart, PromptSubmit and Stop answers are ignored: the SOP brief cannot be added at session start",
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
        project_hook_files: &["*/.augment/settings.json", "*/.augment/settings.local.json"],
        protected_files: &[],
    }
}

/// `conversation_id` is the session; the first workspace root the cwd.
fn adapt_stdin(v: &mut Map<String, Value>) {
    super::cwd_from_roots(v);
    super::session_from(v, "conversation_id");
}

/// `tool_error` is null for a tool that succeeded.
fn tool_success(event: &Value, _response: Option<&Value>) -> Option<bool> {
    Some(event.get("tool_error").is_none_or(Value::is_null))
}

/// Exit 2 with the reason on stderr (its answers to other events are
/// ignored, so nothing else is said).
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    protocol::exit_2(kind, verdict, brief, false)
}
