//! Factory Droid: `~/.factory/AGENTS.md`, `~/.factory/skills/`, hooks in
//! `~/.factory/hooks.json` (Claude's entries with the event map at the top
//! level, timeout in seconds). `hooks.json` wins over the `hooks` of
//! `settings.json` event by event, and Droid's own `/hooks` writes it, so
//! ours go there. Proven with the real CLI (binary 0.225.2).

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    grouped_entry_seconds, known, on, protocol, stdin_as_is, success_unknown,
};
use crate::hookjson::HookShape;
use crate::offswitch::OffSwitch;
use std::path::Path;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    // Fires for the TUI and `--input-format stream-jsonrpc`, not `droid exec`.
    on(EventKind::Prompt, "UserPromptSubmit"),
    on(EventKind::PreTool, "PreToolUse"),
    on(EventKind::PostTool, "PostToolUse"),
    on(EventKind::SubagentStop, "SubagentStop"),
    on(EventKind::Compact, "PreCompact"),
    on(EventKind::Stop, "Stop"),
    on(EventKind::SessionEnd, "SessionEnd"),
    known(EventKind::Other, "Notification"),
];

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Droid,
        presence: Presence {
            binaries: &["droid"],
            inside_vars: &["FACTORY_PROJECT_DIR"],
            // `FACTORY_HOME_OVERRIDE` stands in for HOME, not for this folder.
            dir_var: None,
            default_dir: ".factory",
            marker_file: Some("settings.json"),
        },
        instructions: Some("AGENTS.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::Root,
            entry: grouped_entry_seconds,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "blocks by exit 2 + stderr or permissionDecision JSON (real CLI 0.225.2); a hook that cannot start, fails or times out lets the tool run",
            unseen: &[
                "`hooksDisabled: true` in a project's `.factory/settings.json` or `.factory/hooks.json` switches every hook off for that project (uas reads only the user-level files)",
                "UserPromptSubmit does not fire in `droid exec`",
            ],
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        // PostToolUse's `tool_response` is plain text.
        tool_success: success_unknown,
        answer,
        off_switches,
        managed_off: crate::offswitch::none,
        launch_off: LaunchFlags {
            flags: &[],
            vars: &["FACTORY_HOME_OVERRIDE"],
        },
        project_settings: Some(".factory"),
        project_hook_files: &[
            "*/.factory/hooks.json",
            "*/.factory/settings.json",
            "*/.factory/settings.local.json",
        ],
        // `settings.local.json` merges over `settings.json` (its docs).
        protected_files: &["settings.json", "settings.local.json"],
    }
}

/// `hooksDisabled: true` in `hooks.json`, `settings.json` or
/// `settings.local.json`.
fn off_switches(dir: &Path) -> Vec<OffSwitch> {
    crate::offswitch::true_key_in(
        dir,
        &["hooks.json", "settings.json", "settings.local.json"],
        "hooksDisabled",
    )
}

/// Exit 2 with the reason on stderr; the session brief as
/// `additionalContext` (Droid adds it as context at session start).
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    protocol::exit_2(kind, verdict, brief, true)
}
