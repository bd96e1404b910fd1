//! `~/.agent/skills/store/<name>/<version>/`: every installed version side
//! by side. New versions are unpacked into `store/.staging/` (same file
//! system), checked, fsynced, then renamed into place in one step, so a
//! version folder is either complete or absent.

use crate::SkillError;
use crate::archive;
use crate::manifest::SkillManifest;
use semver::Version;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_core::Home;
use uas_core::config::SkillLimits;
use uas_core::fsx;

/// Staging folders older than this are leftovers of a killed process.
const STALE_STAGING: Duration = Duration::from_secs(600);

/// The folder of one installed version.
pub fn version_dir(home: &Home, name: &str, version: &Version) -> PathBuf {
    home.skills_store_dir().join(name).join(version.to_string())
}

/// Versions of `name` present in the store, oldest first.
pub fn versions(home: &Home, name: &str) -> Vec<Version> {
    let mut out: Vec<Version> = std::fs::read_dir(home.skills_store_dir().join(name))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Version::parse(&e.file_name().to_string_lossy()).ok())
        .collect();
    out.sort();
    out
}

/// Content hash of an installed version, `None` when it is absent or unreadable.
pub fn tree_of(home: &Home, name: &str, version: &Version) -> Option<String> {
    let dir = version_dir(home, name, version);
    uas_vfs::read_skill(&dir, name.to_owned())
        .ok()
        .flatten()
        .map(|t| t.hash)
}

/// Deletes staging folders left by killed processes.
pub fn clean_stale_staging(home: &Home) {
    let staging = home.skills_store_dir().join(".staging");
    for e in std::fs::read_dir(&staging).into_iter().flatten().flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_STAGING);
        if old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Unpacks `bytes` (already checksum- and signature-verified) as `name`
/// `version`: staging -> checks -> fsync -> rename. Returns the content
/// hash. An existing complete folder with the same content is kept; one
/// with other content (tampered) is replaced.
pub fn store_archive(
    home: &Home,
    name: &str,
    version: &Version,
    bytes: &[u8],
    limits: &SkillLimits,
) -> Result<String, SkillError> {
    let staging_root = home.skills_store_dir().join(".staging");
    fsx::create_dir_all(&staging_root)?;
    let staging = tempfile::Builder::new()
        .prefix(&format!("{name}-{version}-"))
        .tempdir_in(&staging_root)
        .map_err(|e| SkillError::io("cannot create a staging folder in", &staging_root, e))?;
    let unsafe_archive = |message: String| SkillError::UnsafeArchive {
        name: name.to_owned(),
        version: version.to_string(),
        message,
    };
    archive::unpack(bytes, staging.path(), limits).map_err(|e| unsafe_archive(e.to_string()))?;
    let tree = uas_vfs::read_skill(staging.path(), name.to_owned())
        .map_err(|e| unsafe_archive(e.to_string()))?
        .ok_or_else(|| unsafe_archive("no SKILL.md".into()))?;
    let manifest = SkillManifest::from_dir(staging.path(), None, &tree.hash)?;
    if manifest.name != name || &manifest.version != version {
        return Err(unsafe_archive(format!(
            "the archive holds {} {}, not {name} {version}",
            manifest.name, manifest.version
        )));
    }
    let target = version_dir(home, name, version);
    if target.is_dir() {
        if tree_of(home, name, version).as_deref() == Some(tree.hash.as_str()) {
            return Ok(tree.hash);
        }
        // Someone changed the stored copy: move it aside, put the verified one in.
        let trash = staging_root.join(format!(".replaced-{name}-{version}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&trash);
        std::fs::rename(&target, &trash)
            .map_err(|e| SkillError::io("cannot move aside", &target, e))?;
        let _ = std::fs::remove_dir_all(&trash);
    }
    let parent = home.skills_store_dir().join(name);
    fsx::create_dir_all(&parent)?;
    let kept = staging.keep();
    std::fs::rename(&kept, &target).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        SkillError::io("cannot move the unpacked skill into", &target, e)
    })?;
    fsx::sync_dir(&parent)?;
    Ok(tree.hash)
}

/// Removes every stored version of `name`.
pub fn remove_all(home: &Home, name: &str) -> Result<(), SkillError> {
    let dir = home.skills_store_dir().join(name);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SkillError::io("cannot remove", dir, e)),
    }
}

/// Whether `dir` is inside the store (sanity check before deleting).
pub fn in_store(home: &Home, dir: &Path) -> bool {
    dir.starts_with(home.skills_store_dir())
}
