//! The one cross-process lock every changing uas operation takes (setup,
//! repair, uninstall, rollback-setup, migrate, Codex trust, skill changes),
//! so two of them never plan against the same state or share a generation
//! number.
//!
//! It is an OS file lock (`flock` / `LockFileEx`), released by the OS even
//! after `kill -9`, on `~/.agent/uas.lock`. The holder writes its pid and
//! command into the file so a waiting process can say whom it waits for.
//! The lock is re-entrant within a thread: a skill install holds it and the
//! repair it runs takes it again without deadlocking on itself.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Whether [`OpLock::acquire`] waits for another holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockWait {
    /// Wait (with a warning on the log naming the holder).
    #[default]
    Wait,
    /// Fail at once with [`LockError::Busy`].
    NoWait,
}

/// The lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it and [`LockWait::NoWait`] was asked.
    #[error(
        "another uas operation is running ({holder}); wait for it to finish, or re-run without --no-wait to wait for it"
    )]
    Busy {
        /// "pid N, `uas setup`", as far as the holder wrote it.
        holder: String,
    },
    /// The lock file could not be opened or locked.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What failed.
        action: &'static str,
        /// The lock file.
        path: PathBuf,
        /// The operating system's answer.
        #[source]
        source: io::Error,
    },
}

thread_local! {
    /// Locks this thread holds: path -> nesting depth.
    static HELD: RefCell<Vec<(PathBuf, usize)>> = const { RefCell::new(Vec::new()) };
}

/// A held operation lock; released on drop.
#[derive(Debug)]
pub struct OpLock {
    path: PathBuf,
    _file: Option<File>,
}

impl OpLock {
    /// Takes the lock at `path` for `command` (e.g. "uas setup").
    pub fn acquire(path: &Path, command: &str, wait: LockWait) -> Result<Self, LockError> {
        let nested = HELD.with(|h| {
            let mut h = h.borrow_mut();
            h.iter_mut().find(|(p, _)| p == path).map(|(_, n)| *n += 1)
        });
        if nested.is_some() {
            return Ok(Self {
                path: path.to_path_buf(),
                _file: None,
            });
        }
        let io_err = |action, source| LockError::Io {
            action,
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err("create the folder of", e))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io_err("open", e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = holder(&mut file);
                if wait == LockWait::NoWait {
                    return Err(LockError::Busy { holder });
                }
                tracing::warn!("waiting for another uas operation ({holder}) to finish …");
                file.lock().map_err(|e| io_err("lock", e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err("lock", e)),
        }
        // Best effort: the note is for people, the lock is the flock.
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "pid={}\ncommand={command}\n", std::process::id()));
        HELD.with(|h| h.borrow_mut().push((path.to_path_buf(), 1)));
        Ok(Self {
            path: path.to_path_buf(),
            _file: Some(file),
        })
    }
}

impl Drop for OpLock {
    fn drop(&mut self) {
        HELD.with(|h| {
            let mut h = h.borrow_mut();
            if let Some(i) = h.iter().position(|(p, _)| *p == self.path) {
                h[i].1 -= 1;
                if h[i].1 == 0 {
                    h.remove(i);
                }
            }
        });
    }
}

/// "pid N, `uas setup`" from the holder's note (or what is known of it).
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (field("pid="), field("command=")) {
        (Some(p), Some(c)) => format!("pid {p}, `{c}`"),
        (Some(p), None) => format!("pid {p}"),
        _ => "a process that left no note".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_and_command() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.lock");
        let _first = OpLock::acquire(&path, "uas setup", LockWait::Wait).expect("first");
        let other = std::thread::spawn(move || {
            OpLock::acquire(&path, "uas repair", LockWait::NoWait).map(|_| ())
        })
        .join()
        .expect("thread");
        let err = other.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            err.contains(&format!("pid {}", std::process::id())) && err.contains("`uas setup`"),
            "{err}"
        );
    }

    #[test]
    fn the_same_thread_may_take_it_again_and_it_is_free_after_both_drops() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("uas.lock");
        let outer = OpLock::acquire(&path, "uas skill install", LockWait::NoWait).expect("outer");
        let inner = OpLock::acquire(&path, "uas repair", LockWait::NoWait).expect("nested");
        drop(inner);
        drop(outer);
        let p = path.clone();
        std::thread::spawn(move || OpLock::acquire(&p, "uas setup", LockWait::NoWait).map(|_| ()))
            .join()
            .expect("thread")
            .expect("free again");
    }
}
