//! Applying a plan: back up, write atomically, record; and undoing the last
//! apply (`uas rollback-setup`).
//!
//! Order: every previous content is copied into the apply's backup folder
//! and the manifest is written (complete=false) *before* the first file
//! changes, so a crash at any point leaves each file old or new (atomic
//! rename) and the manifest knows how to put back the old ones.

use crate::history::{ApplyCommand, Before, History, Manifest, ManifestEntry};
use crate::plan::{FileChange, SetupPlan};
use std::path::{Path, PathBuf};
use uas_core::fsx::{self, FsError, Overwrite};

/// Test failpoints of [`apply`]. Empty unless built with the `failpoints`
/// feature, so a release build cannot be told to crash itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failpoints {
    /// Abort the process (like `kill -9`) after this many file writes.
    #[cfg(feature = "failpoints")]
    pub abort_after_writes: Option<usize>,
    /// Fail the next file write (as a full disk would) after this many.
    #[cfg(feature = "failpoints")]
    pub fail_after_writes: Option<usize>,
}

impl Failpoints {
    /// Aborts the process when `writes` file writes reach the failpoint.
    fn after_writes(&self, writes: usize) {
        #[cfg(feature = "failpoints")]
        if self.abort_after_writes.is_some_and(|n| writes >= n) {
            tracing::error!("failpoint: aborting after {writes} writes");
            std::process::abort();
        }
        #[cfg(not(feature = "failpoints"))]
        let _ = writes;
    }

    /// An injected write error when `writes` reached the failpoint.
    fn before_write(&self, writes: usize, path: &Path) -> Result<(), FsError> {
        #[cfg(feature = "failpoints")]
        if self.fail_after_writes.is_some_and(|n| writes >= n) {
            return Err(FsError {
                action: "write",
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "failpoint: no space left on device",
                ),
            });
        }
        let _ = (writes, path);
        Ok(())
    }
}

/// An apply that did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Preparing (backups, manifest) failed before any file changed.
    #[error(transparent)]
    Prepare(#[from] FsError),
    /// A file change failed; every file this apply had already changed was
    /// put back from its backup and every file it created was removed.
    #[error(
        "{source}\napply #{generation} was rolled back: {restored} file(s) it had changed were put back; your files are as before. Fix the cause and run the command again"
    )]
    RolledBack {
        /// The generation that failed.
        generation: u64,
        /// Why it failed.
        #[source]
        source: FsError,
        /// How many paths were put back.
        restored: usize,
    },
    /// A file change failed and putting the earlier ones back failed too.
    #[error(
        "{source}\nrolling apply #{generation} back failed too: {undo}\nrun `uas rollback-setup` once the cause is fixed to finish it"
    )]
    Stuck {
        /// The generation that failed.
        generation: u64,
        /// Why it failed.
        #[source]
        source: FsError,
        /// Why the rollback failed.
        undo: FsError,
    },
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Generation number of this apply (its backup folder).
    pub generation: u64,
    /// Files written.
    pub written: usize,
    /// Files deleted.
    pub deleted: usize,
}

