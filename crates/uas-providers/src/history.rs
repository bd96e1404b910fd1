//! The record of earlier applies under `~/.agent/backups/`: one folder per
//! apply (its generation number) with a `manifest.json` and the previous
//! content of every file it changed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a path looked before an apply changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Before {
    /// It did not exist.
    Missing,
    /// A regular file; its bytes are in `backup` (relative to the apply dir).
    File {
        /// Backup file name.
        backup: String,
    },
    /// A symlink to `target`.
    Symlink {
        /// Where it pointed.
        target: PathBuf,
    },
}

/// One path an apply changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The path.
    pub path: PathBuf,
    /// What it was before.
    pub before: Before,
    /// True for a folder the apply created (rollback removes it if empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dir: bool,
}

/// What an apply was for, as `manifest.json` records it (`"setup"`,
/// `"uninstall"`, …). Behaviour that depends on it (is the agent still set
/// up? verify after applying?) matches on this, never on a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyCommand {
    /// `uas setup`.
    Setup,
    /// `uas repair`.
    Repair,
    /// `uas uninstall`.
    Uninstall,
    /// `uas migrate`.
    Migrate,
    /// `uas setup --trust-codex-hooks`.
    TrustCodexHooks,
}

impl ApplyCommand {
    /// The name recorded in manifests and shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Repair => "repair",
            Self::Uninstall => "uninstall",
            Self::Migrate => "migrate",
            Self::TrustCodexHooks => "trust-codex-hooks",
        }
    }
}

impl std::fmt::Display for ApplyCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `manifest.json` of one apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Generation number (1, 2, …), also the folder name.
    pub generation: u64,
    /// What ran.
    pub command: ApplyCommand,
    /// Unix seconds.
    pub created: u64,
    /// False while the apply runs; stays false if it crashed.
    pub complete: bool,
    /// Set once `uas rollback-setup` undid it.
    pub rolled_back: bool,
    /// An interrupted apply (killed before `complete`) that a later
    /// repair or setup of the same agents finished: that one's generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_by: Option<u64>,
    /// The agents it served (older manifests: empty).
    #[serde(default)]
    pub agents: Vec<uas_core::AgentId>,
    /// Every path, in apply order.
    pub entries: Vec<ManifestEntry>,
}

/// All manifests, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    dir: PathBuf,
    manifests: Vec<Manifest>,
    first_seen: BTreeMap<PathBuf, (u64, Before)>,
}

impl History {
    /// Reads every manifest under `backups_dir` (unreadable ones are skipped
    /// with a warning in the log).
    pub fn load(backups_dir: &Path) -> Self {
        let mut manifests = Vec::new();
        if let Ok(rd) = std::fs::read_dir(backups_dir) {
            for e in rd.flatten() {
                let p = e.path().join("manifest.json");
                match std::fs::read(&p).map(|b| serde_json::from_slice::<Manifest>(&b)) {
                    Ok(Ok(m)) => manifests.push(m),
                    Ok(Err(err)) => {
                        tracing::warn!(path = %p.display(), %err, "skipping unreadable apply manifest")
                    }
                    Err(_) => {}
                }
            }
        }
        manifests.sort_by_key(|m| m.generation);
        let mut first_seen = BTreeMap::new();
        for m in &manifests {
            for e in &m.entries {
                first_seen
                    .entry(e.path.clone())
                    .or_insert((m.generation, e.before.clone()));
            }
        }
        Self {
            dir: backups_dir.to_path_buf(),
            manifests,
            first_seen,
        }
    }

    /// The command of the newest apply (not rolled back) that served
    /// `agent`: `setup`, `repair`, `uninstall`, …
    pub fn last_command_for(&self, agent: uas_core::AgentId) -> Option<ApplyCommand> {
        self.manifests
            .iter()
            .rev()
            .find(|m| !m.rolled_back && m.agents.contains(&agent))
            .map(|m| m.command)
    }

    /// The uas home these backups belong to (the parent of the backups folder).
    pub fn uas_home(&self) -> Option<&Path> {
        self.dir.parent().filter(|p| !p.as_os_str().is_empty())
    }

    /// Applies that were killed part-way and neither rolled back nor
    /// finished by a later repair, oldest first.
    pub fn interrupted(&self) -> Vec<&Manifest> {
        self.manifests
            .iter()
            .filter(|m| !m.complete && !m.rolled_back && m.finished_by.is_none())
            .collect()
    }

    /// Records that generation `by`, which brought `agents` to the desired
    /// state, finished every interrupted apply of those agents.
    pub fn mark_finished(&self, agents: &[uas_core::AgentId], by: u64) -> std::io::Result<()> {
        for m in self.interrupted() {
            if m.generation == by || !m.agents.iter().all(|a| agents.contains(a)) {
                continue;
            }
            let mut m = m.clone();
            m.finished_by = Some(by);
            let bytes = serde_json::to_vec_pretty(&m).unwrap_or_default();
            uas_core::fsx::write_atomic(
                &self.apply_dir(m.generation).join("manifest.json"),
                &bytes,
                uas_core::fsx::Overwrite::Replace,
            )
            .map_err(|e| e.source)?;
        }
        Ok(())
    }

    /// The manifests, oldest first.
    pub fn manifests(&self) -> &[Manifest] {
        &self.manifests
    }

    /// The folder of generation `g`.
    pub fn apply_dir(&self, generation: u64) -> PathBuf {
        self.dir.join(format!("{generation:06}"))
    }

    /// The next generation number.
    pub fn next_generation(&self) -> u64 {
        self.manifests.last().map_or(1, |m| m.generation + 1)
    }

    /// Whether `path` existed before uas first changed it (`None`: never changed).
    pub fn existed_before(&self, path: &Path) -> Option<bool> {
        self.first_seen
            .get(path)
            .map(|(_, b)| !matches!(b, Before::Missing))
    }

    /// Whether uas created the folder `dir` (so it may remove it when empty).
    pub fn created_dir(&self, dir: &Path) -> bool {
        self.manifests
            .iter()
            .any(|m| m.entries.iter().any(|e| e.dir && e.path == dir))
    }

    /// The bytes `path` had before uas first changed it.
    pub fn original(&self, path: &Path) -> Option<Vec<u8>> {
        match self.first_seen.get(path)? {
            (g, Before::File { backup }) => std::fs::read(self.apply_dir(*g).join(backup)).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_commands_are_recorded_by_the_names_older_manifests_use() {
        for (command, name) in [
            (ApplyCommand::Setup, "setup"),
            (ApplyCommand::Repair, "repair"),
            (ApplyCommand::Uninstall, "uninstall"),
            (ApplyCommand::Migrate, "migrate"),
            (ApplyCommand::TrustCodexHooks, "trust-codex-hooks"),
        ] {
            assert_eq!(command.as_str(), name);
            let json = serde_json::to_string(&command).expect("serialize");
            assert_eq!(json, format!("\"{name}\""));
            let back: ApplyCommand = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, command);
        }
    }
}
