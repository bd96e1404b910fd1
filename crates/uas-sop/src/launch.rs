//! Starting an agent with its hooks switched off: `claude --bare`,
//! `CLAUDE_CODE_SIMPLE=1 claude …`, `codex --disable hooks`, or an agent
//! pointed at another config dir (`HOME=/tmp/x claude …`) where none of our
//! hooks are registered. Such a nested agent writes unsupervised, so an
//! agent that starts one is tampering. Which flags and variables do it is
//! each agent's fact; the hook passes them in [`crate::Context::launch_off`].

use crate::analyze::Analysis;
pub use uas_core::LaunchOff;

/// The first launch in `a` of an agent with its hooks off.
pub fn unhooked(offs: &[LaunchOff], a: &Analysis) -> Option<String> {
    a.launches
        .iter()
        .find_map(|l| offs.iter().find_map(|o| o.find(l, &a.assigns)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claude() -> LaunchOff {
        LaunchOff {
            agent: "claude".into(),
            programs: vec!["claude".into()],
            flags: vec![
                "--bare".into(),
                "--safe-mode".into(),
                "--setting-sources !user".into(),
            ],
            vars: vec!["CLAUDE_CODE_SIMPLE".into(), "HOME".into()],
        }
    }

    fn codex() -> LaunchOff {
        LaunchOff {
            agent: "codex".into(),
            programs: vec!["codex".into()],
            flags: vec!["--disable hooks".into(), "-c features.hooks=false".into()],
            vars: vec!["CODEX_HOME".into()],
        }
    }

    fn found(cmd: &str) -> Option<String> {
        let a = crate::analyze::analyze(cmd, Some("/p"), Some("/home/u"));
        unhooked(&[claude(), codex()], &a)
    }

    #[test]
    fn flags_variables_and_moved_homes_are_found() {
        for (cmd, what) in [
            ("claude --bare -p 'write x'", "claude --bare"),
            ("cd /tmp && claude -p hi --safe-mode", "claude --safe-mode"),
            (
                "claude --setting-sources project,local -p x",
                "claude --setting-sources project,local",
            ),
            (
                "claude --setting-sources=project -p x",
                "claude --setting-sources project",
            ),
            (
                "CLAUDE_CODE_SIMPLE=1 claude -p x",
                "CLAUDE_CODE_SIMPLE=1 claude",
            ),
            (
                "env CLAUDE_CODE_SIMPLE=true /usr/bin/claude -p x",
                "CLAUDE_CODE_SIMPLE=true claude",
            ),
            ("export HOME=/tmp/h; claude -p x", "HOME=/tmp/h claude"),
            ("sh -c 'HOME=/tmp/h claude -p x'", "HOME=/tmp/h claude"),
            ("codex exec --disable hooks 'x'", "codex --disable hooks"),
            ("codex exec --disable=hooks x", "codex --disable hooks"),
            (
                "codex -c features.hooks=false exec x",
                "codex -c features.hooks=false",
            ),
            ("CODEX_HOME=/tmp/c codex exec x", "CODEX_HOME=/tmp/c codex"),
            ("exec -a x claude --bare", "claude --bare"),
            ("ionice -c 3 claude --bare", "claude --bare"),
            ("strace -o /tmp/t claude --bare", "claude --bare"),
            ("stdbuf -o L claude --bare", "claude --bare"),
            ("doas -u root claude --bare", "claude --bare"),
        ] {
            assert_eq!(found(cmd).as_deref(), Some(what), "{cmd}");
        }
    }

    #[test]
    fn agents_started_with_their_hooks_are_not_found() {
        for cmd in [
            "claude -p 'write x'",
            "claude --setting-sources user,project -p x",
            "CLAUDE_CODE_SIMPLE=0 claude -p x",
            "codex exec --disable web_search x",
            "codex -c features.web_search=false exec x",
            "HOME=/tmp/h ls",
            "echo claude --bare",
            "grep -r -- --bare .",
        ] {
            assert_eq!(found(cmd), None, "{cmd}");
        }
    }
}
