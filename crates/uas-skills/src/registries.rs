//! The configured registries read together: which registry provides each
//! skill, the resolver's view of them, and archive verification.

use crate::client::Registry;
use crate::index::{IndexEntry, RegistryIndex, sha256_hex};
use crate::resolve::{Candidate, Limits, Universe};
use crate::{SkillError, sign};
use std::collections::BTreeSet;
use std::time::Duration;
use uas_core::Home;
use uas_core::config::SkillsConfig;

/// Registries with their indexes, highest priority first.
pub struct Registries {
    list: Vec<(Registry, RegistryIndex)>,
}

impl Registries {
    /// Reads every configured registry's index.
    pub fn load(home: &Home, config: &SkillsConfig) -> Result<Self, SkillError> {
        if config.registries.is_empty() {
            return Err(SkillError::NoRegistries);
        }
        let mut list = Vec::new();
        for rc in &config.registries {
            let r = Registry::from_config(rc)?;
            let index = r.index(&home.cache_dir())?;
            list.push((r, index));
        }
        list.sort_by_key(|(r, _)| std::cmp::Reverse(r.priority));
        Ok(Self { list })
    }

    /// The registry that provides `name` (highest priority listing it) and its versions.
    pub fn lookup(&self, name: &str) -> Option<(&Registry, &[IndexEntry])> {
        self.list
            .iter()
            .find_map(|(r, i)| i.skills.get(name).map(|v| (r, v.as_slice())))
    }

    /// Every skill name, each from its providing registry.
    pub fn names(&self) -> BTreeSet<&str> {
        self.list
            .iter()
            .flat_map(|(_, i)| i.skills.keys().map(String::as_str))
            .collect()
    }

    /// The resolver's view.
    pub fn universe(&self) -> Universe {
        let mut u = Universe::default();
        for name in self.names() {
            if let Some((_, entries)) = self.lookup(name) {
                u.skills.insert(
                    name.to_owned(),
                    entries
                        .iter()
                        .map(|e| Candidate {
                            version: e.version.clone(),
                            dependencies: e.dependencies.clone(),
                            yanked: e.yanked,
                        })
                        .collect(),
                );
            }
        }
        u
    }
}

/// The resolver limits from config.
pub fn limits(config: &SkillsConfig) -> Limits {
    Limits {
        time: Duration::from_millis(config.limits.resolve_timeout_ms),
        max_skills: config.limits.max_resolve_skills,
    }
}

/// Checks the archive bytes against the index entry: checksum first, then
/// the signature against `trusted` keys.
pub fn verify_archive(
    name: &str,
    entry: &IndexEntry,
    bytes: &[u8],
    trusted: &[String],
    allow_unsigned: bool,
) -> Result<(), SkillError> {
    let actual = sha256_hex(bytes);
    if actual != entry.sha256 {
        return Err(SkillError::Checksum {
            name: name.to_owned(),
            version: entry.version.to_string(),
            expected: entry.sha256.clone(),
            actual,
        });
    }
    let sig_err = |message: String| SkillError::Signature {
        name: name.to_owned(),
        version: entry.version.to_string(),
        message,
    };
    match &entry.signature {
        None if allow_unsigned => Ok(()),
        None => Err(sig_err(
            "is not signed; install it only if you trust the registry, with --allow-unsigned"
                .into(),
        )),
        Some(sig) => {
            // A present signature must always be right, trusted or not.
            sign::verify(&sig.key, bytes, &sig.sig).map_err(|e| {
                sig_err(format!(
                    "signature check failed: {e}; nothing was installed"
                ))
            })?;
            if trusted.iter().any(|k| k.trim() == sig.key) || allow_unsigned {
                Ok(())
            } else {
                Err(sig_err(format!(
                    "is signed by {}, which is not in skills.trusted_keys of config.toml; add the key if you trust it, or pass --allow-unsigned",
                    sig.key
                )))
            }
        }
    }
}
