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
use std::path::{Component, Path, PathBuf};
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

/// `..` and `.` removed without touching the disk.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

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
        let id = origin_url(&git_dir)
            .map(|u| normalize_url(&u))
            .or_else(|| root_commit(dir).map(|c| format!("git:{c}")))
            .unwrap_or_else(|| format!("dir:{}", dir.display()));
        return Some(RepoId {
            root: dir.to_path_buf(),
            id,
        });
    }
    None
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

/// `git@host:o/r.git`, `ssh://git@host/o/r`, `https://u@host/o/r/` ->
/// `host/o/r`; a local path stays a path.
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
    match u.split_once('/') {
        Some((host, path)) => format!("{}/{path}", host.to_lowercase()),
        None => u.to_lowercase(),
    }
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

/// The lease an edit of `path` (absolute) takes.
pub fn lease_key(path: &Path, scope: LeaseScope) -> LeaseKey {
    let path = lexical(path);
    let target = match scope {
        LeaseScope::File => path.clone(),
        LeaseScope::Directory => path.parent().map_or(path.clone(), Path::to_path_buf),
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
                path: if parts.is_empty() {
                    ".".into()
                } else {
                    parts.join("/")
                },
            }
        }
        None => LeaseKey {
            repo: String::new(),
            path: target.display().to_string(),
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
        ];
        for f in forms {
            assert_eq!(normalize_url(f), "github.com/Owner/repo", "{f}");
        }
        assert_eq!(normalize_url("/srv/git/repo.git"), "/srv/git/repo");
    }

    #[test]
    fn two_clones_of_one_origin_lease_the_same_key() {
        let t = tempfile::tempdir().expect("tmp");
        for clone in ["a", "b"] {
            let git = t.path().join(clone).join(".git");
            std::fs::create_dir_all(&git).expect("mkdir");
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
