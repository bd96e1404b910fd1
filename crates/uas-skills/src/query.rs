//! The read-only operations behind `uas skill list|verify|search|info`.

use crate::SkillError;
use crate::ops::Skills;
use crate::registries::Registries;
use crate::store;
use semver::{Version, VersionReq};
use serde::Serialize;

impl Skills<'_> {
    /// `uas skill list [--outdated]`.
    pub fn list(&self, outdated: bool) -> Result<Vec<InstalledSkill>, SkillError> {
        let lock = self.lock()?;
        let regs = if outdated {
            Some(Registries::load(self.home, self.config)?)
        } else {
            None
        };
        let mut out = Vec::new();
        for (name, s) in &lock.skills {
            let (mut latest, mut compatible) = (None, None);
            if let Some((_, entries)) = regs.as_ref().and_then(|r| r.lookup(name)) {
                let mut reqs: Vec<VersionReq> =
                    lock.dependents(name).into_iter().map(|(_, r)| r).collect();
                reqs.extend(s.requested.clone());
                let usable = entries
                    .iter()
                    .filter(|e| !e.yanked && e.version.pre.is_empty());
                latest = usable.clone().map(|e| e.version.clone()).max();
                compatible = usable
                    .filter(|e| reqs.iter().all(|r| r.matches(&e.version)))
                    .map(|e| e.version.clone())
                    .max();
            }
            let item = InstalledSkill {
                name: name.clone(),
                version: s.version.clone(),
                requested: s.requested.as_ref().map(ToString::to_string),
                registry: s.registry.clone(),
                stored: store::versions(self.home, name),
                latest,
                compatible,
            };
            if !outdated || item.latest.as_ref().is_some_and(|l| *l > item.version) {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// `uas skill verify`: every locked version present, unchanged, with its
    /// dependencies met. Returns the problems (empty: all good).
    pub fn verify(&self) -> Result<Vec<String>, SkillError> {
        let lock = self.lock()?;
        let mut problems = Vec::new();
        for (name, s) in &lock.skills {
            match store::tree_of(self.home, name, &s.version) {
                None => problems.push(format!("{name} {}: missing from the store (run `uas skill install --locked`)", s.version)),
                Some(t) if t != s.tree => problems.push(format!(
                    "{name} {}: files in {} differ from what was installed (run `uas skill install --locked` to restore)",
                    s.version,
                    store::version_dir(self.home, name, &s.version).display()
                )),
                Some(_) => {}
            }
            for (dep, req) in &s.dependencies {
                match lock.skills.get(dep) {
                    Some(d) if req.matches(&d.version) => {}
                    Some(d) => problems.push(format!(
                        "{name} {} needs {dep} {req}, but {} is active",
                        s.version, d.version
                    )),
                    None => problems.push(format!(
                        "{name} {} needs {dep} {req}, which is not installed",
                        s.version
                    )),
                }
            }
        }
        Ok(problems)
    }

    /// `uas skill search QUERY`: names and descriptions containing it.
    pub fn search(&self, query: &str) -> Result<Vec<SearchHit>, SkillError> {
        let regs = Registries::load(self.home, self.config)?;
        let q = query.to_lowercase();
        let mut out = Vec::new();
        for name in regs.names() {
            let Some((r, entries)) = regs.lookup(name) else {
                continue;
            };
            let Some(newest) = entries
                .iter()
                .filter(|e| !e.yanked)
                .max_by(|a, b| a.version.cmp(&b.version))
            else {
                continue;
            };
            if name.contains(&q) || newest.description.to_lowercase().contains(&q) {
                out.push(SearchHit {
                    name: name.to_owned(),
                    version: newest.version.clone(),
                    description: newest.description.clone(),
                    registry: r.name.clone(),
                });
            }
        }
        Ok(out)
    }

    /// `uas skill info NAME`: every published version.
    pub fn info(&self, name: &str) -> Result<SkillInfo, SkillError> {
        let regs = Registries::load(self.home, self.config)?;
        let (r, entries) = regs
            .lookup(name)
            .ok_or_else(|| SkillError::UnknownSkill(name.to_owned()))?;
        let installed = self.lock()?.skills.get(name).map(|s| s.version.clone());
        Ok(SkillInfo {
            name: name.to_owned(),
            registry: r.name.clone(),
            installed,
            versions: entries
                .iter()
                .rev()
                .map(|e| VersionInfo {
                    version: e.version.clone(),
                    description: e.description.clone(),
                    dependencies: e
                        .dependencies
                        .iter()
                        .map(|(d, q)| format!("{d} {q}"))
                        .collect(),
                    signed_by: e.signature.as_ref().map(|s| s.key.clone()),
                    yanked: e.yanked,
                    size: e.size,
                })
                .collect(),
        })
    }
}

/// A skill's content before installing it: its SKILL.md and files, read
/// from the newest version's archive (checksum verified, unpacked with the
/// same limits as an install into a private temporary folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillPreview {
    /// SKILL.md as text (lossy UTF-8), if the archive has one.
    pub skill_md: Option<String>,
    /// Every file, relative, sorted.
    pub files: Vec<String>,
}

impl Skills<'_> {
    /// The newest non-yanked version's content: from the store when that
    /// version is installed, else downloaded (nothing is installed).
    pub fn preview(&self, name: &str) -> Result<SkillPreview, SkillError> {
        let regs = Registries::load(self.home, self.config)?;
        let (r, entries) = regs
            .lookup(name)
            .ok_or_else(|| SkillError::UnknownSkill(name.to_owned()))?;
        let entry = entries
            .iter()
            .filter(|e| !e.yanked)
            .max_by(|a, b| a.version.cmp(&b.version))
            .ok_or_else(|| SkillError::UnknownSkill(name.to_owned()))?;
        let stored = store::version_dir(self.home, name, &entry.version);
        if stored.join("SKILL.md").is_file() {
            return Ok(read_preview(&stored));
        }
        let limits = &self.config.limits;
        let bytes = r.archive(entry, limits.max_total_bytes, &mut |_, _| {})?;
        crate::registries::verify_archive(name, entry, &bytes, &self.config.trusted_keys, true)?;
        let tmp = tempfile::tempdir()
            .map_err(|e| SkillError::io("create a preview folder in", std::env::temp_dir(), e))?;
        crate::archive::unpack(&bytes, tmp.path(), limits).map_err(|e| {
            SkillError::UnsafeArchive {
                name: name.to_owned(),
                version: entry.version.to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(read_preview(tmp.path()))
    }
}

fn read_preview(dir: &std::path::Path) -> SkillPreview {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                files.push(rel.display().to_string());
            }
        }
    }
    files.sort();
    SkillPreview {
        skill_md: std::fs::read(dir.join("SKILL.md"))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        files,
    }
}

