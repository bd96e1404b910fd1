//! Settings that switch an agent's hooks off, uas's with them: Claude's and
//! Copilot's `disableAllHooks`, Gemini's `hooksConfig` (`enabled = false`,
//! or our hook's name in `disabled`), Codex's `[features] hooks = false`.
//! Read-only: `uas status` and `uas doctor` report them as enforcement OFF
//! with file and line; uas never edits them (they are the user's).

use crate::ProbeEnv;
use crate::paths::AgentPaths;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use uas_core::AgentId;

/// The name our Gemini hook entries carry (one `disabled` entry disables all).
pub const GEMINI_HOOK_NAME: &str = "universal-agent";

/// One setting that turns the agent's hooks off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct OffSwitch {
    /// The file.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// The 1-based line of the setting, when it can be found.
    pub line: Option<usize>,
    /// The setting, e.g. `disableAllHooks: true`.
    pub what: String,
    /// For a running session started with its hooks off (`claude --bare`):
    /// its process id (`path` is then its `/proc` entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pid: Option<u32>,
}

/// `FILE:LINE sets WHAT` (without `:LINE` when the line is unknown), or
/// `pid N runs WHAT` for a running session.
impl std::fmt::Display for OffSwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(pid) = self.pid {
            return write!(f, "pid {pid} runs {}", self.what);
        }
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, " sets {}", self.what)
    }
}

/// The settings in the agent's user-level files that switch its hooks off.
pub fn find(agent: AgentId, probe: &ProbeEnv) -> Vec<OffSwitch> {
    let paths = AgentPaths::new(agent, probe);
    (paths.spec.off_switches)(&paths.dir)
}

/// The system-wide (managed) settings under `root` (`/` on a machine) that
/// switch `agent`'s hooks off for every user.
pub fn managed(agent: AgentId, root: &Path) -> Vec<OffSwitch> {
    (crate::agents::spec(agent).managed_off)(root)
}

/// Running sessions of `agent`, of the user whose home is `user_home`,
/// started with its hooks off (`claude --bare`, `CLAUDE_CODE_SIMPLE=1`),
/// read from `proc_root` (`/proc`). Processes of other users or homes, and
/// entries that cannot be read, are skipped.
pub fn running(agent: AgentId, user_home: &Path, proc_root: &Path) -> Vec<OffSwitch> {
    let spec = crate::agents::spec(agent);
    let off = uas_core::LaunchOff {
        agent: agent.to_string(),
        programs: spec
            .presence
            .binaries
            .iter()
            .map(|b| (*b).to_owned())
            .collect(),
        flags: spec
            .launch_off
            .flags
            .iter()
            .map(|f| (*f).to_owned())
            .collect(),
        vars: spec
            .launch_off
            .vars
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
    };
    if off.flags.is_empty() && off.vars.is_empty() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(proc_root) else {
        return Vec::new();
    };
    let split = |b: Vec<u8>| -> Vec<String> {
        b.split(|c| *c == 0)
            .filter(|w| !w.is_empty())
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect()
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let dir = entry.path();
        let (Ok(cmdline), Ok(environ)) = (
            std::fs::read(dir.join("cmdline")),
            std::fs::read(dir.join("environ")),
        ) else {
            continue;
        };
        let env = split(environ);
        let home = env.iter().find_map(|e| e.strip_prefix("HOME="));
        if home.is_some_and(|h| Path::new(h) != user_home) {
            continue;
        }
        let argv = split(cmdline);
        // A script's interpreter comes first (`node …/cli.js`): try the
        // program and its first argument as the agent.
        for skip in 0..argv.len().min(2) {
            let mut launch = argv[skip..].to_vec();
            launch[0] = launch[0].rsplit('/').next().unwrap_or_default().to_owned();
            if let Some(what) = off.find(&launch, &env) {
                out.push(OffSwitch {
                    path: dir.clone(),
                    line: None,
                    what: format!("`{what}` (a session without uas's hooks)"),
                    pid: Some(pid),
                });
                break;
            }
        }
    }
    out.sort_by_key(|o| o.pid);
    out
}

/// The settings of the project around `cwd` that switch `agent`'s hooks
/// off there (Claude's `.claude/settings.json` with `disableAllHooks`, …):
/// `cwd` and the folders above it, up to the first one with `.git`, never
/// `user_home` itself (its files are the user-level ones).
pub fn in_project(agent: AgentId, cwd: &Path, user_home: &Path) -> Vec<OffSwitch> {
    let spec = crate::agents::spec(agent);
    let Some(folder) = spec.project_settings else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dir in cwd.ancestors() {
        if dir == user_home || dir.parent().is_none() {
            break;
        }
        out.extend((spec.off_switches)(&dir.join(folder)));
        if dir.join(".git").exists() {
            break;
        }
    }
    out
}

/// For agents without a setting that turns hooks off.
pub(crate) fn none(_dir: &Path) -> Vec<OffSwitch> {
    Vec::new()
}

/// `disableAllHooks: true` in any of `files` (relative to `dir`).
pub(crate) fn disable_all_in(dir: &Path, files: &[&str]) -> Vec<OffSwitch> {
    true_key_in(dir, files, "disableAllHooks")
}

