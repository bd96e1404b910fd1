//! The signed chain head, kept outside the database.
//!
//! The hash chain proves nothing was changed *inside* the log, but deleting
//! the newest rows leaves a shorter, still valid chain. So after each append
//! the writer signs `(seq, hash, ts)` into `audit/checkpoint-{0,1}.json`; verify
//! checks that the log still reaches that sequence number with that hash.
//! It is written without an fsync, to keep hooks fast: after a power loss
//! it can be older than the log, which verify accepts, never newer.

use crate::{AuditError, Hash, SigningKeys};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The contents of a checkpoint slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version (1).
    pub version: u32,
    /// Sequence number of the newest record at signing time.
    pub seq: u64,
    /// Its hash (hex).
    pub hash: String,
    /// When it was signed, ms since the epoch.
    pub ts_ms: i64,
    /// The signer's public key (hex), for information; verify uses its own.
    pub public_key: String,
    /// ed25519 signature (hex) over [`message`].
    pub signature: String,
}

/// The signed bytes: a domain tag, seq, hash and time.
pub fn message(seq: u64, hash: &Hash, ts_ms: i64) -> Vec<u8> {
    let mut m = b"uas-audit-checkpoint-v1\0".to_vec();
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(&ts_ms.to_be_bytes());
    m
}

impl Checkpoint {
    /// Signs a head.
    pub fn sign(keys: &SigningKeys, seq: u64, hash: &Hash, ts_ms: i64) -> Self {
        Self {
            version: 1,
            seq,
            hash: hex::encode(hash),
            ts_ms,
            public_key: hex::encode(keys.verifying_key().as_bytes()),
            signature: hex::encode(keys.sign(&message(seq, hash, ts_ms))),
        }
    }

    /// True when the signature is valid for `key`.
    pub fn signature_valid(&self, key: &VerifyingKey) -> bool {
        let Ok(hash) = hex::decode(&self.hash) else {
            return false;
        };
        let Ok(hash) = <Hash>::try_from(hash.as_slice()) else {
            return false;
        };
        let Some(sig) = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        else {
            return false;
        };
        key.verify(
            &message(self.seq, &hash, self.ts_ms),
            &Signature::from_bytes(&sig),
        )
        .is_ok()
    }
}

/// The checkpoint cannot be trusted to name the newest record; verify
/// reports it as a missing checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// One or both slots cannot be read or parsed.
    #[error("{}", join_slot_errors(.0))]
    Slots(Vec<SlotError>),
    /// One slot is gone while the other holds a checkpoint.
    #[error(
        "{} is missing while the other slot is at #{seq}: a checkpoint slot was deleted",
        path.display()
    )]
    SlotDeleted {
        /// The missing slot.
        path: PathBuf,
        /// The sequence number in the other slot.
        seq: u64,
    },
}

/// One checkpoint slot that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SlotError {
    /// The slot is not a checkpoint.
    #[error("{} is not a valid checkpoint (damaged, or torn by a crash): {source}", path.display())]
    Invalid {
        /// The slot file.
        path: PathBuf,
        /// What the JSON parser objected to.
        source: serde_json::Error,
    },
    /// The slot exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The slot file.
        path: PathBuf,
        /// The read error.
        source: std::io::Error,
    },
}

