//! Qwen Code: `~/.qwen/QWEN.md`, `~/.qwen/skills/`, hooks in
//! `~/.qwen/settings.json` (Claude's shape and event names, timeout in
//! seconds; `QWEN_HOME` moves the folder). Proven with the real CLI 0.24.4.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    grouped_entry_seconds, on, on_blocking, on_failure, protocol, stdin_as_is, success_unknown,
};
use crate::hookjson::HookShape;
use crate::offswitch::OffSwitch;
use std::path::Path;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    on(EventKind::Prompt, "UserPromptSubmit"),
    on(EventKind::PreTool, "PreToolUse"),
    // Same wire as Claude's: `hookSpecificOutput.decision.behavior`.
    on_blocking(EventKind::Permission, "PermissionRequest"),
    on(EventKind::PostTool, "PostToolUse"),
    on_failure("PostToolUseFailure"),
    on(EventKind::SubagentStart, "SubagentStart"),
    on(EventKind::SubagentStop, "SubagentStop"),
    on(EventKind::Compact, "PreCompact"),
    on(EventKind::Stop, "Stop"),
    on(EventKind::AgentError, "StopFailure"),
    on(EventKind::SessionEnd, "SessionEnd"),
];

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Qwen,
        presence: Presence {
            binaries: &["qwen"],
            // Set for the commands Qwen runs (its hooks' environment, 0.24.4).
            inside_vars: &["QWEN_CODE_CLI"],
            dir_var: Some("QWEN_HOME"),
            default_dir: ".qwen",
            marker_file: Some("settings.json"),
        },
        instructions: Some("QWEN.md"),
        project_instructions: Some("QWEN.md"),
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
            note: "blocks by exit 2 with a non-empty stderr or permissionDecision JSON (real CLI 0.24.4; exit 2 with an empty stderr lets the tool run); a hook that cannot start, times out or crashes lets the tool run, with no setting to change that",
            unseen: &[
                "`qwen --bare`, `--safe-mode` and `tools.executionSandbox` run no hooks",
                "`disableAllHooks` in a project's `.qwen/settings.json` switches every hook off for that project (uas reads only the user-level file)",
                "SessionEnd fires only when an interactive session exits, not after `qwen -p`",
            ],
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        tool_success: success_unknown,
        answer,
        off_switches,
        managed_off,
        launch_off: LaunchFlags {
            flags: &["--bare", "--safe-mode"],
            vars: &[],
        },
        project_settings: Some(".qwen"),
        project_hook_files: &["*/.qwen/settings.json"],
        protected_files: &[],
    }
}

/// `disableAllHooks` in `settings.json`.
fn off_switches(dir: &Path) -> Vec<OffSwitch> {
    crate::offswitch::disable_all_in(dir, &["settings.json"])
}

/// Exit 2 with the reason on stderr; the session brief as
/// `additionalContext`; a refused permission as `decision.behavior`.
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    match kind {
        EventKind::Permission => protocol::permission_request(verdict),
        _ => protocol::exit_2(kind, verdict, brief, true),
    }
}

/// The system settings (`/etc/qwen-code/settings.json`).
fn managed_off(root: &Path) -> Vec<OffSwitch> {
    crate::offswitch::disable_all_in(&root.join("etc/qwen-code"), &["settings.json"])
}
