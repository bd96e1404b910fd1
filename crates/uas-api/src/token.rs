//! The per-install API token of the local service. It is derived from the
//! audit signing key (SHA-256 of the key's signature of a fixed text), so
//! it lives wherever that key lives (the OS keyring, or the 0600 key file
//! the SOP forbids agents to read), needs no file of its own, and holding
//! it is no more than holding the key. It answers approvals, so an agent
//! must not have it.

use crate::{ApiError, App};
use sha2::{Digest, Sha256};

/// What the key signs to make the token (changing it changes every token).
const TOKEN_TEXT: &[u8] = b"uas-api-token-v1";

impl App {
    /// The token (stable for this home's signing key).
    pub fn api_token(&self) -> Result<String, ApiError> {
        let journal = self.journal()?;
        let sig = journal.keys().sign(TOKEN_TEXT);
        Ok(hex::encode(Sha256::digest(sig)))
    }
}