/// Applies `plan`, recording it as generation N under `backups_dir`. The
/// caller holds the operation lock ([`uas_core::oplock`]). When a file
/// change fails, the changes made so far are undone before returning
/// [`ApplyError::RolledBack`].
pub fn apply(
    plan: &SetupPlan,
    backups_dir: &Path,
    command: ApplyCommand,
    failpoints: &Failpoints,
) -> Result<Option<Applied>, ApplyError> {
    if plan.changes.is_empty() {
        return Ok(None);
    }
    let history = History::load(backups_dir);
    remove_stale_temp_files(plan);
    let generation = history.next_generation();
    let dir = history.apply_dir(generation);
    fsx::create_private_dir_all(backups_dir)?;
    fsx::create_private_dir_all(&dir)?;
    let mut entries = Vec::with_capacity(plan.changes.len());
    // Folders this apply will create come first, so rollback (which walks
    // the entries backwards) removes them after their files.
    for change in plan.changes.iter().filter(|c| c.after.is_some()) {
        let mut missing = Vec::new();
        let mut cur = change.path.parent();
        while let Some(d) = cur.filter(|d| d.symlink_metadata().is_err()) {
            missing.push(d.to_path_buf());
            cur = d.parent();
        }
        for d in missing.into_iter().rev() {
            if !entries.iter().any(|e: &ManifestEntry| e.path == d) {
                entries.push(ManifestEntry {
                    path: d,
                    before: Before::Missing,
                    dir: true,
                });
            }
        }
    }
    for (i, change) in plan.changes.iter().enumerate() {
        let before = match (&change.before_link, &change.before) {
            (Some(target), _) => Before::Symlink {
                target: target.clone(),
            },
            (None, Some(bytes)) => {
                let name = format!("{i:05}");
                // The backup keeps the file's mode: a 0600 settings.json
                // holding an API key must not become readable as a copy.
                fsx::write_atomic_like(&dir.join(&name), bytes, Overwrite::Replace, &change.path)?;
                Before::File { backup: name }
            }
            (None, None) => Before::Missing,
        };
        entries.push(ManifestEntry {
            path: change.path.clone(),
            before,
            dir: false,
        });
    }
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut agents: Vec<uas_core::AgentId> = plan
        .changes
        .iter()
        .flat_map(|c| c.agents.iter().copied())
        .collect();
    agents.sort_by_key(|a| a.as_str());
    agents.dedup();
    let mut manifest = Manifest {
        generation,
        command,
        created,
        complete: false,
        rolled_back: false,
        finished_by: None,
        agents,
        entries,
    };
    write_manifest(&dir, &manifest)?;

    let (mut written, mut deleted) = (0, 0);
    let folders = manifest.entries.iter().filter(|e| e.dir).count();
    for (i, change) in plan.changes.iter().enumerate() {
        let done = failpoints
            .before_write(written + deleted, &change.path)
            .and_then(|()| apply_one(change, &history));
        if let Err(source) = done {
            // Undo the folders and the changes up to and including this
            // one (it may have half happened: a symlink removed, say).
            let touched: Vec<ManifestEntry> = manifest
                .entries
                .iter()
                .take(folders + i + 1)
                .cloned()
                .collect();
            tracing::error!(generation, path = %change.path.display(), "apply failed; rolling back");
            return Err(match undo(&dir, &touched) {
                Ok(restored) => {
                    manifest.rolled_back = true;
                    let _ = write_manifest(&dir, &manifest);
                    ApplyError::RolledBack {
                        generation,
                        source,
                        restored: restored.len() - folders.min(restored.len()),
                    }
                }
                Err(undo) => ApplyError::Stuck {
                    generation,
                    source,
                    undo,
                },
            });
        }
        match change.after {
            Some(_) => written += 1,
            None => deleted += 1,
        }
        failpoints.after_writes(written + deleted);
    }
    manifest.complete = true;
    write_manifest(&dir, &manifest)?;
    tracing::info!(generation, written, deleted, "apply recorded");
    Ok(Some(Applied {
        generation,
        written,
        deleted,
    }))
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), FsError> {
    let bytes = serde_json::to_vec_pretty(m).unwrap_or_default();
    fsx::write_atomic(&dir.join("manifest.json"), &bytes, Overwrite::Replace).map(|_| ())
}

