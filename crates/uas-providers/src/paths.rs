//! Where an agent's files are on this machine, and the path helpers the
//! planner and the hook share (lexical normalization, symlinks on a path).

use crate::agents::{AgentSpec, spec};
use crate::{ProbeEnv, detect};
use std::path::{Path, PathBuf};
use uas_core::AgentId;

/// `a/b/../c` -> `a/c` without touching the disk.
pub use uas_core::paths::lexical as normalize;

/// The first symlink on the way from `base` down to `path`, if any.
pub fn symlink_on_path(base: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(base).ok()?;
    let mut cur = base.to_path_buf();
    for c in rel.components() {
        cur.push(c);
        if cur
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            return Some(cur);
        }
    }
    None
}

/// Where an agent's files are.
pub struct AgentPaths {
    /// The spec.
    pub spec: AgentSpec,
    /// Its config dir.
    pub dir: PathBuf,
}

impl AgentPaths {
    /// Paths for `agent` on this machine.
    pub fn new(agent: AgentId, probe: &ProbeEnv) -> Self {
        Self {
            spec: spec(agent),
            dir: detect::config_dir(agent, probe),
        }
    }

    /// The user-level instruction file.
    pub fn instructions(&self) -> Option<PathBuf> {
        self.spec.instructions.map(|r| normalize(&self.dir.join(r)))
    }

    /// The hook config file.
    pub fn hook_file(&self) -> Option<PathBuf> {
        self.spec.hooks.as_ref().map(|h| self.dir.join(h.file))
    }

    /// The skills folder.
    pub fn skills_dir(&self) -> PathBuf {
        self.dir.join(self.spec.skills)
    }

    /// The generated file we own.
    pub fn owned_file(&self) -> Option<PathBuf> {
        self.spec.owned_file.map(|(r, _)| self.dir.join(r))
    }
}
