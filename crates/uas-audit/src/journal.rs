//! The writer every uas process uses: append inside `BEGIN IMMEDIATE`, then
//! sign the new head into the checkpoint and wake followers.
//!
//! Events that could not be written (database locked past the deadline,
//! broken, missing) go to `audit/spool/` as one file each; the next
//! successful writer imports them first, in the same transaction, so
//! nothing is lost and the chain stays the single order of events.

use crate::{AuditError, AuditLog, Checkpoint, CheckpointFile, NewEvent, SigningKeys, Tx, follow};
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_core::config::KeyStoreKind;

/// Log + key + checkpoint + followers of one home.
#[derive(Debug)]
pub struct Journal {
    log: AuditLog,
    keys: SigningKeys,
    checkpoint: CheckpointFile,
    dir: PathBuf,
}

impl Journal {
    /// Opens the journal of `<audit_dir>` with database `db`.
    pub fn open(
        audit_dir: &Path,
        db: &Path,
        busy: Duration,
        key_store: KeyStoreKind,
    ) -> Result<Self, AuditError> {
        let log = AuditLog::open(db, busy)?;
        let keys = SigningKeys::load_or_create(audit_dir, key_store)?;
        Ok(Self {
            log,
            keys,
            checkpoint: CheckpointFile::in_dir(audit_dir),
            dir: audit_dir.to_path_buf(),
        })
    }

    /// Sets the WAL size that triggers a truncating checkpoint.
    pub fn set_wal_limit(&mut self, bytes: u64) {
        self.log.set_wal_limit(bytes);
    }

    /// The log (for reads).
    pub fn log(&self) -> &AuditLog {
        &self.log
    }

    /// The signing key.
    pub fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    /// Runs `f` in a write transaction (after importing spooled events),
    /// then checkpoints the new head, commits and wakes followers.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<AuditError>,
    {
        let spool = spool_dir(&self.dir);
        let mut imported = Vec::new();
        let mut new_head = None;
        let mut was_empty = false;
        let out = self.log.write(|tx| {
            let before = tx.head().map(|h| h.0);
            was_empty = before.is_none();
            imported = import_spool(tx, &spool)?;
            let out = f(tx)?;
            new_head = tx.head().filter(|h| Some(h.0) != before);
            Ok::<_, E>(out)
        })?;
        // After the commit, so the checkpoint is never ahead of the log. Two
        // writers racing write different slots (seq parity), and readers
        // take the newest, so a late writer cannot move it backwards by more
        // than it lags.
        if let Some((seq, hash)) = new_head {
            let cp = Checkpoint::sign(&self.keys, seq, &hash, uas_core::now_ms());
            // Only the first checkpoint needs both slots (see CheckpointFile).
            if was_empty {
                self.checkpoint.write(&cp)?;
            } else {
                self.checkpoint.write_slot(&cp)?;
            }
        }
        for file in imported {
            let _ = std::fs::remove_file(file);
        }
        follow::wake_followers(&follow::followers_dir(&self.dir));
        Ok(out)
    }

    /// Appends one event.
    pub fn append(&mut self, e: &NewEvent) -> Result<crate::Record, AuditError> {
        self.write(|tx| tx.append(e))
    }
}

/// `<audit_dir>/spool`.
pub fn spool_dir(audit_dir: &Path) -> PathBuf {
    audit_dir.join("spool")
}

/// Saves an event that could not be written, for the next writer.
pub fn spool(audit_dir: &Path, e: &NewEvent) -> Result<PathBuf, AuditError> {
    let dir = spool_dir(audit_dir);
    let io = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| AuditError::Io {
            action,
            path,
            source,
        }
    };
    std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let name = format!("{nanos:032}-{}", std::process::id());
    let tmp = dir.join(format!("{name}.tmp"));
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_vec(e).map_err(|err| AuditError::Key(err.to_string()))?;
    // Written under another name and renamed, so an importer never reads
    // half an event.
    std::fs::write(&tmp, text).map_err(io("write", &tmp))?;
    std::fs::rename(&tmp, &path).map_err(io("rename", &tmp))?;
    Ok(path)
}

fn import_spool(tx: &mut Tx<'_, '_>, dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(vec![]);
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut done = Vec::new();
    for file in files {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        match serde_json::from_slice::<NewEvent>(&bytes) {
            Ok(e) => {
                tx.append(&e)?;
                done.push(file);
            }
            Err(err) => {
                // Damaged (spool files appear whole, by rename): leave it for
                // a person to look at rather than drop an event.
                tracing::warn!("cannot import spool file {}: {err}", file.display());
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Severity, testdb};

    fn ev(kind: &str) -> NewEvent {
        NewEvent {
            ts_ms: 1,
            agent: "claude".into(),
            session: "s".into(),
            kind: kind.into(),
            severity: Severity::Info,
            payload: "{}".into(),
            decision: None,
        }
    }

    #[test]
    fn spooled_events_are_imported_by_the_next_writer_in_order() {
        let (dir, db) = testdb::create();
        let audit = dir.path().join("audit");
        spool(&audit, &ev("first")).expect("spool");
        spool(&audit, &ev("second")).expect("spool");
        let mut j =
            Journal::open(&audit, &db, Duration::from_secs(1), KeyStoreKind::File).expect("open");
        let r = j.append(&ev("third")).expect("append");
        assert_eq!(r.seq, 3);
        let kinds: Vec<_> = j
            .log()
            .read_after(0, 10)
            .expect("read")
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert_eq!(kinds, ["first", "second", "third"]);
        assert_eq!(std::fs::read_dir(spool_dir(&audit)).expect("ls").count(), 0);
        let cp = CheckpointFile::in_dir(&audit)
            .read()
            .expect("cp")
            .expect("some");
        assert_eq!(cp.seq, 3);
        assert!(cp.signature_valid(&j.keys().verifying_key()));
    }
}
