//! Codex CLI: `~/.codex/AGENTS.md`, `~/.codex/skills/`, hooks in
//! `~/.codex/hooks.json` (Claude shape, seconds). Each hook must be trusted
//! by its hash in Codex's `/hooks` before it runs.

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict,
    grouped_entry_seconds, on, on_blocking, protocol, stdin_as_is, success_unknown,
};
use crate::hookjson::HookShape;
use crate::offswitch::OffSwitch;
use std::path::Path;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    on(EventKind::Prompt, "UserPromptSubmit"),
    on(EventKind::PreTool, "PreToolUse"),
    // Shell, exec, network and MCP approvals (Codex 0.169's
    // `PermissionRequestDecisionWire`: behavior allow|deny, message).
    on_blocking(EventKind::Permission, "PermissionRequest"),
    on(EventKind::PostTool, "PostToolUse"),
    on(EventKind::SubagentStart, "SubagentStart"),
    on(EventKind::SubagentStop, "SubagentStop"),
    on(EventKind::Compact, "PreCompact"),
    on(EventKind::Stop, "Stop"),
    on(EventKind::SessionEnd, "SessionEnd"),
];

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Codex,
        presence: Presence {
            binaries: &["codex"],
            inside_vars: &["CODEX_THREAD_ID"],
            dir_var: Some("CODEX_HOME"),
            default_dir: ".codex",
            marker_file: Some("config.toml"),
        },
        instructions: Some("AGENTS.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: Some(HookFile {
            file: "hooks.json",
            shape: HookShape::Grouped,
            entry: grouped_entry_seconds,
            required_root: &[],
        }),
        owned_file: None,
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: Some(
                "Codex skips hooks until you trust them: start `codex`, open `/hooks` and trust every `uas hook codex …` entry (or run `uas setup --trust-codex-hooks`) (trust is tied to each hook's hash, so it is asked again after uas changes them)",
            ),
            note: "exit 2 blocks only with a non-empty stderr (Codex 0.169 source); a hook that crashes or times out lets the tool run",
            unseen: &[
                "hooks you have not trusted in `/hooks` are skipped silently (uas status cannot see Codex's trust state)",
                "Codex 0.169 sends PreToolUse for shell commands and apply_patch; its built-in file reads and web search reach no hook",
            ],
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        // Codex's Bash PostToolUse carries no exit code; apply_patch's text
        // says `Exit code: N`, which the normalizer reads.
        tool_success: success_unknown,
        answer,
        off_switches,
        managed_off: crate::offswitch::none,
        launch_off: LaunchFlags {
            // Codex 0.169: `--disable F` is `-c features.F=false`.
            flags: &[
                "--disable hooks",
                "--disable codex_hooks",
                "-c features.hooks=false",
                "-c features.codex_hooks=false",
                "--config features.hooks=false",
            ],
            vars: &[],
        },
        project_settings: Some(".codex"),
        project_hook_files: &["*/.codex/hooks.json", "*/.codex/config.toml"],
        protected_files: &["config.toml"],
    }
}

/// Exit 2 with a non-empty stderr; the session brief as `additionalContext`;
/// a refused approval as `decision.behavior = "deny"`.
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    match kind {
        EventKind::Permission => protocol::permission_request(verdict),
        _ => protocol::exit_2(kind, verdict, brief, true),
    }
}

/// `[features] hooks|codex_hooks = false` in `config.toml`.
fn off_switches(dir: &Path) -> Vec<OffSwitch> {
    crate::offswitch::codex(&dir.join("config.toml"))
}
