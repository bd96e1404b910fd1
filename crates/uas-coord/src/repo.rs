//! What a lease names: a file by its repository's identity and its path
//! inside it, so two clones (on one machine or two) contend for the same
//! file; outside a repository, the absolute path.
//!
//! The identity is the `origin` remote's URL, normalized so that the SSH
//! and HTTPS forms of one repository agree (`git@github.com:o/r.git` and
//! `https://github.com/o/r` are both `github.com/o/r`); a repository
//! without an origin is named by its root commit (`git rev-list
//! --max-parents=0 HEAD`, the only case that starts git), and one without
//! commits by its folder.

use serde::Serialize;
use std::path::{Path, PathBuf};
use uas_core::config::LeaseScope;

/// What is leased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LeaseKey {
    /// Repository identity ('' outside a repository).
    pub repo: String,
    /// Path inside the repository, `/`-separated (absolute outside one).
    pub path: String,
}

impl std::fmt::Display for LeaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.repo.is_empty() {
            f.write_str(&self.path)
        } else {
            write!(f, "{}:{}", self.repo, self.path)
        }
    }
}

impl LeaseKey {
    /// A folder: conflicts with the leases inside it, takes none.
    pub fn is_tree(&self) -> bool {
        self.path.ends_with('/')
    }

    /// Reads the form [`Display`](std::fmt::Display) prints, or a path:
    /// an existing or absolute path is resolved like an edit of it.
    pub fn parse(text: &str, cwd: &Path, scope: LeaseScope) -> Self {
        let p = Path::new(text);
        if p.is_absolute() || cwd.join(p).exists() {
            return lease_key(&cwd.join(p), scope);
        }
        match text.rsplit_once(':') {
            Some((repo, path)) if !repo.is_empty() => Self {
                repo: repo.to_owned(),
                path: path.to_owned(),
            },
            _ => lease_key(&cwd.join(p), scope),
        }
    }
}

/// A repository: its top folder and identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoId {
    /// The work tree's top folder.
    pub root: PathBuf,
    /// What every clone shares.
    pub id: String,
}

use uas_core::paths::lexical;

/// The repository holding `path` (which need not exist yet).
pub fn repo_of(path: &Path) -> Option<RepoId> {
    let path = lexical(path);
    for dir in path.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(meta) = std::fs::metadata(&dot_git) else {
            continue;
        };
        let git_dir = if meta.is_dir() {
            dot_git
        } else {
            // A worktree or submodule: `gitdir: <path>`.
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let rel = text.trim().strip_prefix("gitdir:")?.trim();
            let g = dir.join(rel);
            // A worktree's config lives in the common folder.
            match std::fs::read_to_string(g.join("commondir")) {
                Ok(c) => g.join(c.trim()),
                Err(_) => g,
            }
        };
        // A `.git` folder without HEAD is not a repository (an agent's
        // `mkdir src/.git` must not rename the files under it).
        if !git_dir.join("HEAD").exists() {
            continue;
        }
        return Some(RepoId {
            id: identity(dir, &git_dir),
            root: dir.to_path_buf(),
        });
    }
    None
}

/// The identity of the repository at `dir`, once per process: a hook
/// names the same repository for its working directory, each written file
/// and the shell watch, and without an origin each would start git (a
/// long-running process keeps the identity it saw first).
fn identity(dir: &Path, git_dir: &Path) -> String {
    static KNOWN: std::sync::Mutex<Vec<(PathBuf, String)>> = std::sync::Mutex::new(Vec::new());
    let mut known = KNOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, id)) = known.iter().find(|(d, _)| d == dir) {
        return id.clone();
    }
    let id = origin_url(git_dir)
        .filter(|u| !is_local(u))
        .map(|u| normalize_url(&u))
        .or_else(|| root_commit(dir).map(|c| format!("git:{c}")))
        .unwrap_or_else(|| format!("dir:{}", dir.display()));
    known.push((dir.to_path_buf(), id.clone()));
    id
}

/// The `url` of `[remote "origin"]` in the repository's config.
fn origin_url(git_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(git_dir.join("config")).ok()?;
    let mut in_origin = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_origin = l.replace(char::is_whitespace, "") == "[remote\"origin\"]";
        } else if in_origin
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "url"
        {
            return Some(v.trim().trim_matches('"').to_owned());
        }
    }
    None
}

/// An origin on this machine (`/srv/repo`, `file://…`, `../repo`): a clone
/// of a local repository is named by its root commit like its source.
fn is_local(url: &str) -> bool {
    let u = url.trim();
    u.starts_with('/') || u.starts_with("file://") || u.starts_with('.') || !u.contains(':')
}

