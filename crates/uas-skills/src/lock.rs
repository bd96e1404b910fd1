//! `~/.agent/skills.lock`: which version of each packaged skill is active,
//! with the archive and content hashes that prove it, and the versions that
//! were active before (for rollback).
//!
//! The lockfile is the single switch: every operation prepares the store
//! first and then rewrites this file atomically, so a crash leaves either
//! the old set of versions or the new one, never a mix.

use crate::SkillError;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use uas_core::fsx::{self, Overwrite};

/// Lockfile format version.
pub const LOCK_FORMAT: u32 = 1;
/// How many earlier versions each skill remembers for rollback.
pub const HISTORY_LEN: usize = 10;

/// The whole lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lockfile {
    /// [`LOCK_FORMAT`].
    pub version: u32,
    /// Name -> active version.
    #[serde(default)]
    pub skills: BTreeMap<String, LockedSkill>,
}

impl Default for Lockfile {
    fn default() -> Self {
        Self {
            version: LOCK_FORMAT,
            skills: BTreeMap::new(),
        }
    }
}

/// One skill's active version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedSkill {
    /// Active version.
    pub version: Version,
    /// Requirement the user asked for; absent when installed only as a dependency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<VersionReq>,
    /// Registry it came from.
    pub registry: String,
    /// SHA-256 of the archive.
    pub sha256: String,
    /// Content hash of the unpacked files (see `uas_vfs::tree_hash`).
    pub tree: String,
    /// Its dependencies.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, VersionReq>,
    /// Versions active before this one, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<PastVersion>,
}

/// A previously active version, kept in the store for rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastVersion {
    /// The version.
    pub version: Version,
    /// Its registry.
    pub registry: String,
    /// Archive hash.
    pub sha256: String,
    /// Content hash.
    pub tree: String,
    /// Its dependencies.
    #[serde(default)]
    pub dependencies: BTreeMap<String, VersionReq>,
}

impl LockedSkill {
    /// This entry as a history item.
    pub fn as_past(&self) -> PastVersion {
        PastVersion {
            version: self.version.clone(),
            registry: self.registry.clone(),
            sha256: self.sha256.clone(),
            tree: self.tree.clone(),
            dependencies: self.dependencies.clone(),
        }
    }

    /// Records `old` as the previous version of this entry.
    pub fn remember(&mut self, mut history: Vec<PastVersion>, old: PastVersion) {
        history.retain(|p| p.version != old.version && p.version != self.version);
        history.push(old);
        let excess = history.len().saturating_sub(HISTORY_LEN);
        history.drain(..excess);
        self.history = history;
    }
}

impl Lockfile {
    /// Reads the lockfile; missing means empty.
    pub fn load(path: &Path) -> Result<Self, SkillError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(SkillError::io("cannot read", path, e)),
        };
        let lock: Lockfile = toml::from_str(&text).map_err(|e| SkillError::Lock {
            path: path.to_path_buf(),
            message: format!(
                "{}; fix the file or restore it from a backup",
                e.to_string().trim()
            ),
        })?;
        if lock.version != LOCK_FORMAT {
            return Err(SkillError::Lock {
                path: path.to_path_buf(),
                message: format!("format {} is not supported; upgrade uas", lock.version),
            });
        }
        for name in lock.skills.keys() {
            crate::manifest::validate_name(name).map_err(|m| SkillError::Lock {
                path: path.to_path_buf(),
                message: m.to_string(),
            })?;
        }
        Ok(lock)
    }

    /// Writes the lockfile atomically: this is the moment versions switch.
    pub fn save(&self, path: &Path) -> Result<(), SkillError> {
        let text = toml::to_string_pretty(self).map_err(|e| SkillError::Lock {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let text = format!(
            "# Written by `uas skill`; do not edit. Exact active versions and hashes.\n{text}"
        );
        if let Some(dir) = path.parent() {
            fsx::create_dir_all(dir)?;
        }
        fsx::write_atomic(path, text.as_bytes(), Overwrite::Replace)?;
        Ok(())
    }

    /// Skills whose dependencies name `name`, with their requirement.
    pub fn dependents(&self, name: &str) -> Vec<(String, VersionReq)> {
        self.skills
            .iter()
            .filter_map(|(n, s)| s.dependencies.get(name).map(|r| (n.clone(), r.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_round_trips_through_toml() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("skills.lock");
        let mut lock = Lockfile::default();
        let mut s = LockedSkill {
            version: Version::new(1, 1, 0),
            requested: Some(VersionReq::parse("^1").expect("req")),
            registry: "team".into(),
            sha256: "a".repeat(64),
            tree: "b".repeat(64),
            dependencies: BTreeMap::from([(
                "base".to_owned(),
                VersionReq::parse("~1.0").expect("req"),
            )]),
            history: Vec::new(),
        };
        let mut old = s.as_past();
        old.version = Version::new(1, 0, 0);
        s.remember(Vec::new(), old);
        lock.skills.insert("lint".into(), s);
        lock.save(&p).expect("save");
        assert_eq!(Lockfile::load(&p).expect("load"), lock);
        assert_eq!(lock.dependents("base").len(), 1);
    }

    #[test]
    fn unknown_fields_are_refused_with_the_path() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("skills.lock");
        std::fs::write(&p, "version = 1\nextra = 2\n").expect("write");
        let e = Lockfile::load(&p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("skills.lock") && e.contains("extra"), "{e}");
    }
}
