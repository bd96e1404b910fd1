//! Ed25519 keys and signatures over archive bytes.
//!
//! A public key is written `ed25519:<64 hex digits>`; that string is what
//! goes into `skills.trusted_keys` in config.toml and into the index next to
//! each signature. A secret key file holds the 32-byte seed as 64 hex digits.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::path::Path;

/// Prefix of a public key string.
pub const KEY_PREFIX: &str = "ed25519:";

/// A key or signature could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// Malformed key or signature text.
    #[error("{0}")]
    Malformed(String),
    /// The signature does not match the bytes and key.
    #[error("the signature does not match the archive (it was altered, or signed by another key)")]
    Mismatch,
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The key file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of a hex string.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A new random signing key.
pub fn generate() -> Result<SigningKey, SignError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| SignError::Malformed(format!("no randomness available: {e}")))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The secret key file text (seed as hex, newline).
pub fn secret_text(key: &SigningKey) -> String {
    format!("{}\n", to_hex(&key.to_bytes()))
}

/// `ed25519:<hex>` of a key's public half.
pub fn public_text(key: &VerifyingKey) -> String {
    format!("{KEY_PREFIX}{}", to_hex(key.as_bytes()))
}

/// Reads a secret key file.
pub fn read_secret(path: &Path) -> Result<SigningKey, SignError> {
    let text = std::fs::read_to_string(path).map_err(|source| SignError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes: [u8; 32] = from_hex(&text)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            SignError::Malformed(format!(
                "{} is not a secret key (expected 64 hex digits, as `uas registry keygen` writes)",
                path.display()
            ))
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Parses `ed25519:<hex>`.
pub fn parse_public(text: &str) -> Result<VerifyingKey, SignError> {
    let hex = text.trim().strip_prefix(KEY_PREFIX).ok_or_else(|| {
        SignError::Malformed(format!(
            "public key `{text}` must start with `{KEY_PREFIX}`"
        ))
    })?;
    let bytes: [u8; 32] = from_hex(hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| SignError::Malformed(format!("public key `{text}` is not 64 hex digits")))?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| SignError::Malformed(format!("public key `{text}` is invalid: {e}")))
}

/// Signs `bytes`; returns the signature as hex.
pub fn sign(key: &SigningKey, bytes: &[u8]) -> String {
    to_hex(&key.sign(bytes).to_bytes())
}

/// Checks a hex signature of `bytes` by `public` (`ed25519:<hex>`).
pub fn verify(public: &str, bytes: &[u8], signature_hex: &str) -> Result<(), SignError> {
    let key = parse_public(public)?;
    let sig: [u8; 64] = from_hex(signature_hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| SignError::Malformed("the signature is not 128 hex digits".into()))?;
    key.verify(bytes, &Signature::from_bytes(&sig))
        .map_err(|_| SignError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_verifies_and_detects_changes() {
        let key = generate().expect("key");
        let public = public_text(&key.verifying_key());
        let sig = sign(&key, b"archive");
        assert!(verify(&public, b"archive", &sig).is_ok());
        assert!(matches!(
            verify(&public, b"archivf", &sig),
            Err(SignError::Mismatch)
        ));
        let other = public_text(&generate().expect("key").verifying_key());
        assert!(matches!(
            verify(&other, b"archive", &sig),
            Err(SignError::Mismatch)
        ));
    }

    #[test]
    fn secret_key_round_trips_through_its_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let key = generate().expect("key");
        let p = dir.path().join("k");
        std::fs::write(&p, secret_text(&key)).expect("write");
        assert_eq!(read_secret(&p).expect("read").to_bytes(), key.to_bytes());
    }
}
