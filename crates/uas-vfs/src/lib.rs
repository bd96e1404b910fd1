//! The universal resources under `~/.agent/` as one layered tree with
//! `vfs://` addresses, resolved per agent:
//!
//! 1. provider override: `~/.agent/providers/<agent>/…`
//! 2. universal: `~/.agent/instructions/*.md`, `~/.agent/skills/<name>/`
//! 3. packaged: the active version of each skill installed by the package
//!    manager, `~/.agent/skills/store/<name>/<version>/`, as recorded in
//!    `~/.agent/skills.lock`
//! 4. fallback: the built-in default instructions
//!
//! A hand-made universal skill folder wins over a packaged skill of the same
//! name (the user's own copy is never shadowed by a download), and a provider
//! override wins over both.
//!
//! Materialization (in `uas-providers`) copies what this resolves into each
//! agent's own files; nothing here writes.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use uas_core::{AgentId, Home};

/// Largest file we copy out of a skill (bigger ones are an error).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A universal resource could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VfsError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// `skills.lock` is not valid TOML of the expected shape.
    #[error(
        "{path} is not a valid skills lockfile: {message}; fix it, or move it aside (packaged skills then stop being materialized; their files stay in skills/store/)"
    )]
    Lock {
        /// The lockfile.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file is too large to materialize.
    #[error(
        "{path} is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for skill files; move it out of the skill"
    )]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
}

/// One skill folder: its files (relative path -> bytes) and a content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillTree {
    /// Folder name (= skill name).
    pub name: String,
    /// `vfs://skills/<name>`.
    pub address: String,
    /// Where it was read from (universal or a provider override).
    pub source: PathBuf,
    /// Relative path -> content, sorted.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Files that are executable in the source (scripts).
    pub executables: std::collections::BTreeSet<PathBuf>,
    /// SHA-256 over every (path, content) pair.
    pub hash: String,
}

/// The universal resources, loaded once per command.
#[derive(Debug, Clone)]
pub struct Vfs {
    instructions: String,
    overrides_instructions: BTreeMap<AgentId, String>,
    skills: BTreeMap<String, SkillTree>,
    override_skills: BTreeMap<AgentId, BTreeMap<String, SkillTree>>,
}

/// Default universal instructions when `~/.agent/instructions/` is empty.
pub const FALLBACK_INSTRUCTIONS: &str = "# Universal instructions\n\nFollow the standard operating procedure: intake -> research -> plan -> implement -> verify -> review -> finalize. Record a plan before editing; run the tests before committing; never edit ~/.agent or your own hook configuration.\n";

impl Vfs {
    /// Reads the universal layer and every provider override under `home`.
    pub fn load(home: &Home) -> Result<Self, VfsError> {
        let instructions = read_instructions(&home.instructions_dir())?
            .unwrap_or_else(|| FALLBACK_INSTRUCTIONS.to_owned());
        let mut skills = read_skills(&home.skills_dir())?;
        for (name, version) in active_packaged(home)? {
            if skills.contains_key(&name) {
                continue;
            }
            let dir = home.skills_store_dir().join(&name).join(&version);
            if let Some(tree) = read_skill(&dir, name.clone())? {
                skills.insert(name, tree);
            }
        }
        let mut overrides_instructions = BTreeMap::new();
        let mut override_skills = BTreeMap::new();
        for agent in AgentId::ALL {
            let dir = home.root().join("providers").join(agent.as_str());
            if let Some(text) = read_optional(&dir.join("instructions.md"))? {
                overrides_instructions.insert(agent, String::from_utf8_lossy(&text).into_owned());
            }
            let s = read_skills(&dir.join("skills"))?;
            if !s.is_empty() {
                override_skills.insert(agent, s);
            }
        }
        Ok(Self {
            instructions,
            overrides_instructions,
            skills,
            override_skills,
        })
    }

    /// The instructions `agent` receives: the universal text plus its
    /// provider-specific addition, if any.
    pub fn instructions_for(&self, agent: AgentId) -> String {
        match self.overrides_instructions.get(&agent) {
            Some(extra) => format!("{}\n{}", self.instructions.trim_end(), extra),
            None => self.instructions.clone(),
        }
    }

    /// The skills `agent` receives, provider overrides winning by name.
    pub fn skills_for(&self, agent: AgentId) -> Vec<&SkillTree> {
        let mut out: BTreeMap<&str, &SkillTree> =
            self.skills.iter().map(|(k, v)| (k.as_str(), v)).collect();
        if let Some(over) = self.override_skills.get(&agent) {
            for (k, v) in over {
                out.insert(k.as_str(), v);
            }
        }
        out.into_values().collect()
    }

