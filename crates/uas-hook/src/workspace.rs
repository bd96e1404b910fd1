//! What a shell call changed in a git workspace, seen from outside the
//! command: `git status --porcelain` (plus each listed file's size and
//! mtime, so a file already modified and modified again counts) at the
//! pre-tool event, compared at the post-tool event. Used for sessions
//! without a plan, where the SOP allowed the call because it looked
//! read-only: a change then is a violation no parser saw.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Longest `git status` the hook waits for; a bigger repository is not
/// snapshotted (and that is recorded).
pub const GIT_BUDGET: Duration = Duration::from_millis(400);

/// Most entries kept (beyond, the snapshot is marked truncated).
const MAX_ENTRIES: usize = 5_000;

/// One workspace's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The repository root.
    pub root: PathBuf,
    /// Path (relative to the root) -> `XY size mtime_ns` of every entry git
    /// lists as changed or untracked.
    pub entries: BTreeMap<String, String>,
    /// More entries than kept.
    pub truncated: bool,
}

/// Why no snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// Not inside a git work tree (no `.git` above the directory).
    NotARepo,
    /// `git status` failed or took longer than [`GIT_BUDGET`].
    Git(String),
}

/// The git work tree `dir` is in, by looking for `.git` upwards (no
/// process is started outside a repository).
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Takes the snapshot of the repository `dir` is in.
pub fn snapshot(dir: &Path) -> Result<Snapshot, Skipped> {
    let root = repo_root(dir).ok_or(Skipped::NotARepo)?;
    let out = git_status(&root)?;
    let mut entries = BTreeMap::new();
    let mut truncated = false;
    // `-z`: `XY path\0`, and for a rename a second `orig\0`.
    let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
    while let Some(f) = fields.next() {
        if f.len() < 4 {
            continue;
        }
        let xy = String::from_utf8_lossy(&f[..2]).into_owned();
        let path = String::from_utf8_lossy(&f[3..]).into_owned();
        if xy.starts_with('R') || xy.starts_with('C') {
            fields.next();
        }
        if entries.len() >= MAX_ENTRIES {
            truncated = true;
            break;
        }
        let stat = std::fs::symlink_metadata(root.join(&path))
            .map(|m| format!("{} {}", m.len(), m.mtime() * 1_000_000_000 + m.mtime_nsec()))
            .unwrap_or_else(|_| "gone".into());
        entries.insert(path, format!("{xy} {stat}"));
    }
    Ok(Snapshot {
        root,
        entries,
        truncated,
    })
}

fn git_status(root: &Path) -> Result<Vec<u8>, Skipped> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "--no-optional-locks",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignore-submodules=all",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Skipped::Git(format!("cannot start git: {e}")))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or(Skipped::Git("no stdout".into()))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        let _ = tx.send(buf);
    });
    match rx.recv_timeout(GIT_BUDGET) {
        Ok(buf) => match child.wait() {
            Ok(s) if s.success() => Ok(buf),
            Ok(s) => Err(Skipped::Git(format!("git status exited with {s}"))),
            Err(e) => Err(Skipped::Git(e.to_string())),
        },
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(Skipped::Git(format!(
                "git status took longer than {} ms",
                GIT_BUDGET.as_millis()
            )))
        }
    }
}

/// The paths (absolute) whose entry appeared, disappeared or changed
/// between `before` and `after`.
pub fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (p, v) in &after.entries {
        if before.entries.get(p) != Some(v) {
            out.push(after.root.join(p).display().to_string());
        }
    }
    for p in before.entries.keys() {
        if !after.entries.contains_key(p) {
            out.push(before.root.join(p).display().to_string());
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@e")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@e")
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn new_changed_and_again_changed_files_are_seen() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        git(r, &["init", "-q"]);
        std::fs::write(r.join("a.rs"), "a").expect("write");
        std::fs::write(r.join("b.rs"), "b").expect("write");
        git(r, &["add", "."]);
        git(r, &["commit", "-qm", "init"]);
        std::fs::write(r.join("a.rs"), "a2").expect("write");
        std::fs::create_dir(r.join("sub")).expect("mkdir");
        let before = snapshot(&r.join("sub")).expect("snapshot");
        assert_eq!(before.entries.len(), 1, "{before:?}");
        assert!(changed(&before, &snapshot(r).expect("again")).is_empty());
        // Modified again (same status line), a new file, a deleted file.
        std::fs::write(r.join("a.rs"), "a3 longer").expect("write");
        std::fs::write(r.join("sub/new.rs"), "n").expect("write");
        std::fs::remove_file(r.join("b.rs")).expect("rm");
        let after = snapshot(r).expect("after");
        let root = r.canonicalize().expect("canon");
        let names: Vec<String> = changed(&before, &after)
            .into_iter()
            .map(|p| {
                p.replace(&format!("{}/", r.display()), "")
                    .replace(&format!("{}/", root.display()), "")
            })
            .collect();
        assert_eq!(names, ["a.rs", "b.rs", "sub/new.rs"]);
    }

    #[test]
    fn outside_a_repository_no_git_is_started() {
        let d = tempfile::tempdir().expect("tmp");
        assert_eq!(snapshot(d.path()), Err(Skipped::NotARepo));
    }
}
