//! The registry format and `uas registry build`.
//!
//! A registry is a folder (served statically or read directly) with
//! `index.json` and the archives it names:
//!
//! ```json
//! {"format": 1, "skills": {"lint": [{"version": "1.2.0", "description": "…",
//!   "dependencies": {"base-notes": "^1.0"}, "archive": "archives/lint/lint-1.2.0.tar.gz",
//!   "sha256": "…", "size": 1234, "signature": {"key": "ed25519:…", "sig": "…"},
//!   "yanked": false}]}}
//! ```
//!
//! A published version is immutable: building again with different content
//! for the same version is refused.

use crate::SkillError;
use crate::archive;
use crate::manifest::SkillManifest;
use crate::sign;
use ed25519_dalek::SigningKey;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uas_core::fsx::{self, Overwrite};

/// The index format this build reads and writes.
pub const INDEX_FORMAT: u32 = 1;
/// File name of the index inside a registry.
pub const INDEX_FILE: &str = "index.json";

/// `index.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryIndex {
    /// Format version ([`INDEX_FORMAT`]).
    pub format: u32,
    /// Skill name -> versions, oldest first.
    pub skills: BTreeMap<String, Vec<IndexEntry>>,
}

/// One published version of a skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// The version.
    pub version: Version,
    /// Description from the manifest.
    #[serde(default)]
    pub description: String,
    /// Dependencies with requirements.
    #[serde(default)]
    pub dependencies: BTreeMap<String, VersionReq>,
    /// Archive path relative to the registry root.
    pub archive: String,
    /// SHA-256 (hex) of the archive bytes.
    pub sha256: String,
    /// Archive size in bytes.
    pub size: u64,
    /// Ed25519 signature over the archive bytes, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<IndexSignature>,
    /// Withdrawn: never chosen by new resolutions.
    #[serde(default)]
    pub yanked: bool,
}

/// A signature and the key that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSignature {
    /// `ed25519:<hex>` public key.
    pub key: String,
    /// Hex signature.
    pub sig: String,
}

/// SHA-256 hex of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sign::to_hex(&Sha256::digest(bytes))
}

impl RegistryIndex {
    /// Parses and validates `index.json`; `registry` names it in errors.
    pub fn parse(registry: &str, bytes: &[u8]) -> Result<Self, SkillError> {
        let err = |message: String| SkillError::Index {
            registry: registry.to_owned(),
            message,
        };
        let index: RegistryIndex = serde_json::from_slice(bytes).map_err(|e| err(e.to_string()))?;
        if index.format != INDEX_FORMAT {
            return Err(err(format!(
                "format {} is not supported (this uas reads format {INDEX_FORMAT}); upgrade uas",
                index.format
            )));
        }
        for (name, versions) in &index.skills {
            crate::manifest::validate_name(name).map_err(|e| err(e.to_string()))?;
            let mut seen = std::collections::BTreeSet::new();
            for v in versions {
                if !seen.insert(&v.version) {
                    return Err(err(format!("{name} {} is listed twice", v.version)));
                }
                archive::safe_relative_path(v.archive.as_bytes())
                    .map_err(|m| err(format!("{name} {}: {m}", v.version)))?;
                if v.sha256.len() != 64 || sign::from_hex(&v.sha256).is_none() {
                    return Err(err(format!(
                        "{name} {}: sha256 is not 64 hex digits",
                        v.version
                    )));
                }
                for dep in v.dependencies.keys() {
                    crate::manifest::validate_name(dep)
                        .map_err(|m| err(format!("{name} {}: {m}", v.version)))?;
                }
            }
        }
        Ok(index)
    }

    /// The entry for `name` at exactly `version`.
    pub fn entry(&self, name: &str, version: &Version) -> Option<&IndexEntry> {
        self.skills
            .get(name)?
            .iter()
            .find(|e| &e.version == version)
    }
}

/// What `registry build` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuildReport {
    /// Versions newly added (`name version`).
    pub added: Vec<String>,
    /// Versions already in the index with the same content.
    pub unchanged: Vec<String>,
    /// Where the index was written.
    pub index: PathBuf,
    /// Things skipped, with advice (e.g. marketplace plugins hosted elsewhere).
    pub notes: Vec<String>,
}