    /// Resolves a `vfs://` address for `agent` to its content (files of a
    /// skill, or the instructions as one file named `AGENTS.md`).
    pub fn resolve(&self, agent: AgentId, address: &str) -> Option<BTreeMap<PathBuf, Vec<u8>>> {
        let rest = address.strip_prefix("vfs://")?;
        if rest == "instructions" {
            return Some(BTreeMap::from([(
                PathBuf::from("AGENTS.md"),
                self.instructions_for(agent).into_bytes(),
            )]));
        }
        let name = rest.strip_prefix("skills/")?;
        self.skills_for(agent)
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.files.clone())
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, VfsError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VfsError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, VfsError> {
    match fs::read_dir(dir) {
        Ok(rd) => {
            let mut v = Vec::new();
            for e in rd {
                v.push(
                    e.map_err(|source| VfsError::Read {
                        path: dir.to_path_buf(),
                        source,
                    })?
                    .path(),
                );
            }
            v.sort();
            Ok(v)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(VfsError::Read {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// `AGENTS.md` first, then the other `*.md` files by name, joined.
fn read_instructions(dir: &Path) -> Result<Option<String>, VfsError> {
    let mut files: Vec<PathBuf> = list(dir)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file())
        .collect();
    files.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "AGENTS.md"), p.clone()));
    let mut parts = Vec::new();
    for f in files {
        if let Some(b) = read_optional(&f)? {
            parts.push(String::from_utf8_lossy(&b).trim_end().to_owned());
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join("\n\n") + "\n"))
}

fn read_skills(dir: &Path) -> Result<BTreeMap<String, SkillTree>, VfsError> {
    let mut out = BTreeMap::new();
    for path in list(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        // `store/` holds the package manager's versions; dot folders are private.
        if name == "store" || name.starts_with('.') || !path.is_dir() {
            continue;
        }
        if let Some(tree) = read_skill(&path, name.clone())? {
            out.insert(name, tree);
        }
    }
    Ok(out)
}

/// Reads one skill folder; `None` when it has no `SKILL.md`.
pub fn read_skill(path: &Path, name: String) -> Result<Option<SkillTree>, VfsError> {
    let mut files = BTreeMap::new();
    let mut executables = std::collections::BTreeSet::new();
    collect(path, Path::new(""), &mut files, &mut executables)?;
    if !files.contains_key(Path::new("SKILL.md")) {
        return Ok(None);
    }
    let hash = tree_hash(&files);
    Ok(Some(SkillTree {
        address: format!("vfs://skills/{name}"),
        name,
        source: path.to_path_buf(),
        files,
        executables,
        hash,
    }))
}

/// SHA-256 (hex) over every (relative path, content) pair of a skill, in
/// path order: the identity of a skill's content wherever it lives.
pub fn tree_hash(files: &BTreeMap<PathBuf, Vec<u8>>) -> String {
    let mut h = Sha256::new();
    for (p, c) in files {
        h.update(p.to_string_lossy().replace('\\', "/").as_bytes());
        h.update([0]);
        h.update((c.len() as u64).to_le_bytes());
        h.update(c);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The part of `skills.lock` the VFS needs: name -> active version.
#[derive(serde::Deserialize)]
struct LockView {
    #[serde(default)]
    skills: BTreeMap<String, LockedView>,
}

#[derive(serde::Deserialize)]
struct LockedView {
    version: String,
}

/// Name -> active version of every packaged skill (empty without a lockfile).
pub fn active_packaged(home: &Home) -> Result<BTreeMap<String, String>, VfsError> {
    let path = home.skills_lock_file();
    let Some(bytes) = read_optional(&path)? else {
        return Ok(BTreeMap::new());
    };
    let text = String::from_utf8_lossy(&bytes);
    let view: LockView = toml::from_str(&text).map_err(|e| VfsError::Lock {
        path: path.clone(),
        message: e.message().to_owned(),
    })?;
    Ok(view
        .skills
        .into_iter()
        .filter(|(n, l)| is_plain_name(n) && is_plain_name(&l.version))
        .map(|(n, l)| (n, l.version))
        .collect())
}

/// A lockfile value used as a path component must not climb out of the store.
fn is_plain_name(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', ':'])
}

fn collect(
    dir: &Path,
    rel: &Path,
    out: &mut BTreeMap<PathBuf, Vec<u8>>,
    executables: &mut std::collections::BTreeSet<PathBuf>,
) -> Result<(), VfsError> {
    for p in list(dir)? {
        let Some(name) = p.file_name() else { continue };
        let r = rel.join(name);
        if p.is_dir() {
            collect(&p, &r, out, executables)?;
        } else if p.is_file() {
            let size = p.metadata().map(|m| m.len()).unwrap_or(0);
            if size > MAX_FILE_BYTES {
                return Err(VfsError::TooLarge { path: p, size });
            }
            if let Some(b) = read_optional(&p)? {
                if is_executable(&p) {
                    executables.insert(r.clone());
                }
                out.insert(r, b);
            }
        }
    }
    Ok(())
}

/// Whether `path` has an execute bit (always false off Unix).
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> (tempfile::TempDir, Home) {
        let t = tempfile::tempdir().expect("tmp");
        let h = Home::new(t.path().join(".agent"));
        (t, h)
    }

    fn write(p: &Path, s: &str) {
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, s).expect("write");
    }

    #[test]
    fn empty_home_falls_back_to_builtin_instructions() {
        let (_t, h) = home();
        let v = Vfs::load(&h).expect("load");
        assert_eq!(v.instructions_for(AgentId::Claude), FALLBACK_INSTRUCTIONS);
        assert!(v.skills_for(AgentId::Claude).is_empty());
    }

    #[test]
    fn agents_md_comes_first_then_other_files() {
        let (_t, h) = home();
        write(&h.instructions_dir().join("zz-style.md"), "style\n");
        write(&h.instructions_dir().join("AGENTS.md"), "main\n");
        write(&h.instructions_dir().join("notes.txt"), "ignored\n");
        let v = Vfs::load(&h).expect("load");
        assert_eq!(v.instructions_for(AgentId::Codex), "main\n\nstyle\n");
    }

    #[test]
    fn provider_override_wins_for_that_agent_only() {
        let (_t, h) = home();
        write(&h.skills_dir().join("lint/SKILL.md"), "universal");
        write(
            &h.root().join("providers/claude/skills/lint/SKILL.md"),
            "claude flavour",
        );
        write(
            &h.root().join("providers/claude/instructions.md"),
            "Claude only.\n",
        );
        write(
            &h.skills_dir().join("store/lint/1.0.0/SKILL.md"),
            "package store, not a skill",
        );
        write(&h.skills_dir().join("no-manifest/readme.md"), "not a skill");
        let v = Vfs::load(&h).expect("load");
        let claude = v
            .resolve(AgentId::Claude, "vfs://skills/lint")
            .expect("claude");
        let codex = v
            .resolve(AgentId::Codex, "vfs://skills/lint")
            .expect("codex");
        assert_eq!(claude[Path::new("SKILL.md")], b"claude flavour");
        assert_eq!(codex[Path::new("SKILL.md")], b"universal");
        assert_eq!(v.skills_for(AgentId::Codex).len(), 1);
        assert!(
            v.instructions_for(AgentId::Claude)
                .ends_with("Claude only.\n")
        );
        assert!(!v.instructions_for(AgentId::Codex).contains("Claude only"));
    }

    #[test]
    fn active_packaged_version_is_included_and_hand_made_skill_wins() {
        let (_t, h) = home();
        write(
            &h.skills_dir().join("store/notes/1.0.0/SKILL.md"),
            "notes one",
        );
        write(
            &h.skills_dir().join("store/notes/2.0.0/SKILL.md"),
            "notes two",
        );
        write(
            &h.skills_dir().join("store/lint/1.0.0/SKILL.md"),
            "packaged lint",
        );
        write(&h.skills_dir().join("lint/SKILL.md"), "hand-made lint");
        write(
            &h.skills_lock_file(),
            "version = 1\n[skills.notes]\nversion = \"1.0.0\"\n[skills.lint]\nversion = \"1.0.0\"\n",
        );
        let v = Vfs::load(&h).expect("load");
        let notes = v
            .resolve(AgentId::Codex, "vfs://skills/notes")
            .expect("notes");
        assert_eq!(notes[Path::new("SKILL.md")], b"notes one");
        let lint = v
            .resolve(AgentId::Codex, "vfs://skills/lint")
            .expect("lint");
        assert_eq!(lint[Path::new("SKILL.md")], b"hand-made lint");
    }

    #[test]
    fn lockfile_path_tricks_are_ignored() {
        let (_t, h) = home();
        write(&h.root().join("SKILL.md"), "outside");
        write(
            &h.skills_lock_file(),
            "[skills.x]\nversion = \"..\"\n[skills.\"..\"]\nversion = \"..\"\n",
        );
        let v = Vfs::load(&h).expect("load");
        assert!(v.skills_for(AgentId::Claude).is_empty());
    }

    #[test]
    fn skill_hash_changes_with_content() {
        let (_t, h) = home();
        let f = h.skills_dir().join("a/SKILL.md");
        write(&f, "one");
        let one = Vfs::load(&h).expect("load").skills_for(AgentId::Claude)[0]
            .hash
            .clone();
        write(&f, "two");
        let two = Vfs::load(&h).expect("load").skills_for(AgentId::Claude)[0]
            .hash
            .clone();
        assert_ne!(one, two);
    }
}
