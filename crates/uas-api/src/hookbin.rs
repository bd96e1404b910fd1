//! The `uas` binaries agents' hooks run: read from the agents' hook files,
//! and whether each can answer (exists, is executable, is installed rather
//! than inside a cargo build folder, is the same build as this one).

use crate::App;
use serde::Serialize;
use std::path::{Path, PathBuf};
use uas_core::AgentId;

/// One `uas` an agent's hooks run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct HookBinary {
    /// The program, as registered.
    pub path: String,
    /// Why it cannot answer (`does not exist`, `is not executable`), if so:
    /// enforcement is then off for the agent.
    pub problem: Option<String>,
    /// The cargo build folder it runs from (set up with `--dev`).
    #[ts(type = "string | null")]
    pub dev_build: Option<PathBuf>,
}

impl App {
    /// The `uas` programs in `agent`'s hook file and generated plugin.
    pub(crate) fn hook_binaries(&self, agent: AgentId) -> Vec<HookBinary> {
        let paths = uas_providers::plan::AgentPaths::new(agent, &self.probe);
        let mut bins: Vec<String> = paths
            .hook_file()
            .into_iter()
            .chain(paths.owned_file())
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .flat_map(|t| programs_in(&t, agent.as_str()))
            .collect();
        bins.sort();
        bins.dedup();
        bins.into_iter()
            .map(|path| HookBinary {
                problem: binary_problem(&path).map(str::to_owned),
                dev_build: uas_core::install::cargo_target_dir(Path::new(&path)),
                path,
            })
            .collect()
    }
}

/// The first line `bin --version` prints, if it runs.
pub(crate) fn version_of(bin: &str) -> Option<String> {
    let out = std::process::Command::new(bin)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    out.status
        .success()
        .then(|| text.lines().next().unwrap_or("").trim().to_owned())
}

/// The programs in `text` that run `<bin> hook <agent> …` (quoted with `'`
/// or bare, as [`uas_providers::hookjson::uas_hook_command`] writes them).
fn programs_in(text: &str, agent: &str) -> Vec<String> {
    let needle = format!(" hook {agent} ");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let at = from + i;
        let before = &text[..at];
        let bin = match before.strip_suffix('\'') {
            Some(q) => q.rfind('\'').map(|s| q[s + 1..].replace("'\\''", "'")),
            None => {
                let start = before
                    .rfind(|c: char| c == '"' || c == '`' || c.is_whitespace())
                    .map_or(0, |s| s + 1);
                Some(before[start..].to_owned())
            }
        };
        if let Some(b) = bin.filter(|b| !b.is_empty()) {
            out.push(b);
        }
        from = at + needle.len();
    }
    // The generated plugins (OpenCode, Kilo, Cline) name the binary once,
    // `const UAS = "<json string>";`, and run `spawnSync(UAS, ["hook", "<agent>", …])`.
    if text.contains(&format!("[\"hook\", \"{agent}\"")) {
        out.extend(text.lines().find_map(|l| {
            let lit = l.trim().strip_prefix("const UAS = ")?.strip_suffix(';')?;
            serde_json::from_str::<String>(lit).ok()
        }));
    }
    out
}

/// Why `bin` cannot run, if it cannot (a bare name is looked up on PATH by
/// the agent; only absolute paths are checked).
fn binary_problem(bin: &str) -> Option<&'static str> {
    let path = Path::new(bin);
    if !path.is_absolute() {
        return None;
    }
    match std::fs::metadata(path) {
        Err(_) => Some("does not exist"),
        Ok(m) if !m.is_file() => Some("is not a file"),
        #[cfg(unix)]
        Ok(m)
            if {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o111 == 0
            } =>
        {
            Some("is not executable")
        }
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_programs_from_hook_files() {
        let json = r#"{"command": "'/home/a b/.local/bin/uas' hook claude PreToolUse"}
{"command": "/usr/bin/uas hook claude Stop"}"#;
        assert_eq!(
            programs_in(json, "claude"),
            ["/home/a b/.local/bin/uas", "/usr/bin/uas"]
        );
        let js = r#"const UAS = "/opt/uas"; run(`${UAS} hook opencode tool.execute.before `)"#;
        assert!(programs_in(js, "codex").is_empty());
    }

    #[test]
    fn reads_the_program_of_a_generated_plugin() {
        let plugin = "// uas:managed universal-agent plugin\nconst UAS = \"/home/a \\\"b\\\"/uas\";\n\nfunction ask(event, payload) {\n  const r = spawnSync(UAS, [\"hook\", \"opencode\", event], {\n";
        assert_eq!(programs_in(plugin, "opencode"), ["/home/a \"b\"/uas"]);
        assert!(programs_in(plugin, "kilo").is_empty());
    }
}