/// `git@host:o/r.git`, `ssh://git@host:22/o/r`, `https://u@Host/O/R/` ->
/// `host/o/r` (hosting services ignore case in these paths, and the port
/// names the same repository).
pub fn normalize_url(url: &str) -> String {
    let mut u = url.trim();
    if let Some((_, rest)) = u.split_once("://") {
        u = rest;
    } else if let Some((host, path)) = u.split_once(':')
        && !host.contains('/')
        && !u.starts_with('/')
    {
        // scp-like `user@host:path`
        let host = host.rsplit('@').next().unwrap_or(host);
        return normalize_url(&format!("ssh://{host}/{path}"));
    }
    let u = u.rsplit_once('@').map_or(u, |(_, r)| r);
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    let (host, path) = u.split_once('/').unwrap_or((u, ""));
    let host = host.split(':').next().unwrap_or(host);
    let path: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    format!("{host}/{}", path.join("/")).to_lowercase()
}

fn root_commit(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-list", "--max-parents=0", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    // Several roots (merged histories): the smallest, so every clone agrees.
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .min()
        .map(str::to_owned)
}

/// `path` with symlinks resolved: its nearest existing ancestor's real
/// path and the rest (so a link to a leased file is that file).
fn resolved(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(cur) {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The lease an edit of `path` (absolute) takes. A folder (an edit of a
/// whole tree: `rm -rf src`, `git checkout .`) is named with a trailing `/`:
/// it takes no lease but conflicts with every lease inside it.
pub fn lease_key(path: &Path, scope: LeaseScope) -> LeaseKey {
    let tree = path.is_dir();
    let path = resolved(&lexical(path));
    let target = match scope {
        LeaseScope::Directory if !tree => path.parent().map_or(path.clone(), Path::to_path_buf),
        _ => path.clone(),
    };
    let mark = |p: String| {
        if tree {
            format!("{}/", p.trim_end_matches('/'))
        } else {
            p
        }
    };
    match repo_of(&path) {
        Some(r) => {
            let rel = target.strip_prefix(&r.root).unwrap_or(&target);
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            LeaseKey {
                repo: r.id,
                path: mark(if parts.is_empty() {
                    ".".into()
                } else {
                    parts.join("/")
                }),
            }
        }
        None => LeaseKey {
            repo: String::new(),
            path: mark(target.display().to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_and_https_forms_of_one_repository_agree() {
        let forms = [
            "git@github.com:Owner/repo.git",
            "ssh://git@github.com/Owner/repo",
            "https://github.com/Owner/repo.git",
            "https://user@GitHub.com/Owner/repo/",
            "ssh://git@github.com:22/owner/repo.git",
            "git@github.com:/Owner/repo.git",
        ];
        for f in forms {
            assert_eq!(normalize_url(f), "github.com/owner/repo", "{f}");
        }
        assert!(is_local("/srv/git/repo.git") && is_local("file:///srv/r") && is_local("../r"));
        assert!(!is_local("git@github.com:o/r"));
    }

    #[test]
    fn two_clones_of_one_origin_lease_the_same_key() {
        let t = tempfile::tempdir().expect("tmp");
        for clone in ["a", "b"] {
            let git = t.path().join(clone).join(".git");
            std::fs::create_dir_all(&git).expect("mkdir");
            std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").expect("HEAD");
            std::fs::write(
                git.join("config"),
                "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@example.com:team/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
            )
            .expect("config");
        }
        let a = lease_key(&t.path().join("a/src/main.rs"), LeaseScope::File);
        let b = lease_key(&t.path().join("b/src/../src/main.rs"), LeaseScope::File);
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "example.com/team/app:src/main.rs");
        let d = lease_key(&t.path().join("a/src/main.rs"), LeaseScope::Directory);
        assert_eq!(d.path, "src");
        // A link to the file is the file; a folder is a tree.
        std::fs::create_dir_all(t.path().join("a/src")).expect("src");
        std::fs::write(t.path().join("a/src/main.rs"), "fn main() {}").expect("file");
        std::os::unix::fs::symlink(t.path().join("a/src"), t.path().join("a/link")).expect("link");
        assert_eq!(
            lease_key(&t.path().join("a/link/main.rs"), LeaseScope::File),
            a
        );
        let tree = lease_key(&t.path().join("a/src"), LeaseScope::File);
        assert_eq!(tree.path, "src/");
        assert!(tree.is_tree());
        // A `.git` folder an agent made is not a repository.
        std::fs::create_dir_all(t.path().join("a/src/.git")).expect("fake");
        assert_eq!(
            lease_key(&t.path().join("a/src/main.rs"), LeaseScope::File),
            a
        );
    }

    #[test]
    fn a_file_outside_any_repository_is_leased_by_its_absolute_path() {
        let t = tempfile::tempdir().expect("tmp");
        let k = lease_key(&t.path().join("notes.txt"), LeaseScope::File);
        assert_eq!(k.repo, "");
        assert_eq!(k.path, t.path().join("notes.txt").display().to_string());
        assert_eq!(
            LeaseKey::parse(&k.to_string(), t.path(), LeaseScope::File),
            k
        );
    }
}
