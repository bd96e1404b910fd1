//! The ed25519 key that signs audit checkpoints.
//!
//! It lives in the OS keyring (Secret Service, Keychain, Credential
//! Manager) when one answers; otherwise in `audit/signing.key`, readable only
//! by the user — and `uas audit verify` says so, because anyone who can read
//! that file can sign a forged checkpoint. `audit/key-location` remembers the
//! choice so a hook does not probe the keyring on every call.

use crate::AuditError;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use std::path::{Path, PathBuf};
use uas_core::config::KeyStoreKind;

const SERVICE: &str = "universal-agent";

/// Where the key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLocation {
    /// In the OS keyring.
    Keyring,
    /// In this file (no OS keyring was available or `key_store = "file"`).
    File(PathBuf),
}

impl std::fmt::Display for KeyLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Keyring => write!(f, "OS keyring"),
            Self::File(p) => write!(
                f,
                "file {} (no OS keyring: anyone who can read this file can sign checkpoints)",
                p.display()
            ),
        }
    }
}

/// The signing key and where it lives.
pub struct SigningKeys {
    key: SigningKey,
    location: KeyLocation,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("public", &hex::encode(self.key.verifying_key().as_bytes()))
            .field("location", &self.location)
            .finish()
    }
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> AuditError + 'a {
    move |source| AuditError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The OS keyring could not hold or give back the key. Callers wrap it in
/// [`AuditError::Key`] with what they were doing.
#[derive(Debug, thiserror::Error)]
enum KeyringError {
    /// No platform keyring answers (no Secret Service, a headless box).
    #[error("no OS keyring is available ({reason})")]
    Unavailable {
        /// Why the platform store could not be set up.
        reason: String,
    },
    /// The keyring answered with an error.
    #[error(transparent)]
    Keyring(#[from] keyring_core::Error),
    /// The stored secret is not a 32-byte ed25519 seed.
    #[error("the keyring holds a key of the wrong length")]
    WrongLength,
}

fn keyring_entry(dir: &Path) -> Result<keyring_core::Entry, KeyringError> {
    // The platform store (Secret Service, Keychain, Credential Manager) is
    // set up once, unless a store was set already (tests use the mock).
    if keyring_core::get_default_store().is_none()
        && let Err(e) = keyring::Entry::store_status()
    {
        return Err(KeyringError::Unavailable {
            reason: e.to_string(),
        });
    }
    Ok(keyring_core::Entry::new(
        SERVICE,
        &format!("audit-signing-key {}", dir.display()),
    )?)
}

fn keyring_get(dir: &Path) -> Result<Option<[u8; 32]>, KeyringError> {
    match keyring_entry(dir)?.get_secret() {
        Ok(s) => s
            .as_slice()
            .try_into()
            .map(Some)
            .map_err(|_| KeyringError::WrongLength),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn keyring_set(dir: &Path, seed: &[u8; 32]) -> Result<(), KeyringError> {
    Ok(keyring_entry(dir)?.set_secret(seed)?)
}

impl SigningKeys {
    /// Loads the key, creating one on first use. `dir` is `<home>/audit`.
    pub fn load_or_create(dir: &Path, kind: KeyStoreKind) -> Result<Self, AuditError> {
        if let Some(k) = Self::load(dir)? {
            return Ok(k);
        }
        uas_core::fsx::create_dir_all(dir).map_err(|e| AuditError::Key(e.to_string()))?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AuditError::Key(e.to_string()))?;
        let location = match kind {
            KeyStoreKind::File => Self::store_file(dir, &seed)?,
            KeyStoreKind::Keyring => {
                keyring_set(dir, &seed).map_err(|e| {
                    AuditError::Key(format!(
                        "key_store = \"keyring\" but the OS keyring refused: {e}"
                    ))
                })?;
                KeyLocation::Keyring
            }
            KeyStoreKind::Auto => match keyring_set(dir, &seed) {
                Ok(()) => KeyLocation::Keyring,
                Err(e) => {
                    tracing::warn!("no OS keyring ({e}); keeping the audit signing key in a file");
                    Self::store_file(dir, &seed)?
                }
            },
        };
        let marker = dir.join("key-location");
        let text = match &location {
            KeyLocation::Keyring => "keyring\n",
            KeyLocation::File(_) => "file\n",
        };
        uas_core::fsx::write_atomic(&marker, text.as_bytes(), uas_core::fsx::Overwrite::Replace)
            .map_err(|e| AuditError::Key(e.to_string()))?;
        Ok(Self {
            key: SigningKey::from_bytes(&seed),
            location,
        })
    }

    /// Loads an existing key; `None` when none was created yet.
    pub fn load(dir: &Path) -> Result<Option<Self>, AuditError> {
        let marker = dir.join("key-location");
        let text = match std::fs::read_to_string(&marker) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("read", &marker)(e)),
        };
        let (seed, location) = match text.trim() {
            "keyring" => {
                let seed = keyring_get(dir)
                    .map_err(|e| AuditError::Key(format!("reading the OS keyring: {e}")))?
                    .ok_or_else(|| {
                        AuditError::Key(
                            "the signing key is missing from the OS keyring (it was deleted?)"
                                .into(),
                        )
                    })?;
                (seed, KeyLocation::Keyring)
            }
            "file" => {
                let path = dir.join("signing.key");
                let hexed = std::fs::read_to_string(&path).map_err(io("read", &path))?;
                let bytes = hex::decode(hexed.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                    .ok_or_else(|| {
                        AuditError::Key(format!("{} is not a 32-byte hex key", path.display()))
                    })?;
                (bytes, KeyLocation::File(path))
            }
            other => {
                return Err(AuditError::Key(format!(
                    "{} says `{other}`; expected `keyring` or `file`",
                    marker.display()
                )));
            }
        };
        Ok(Some(Self {
            key: SigningKey::from_bytes(&seed),
            location,
        }))
    }

    fn store_file(dir: &Path, seed: &[u8; 32]) -> Result<KeyLocation, AuditError> {
        let path = dir.join("signing.key");
        uas_core::fsx::write_atomic(
            &path,
            format!("{}\n", hex::encode(seed)).as_bytes(),
            uas_core::fsx::Overwrite::CreateOnly,
        )
        .map_err(|e| AuditError::Key(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(io("chmod", &path))?;
        }
        Ok(KeyLocation::File(path))
    }

    /// Where the key lives.
    pub fn location(&self) -> &KeyLocation {
        &self.location
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs a message.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }

    /// A key held in memory only (tests and benchmarks).
    pub fn ephemeral(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
            location: KeyLocation::File(PathBuf::from("<memory>")),
        }
    }
}

/// The bytes a `sop_mode` event's signature covers: a domain tag, the
/// mode, when it was set and its scope.
fn mode_message(mode: &str, since_ms: i64, scope: &str) -> Vec<u8> {
    let mut m = b"uas-sop-mode-v1\0".to_vec();
    m.extend_from_slice(mode.as_bytes());
    m.push(0);
    m.extend_from_slice(&since_ms.to_be_bytes());
    m.extend_from_slice(scope.as_bytes());
    m
}

impl SigningKeys {
    /// The signature (hex) of a mode switch, kept in its `sop_mode` event:
    /// a row written into the database around uas cannot carry one.
    pub fn sign_mode(&self, mode: &str, since_ms: i64, scope: &str) -> String {
        hex::encode(self.sign(&mode_message(mode, since_ms, scope)))
    }
}

/// Whether `sig` (hex) is this home's signature of that mode switch.
pub fn mode_signature_valid(
    key: &VerifyingKey,
    mode: &str,
    since_ms: i64,
    scope: &str,
    sig: &str,
) -> bool {
    signature_valid(key, &mode_message(mode, since_ms, scope), sig)
}

/// Whether `sig` (hex) is `key`'s signature of `message`.
fn signature_valid(key: &VerifyingKey, message: &[u8], sig: &str) -> bool {
    let Some(sig) = hex::decode(sig)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
    else {
        return false;
    };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig))
        .is_ok()
}

