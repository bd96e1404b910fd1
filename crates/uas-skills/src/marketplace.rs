//! Importing a Claude Code plugin marketplace (`.claude-plugin/marketplace.json`)
//! as a source for `registry build`.
//!
//! Each plugin whose `source` is a folder inside the marketplace contributes
//! its skills: the folders its `skills` list names, or else every
//! `<plugin>/skills/<name>/` holding a `SKILL.md`. The plugin's version (from
//! marketplace.json or its `.claude-plugin/plugin.json`) becomes the version
//! of skills that declare none. Plugins fetched from elsewhere (GitHub, git
//! URLs, npm) are listed as skipped: clone them and build from the folder.
//! Only skills are imported; hooks, MCP servers and agents are Claude-specific.

use crate::SkillError;
use crate::archive::ArchiveError;
use semver::Version;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Where a marketplace keeps its catalogue, relative to its root.
pub const MARKETPLACE_FILE: &str = ".claude-plugin/marketplace.json";

/// The parts of marketplace.json we read (a foreign format: other keys are ignored).
#[derive(Debug, Deserialize)]
struct Catalogue {
    #[serde(default)]
    plugins: Vec<Plugin>,
}

#[derive(Debug, Deserialize)]
struct Plugin {
    name: String,
    #[serde(default)]
    source: serde_json::Value,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    skills: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PluginJson {
    #[serde(default)]
    version: Option<String>,
}

/// Skill folders of a marketplace, each with the version its plugin gives.
#[derive(Debug, Default)]
pub struct Imported {
    /// (skill folder, plugin version).
    pub skills: Vec<(PathBuf, Option<Version>)>,
    /// Plugins skipped, and why.
    pub notes: Vec<String>,
}

/// `rel` joined to `root`, refused when it is not a plain relative path.
fn inside(root: &Path, rel: &str) -> Result<PathBuf, ArchiveError> {
    let trimmed = rel.trim().trim_start_matches("./");
    if trimmed.is_empty() || trimmed == "." {
        return Ok(root.to_path_buf());
    }
    crate::archive::safe_relative_path(trimmed.trim_end_matches('/').as_bytes())
        .map(|p| root.join(p))
}

/// Reads `root/.claude-plugin/marketplace.json`; `None` when there is none.
pub fn import(root: &Path) -> Result<Option<Imported>, SkillError> {
    let file = root.join(MARKETPLACE_FILE);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SkillError::io("cannot read", &file, e)),
    };
    let bad = |message: String| SkillError::Manifest {
        path: file.clone(),
        message,
    };
    let cat: Catalogue = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    let mut out = Imported::default();
    for p in cat.plugins {
        let Some(src) = p.source.as_str() else {
            out.notes.push(format!(
                "plugin `{}` is fetched from elsewhere ({}); clone it and run `uas registry build` on the folder",
                p.name, p.source
            ));
            continue;
        };
        let dir = inside(root, src).map_err(|m| bad(format!("plugin `{}`: source {m}", p.name)))?;
        let version = p.version.clone().or_else(|| {
            std::fs::read(dir.join(".claude-plugin/plugin.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<PluginJson>(&b).ok())
                .and_then(|j| j.version)
        });
        let version = match version {
            Some(v) => Some(
                crate::manifest::parse_version(&v)
                    .map_err(|m| bad(format!("plugin `{}`: version {m}", p.name)))?,
            ),
            None => None,
        };
        let mut dirs = Vec::new();
        if p.skills.is_empty() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join("skills"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|d| d.join("SKILL.md").is_file())
                .collect();
            found.sort();
            dirs.extend(found);
        } else {
            for s in &p.skills {
                let d = inside(&dir, s)
                    .map_err(|m| bad(format!("plugin `{}`: skill path {m}", p.name)))?;
                if !d.join("SKILL.md").is_file() {
                    return Err(bad(format!(
                        "plugin `{}` lists {s}, which has no SKILL.md",
                        p.name
                    )));
                }
                dirs.push(d);
            }
        }
        if dirs.is_empty() {
            out.notes.push(format!("plugin `{}` has no skills", p.name));
        }
        out.skills
            .extend(dirs.into_iter().map(|d| (d, version.clone())));
    }
    Ok(Some(out))
}
