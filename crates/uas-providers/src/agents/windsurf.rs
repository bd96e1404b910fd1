//! Windsurf (Cascade): user rules in `~/.codeium/windsurf/memories/global_rules.md`,
//! `~/.codeium/windsurf/skills/`, hooks in `~/.codeium/windsurf/hooks.json`
//! (`{"hooks":{"pre_write_code":[{"command":…}]}}`, no matcher, no timeout).
//! Every event wraps its details in `tool_info`; the session is
//! `trajectory_id`. No Windsurf runs here: from its hooks docs (C) and
//! third-party captures (C3), replayed as fixtures.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    known, on, protocol, success_unknown,
};
use crate::hookjson::HookShape;
use serde_json::{Map, Value, json};
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::Prompt, "pre_user_prompt"),
    on(EventKind::PreTool, "pre_read_code"),
    on(EventKind::PreTool, "pre_write_code"),
    on(EventKind::PreTool, "pre_run_command"),
    on(EventKind::PreTool, "pre_mcp_tool_use"),
    on(EventKind::PostTool, "post_read_code"),
    on(EventKind::PostTool, "post_write_code"),
    on(EventKind::PostTool, "post_run_command"),
    on(EventKind::PostTool, "post_mcp_tool_use"),
    on(EventKind::Stop, "post_cascade_response"),
    known(EventKind::Other, "post_cascade_response_with_transcript"),
    known(EventKind::Other, "post_setup_worktree"),
];

fn entry(command: &str, _event: &str) -> Value {
    // `show_output`: the reason of a refusal is shown in Cascade's panel too.
    json!({"command": command, "show_output": true})
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Windsurf,
        presence: Presence {
            binaries: &["windsurf"],
            inside_vars: &[],
            dir_var: None,
            default_dir: ".codeium/windsurf",
            marker_file: None,
        },
        instructions: Some("memories/global_rules.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::Flat,
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "from Windsurf's hooks docs (C), not run here: exit 2 with the reason on stderr blocks a pre_* event and Cascade sees the reason; any other failure lets the action run",
            unseen: &[
                "no session start or end event: the SOP brief cannot be sent, and a session begins at its first event",
                "a workspace's `.windsurf/hooks.json` and `/etc/windsurf/hooks.json` add hooks of their own (merged, run in turn)",
            ],
        },
        events: EVENTS,
        adapt_stdin,
        tool_success: success_unknown,
        answer,
        off_switches: crate::offswitch::none,
        managed_off: crate::offswitch::none,
        launch_off: LaunchFlags::default(),
        project_settings: None,
        project_hook_files: &["*/.windsurf/hooks.json"],
        protected_files: &[],
    }
}

/// `trajectory_id` is the session; `tool_info` becomes a tool call named
/// after the action (`pre_write_code` -> an edit of `file_path`,
/// `pre_run_command` -> a shell `command_line`, MCP -> `mcp__server__tool`).
/// Windsurf runs hooks in the workspace root, so a missing `cwd` is the
/// hook's own working directory.
fn adapt_stdin(v: &mut Map<String, Value>) {
    super::session_from(v, "trajectory_id");
    let info = v.get("tool_info").cloned().unwrap_or(Value::Null);
    if !v.contains_key("cwd") {
        let cwd = info
            .get("cwd")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                std::env::current_dir()
                    .ok()
                    .map(|d| d.display().to_string())
            });
        if let Some(cwd) = cwd {
            v.insert("cwd".into(), Value::String(cwd));
        }
    }
    if v.contains_key("tool_name") {
        return;
    }
    let action = v
        .get("agent_action_name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let call = match action {
        "pre_write_code" | "post_write_code" => Some((
            "Edit".to_owned(),
            json!({"file_path": info["file_path"], "edits": info["edits"]}),
        )),
        "pre_read_code" | "post_read_code" => {
            Some(("Read".to_owned(), json!({"file_path": info["file_path"]})))
        }
        "pre_run_command" | "post_run_command" => {
            Some(("Shell".to_owned(), json!({"command": info["command_line"]})))
        }
        "pre_mcp_tool_use" | "post_mcp_tool_use" => Some((
            format!(
                "mcp__{}__{}",
                info["mcp_server_name"].as_str().unwrap_or("unknown"),
                info["mcp_tool_name"].as_str().unwrap_or("unknown")
            ),
            info["mcp_tool_arguments"].clone(),
        )),
        _ => None,
    };
    if let Some((name, input)) = call {
        v.insert("tool_name".into(), Value::String(name));
        v.insert("tool_input".into(), input);
    }
    if let Some(prompt) = info.get("user_prompt").cloned() {
        v.entry("prompt").or_insert(prompt);
    }
}

/// Exit 2 with the reason on stderr (Cascade reads no JSON answer).
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    protocol::exit_2(kind, verdict, brief, false)
}
