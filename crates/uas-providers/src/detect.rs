//! Which agents are installed on this machine, how sure we are, and why.
//!
//! Evidence comes from three places, all passed in through [`ProbeEnv`]: the
//! agent's config folder in the user's home, its binary on `PATH`, and the
//! environment variables an agent sets for the commands it runs (which tell
//! us we are *inside* that agent right now).

use crate::agents::Presence;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uas_core::AgentId;

/// What the detector may look at. Built once by the binary from the real
/// environment, or by a test from a temporary home.
#[derive(Debug, Clone, Default)]
pub struct ProbeEnv {
    /// The user's home directory (where `.claude`, `.codex`, … live).
    pub user_home: PathBuf,
    /// The directories of `PATH`, in order.
    pub path_dirs: Vec<PathBuf>,
    /// Environment variables (only the ones detection cares about are read).
    pub vars: BTreeMap<String, String>,
}

impl ProbeEnv {
    /// Builds a probe from a home, a `PATH` value and an environment
    /// iterator (pass `std::env::vars()` in a binary).
    pub fn new(
        user_home: PathBuf,
        path: Option<&std::ffi::OsStr>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        Self {
            user_home,
            path_dirs: path
                .map(|p| std::env::split_paths(p).collect())
                .unwrap_or_default(),
            vars: vars
                .into_iter()
                .filter(|(k, _)| is_detection_var(k))
                .collect(),
        }
    }

    /// A kept environment variable, when set and not empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The first executable `name` on PATH.
    pub fn find_binary(&self, name: &str) -> Option<PathBuf> {
        self.path_dirs
            .iter()
            .map(|d| d.join(name))
            .find(|p| is_executable(p))
    }
}

/// How sure we are that an agent is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Confidence {
    /// No trace of it.
    None,
    /// Only a config folder (it may have been uninstalled).
    Low,
    /// Its binary is on PATH, or its config folder has real settings.
    Medium,
    /// We are running inside it right now, or binary and config both exist.
    High,
}

/// The verdict for one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Detection {
    /// Which agent.
    pub agent: AgentId,
    /// Whether we consider it installed (confidence above `none`).
    pub installed: bool,
    /// How sure we are.
    pub confidence: Confidence,
    /// The evidence, in words ("binary /usr/bin/claude", "config dir ~/.claude").
    pub reasons: Vec<String>,
    /// Where its user-level configuration lives (whether or not it exists).
    #[ts(type = "string")]
    pub config_dir: PathBuf,
}

/// Where `agent` keeps things and how it announces itself (from its module).
fn signature(agent: AgentId) -> Presence {
    crate::agents::spec(agent).presence
}

/// Variables an agent sets for the hook commands it runs (not in tool
/// shells), which tell `uas hook` who called: Cursor runs the hooks of
/// Claude's settings files too.
pub const CALLER_VARS: &[&str] = &["CURSOR_VERSION", "CURSOR_PROJECT_DIR"];

fn is_detection_var(name: &str) -> bool {
    CALLER_VARS.contains(&name)
        || AgentId::ALL.iter().any(|a| {
            let s = signature(*a);
            s.inside_vars.contains(&name) || s.dir_var == Some(name)
        })
}

/// The user-level config dir of `agent` (honouring its override variable).
pub fn config_dir(agent: AgentId, env: &ProbeEnv) -> PathBuf {
    let sig = signature(agent);
    sig.dir_var
        .and_then(|v| env.var(v))
        .map(PathBuf::from)
        .unwrap_or_else(|| env.user_home.join(sig.default_dir))
}

/// Looks for one agent.
pub fn detect(agent: AgentId, env: &ProbeEnv) -> Detection {
    let sig = signature(agent);
    let dir = config_dir(agent, env);
    let mut reasons = Vec::new();
    let inside = sig.inside_vars.iter().find(|v| env.var(v).is_some());
    if let Some(v) = inside {
        reasons.push(format!("running inside it (${v} is set)"));
    }
    let binary = sig.binaries.iter().find_map(|b| env.find_binary(b));
    if let Some(b) = &binary {
        reasons.push(format!("binary {}", b.display()));
    }
    let has_dir = dir.is_dir();
    let has_marker = sig.marker_file.is_some_and(|m| dir.join(m).is_file());
    if has_dir {
        let what = if has_marker {
            "config dir with settings"
        } else {
            "config dir"
        };
        reasons.push(format!("{what} {}", dir.display()));
    }
    let confidence = match (inside.is_some(), binary.is_some(), has_dir, has_marker) {
        (true, ..) | (false, true, true, _) => Confidence::High,
        (false, true, false, _) | (false, false, true, true) => Confidence::Medium,
        (false, false, true, false) => Confidence::Low,
        (false, false, false, _) => Confidence::None,
    };
    Detection {
        agent,
        installed: confidence > Confidence::None,
        confidence,
        reasons,
        config_dir: dir,
    }
}