/// Finds skill folders under `dir`: `dir` itself, `dir/<name>/` or
/// `dir/<name>/<version>/` (any folder holding a `SKILL.md`).
fn find_skill_dirs(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), SkillError> {
    if dir.join("SKILL.md").is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    if depth == 0 {
        return Ok(());
    }
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| SkillError::io("cannot list", dir, e))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    children.sort();
    for c in children {
        find_skill_dirs(&c, depth - 1, out)?;
    }
    Ok(())
}

/// `uas registry build SRC --out OUT [--key FILE]`: packs every skill
/// folder under `src` into `out/archives/` and adds it to `out/index.json`
/// (created when missing), signing with `key` when given.
pub fn build(src: &Path, out: &Path, key: Option<&SigningKey>) -> Result<BuildReport, SkillError> {
    let index_path = out.join(INDEX_FILE);
    let mut index = match std::fs::read(&index_path) {
        Ok(b) => RegistryIndex::parse(&index_path.display().to_string(), &b)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => RegistryIndex {
            format: INDEX_FORMAT,
            skills: BTreeMap::new(),
        },
        Err(e) => return Err(SkillError::io("cannot read", &index_path, e)),
    };
    let mut notes = Vec::new();
    let dirs: Vec<(PathBuf, Option<Version>)> = match crate::marketplace::import(src)? {
        Some(imported) => {
            notes = imported.notes;
            imported.skills
        }
        None => {
            let mut dirs = Vec::new();
            find_skill_dirs(src, 2, &mut dirs)?;
            dirs.into_iter().map(|d| (d, None)).collect()
        }
    };
    if dirs.is_empty() {
        return Err(SkillError::Refused(format!(
            "{} holds no skill folders (folders with a SKILL.md)",
            src.display()
        )));
    }
    let mut report = BuildReport {
        index: index_path.clone(),
        notes,
        ..BuildReport::default()
    };
    for (dir, plugin_version) in dirs {
        let mut files = archive::read_folder(&dir).map_err(|e| SkillError::Manifest {
            path: dir.clone(),
            message: e.to_string(),
        })?;
        let tree: BTreeMap<PathBuf, Vec<u8>> = files
            .iter()
            .map(|(p, f)| (p.clone(), f.bytes.clone()))
            .collect();
        let hash = uas_vfs::tree_hash(&tree);
        let folder = dir.file_name().and_then(|n| n.to_str());
        let folder = folder.filter(|f| Version::parse(f).is_err());
        let mut manifest = SkillManifest::from_dir(&dir, folder, &hash)?;
        // A marketplace skill without a version of its own takes its plugin's,
        // written into the archive as skill.toml so the installed copy agrees.
        let undeclared = manifest.version.major == 0
            && manifest.version.minor == 0
            && manifest.version.patch == 0
            && !manifest.version.build.is_empty();
        if let Some(v) = plugin_version
            && undeclared
            && !files.contains_key(Path::new("skill.toml"))
        {
            files.insert(
                PathBuf::from("skill.toml"),
                archive::SkillFile {
                    bytes: format!("# Added by `uas registry build` from the plugin version.\nversion = \"{v}\"\n").into_bytes(),
                    executable: false,
                },
            );
            manifest.version = v;
        }
        let bytes = archive::pack(&files).map_err(|e| SkillError::io("cannot pack", &dir, e))?;
        let sha = sha256_hex(&bytes);
        let label = format!("{} {}", manifest.name, manifest.version);
        report
            .notes
            .extend(manifest.warnings.iter().map(|w| format!("{label}: {w}")));
        let versions = index.skills.entry(manifest.name.clone()).or_default();
        if let Some(existing) = versions.iter_mut().find(|e| e.version == manifest.version) {
            if existing.sha256 != sha {
                return Err(SkillError::Refused(format!(
                    "{label} is already published with different content ({}); published versions are immutable, bump metadata.version",
                    dir.display()
                )));
            }
            if existing.signature.is_none()
                && let Some(k) = key
            {
                existing.signature = Some(IndexSignature {
                    key: sign::public_text(&k.verifying_key()),
                    sig: sign::sign(k, &bytes),
                });
            }
            report.unchanged.push(label);
            continue;
        }
        let rel = format!(
            "archives/{name}/{name}-{version}.tar.gz",
            name = manifest.name,
            version = manifest.version
        );
        let path = out.join(&rel);
        if let Some(parent) = path.parent() {
            fsx::create_dir_all(parent)?;
        }
        fsx::write_atomic(&path, &bytes, Overwrite::Replace)?;
        versions.push(IndexEntry {
            version: manifest.version.clone(),
            description: manifest.description.clone(),
            dependencies: manifest.dependencies.clone(),
            archive: rel,
            sha256: sha,
            size: bytes.len() as u64,
            signature: key.map(|k| IndexSignature {
                key: sign::public_text(&k.verifying_key()),
                sig: sign::sign(k, &bytes),
            }),
            yanked: false,
        });
        versions.sort_by(|a, b| a.version.cmp(&b.version));
        report.added.push(label);
    }
    write_index(out, &index)?;
    Ok(report)
}