/// The top-level `key` set to `true` in any of `files` (relative to `dir`).
pub(crate) fn true_key_in(dir: &Path, files: &[&str], key: &str) -> Vec<OffSwitch> {
    files
        .iter()
        .flat_map(|f| true_key(&dir.join(f), key))
        .collect()
}

fn json(path: &Path) -> Option<(String, serde_json::Map<String, Value>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let root = crate::hookjson::parse_object(path, &text).ok()?;
    Some((text, root))
}

/// The first line holding `needle` (1-based).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn true_key(path: &Path, key: &str) -> Vec<OffSwitch> {
    let Some((text, root)) = json(path) else {
        return Vec::new();
    };
    if root.get(key) != Some(&Value::Bool(true)) {
        return Vec::new();
    }
    vec![OffSwitch {
        path: path.to_path_buf(),
        line: line_of(&text, &format!("\"{key}\"")),
        what: format!("{key}: true"),
        pid: None,
    }]
}

pub(crate) fn gemini(path: &Path) -> Vec<OffSwitch> {
    let Some((text, root)) = json(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let config = root.get("hooksConfig");
    if config.and_then(|c| c.get("enabled")) == Some(&Value::Bool(false)) {
        out.push(OffSwitch {
            path: path.to_path_buf(),
            line: line_of(&text, "\"enabled\""),
            what: "hooksConfig.enabled: false".into(),
            pid: None,
        });
    }
    let disabled = config
        .and_then(|c| c.get("disabled"))
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|n| n.as_str() == Some(GEMINI_HOOK_NAME)));
    if disabled {
        out.push(OffSwitch {
            path: path.to_path_buf(),
            line: line_of(&text, &format!("\"{GEMINI_HOOK_NAME}\"")),
            what: format!("hooksConfig.disabled names \"{GEMINI_HOOK_NAME}\" (every uas hook)"),
            pid: None,
        });
    }
    out
}

