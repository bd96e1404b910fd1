//! Kilo Code's CLI (`kilo`, built on OpenCode 1.x): `~/.config/kilo/AGENTS.md`,
//! `~/.config/kilo/skills/`, and no hook file: the same generated plugin as
//! OpenCode's, in `~/.config/kilo/plugins/`, running `uas hook kilo …`.
//! Proven with the real CLI 7.7.7 (7.8.1 on npm has no Linux binary).

use super::{AgentSpec, Facts, FailureMode, LaunchFlags, Presence, opencode, success_unknown};
use uas_core::AgentId;

fn plugin(uas_bin: &str) -> String {
    opencode::plugin_for(AgentId::Kilo, uas_bin)
}

pub(super) fn spec() -> AgentSpec {
    AgentSpec {
        agent: AgentId::Kilo,
        presence: Presence {
            binaries: &["kilo"],
            inside_vars: &[],
            dir_var: Some("KILO_CONFIG_DIR"),
            default_dir: ".config/kilo",
            marker_file: Some("kilo.json"),
        },
        instructions: Some("AGENTS.md"),
        project_instructions: Some("AGENTS.md"),
        skills: "skills",
        hooks: None,
        owned_file: Some(("plugins/universal-agent.js", plugin)),
        facts: Facts {
            can_block: true,
            on_failure: FailureMode::Open,
            approval: None,
            note: "the plugin throws to block, and the model gets the reason (real CLI 7.7.7); when uas cannot start, the plugin lets the tool run",
            unseen: &[
                "`kilo run --pure` and `KILO_PURE=1` load no plugins, uas's included",
                "`kilo run` never sends session.deleted",
            ],
        },
        events: opencode::EVENTS,
        adapt_stdin: opencode::adapt_stdin,
        tool_success: success_unknown,
        answer: opencode::answer,
        off_switches: crate::offswitch::none,
        managed_off: crate::offswitch::none,
        launch_off: LaunchFlags {
            flags: &["--pure"],
            vars: &["KILO_PURE"],
        },
        project_settings: None,
        project_hook_files: &[
            "*/.kilo/plugin*",
            "*/.kilocode/plugin*",
            "*/.kilo/kilo.json",
            "*/kilo.json",
        ],
        // Another plugin beside ours runs in the same tool chain (it could
        // rewrite a call after uas allowed it); kilo.json's `plugin` list
        // loads code too.
        protected_files: &["plugins/*", "plugin/*", "kilo.json"],
    }
}
