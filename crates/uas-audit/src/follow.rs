//! Following the log across processes.
//!
//! A follower binds a datagram socket in `audit/followers/`; every writer,
//! after its commit, sends one byte to each socket there. The byte carries
//! no data: the follower wakes and reads every record after the last
//! sequence number it saw, so a lost or coalesced wake-up loses nothing. A
//! follower also re-reads on a timer, for writers that could not signal.
//! Sockets of followers that are gone are removed by the next writer.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The directory of follower sockets inside `<home>/audit`.
pub fn followers_dir(audit_dir: &Path) -> PathBuf {
    audit_dir.join("followers")
}

/// Wakes every follower (best effort; never fails the writer).
#[cfg(unix)]
pub fn wake_followers(dir: &Path) {
    use std::os::unix::net::UnixDatagram;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let Ok(sender) = UnixDatagram::unbound() else {
        return;
    };
    let _ = sender.set_nonblocking(true);
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "sock") {
            continue;
        }
        match sender.send_to(&[1], &path) {
            Ok(_) => {}
            // A full queue means the follower has a wake-up pending anyway.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                let _ = std::fs::remove_file(&path);
            }
            Err(e) => tracing::debug!("waking {}: {e}", path.display()),
        }
    }
}

/// Wakes every follower (no sockets on this platform: followers poll).
#[cfg(not(unix))]
pub fn wake_followers(_dir: &Path) {}

/// A follower's wake-up socket; removed when dropped.
pub struct Waker {
    #[cfg(unix)]
    sock: std::os::unix::net::UnixDatagram,
    path: PathBuf,
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waker").field("path", &self.path).finish()
    }
}

impl Waker {
    /// Binds a new socket in `dir`.
    pub fn bind(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = dir.join(format!("{}-{nanos}.sock", std::process::id()));
        #[cfg(unix)]
        {
            let sock = std::os::unix::net::UnixDatagram::bind(&path)?;
            Ok(Self { sock, path })
        }
        #[cfg(not(unix))]
        Ok(Self { path })
    }

    /// Waits until a writer signals or `timeout` passes; drains pending
    /// signals. Returns true when signalled.
    pub fn wait(&self, timeout: Duration) -> bool {
        #[cfg(unix)]
        {
            let mut buf = [0u8; 64];
            let _ = self.sock.set_nonblocking(false);
            let _ = self
                .sock
                .set_read_timeout(Some(timeout.max(Duration::from_millis(1))));
            let got = self.sock.recv(&mut buf).is_ok();
            let _ = self.sock.set_nonblocking(true);
            while self.sock.recv(&mut buf).is_ok() {}
            got
        }
        #[cfg(not(unix))]
        {
            std::thread::sleep(timeout);
            false
        }
    }
}

impl Drop for Waker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_writer_wakes_a_waiting_follower_and_stale_sockets_are_removed() {
        let dir = tempfile::tempdir().expect("tmp");
        let w = Waker::bind(dir.path()).expect("bind");
        // Stale socket: bound then closed without removal.
        let stale = dir.path().join("999999-1.sock");
        drop(std::os::unix::net::UnixDatagram::bind(&stale).expect("stale"));
        wake_followers(dir.path());
        assert!(w.wait(Duration::from_secs(5)), "not woken");
        assert!(!stale.exists(), "stale socket left behind");
        // Nothing pending: times out.
        assert!(!w.wait(Duration::from_millis(20)));
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }
}