pub(crate) fn codex(path: &Path) -> Vec<OffSwitch> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return Vec::new();
    };
    let Some(features) = doc.get("features").and_then(|f| f.as_table_like()) else {
        return Vec::new();
    };
    ["hooks", "codex_hooks"]
        .iter()
        .filter(|k| features.get(k).and_then(toml_edit::Item::as_bool) == Some(false))
        .map(|k| OffSwitch {
            path: path.to_path_buf(),
            line: text
                .lines()
                .position(|l| {
                    let l = l.trim_start();
                    l.starts_with(*k) && l[k.len()..].trim_start().starts_with('=')
                })
                .map(|i| i + 1),
            what: format!("[features] {k} = false"),
            pid: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(home: &Path) -> ProbeEnv {
        ProbeEnv {
            user_home: home.to_path_buf(),
            path_dirs: vec![],
            vars: Default::default(),
        }
    }

    fn write(path: PathBuf, text: &str) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn each_agents_off_switch_is_found_with_its_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let h = dir.path();
        let p = probe(h);
        for agent in AgentId::ALL {
            assert!(find(agent, &p).is_empty(), "{agent}: nothing set yet");
        }
        write(
            h.join(".claude/settings.json"),
            "{\n  \"model\": \"opus\",\n  \"disableAllHooks\": true\n}\n",
        );
        write(
            h.join(".copilot/settings.json"),
            "{\"disableAllHooks\": false}",
        );
        write(
            h.join(".gemini/settings.json"),
            "{\n  \"hooksConfig\": {\n    \"disabled\": [\n      \"other\",\n      \"universal-agent\"\n    ]\n  }\n}\n",
        );
        write(
            h.join(".codex/config.toml"),
            "model = \"o3\"\n\n[features]\nweb_search = true\nhooks = false\n",
        );
        let at = |agent| {
            find(agent, &p)
                .into_iter()
                .map(|s| (s.line, s.what))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            at(AgentId::Claude),
            [(Some(3), "disableAllHooks: true".into())]
        );
        assert!(at(AgentId::Copilot).is_empty(), "false is not off");
        assert_eq!(at(AgentId::Gemini)[0].0, Some(5));
        assert_eq!(
            at(AgentId::Codex),
            [(Some(5), "[features] hooks = false".into())]
        );
        // A broken file is not an off switch (setup reports it).
        write(h.join(".codex/config.toml"), "[features\nhooks = false\n");
        assert!(at(AgentId::Codex).is_empty());
        // Qwen Code's disableAllHooks; Droid's hooksDisabled in either file.
        write(
            h.join(".qwen/settings.json"),
            "{\n  \"$version\": 4,\n  \"disableAllHooks\": true\n}\n",
        );
        assert_eq!(
            at(AgentId::Qwen),
            [(Some(3), "disableAllHooks: true".into())]
        );
        write(
            h.join(".factory/hooks.json"),
            "{\n  \"hooksDisabled\": true,\n  \"PreToolUse\": []\n}\n",
        );
        write(
            h.join(".factory/settings.json"),
            "{\"hooksDisabled\": false}",
        );
        assert_eq!(
            at(AgentId::Droid),
            [(Some(2), "hooksDisabled: true".into())]
        );
    }

    #[test]
    fn managed_settings_that_switch_hooks_off_are_found() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        for agent in AgentId::ALL {
            assert!(managed(agent, root).is_empty(), "{agent}");
        }
        write(
            root.join("etc/claude-code/managed-settings.json"),
            "{\n  \"allowManagedHooksOnly\": true\n}\n",
        );
        write(
            root.join("etc/claude-code/managed-settings.d/10-team.json"),
            "{\"disableAllHooks\": true}",
        );
        write(
            root.join("etc/qwen-code/settings.json"),
            "{\"disableAllHooks\": true}",
        );
        write(
            root.join("etc/gemini-cli/settings.json"),
            "{\"hooksConfig\": {\"enabled\": false}}",
        );
        let claude: Vec<String> = managed(AgentId::Claude, root)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(claude.len(), 2, "{claude:?}");
        assert!(claude[0].contains("10-team.json") && claude[0].ends_with("disableAllHooks: true"));
        assert!(claude[1].ends_with("managed-settings.json:2 sets allowManagedHooksOnly: true"));
        assert_eq!(managed(AgentId::Qwen, root).len(), 1);
        assert_eq!(managed(AgentId::Gemini, root).len(), 1);
    }

    #[test]
    fn a_projects_settings_that_switch_hooks_off_are_found_up_to_its_root() {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("home");
        let repo = home.join("src/app");
        let deep = repo.join("crates/core");
        std::fs::create_dir_all(repo.join(".git")).expect("git");
        std::fs::create_dir_all(&deep).expect("deep");
        write(
            repo.join(".claude/settings.local.json"),
            "{\n  \"disableAllHooks\": true\n}\n",
        );
        write(
            deep.join(".qwen/settings.json"),
            "{\"disableAllHooks\": true}",
        );
        // Above the repository root, and the user-level file: not this project's.
        write(
            home.join("src/.claude/settings.json"),
            "{\"disableAllHooks\": true}",
        );
        write(
            home.join(".claude/settings.json"),
            "{\"disableAllHooks\": true}",
        );
        let claude = in_project(AgentId::Claude, &deep, &home);
        assert_eq!(claude.len(), 1, "{claude:?}");
        assert_eq!(claude[0].path, repo.join(".claude/settings.local.json"));
        assert_eq!(claude[0].line, Some(2));
        assert_eq!(in_project(AgentId::Qwen, &deep, &home).len(), 1);
        assert!(in_project(AgentId::Cursor, &deep, &home).is_empty());
        // Outside a repository: every folder up to the home.
        let loose = home.join("src/notes");
        std::fs::create_dir_all(&loose).expect("loose");
        assert_eq!(
            in_project(AgentId::Claude, &loose, &home)[0].path,
            home.join("src/.claude/settings.json")
        );
    }

    #[test]
    fn running_sessions_started_with_hooks_off_are_found_for_this_home_only() {
        let dir = tempfile::tempdir().expect("tmp");
        let proc_root = dir.path().join("proc");
        let home = Path::new("/home/u");
        let process = |pid: u32, argv: &[&str], env: &[&str]| {
            let d = proc_root.join(pid.to_string());
            std::fs::create_dir_all(&d).expect("mkdir");
            let nul = |l: &[&str]| l.iter().map(|w| format!("{w}\0")).collect::<String>();
            std::fs::write(d.join("cmdline"), nul(argv)).expect("cmdline");
            std::fs::write(d.join("environ"), nul(env)).expect("environ");
        };
        process(
            11,
            &["/usr/bin/claude", "--bare", "-p", "x"],
            &["HOME=/home/u"],
        );
        process(
            12,
            &["claude", "-p", "x"],
            &["HOME=/home/u", "CLAUDE_CODE_SIMPLE=1"],
        );
        process(13, &["claude", "-p", "x"], &["HOME=/home/u"]);
        process(14, &["claude", "--bare"], &["HOME=/home/other"]);
        process(15, &["vim", "--bare"], &["HOME=/home/u"]);
        process(
            16,
            &["codex", "exec", "--disable", "hooks", "x"],
            &["HOME=/home/u"],
        );
        std::fs::create_dir_all(proc_root.join("self")).expect("self");
        let pids = |agent| -> Vec<(Option<u32>, String)> {
            running(agent, home, &proc_root)
                .into_iter()
                .map(|o| (o.pid, o.to_string()))
                .collect()
        };
        let claude = pids(AgentId::Claude);
        assert_eq!(
            claude.iter().map(|c| c.0).collect::<Vec<_>>(),
            [Some(11), Some(12)],
            "{claude:?}"
        );
        assert!(
            claude[0].1.starts_with("pid 11 runs `claude --bare`"),
            "{claude:?}"
        );
        assert!(
            claude[1].1.contains("CLAUDE_CODE_SIMPLE=1 claude"),
            "{claude:?}"
        );
        assert_eq!(pids(AgentId::Codex).len(), 1);
        assert!(pids(AgentId::Gemini).is_empty());
    }
}
