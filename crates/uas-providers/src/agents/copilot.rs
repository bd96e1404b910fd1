//! GitHub Copilot CLI: `~/.copilot/copilot-instructions.md`,
//! `~/.copilot/skills/`, hooks under `"hooks"` in `~/.copilot/settings.json`
//! (camelCase events, `{type:"command", bash, timeoutSec}`). Exit codes do
//! not block preToolUse; only the JSON decision does.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict, on,
    on_blocking, on_failure, protocol::line,
};
use crate::hookjson::HookShape;
use crate::offswitch::OffSwitch;
use serde_json::{Value, json};
use std::path::Path;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "sessionStart"),
    on(EventKind::Prompt, "userPromptSubmitted"),
    on(EventKind::PreTool, "preToolUse"),
    // Runs before Copilot's own permission rules and prompt: a deny
    // short-circuits them; saying nothing leaves them to decide.
    on_blocking(EventKind::Permission, "permissionRequest"),
    on(EventKind::PostTool, "postToolUse"),
    // postToolUse fires only for tools that succeeded.
    on_failure("postToolUseFailure"),
    on(EventKind::SubagentStart, "subagentStart"),
    on(EventKind::SubagentStop, "subagentStop"),
    on(EventKind::Compact, "preCompact"),
    on(EventKind::Stop, "agentStop"),
    on(EventKind::AgentError, "errorOccurred"),
    on(EventKind::SessionEnd, "sessionEnd"),
];

fn entry(command: &str, _event: &str) -> serde_json::Value {
    serde_json::json!({"type": "command", "bash": command, "timeoutSec": 10})
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Copilot,
        presence: Presence {
            binaries: &["copilot"],
            inside_vars: &[],
            dir_var: Some("COPILOT_HOME"),
            default_dir: ".copilot",
            marker_file: Some("config.json"),
        },
        instructions: Some("copilot-instructions.md"),
        project_instructions: Some(".github/copilot-instructions.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "settings.json",
            shape: HookShape::Flat,
            entry,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            // Proven by the real-agent `missing` scenario (1.0.102: "Denied
            // by preToolUse hook … (hook errored)"); its docs say a timeout
            // still lets the tool run.
            on_failure: FailureMode::Closed,
            approval: Some(
                "repository hooks (.github/hooks) load only in trusted folders; the user-level hooks uas writes need no approval",
            ),
            note: "blocks only via permissionDecision JSON on stdout (Copilot CLI 1.0.102); a preToolUse hook that errors denies the tool (1.0.102, real CLI); one that times out lets it run (its docs)",
            unseen: &[
                "Copilot cloud agent (on GitHub) loads only the repository's .github/hooks, never user hooks",
                "the built-in general-purpose subagent sends no subagentStart/subagentStop (its tool calls still reach preToolUse)",
            ],
        },
        events: EVENTS,
        adapt_stdin,
        tool_success,
        answer,
        off_switches,
        managed_off: crate::offswitch::none,
        launch_off: LaunchFlags::default(),
        project_settings: None,
        project_hook_files: &["*/.github/hooks/*"],
        // config.json is read for disableAllHooks but not protected: the
        // real CLI (1.0.102) writes it itself at every start.
        protected_files: &[],
    }
}

/// `toolResult.resultType` says `success` or not.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    response
        .and_then(|r| r.get("resultType"))
        .and_then(Value::as_str)
        .map(|t| t == "success")
}

/// Deny is stdout `{"permissionDecision":"deny","permissionDecisionReason":…}`
/// for `preToolUse` and `{"behavior":"deny","message":…}` for
/// `permissionRequest`, exit 0 (the JSON is what 1.0.102 reads).
fn answer(kind: EventKind, verdict: Verdict<'_>, _brief: Option<&str>) -> Answer {
    let mut a = Answer::default();
    if kind == EventKind::Permission {
        if let Verdict::Deny(reason) = verdict {
            a.stdout = line(json!({"behavior": "deny", "message": reason}));
        }
        return a;
    }
    match verdict {
        Verdict::Deny(reason) => {
            a.stdout = line(json!({
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }));
        }
        Verdict::Warn(reason) => a.stderr = format!("{reason}\n"),
        Verdict::Allow => {}
    }
    a
}

/// `disableAllHooks` in `settings.json` or `config.json`.
fn off_switches(dir: &Path) -> Vec<OffSwitch> {
    crate::offswitch::disable_all_in(dir, &["settings.json", "config.json"])
}

/// A subagent's own events carry its id as `sessionId` (Copilot 1.0.102:
/// `sessionId == agentId`) and the parent's session as `parentAgentId`:
/// they belong to the parent's session, so its plan and phase apply.
fn adapt_stdin(v: &mut serde_json::Map<String, Value>) {
    let own = v.get("agentId").filter(|a| a.is_string());
    if own.is_some()
        && v.get("sessionId") == own
        && let Some(parent) = v.get("parentAgentId").filter(|p| p.is_string()).cloned()
    {
        v.insert("session_id".into(), parent);
    }
}