fn join_slot_errors(errors: &[SlotError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The checkpoint: two slots, `audit/checkpoint-0.json` and
/// `checkpoint-1.json`, written alternately (by the parity of `seq`) in
/// place. A write torn by a crash leaves the other slot, one event older,
/// intact; readers take the newest slot that parses. This avoids a rename
/// per event (the costliest step of an append on ext4).
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    dir: PathBuf,
}

impl CheckpointFile {
    /// The checkpoint in `dir` (`<home>/audit`).
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// Both slot files.
    pub fn paths(&self) -> [PathBuf; 2] {
        [
            self.dir.join("checkpoint-0.json"),
            self.dir.join("checkpoint-1.json"),
        ]
    }

    /// Writes the checkpoint into its slot, and into the other slot too while
    /// that one does not exist yet (the first checkpoint fills both, so a
    /// missing slot always means one was deleted). No fsync: see the module
    /// docs.
    pub fn write(&self, cp: &Checkpoint) -> Result<(), AuditError> {
        let text = self.write_slot(cp)?;
        let other = &self.paths()[(1 - cp.seq % 2) as usize];
        if !other.exists() {
            std::fs::write(other, &text).map_err(|source| AuditError::Io {
                action: "write",
                path: other.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Writes the checkpoint into its own slot only (a writer that knows
    /// both slots exist: the log was not empty before its write).
    pub fn write_slot(&self, cp: &Checkpoint) -> Result<Vec<u8>, AuditError> {
        let path = &self.paths()[(cp.seq % 2) as usize];
        let io = |action| {
            let path = path.clone();
            move |source| AuditError::Io {
                action,
                path,
                source,
            }
        };
        let mut text = serde_json::to_vec_pretty(cp).map_err(|e| AuditError::Key(e.to_string()))?;
        text.push(b'\n');
        let open = || {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
        };
        let mut f = match open() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.dir).map_err(io("create"))?;
                open().map_err(io("open"))?
            }
            other => other.map_err(io("open"))?,
        };
        f.write_all(&text).map_err(io("write"))?;
        Ok(text)
    }

    /// The newest checkpoint; `None` when there is none yet. Strict, so a
    /// deleted or damaged newest slot cannot hide the newest event: both
    /// slots must exist and parse. (A crash in
    /// the middle of writing a slot is reported the same way until the
    /// next append rewrites it.)
    pub fn read(&self) -> Result<Option<Checkpoint>, CheckpointError> {
        let (newest, errors, missing) = self.read_slots();
        if !errors.is_empty() {
            return Err(CheckpointError::Slots(errors));
        }
        match (newest, missing) {
            (Some(cp), Some(path)) => Err(CheckpointError::SlotDeleted { path, seq: cp.seq }),
            (newest, _) => Ok(newest),
        }
    }

    /// The newest slot that parses, ignoring a damaged or missing one (for
    /// diagnostics).
    pub fn read_lenient(&self) -> Option<Checkpoint> {
        self.read_slots().0
    }

    fn read_slots(&self) -> (Option<Checkpoint>, Vec<SlotError>, Option<PathBuf>) {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let mut missing = None;
        for path in self.paths() {
            match std::fs::read(&path) {
                Ok(b) => match serde_json::from_slice::<Checkpoint>(&b) {
                    Ok(cp) => found.push(cp),
                    Err(source) => errors.push(SlotError::Invalid { path, source }),
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing = Some(path),
                Err(source) => errors.push(SlotError::Unreadable { path, source }),
            }
        }
        (found.into_iter().max_by_key(|c| c.seq), errors, missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_covers_seq_hash_and_time() {
        let keys = SigningKeys::ephemeral([7; 32]);
        let cp = Checkpoint::sign(&keys, 5, &[1; 32], 99);
        assert!(cp.signature_valid(&keys.verifying_key()));
        for forged in [
            Checkpoint {
                seq: 4,
                ..cp.clone()
            },
            Checkpoint {
                ts_ms: 98,
                ..cp.clone()
            },
            Checkpoint {
                hash: hex::encode([2u8; 32]),
                ..cp.clone()
            },
        ] {
            assert!(!forged.signature_valid(&keys.verifying_key()));
        }
        let other = SigningKeys::ephemeral([8; 32]);
        assert!(!cp.signature_valid(&other.verifying_key()));
    }

    #[test]
    fn newest_slot_wins_and_a_damaged_or_deleted_slot_is_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = CheckpointFile::in_dir(&dir.path().join("audit"));
        assert_eq!(f.read().expect("no checkpoint yet"), None);
        let keys = SigningKeys::ephemeral([7; 32]);
        let one = Checkpoint::sign(&keys, 1, &[3; 32], 5);
        let two = Checkpoint::sign(&keys, 2, &[4; 32], 6);
        f.write(&one).expect("write");
        assert_eq!(f.read().expect("read"), Some(one.clone()));
        f.write(&two).expect("write");
        assert_eq!(f.read().expect("read"), Some(two));
        // A torn or deleted newest slot is reported, not silently skipped.
        std::fs::write(&f.paths()[0], "{\"version\":1,\"se").expect("torn");
        let torn = f.read().expect_err("torn");
        assert!(
            matches!(&torn, CheckpointError::Slots(e) if e.len() == 1),
            "{torn:?}"
        );
        assert!(
            torn.to_string().contains("not a valid checkpoint"),
            "{torn}"
        );
        assert_eq!(f.read_lenient(), Some(one));
        std::fs::remove_file(&f.paths()[0]).expect("rm");
        let deleted = f.read().expect_err("deleted");
        assert!(
            matches!(&deleted, CheckpointError::SlotDeleted { seq: 1, .. }),
            "{deleted:?}"
        );
        assert!(
            deleted.to_string().contains("slot was deleted"),
            "{deleted}"
        );
    }
}
