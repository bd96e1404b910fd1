//! Whether the long-running service runs for a home: `uas serve` (or the
//! desktop app) holds an OS lock on `~/.agent/serve.lock` for as long as it
//! runs, and writes its address into the file. The OS drops the lock when
//! the process dies, even by `kill -9`, so a stale file never claims a
//! service that is gone.
//!
//! A hook asks [`running`] before it waits for a person (an `ask` rule):
//! without a service nobody can answer, so it answers at once. Only one
//! process holds the lock, so a second `uas serve` for the same home does
//! not become a second owner of the long-running duties.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::Path;

/// The held service lock; released on drop (or by the OS at exit).
#[derive(Debug)]
pub struct ServiceLock {
    file: File,
}

impl ServiceLock {
    /// Takes the lock, or `None` when another process holds it.
    pub fn acquire(path: &Path) -> io::Result<Option<Self>> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// Records where the service listens (`http://127.0.0.1:7878`, pid).
    pub fn describe(&mut self, text: &str) -> io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()?;
        self.file.write_all(text.as_bytes())?;
        self.file.flush()
    }
}

/// True when a service holds the lock for this home now.
pub fn running(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        // Cannot tell: say no, so an `ask` falls back at once rather than
        // waiting for a person nobody shows the request to.
        Err(TryLockError::Error(_)) => false,
    }
}

/// What the running service wrote about itself (its address), if it runs.
pub fn description(path: &Path) -> Option<String> {
    if !running(path) {
        return None;
    }
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_seen_as_running_and_a_second_holder_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("serve.lock");
        assert!(!running(&path), "no file: nothing runs");
        let mut held = ServiceLock::acquire(&path).expect("io").expect("free");
        held.describe("http://127.0.0.1:1 pid 1").expect("write");
        assert!(running(&path));
        assert_eq!(
            description(&path).as_deref(),
            Some("http://127.0.0.1:1 pid 1")
        );
        assert!(ServiceLock::acquire(&path).expect("io").is_none());
        drop(held);
        assert!(!running(&path), "released: nothing runs");
        assert!(ServiceLock::acquire(&path).expect("io").is_some());
    }
}
