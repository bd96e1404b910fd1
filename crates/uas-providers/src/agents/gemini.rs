//! Gemini CLI (legacy/enterprise): `~/.gemini/GEMINI.md`, `~/.gemini/skills/`,
//! hooks in `~/.gemini/settings.json` (`BeforeTool`…, timeout in ms).

use super::{
    AgentSpec, Answer, EventName, Facts, FailureMode, HookFile, LaunchFlags, Presence, Verdict, on,
    protocol, stdin_as_is,
};
use crate::hookjson::HookShape;
use crate::offswitch::OffSwitch;
use serde_json::Value;
use std::path::Path;
use uas_core::{AgentId, EventKind};

const EVENTS: &[EventName] = &[
    on(EventKind::SessionStart, "SessionStart"),
    on(EventKind::Prompt, "BeforeAgent"),
    on(EventKind::PreTool, "BeforeTool"),
    on(EventKind::PostTool, "AfterTool"),
    on(EventKind::Stop, "AfterAgent"),
    on(EventKind::SessionEnd, "SessionEnd"),
];

fn entry(command: &str, _event: &str) -> serde_json::Value {
    serde_json::json!({"hooks": [{"type": "command", "command": command, "name": crate::offswitch::GEMINI_HOOK_NAME, "timeout": 10000}]})
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Gemini,
        presence: Presence {
            binaries: &["gemini"],
            inside_vars: &["GEMINI_CLI"],
            dir_var: None,
            default_dir: ".gemini",
            marker_file: Some("settings.json"),
        },
        instructions: Some("GEMINI.md"),
        project_instructions: Some("GEMINI.md"),
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
            // Proven by the real-agent `missing` scenario: with the hook
            // binary gone, 0.61 blocks the whole turn ("Agent execution
            // blocked") before the model is asked.
            on_failure: FailureMode::Closed,
            approval: None,
            note: "deny by exit 2 needs an empty stdout (Gemini CLI 0.61 parses stdout first); a hook that cannot start blocks the turn (0.61, real CLI)",
            unseen: &[
                "a project's `.gemini/settings.json` can set `hooksConfig.enabled: false` for that project (uas reads only the user-level file)",
            ],
        },
        events: EVENTS,
        adapt_stdin: stdin_as_is,
        tool_success,
        answer,
        off_switches,
        managed_off,
        launch_off: LaunchFlags::default(),
        project_settings: Some(".gemini"),
        project_hook_files: &["*/.gemini/settings.json"],
        protected_files: &[],
    }
}

/// A tool response with an `error` failed.
fn tool_success(_event: &Value, response: Option<&Value>) -> Option<bool> {
    Some(
        response
            .and_then(|r| r.get("error"))
            .is_none_or(Value::is_null),
    )
}

/// Exit 2 with an empty stdout; the session brief as `additionalContext`.
fn answer(kind: EventKind, verdict: Verdict<'_>, brief: Option<&str>) -> Answer {
    protocol::exit_2(kind, verdict, brief, true)
}

/// `hooksConfig.enabled: false`, or our hook's name in `hooksConfig.disabled`.
fn off_switches(dir: &Path) -> Vec<OffSwitch> {
    crate::offswitch::gemini(&dir.join("settings.json"))
}

/// The system settings (`/etc/gemini-cli/settings.json`), same switches.
fn managed_off(root: &Path) -> Vec<OffSwitch> {
    crate::offswitch::gemini(&root.join("etc/gemini-cli/settings.json"))
}