fn apply_one(change: &FileChange, history: &History) -> Result<(), FsError> {
    if change.before_link.is_some() {
        remove_path(&change.path)?;
    }
    match &change.after {
        Some(bytes) => {
            if let Some(parent) = change.path.parent() {
                fsx::create_dir_all(parent)?;
            }
            fsx::write_atomic(&change.path, bytes, Overwrite::Replace)?;
            if change.executable {
                make_executable(&change.path)?;
            }
        }
        None => {
            remove_path(&change.path)?;
            if change.before_link.is_none() {
                prune_created_dirs(&change.path, history);
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), FsError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|source| {
        FsError {
            action: "make executable",
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), FsError> {
    Ok(())
}

fn remove_path(path: &Path) -> Result<(), FsError> {
    let res = match path.symlink_metadata() {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    };
    res.map_err(|source| FsError {
        action: "remove",
        path: path.to_path_buf(),
        source,
    })
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Removes the folders above `path` that are now empty, as far up as uas
/// created them (a folder the user had stays, even empty).
fn prune_created_dirs(path: &Path, history: &History) {
    let mut cur = path.parent();
    while let Some(dir) = cur {
        if !(history.created_dir(dir) || is_skill_folder_of_ours(dir)) || !is_empty_dir(dir) {
            break;
        }
        let _ = std::fs::remove_dir(dir);
        cur = dir.parent();
    }
}

/// A folder below a skill we own is ours even if an older uas did not record it.
fn is_skill_folder_of_ours(dir: &Path) -> bool {
    dir.ancestors()
        .any(|a| a.join(crate::skills::MARKER).exists())
}

/// The result of a rollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolledBack {
    /// The generation that was undone.
    pub generation: u64,
    /// What that apply was.
    pub command: ApplyCommand,
    /// Paths restored.
    pub restored: Vec<PathBuf>,
}

/// Undoes the newest apply that was not rolled back yet (complete or
/// interrupted). `Ok(None)` when there is nothing to undo.
pub fn rollback(backups_dir: &Path) -> Result<Option<RolledBack>, FsError> {
    let history = History::load(backups_dir);
    let Some(manifest) = history
        .manifests()
        .iter()
        .rev()
        .find(|m| !m.rolled_back)
        .cloned()
    else {
        return Ok(None);
    };
    let dir = history.apply_dir(manifest.generation);
    let restored = undo(&dir, &manifest.entries)?;
    let mut m = manifest.clone();
    m.rolled_back = true;
    write_manifest(&dir, &m)?;
    Ok(Some(RolledBack {
        generation: m.generation,
        command: m.command,
        restored,
    }))
}

/// Undoes, newest first, every apply newer than generation `keep` that was
/// not rolled back yet. Each undo is marked in its manifest as it finishes,
/// so a failure keeps the ones before it: they are returned with the error.
pub fn rollback_to(backups_dir: &Path, keep: u64) -> (Vec<RolledBack>, Result<(), FsError>) {
    let mut undone = Vec::new();
    loop {
        let history = History::load(backups_dir);
        let newer = history
            .manifests()
            .iter()
            .rev()
            .find(|m| !m.rolled_back)
            .is_some_and(|m| m.generation > keep);
        if !newer {
            return (undone, Ok(()));
        }
        match rollback(backups_dir) {
            Ok(Some(r)) => undone.push(r),
            Ok(None) => return (undone, Ok(())),
            Err(e) => return (undone, Err(e)),
        }
    }
}

/// Puts `entries` of the apply in `dir` back as they were, newest first.
fn undo(dir: &Path, entries: &[ManifestEntry]) -> Result<Vec<PathBuf>, FsError> {
    let mut restored = Vec::new();
    for entry in entries.iter().rev() {
        match &entry.before {
            Before::Missing if entry.dir => {
                if is_empty_dir(&entry.path) {
                    let _ = std::fs::remove_dir(&entry.path);
                }
            }
            Before::Missing => remove_path(&entry.path)?,
            Before::File { backup } => {
                let bytes = std::fs::read(dir.join(backup)).map_err(|source| FsError {
                    action: "read backup",
                    path: dir.join(backup),
                    source,
                })?;
                if let Some(parent) = entry.path.parent() {
                    fsx::create_dir_all(parent)?;
                }
                if entry.path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
                    remove_path(&entry.path)?;
                }
                // A file the apply deleted comes back with the backup's mode.
                let like = if entry.path.exists() {
                    entry.path.clone()
                } else {
                    dir.join(backup)
                };
                fsx::write_atomic_like(&entry.path, &bytes, Overwrite::Replace, &like)?;
            }
            Before::Symlink { target } => {
                remove_path(&entry.path)?;
                symlink(target, &entry.path)?;
            }
        }
        restored.push(entry.path.clone());
    }
    Ok(restored)
}

/// Removes temporary files a killed uas left next to the plan's targets
/// (`.uas-tmp-…`, see [`fsx::write_atomic`]). Safe because the caller holds
/// the operation lock: no other uas is writing there.
fn remove_stale_temp_files(plan: &SetupPlan) {
    let mut dirs: Vec<&Path> = plan
        .changes
        .iter()
        .filter_map(|c| c.path.parent())
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in rd.flatten() {
            let stale = e
                .file_name()
                .to_string_lossy()
                .starts_with(fsx::TEMP_PREFIX)
                && e.file_type().is_ok_and(|t| t.is_file());
            if stale {
                tracing::info!(path = %e.path().display(), "removing a temp file an interrupted uas left");
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<(), FsError> {
    std::os::unix::fs::symlink(target, link).map_err(|source| FsError {
        action: "recreate symlink",
        path: link.to_path_buf(),
        source,
    })
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> Result<(), FsError> {
    let res = if target.is_dir() {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    };
    res.map_err(|source| FsError {
        action: "recreate symlink",
        path: link.to_path_buf(),
        source,
    })
}
