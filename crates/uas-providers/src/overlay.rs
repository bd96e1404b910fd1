//! The disk as a plan would leave it: reads see earlier planned changes,
//! so two agents sharing a file (Antigravity and Gemini CLI's GEMINI.md)
//! plan against each other's result.

use crate::plan::{ChangeKind, FileChange, PlanError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uas_core::AgentId;

/// The disk as the plan would leave it: reads see earlier planned changes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Overlay {
    planned: BTreeMap<PathBuf, FileChange>,
    order: Vec<PathBuf>,
}

impl Overlay {
    pub(crate) fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, PlanError> {
        match self.planned.get(path) {
            Some(change) => Ok(change.after.clone()),
            None => read_disk(path),
        }
    }

    pub(crate) fn set(
        &mut self,
        agent: AgentId,
        kind: ChangeKind,
        path: &Path,
        after: Option<Vec<u8>>,
        reason: String,
    ) -> Result<(), PlanError> {
        if let Some(change) = self.planned.get_mut(path) {
            change.after = after;
            if !change.agents.contains(&agent) {
                change.agents.push(agent);
            }
            return Ok(());
        }
        let before = read_disk(path)?;
        self.order.push(path.to_path_buf());
        let change = FileChange {
            path: path.to_path_buf(),
            agents: vec![agent],
            kind,
            before,
            before_link: None,
            after,
            reason,
            executable: false,
        };
        self.planned.insert(path.to_path_buf(), change);
        Ok(())
    }

    pub(crate) fn into_changes(mut self) -> Vec<FileChange> {
        self.order
            .iter()
            .filter_map(|p| self.planned.remove(p))
            .filter(|c| c.before != c.after || (c.executable && !uas_vfs::is_executable(&c.path)))
            .collect()
    }

    /// Says in the planned change of `path` that the agent reaches it
    /// through the symlink `via` (the plan output shows "via symlink").
    pub(crate) fn note_link(&mut self, path: &Path, via: Option<&Path>) {
        let (Some(link), Some(change)) = (via, self.planned.get_mut(path)) else {
            return;
        };
        let note = format!(" (via symlink {} -> {})", link.display(), path.display());
        if !change.reason.ends_with(&note) {
            change.reason.push_str(&note);
        }
    }

    /// Marks a planned file as one that must be executable.
    pub(crate) fn set_executable(&mut self, path: &Path) {
        if let Some(change) = self.planned.get_mut(path) {
            change.executable = true;
        }
    }
}

fn read_disk(path: &Path) -> Result<Option<Vec<u8>>, PlanError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(PlanError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        }),
    }
}