/// One row of `uas skill list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstalledSkill {
    /// Skill.
    pub name: String,
    /// Active version.
    pub version: Version,
    /// Requirement asked for (none: a dependency).
    pub requested: Option<String>,
    /// Registry.
    pub registry: String,
    /// Versions in the store (rollback targets).
    pub stored: Vec<Version>,
    /// Newest published (with `--outdated`).
    pub latest: Option<Version>,
    /// Newest allowed by the requirements (with `--outdated`).
    pub compatible: Option<Version>,
}

/// One result of `uas skill search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    /// Skill.
    pub name: String,
    /// Newest non-yanked version.
    pub version: Version,
    /// Its description.
    pub description: String,
    /// Registry.
    pub registry: String,
}

/// `uas skill info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillInfo {
    /// Skill.
    pub name: String,
    /// Registry providing it.
    pub registry: String,
    /// Active version here.
    pub installed: Option<Version>,
    /// Newest first.
    pub versions: Vec<VersionInfo>,
}

/// One version in `uas skill info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// Version.
    pub version: Version,
    /// Description.
    pub description: String,
    /// `name req` per dependency.
    pub dependencies: Vec<String>,
    /// Signing key, when signed.
    pub signed_by: Option<String>,
    /// Withdrawn.
    pub yanked: bool,
    /// Archive bytes.
    pub size: u64,
}
