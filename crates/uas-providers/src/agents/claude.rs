//! Claude Code: `~/.claude/CLAUDE.md`, `~/.claude/skills/`, hooks in
//! `~/.claude/settings.json` (`hooks.<Event>[{hooks:[{type,command,timeout(s)}]}]`).

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    grouped_entry_seconds, on, on_blocking, on_failure, protocol, stdin_as_is,
};
use crate::hookjson::HookShape;
use crate::offswitch::OffSwitch;
use serde_json::Value;
use std::path::Path;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    on(EventKind::Prompt, "UserPromptSubmit"),
    on(EventKind::PreTool, "PreToolUse"),
    // The permission dialog (or rule) for a tool: refused when the SOP
    // refuses the tool, otherwise left to the dialog.
    on_blocking(EventKind::Permission, "PermissionRequest"),
    on(EventKind::PostTool, "PostToolUse"),
    // Claude reports failed tools here instead of PostToolUse; audited so
    // failed test runs are on record (they are never evidence).
    on_failure("PostToolUseFailure"),
    // A settings file changed mid-session: exit 2 keeps the change out of
    // the session (Claude Code 2.1.197: "ConfigChange hook blocked change").
    on_blocking(EventKind::ConfigChange, "ConfigChange"),
    on(EventKind::SubagentStart, "SubagentStart"),
    on(EventKind::SubagentStop, "SubagentStop"),
    on(EventKind::Compact, "PreCompact"),
    on(EventKind::Stop, "Stop"),
    on(EventKind::AgentError, "StopFailure"),
    on(EventKind::SessionEnd, "SessionEnd"),
];

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Claude,
        presence: Presence {
            binaries: &["claude"],
            inside_vars: &["CLAUDECODE"],
            dir_var: Some("CLAUDE_CONFIG_DIR"),
            default_dir: ".claude",
            marker_file: Some("settings.json"),
        },
        instructions: Some("CLAUDE.md"),
        project_instructions: Some("CLAUDE.md"),
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
            note: "blocks by exit 2 + stderr or permissionDecision JSON (verified with Claude Code 2.1.197); a hook that crashes or times out lets the tool run, and 2.1.197 has no setting to change that (no `onFailure` in its hook schema)",
            unseen: &[
                "`claude --bare` and managed settings with `allowManagedHooksOnly` load no user hooks",
                "`disableAllHooks` in a project's `.claude/settings.json` or `.claude/settings.local.json` (uas reads only the user-level files)",
            ],
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        tool_success,
        answer,
        off_switches,
        managed_off,
        launch_off: LaunchFlags {
            // Claude Code 2.1.197: `--bare` (sets CLAUDE_CODE_SIMPLE) skips
            // hooks; `--safe-mode` loads no user settings; setting sources
            // without `user` leave ~/.claude/settings.json unread.
            // `--managed-settings` can bring `allowManagedHooksOnly`.
            flags: &[
                "--bare",
                "--safe-mode",
                "--setting-sources !user",
                "--managed-settings",
            ],
            vars: &["CLAUDE_CODE_SIMPLE", "CLAUDE_CODE_SAFE_MODE"],
        },
        project_settings: Some(".claude"),
        project_hook_files: &["*/.claude/settings.json", "*/.claude/settings.local.json"],
        protected_files: &["settings.local.json"],
    }
}

/// Claude fires PostToolUse only for tools that succeeded (failures go to
/// PostToolUseFailure); an interrupted tool did not finish.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    Some(
        response
            .and_then(|r| r.get("interrupted"))
            .and_then(Value::as_bool)
            != Some(true),
    )
}

/// Exit 2 + stderr; the session brief as `additionalContext`; a refused
/// permission request as `decision.behavior = "deny"`.
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    match kind {
        EventKind::Permission => protocol::permission_request(verdict),
        _ => protocol::exit_2(kind, verdict, brief, true),
    }
}

/// `disableAllHooks` in the user-level settings files.
fn off_switches(dir: &Path) -> Vec<OffSwitch> {
    crate::offswitch::disable_all_in(dir, &["settings.json", "settings.local.json"])
}

/// Managed settings (`/etc/claude-code/managed-settings.json` and its
/// `managed-settings.d/` drop-ins): `disableAllHooks`, or
/// `allowManagedHooksOnly`, which leaves the user's hooks (ours) unloaded.
fn managed_off(root: &Path) -> Vec<OffSwitch> {
    let dir = root.join("etc/claude-code");
    let mut files = vec!["managed-settings.json".to_owned()];
    if let Ok(entries) = std::fs::read_dir(dir.join("managed-settings.d")) {
        let mut drop_ins: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .map(|n| format!("managed-settings.d/{n}"))
            .collect();
        drop_ins.sort();
        files.extend(drop_ins);
    }
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let mut out = crate::offswitch::true_key_in(&dir, &files, "disableAllHooks");
    out.extend(crate::offswitch::true_key_in(
        &dir,
        &files,
        "allowManagedHooksOnly",
    ));
    out
}