/// Looks for every known agent.
pub fn detect_all(env: &ProbeEnv) -> Vec<Detection> {
    AgentId::ALL.into_iter().map(|a| detect(a, env)).collect()
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.with_extension("exe").is_file() || p.with_extension("cmd").is_file() || p.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    struct Fixture {
        _tmp: tempfile::TempDir,
        env: ProbeEnv,
    }

    fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().expect("tmp");
        let home = tmp.path().join("home");
        let bin = tmp.path().join("bin");
        fs::create_dir_all(&home).expect("home");
        fs::create_dir_all(&bin).expect("bin");
        let env = ProbeEnv {
            user_home: home,
            path_dirs: vec![bin],
            vars: BTreeMap::new(),
        };
        Fixture { _tmp: tmp, env }
    }

    #[cfg(unix)]
    fn install_binary(env: &ProbeEnv, name: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = env.path_dirs[0].join(name);
        fs::write(&p, "#!/bin/sh\n").expect("write");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    #[test]
    fn empty_machine_has_no_agents() {
        let f = fixture();
        assert!(detect_all(&f.env).iter().all(|d| !d.installed));
    }

    #[test]
    fn config_dir_with_settings_is_medium_confidence() {
        let f = fixture();
        let dir = f.env.user_home.join(".claude");
        fs::create_dir_all(&dir).expect("dir");
        fs::write(dir.join("settings.json"), "{}").expect("settings");
        let d = detect(AgentId::Claude, &f.env);
        assert_eq!(d.confidence, Confidence::Medium);
        assert!(d.installed);
        assert_eq!(d.config_dir, dir);
    }

    #[cfg(unix)]
    #[test]
    fn binary_and_config_dir_is_high_confidence_with_both_reasons() {
        let f = fixture();
        install_binary(&f.env, "codex");
        fs::create_dir_all(f.env.user_home.join(".codex")).expect("dir");
        let d = detect(AgentId::Codex, &f.env);
        assert_eq!(d.confidence, Confidence::High);
        assert_eq!(d.reasons.len(), 2, "{:?}", d.reasons);
    }

    #[cfg(unix)]
    #[test]
    fn a_non_executable_file_on_path_is_not_a_binary() {
        let f = fixture();
        fs::write(f.env.path_dirs[0].join("gemini"), "").expect("write");
        assert_eq!(detect(AgentId::Gemini, &f.env).confidence, Confidence::None);
    }

    #[test]
    fn env_var_inside_the_agent_is_high_confidence() {
        let mut f = fixture();
        f.env.vars.insert("CURSOR_AGENT".into(), "1".into());
        let d = detect(AgentId::Cursor, &f.env);
        assert_eq!(d.confidence, Confidence::High);
        assert!(d.reasons[0].contains("CURSOR_AGENT"));
    }

    #[test]
    fn dir_override_variable_moves_the_config_dir() {
        let mut f = fixture();
        let custom = f.env.user_home.join("elsewhere");
        f.env
            .vars
            .insert("CODEX_HOME".into(), custom.display().to_string());
        assert_eq!(config_dir(AgentId::Codex, &f.env), custom);
    }

    #[test]
    fn probe_keeps_only_detection_variables() {
        let env = ProbeEnv::new(
            PathBuf::from("/h"),
            Some(std::ffi::OsStr::new("/a:/b")),
            [
                ("SECRET_TOKEN".to_owned(), "x".to_owned()),
                ("CLAUDECODE".to_owned(), "1".to_owned()),
            ],
        );
        assert_eq!(
            env.path_dirs,
            vec![PathBuf::from("/a"), PathBuf::from("/b")]
        );
        assert_eq!(env.vars.keys().collect::<Vec<_>>(), vec!["CLAUDECODE"]);
    }
}
