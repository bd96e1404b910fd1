//! Cursor: no user-level instruction file (user rules live in its settings);
//! project rules as `.cursor/rules/universal-agent.mdc`; skills in
//! `~/.cursor/skills/`; hooks in `~/.cursor/hooks.json`
//! (`{"version":1,"hooks":{"preToolUse":[{"command":…}]}}`).

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    known, on, on_blocking, on_failure, protocol::line,
};
use crate::hookjson::HookShape;
use serde_json::{Map, Value, json};
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "sessionStart"),
    on(EventKind::Prompt, "beforeSubmitPrompt"),
    on(EventKind::PreTool, "preToolUse"),
    // Cursor's own gates for a shell command, an MCP call and a file read
    // (the agent's read, and files attached to a prompt).
    on(EventKind::PreTool, "beforeShellExecution"),
    on(EventKind::PreTool, "beforeMCPExecution"),
    on(EventKind::PreTool, "beforeReadFile"),
    on(EventKind::PostTool, "postToolUse"),
    on_failure("postToolUseFailure"),
    // The agent's edit, and a Tab completion the person accepted: Tab
    // edits never pass through preToolUse, so this is their only record.
    on(EventKind::PostTool, "afterFileEdit"),
    on(EventKind::PostTool, "afterTabFileEdit"),
    on_blocking(EventKind::SubagentStart, "subagentStart"),
    on(EventKind::SubagentStop, "subagentStop"),
    on(EventKind::Compact, "preCompact"),
    on(EventKind::Stop, "stop"),
    on(EventKind::SessionEnd, "sessionEnd"),
    known(EventKind::PostTool, "afterShellExecution"),
    known(EventKind::PostTool, "afterMCPExecution"),
];

/// Events whose answer can refuse: each fails closed (`failClosed`), so a
/// hook that crashes, times out or answers garbage blocks instead of allowing.
fn blocking(event: &str) -> bool {
    EVENTS.iter().any(|e| e.name == event && e.blocks)
}

fn entry(command: &str, event: &str) -> serde_json::Value {
    // Cursor's `timeout` is in seconds (its hooks docs).
    if blocking(event) {
        serde_json::json!({"command": command, "timeout": 10, "failClosed": true})
    } else {
        serde_json::json!({"command": command, "timeout": 10})
    }
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Cursor,
        presence: Presence {
            binaries: &["cursor-agent", "cursor"],
            inside_vars: &["CURSOR_AGENT", "CURSOR_TRACE_ID"],
            dir_var: None,
            default_dir: ".cursor",
            marker_file: Some("hooks.json"),
        },
        instructions: None,
        project_instructions: Some(".cursor/rules/universal-agent.mdc"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::Flat,
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
            note: "fails open unless failClosed:true, which uas sets on every event that can refuse (preToolUse, beforeShellExecution, beforeMCPExecution, beforeReadFile, subagentStart)",
            unseen: &[
                "Cursor cloud (background) agents do not load user hooks",
                "no Cursor runs here: payloads and answers are from its docs and third-party captures",
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
        project_hook_files: &["*/.cursor/hooks.json"],
        protected_files: &[],
    }
}

/// Cursor sends `cwd: ""` with the project in `workspace_roots`; its shell
/// events carry the command at the top level without a tool name, and its
/// file events the path (`beforeReadFile` with the `content`, the edit
/// events with the `edits`).
fn adapt_stdin(v: &mut Map<String, Value>) {
    super::cwd_from_roots(v);
    super::session_from(v, "conversation_id");
    if !v.contains_key("tool_name")
        && let Some(command) = v.get("command").cloned()
    {
        v.insert("tool_name".into(), json!("Shell"));
        v.insert("tool_input".into(), json!({ "command": command }));
    }
    if !v.contains_key("tool_name")
        && let Some(path) = v.get("file_path").cloned()
    {
        let tool = if v.contains_key("edits") {
            "Edit"
        } else {
            "Read"
        };
        v.insert("tool_name".into(), json!(tool));
        v.insert("tool_input".into(), json!({ "file_path": path }));
    }
}

/// Copies the session id from `key` when `session_id` is missing.
/// `tool_output` (JSON in a string, read by the normalizer) says `success`.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    response
        .and_then(|r| r.get("success"))
        .and_then(Value::as_bool)
}

/// `{"permission":"allow"|"deny","user_message","agent_message"}` on
/// pre-tool events and subagent starts, `{"continue":true}` on prompts.
fn answer(kind: EventKind, verdict: Verdict<'_>, _brief: Option<&str>) -> Answer {
    let mut a = Answer::default();
    match kind {
        EventKind::PreTool | EventKind::SubagentStart => {
            a.stdout = line(match verdict {
                Verdict::Deny(r) => {
                    json!({"permission": "deny", "user_message": r, "agent_message": r})
                }
                Verdict::Warn(r) => json!({"permission": "allow", "agent_message": r}),
                Verdict::Allow => json!({"permission": "allow"}),
            });
        }
        EventKind::Prompt => a.stdout = line(json!({"continue": true})),
        _ => {}
    }
    a
}