/// Writes `out/index.json` atomically.
pub fn write_index(out: &Path, index: &RegistryIndex) -> Result<(), SkillError> {
    fsx::create_dir_all(out)?;
    let mut text = serde_json::to_vec_pretty(index).map_err(|e| SkillError::Index {
        registry: out.display().to_string(),
        message: e.to_string(),
    })?;
    text.push(b'\n');
    fsx::write_atomic(&out.join(INDEX_FILE), &text, Overwrite::Replace)?;
    Ok(())
}

/// `uas registry yank DIR NAME VERSION [--undo]`: marks a version withdrawn
/// (or not) in a registry folder's index.
pub fn set_yanked(
    out: &Path,
    name: &str,
    version: &Version,
    yanked: bool,
) -> Result<(), SkillError> {
    let path = out.join(INDEX_FILE);
    let bytes = std::fs::read(&path).map_err(|e| SkillError::io("cannot read", &path, e))?;
    let mut index = RegistryIndex::parse(&path.display().to_string(), &bytes)?;
    let entry = index
        .skills
        .get_mut(name)
        .and_then(|v| v.iter_mut().find(|e| &e.version == version))
        .ok_or_else(|| {
            SkillError::Refused(format!("{} lists no {name} {version}", path.display()))
        })?;
    entry.yanked = yanked;
    write_index(out, &index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_description_is_published_with_a_note_and_the_others_too() {
        let tmp = tempfile::tempdir().expect("tmp");
        let src = tmp.path().join("src");
        let long = "word ".repeat(300);
        for (name, description) in [("wordy", long.trim()), ("terse", "does one thing")] {
            let dir = src.join(name);
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(
                dir.join("SKILL.md"),
                format!(
                    "---\nname: {name}\ndescription: {description}\nextra-key: kept\n---\nbody\n"
                ),
            )
            .expect("write");
        }
        let out = tmp.path().join("registry");
        let report = build(&src, &out, None).expect("the folder builds");
        assert_eq!(report.added.len(), 2, "{report:?}");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("wordy ") && n.contains("1499 characters")),
            "{report:?}"
        );
        // An extra frontmatter key is a note too, not a refusal.
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("terse ") && n.contains("`extra-key`")),
            "{report:?}"
        );
        assert!(
            !report
                .notes
                .iter()
                .any(|n| n.starts_with("terse ") && n.contains("characters"))
        );
    }

    #[test]
    fn index_with_unsafe_archive_path_or_bad_hash_is_refused() {
        let bad_path = br#"{"format":1,"skills":{"a":[{"version":"1.0.0","archive":"../x.tar.gz","sha256":"00","size":1}]}}"#;
        let e = RegistryIndex::parse("r", bad_path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("registry r") && e.contains(".."), "{e}");
        let bad_hash = br#"{"format":1,"skills":{"a":[{"version":"1.0.0","archive":"a.tar.gz","sha256":"zz","size":1}]}}"#;
        let e = RegistryIndex::parse("r", bad_hash)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("sha256"), "{e}");
        let future = br#"{"format":2,"skills":{}}"#;
        let e = RegistryIndex::parse("r", future)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("upgrade uas"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn index_parse_never_panics(text in "\\PC{0,300}") {
            let _ = RegistryIndex::parse("r", text.as_bytes());
        }
    }
}
