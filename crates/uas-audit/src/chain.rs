//! The hash chain: SHA-256 over a canonical, length-prefixed encoding.
//!
//! `hash = SHA-256("uas-audit-v1\0" ‖ seq ‖ ts_ms ‖ agent ‖ session ‖ kind ‖
//! severity ‖ payload ‖ decision ‖ prev_hash)`, integers as 8-byte
//! big-endian, strings as 8-byte big-endian length then UTF-8 bytes, the
//! optional decision as a 0 byte (absent) or a 1 byte and the string.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The `prev_hash` of the first record.
pub const GENESIS: Hash = [0; 32];

const DOMAIN: &[u8] = b"uas-audit-v1\0";

/// The hashed fields of one record.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// Sequence number.
    pub seq: u64,
    /// Milliseconds since the epoch.
    pub ts_ms: i64,
    /// Agent.
    pub agent: &'a str,
    /// Session.
    pub session: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Severity name.
    pub severity: &'a str,
    /// Payload JSON.
    pub payload: &'a str,
    /// Decision JSON.
    pub decision: Option<&'a str>,
    /// Previous hash.
    pub prev_hash: &'a Hash,
}

/// Hashes one record.
pub fn hash_fields(f: &Fields<'_>) -> Hash {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(f.seq.to_be_bytes());
    h.update(f.ts_ms.to_be_bytes());
    for s in [f.agent, f.session, f.kind, f.severity, f.payload] {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    }
    match f.decision {
        None => h.update([0u8]),
        Some(d) => {
            h.update([1u8]);
            h.update((d.len() as u64).to_be_bytes());
            h.update(d.as_bytes());
        }
    }
    h.update(f.prev_hash);
    h.finalize().into()
}

/// A stored hash as a fixed array (wrong lengths become all-ones, which
/// never matches a real hash, so verify reports the row).
pub fn to_hash(bytes: &[u8]) -> Hash {
    bytes.try_into().unwrap_or([0xff; 32])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<'a>(payload: &'a str, decision: Option<&'a str>) -> Fields<'a> {
        Fields {
            seq: 1,
            ts_ms: 2,
            agent: "a",
            session: "s",
            kind: "k",
            severity: "info",
            payload,
            decision,
            prev_hash: &GENESIS,
        }
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        // Moving a byte from one field to the next changes the hash.
        let a = hash_fields(&Fields {
            agent: "ab",
            session: "c",
            ..f("{}", None)
        });
        let b = hash_fields(&Fields {
            agent: "a",
            session: "bc",
            ..f("{}", None)
        });
        assert_ne!(a, b);
        assert_ne!(hash_fields(&f("{}", None)), hash_fields(&f("{}", Some(""))));
    }

    #[test]
    fn hash_matches_an_independent_implementation() {
        // Computed with Python's hashlib from the documented encoding, so a
        // change of encoding (which would break every existing log) fails here.
        assert_eq!(
            hex::encode(hash_fields(&f("{}", None))),
            "37a40f18c625697aa73e231fa47ff53a75d097948149a99bc90728c710c14769"
        );
    }
}
