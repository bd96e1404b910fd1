//! The signed chain head, kept outside the database.
//!
//! The hash chain proves nothing was changed *inside* the log, but deleting
//! the newest rows leaves a shorter, still valid chain. So after each append
//! the writer signs `(seq, hash, ts)` into `audit/checkpoint.json`; verify
//! checks that the log still reaches that sequence number with that hash.
//! The file is replaced by rename (atomic for readers and against a crashed
//! writer) without an fsync, to keep hooks fast: after a power loss it can be
//! older than the log, which verify accepts, never newer.

use crate::{AuditError, Hash, SigningKeys};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The contents of `checkpoint.json`.
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

/// `audit/checkpoint.json`.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    path: PathBuf,
}

impl CheckpointFile {
    /// The checkpoint in `dir` (`<home>/audit`).
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join("checkpoint.json"),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the checkpoint (temp file + rename, no fsync).
    pub fn write(&self, cp: &Checkpoint) -> Result<(), AuditError> {
        let io = |action| {
            let path = self.path.clone();
            move |source| AuditError::Io {
                action,
                path,
                source,
            }
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io("create"))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io("create a temp file for"))?;
        let text = serde_json::to_vec_pretty(cp).map_err(|e| AuditError::Key(e.to_string()))?;
        tmp.write_all(&text).map_err(io("write"))?;
        tmp.persist(&self.path)
            .map_err(|e| io("replace")(e.error))?;
        Ok(())
    }

    /// Reads the checkpoint; `None` when there is none yet.
    pub fn read(&self) -> Result<Option<Checkpoint>, String> {
        match std::fs::read(&self.path) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| format!("{} is not a valid checkpoint: {e}", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", self.path.display())),
        }
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
    fn write_then_read_round_trips() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = CheckpointFile::in_dir(&dir.path().join("audit"));
        assert_eq!(f.read(), Ok(None));
        let cp = Checkpoint::sign(&SigningKeys::ephemeral([7; 32]), 1, &[3; 32], 5);
        f.write(&cp).expect("write");
        assert_eq!(f.read(), Ok(Some(cp)));
        std::fs::write(f.path(), "{").expect("damage");
        assert!(
            f.read()
                .expect_err("bad")
                .contains("not a valid checkpoint")
        );
    }
}