fn approval_message(request: u64, answer: &str, at_ms: i64) -> Vec<u8> {
    let mut m = b"uas-approval\0".to_vec();
    m.extend_from_slice(&request.to_be_bytes());
    m.extend_from_slice(answer.as_bytes());
    m.push(0);
    m.extend_from_slice(&at_ms.to_be_bytes());
    m
}

impl SigningKeys {
    /// The signature (hex) of a person's answer to approval request
    /// `request`, kept in its `approval_answer` event: the waiting hook
    /// honours only signed answers, so a row an agent writes into the
    /// database around uas answers nothing.
    pub fn sign_approval(&self, request: u64, answer: &str, at_ms: i64) -> String {
        hex::encode(self.sign(&approval_message(request, answer, at_ms)))
    }
}

/// Whether `sig` (hex) is this home's signature of that answer.
pub fn approval_signature_valid(
    key: &VerifyingKey,
    request: u64,
    answer: &str,
    at_ms: i64,
    sig: &str,
) -> bool {
    signature_valid(key, &approval_message(request, answer, at_ms), sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_creates_once_then_loads_the_same_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = SigningKeys::load_or_create(dir.path(), KeyStoreKind::File).expect("create");
        let b = SigningKeys::load_or_create(dir.path(), KeyStoreKind::File).expect("load");
        assert_eq!(a.verifying_key(), b.verifying_key());
        assert!(matches!(b.location(), KeyLocation::File(_)));
        assert!(b.location().to_string().contains("no OS keyring"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("signing.key"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn keyring_store_is_used_when_one_answers() {
        // The mock store stands in for the Secret Service; it must be set
        // before the first entry so the real keyring is never touched.
        keyring_core::set_default_store(keyring_core::mock::Store::new().expect("mock"));
        let dir = tempfile::tempdir().expect("tmp");
        let a = SigningKeys::load_or_create(dir.path(), KeyStoreKind::Auto).expect("create");
        assert_eq!(a.location(), &KeyLocation::Keyring);
        assert!(
            !dir.path().join("signing.key").exists(),
            "no key file with a keyring"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("key-location")).expect("marker"),
            "keyring\n"
        );
    }

    #[test]
    fn a_damaged_key_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tmp");
        SigningKeys::load_or_create(dir.path(), KeyStoreKind::File).expect("create");
        std::fs::write(dir.path().join("signing.key"), "zz").expect("damage");
        let e = SigningKeys::load(dir.path()).expect_err("bad key");
        assert!(e.to_string().contains("32-byte hex key"), "{e}");
    }

    #[test]
    fn an_approval_signature_binds_request_answer_and_time() {
        let keys = SigningKeys::ephemeral([7; 32]);
        let key = keys.verifying_key();
        let sig = keys.sign_approval(42, "approve", 1000);
        assert!(approval_signature_valid(&key, 42, "approve", 1000, &sig));
        assert!(!approval_signature_valid(&key, 43, "approve", 1000, &sig));
        assert!(!approval_signature_valid(&key, 42, "refuse", 1000, &sig));
        assert!(!approval_signature_valid(&key, 42, "approve", 1001, &sig));
        let other = SigningKeys::ephemeral([8; 32]).verifying_key();
        assert!(!approval_signature_valid(&other, 42, "approve", 1000, &sig));
        assert!(!approval_signature_valid(&key, 42, "approve", 1000, "zz"));
    }
}
