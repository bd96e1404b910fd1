//! Cursor: no user-level instruction file (user rules live in its settings);
//! project rules as `.cursor/rules/universal-agent.mdc`; skills in
//! `~/.cursor/skills/`; hooks in `~/.cursor/hooks.json`
//! (`{"version":1,"hooks":{"preToolUse":[{"command":…}]}}`).

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, Verdict, known, known_failure, on,
    protocol::line,
};
use crate::hookjson::HookShape;
use serde_json::{Map, Value, json};
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "sessionStart"),
    on(EventKind::Prompt, "beforeSubmitPrompt"),
    on(EventKind::PreTool, "preToolUse"),
    on(EventKind::PostTool, "postToolUse"),
    on(EventKind::Stop, "stop"),
    on(EventKind::SessionEnd, "sessionEnd"),
    known(EventKind::PreTool, "beforeShellExecution"),
    known(EventKind::PreTool, "beforeMCPExecution"),
    known(EventKind::PostTool, "afterShellExecution"),
    known(EventKind::PostTool, "afterMCPExecution"),
    known(EventKind::PostTool, "afterFileEdit"),
    known_failure("postToolUseFailure"),
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
        },
        events: EVENTS,
        adapt_stdin,
        tool_success,
        answer,
        project_hook_files: &["*/.cursor/hooks.json"],
        protected_files: &[],
    }
}

/// Cursor sends `cwd: ""` with the project in `workspace_roots`, and its
/// shell events carry the command at the top level without a tool name.
fn adapt_stdin(v: &mut Map<String, Value>) {
    if v.get("cwd")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(root) = v
            .get("workspace_roots")
            .and_then(|w| w.get(0))
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
    {
        let root = root.to_owned();
        v.insert("cwd".into(), Value::String(root));
    }
    session_from(v, "conversation_id");
    if !v.contains_key("tool_name")
        && let Some(command) = v.get("command").cloned()
    {
        v.insert("tool_name".into(), json!("Shell"));
        v.insert("tool_input".into(), json!({ "command": command }));
    }
}

/// Copies the session id from `key` when `session_id` is missing.
fn session_from(v: &mut Map<String, Value>, key: &str) {
    if !v.contains_key("session_id")
        && let Some(id) = v.get(key).cloned()
    {
        v.insert("session_id".into(), id);
    }
}

/// `tool_output` (JSON in a string, read by the normalizer) says `success`.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    response
        .and_then(|r| r.get("success"))
        .and_then(Value::as_bool)
}

/// `{"permission":"allow"|"deny","user_message","agent_message"}` on
/// pre-tool events, `{"continue":true}` on prompts.
fn answer(kind: EventKind, verdict: Verdict<'_>, _brief: Option<&str>) -> Answer {
    let mut a = Answer::default();
    match kind {
        EventKind::PreTool => {
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
