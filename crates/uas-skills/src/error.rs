//! Everything the package manager can fail with; each message says what to do.

use std::path::PathBuf;

/// A package-manager operation failed. Nothing was switched when one of
/// these is returned: the lockfile and agents' files are as they were.
#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    /// A skill's manifest is invalid.
    #[error("{path}: {message}")]
    Manifest {
        /// The `SKILL.md` or `skill.toml`.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A registry index is invalid.
    #[error("registry {registry}: invalid index: {message}")]
    Index {
        /// Registry name or location.
        registry: String,
        /// What is wrong.
        message: String,
    },
    /// A registry could not be reached or answered with an error.
    #[error("registry {registry}: cannot fetch {what}: {message}")]
    Fetch {
        /// Registry name or location.
        registry: String,
        /// The file asked for.
        what: String,
        /// What went wrong (after retries).
        message: String,
    },
    /// No configured registry lists the skill.
    #[error(
        "no registry lists a skill named `{0}` (configured registries are in [skills.registries] of config.toml)"
    )]
    UnknownSkill(String),
    /// No registries are configured.
    #[error(
        "no skill registries are configured: add one to config.toml, e.g.\n  [[skills.registries]]\n  name = \"team\"\n  url = \"https://skills.example.com/\""
    )]
    NoRegistries,
    /// The requirements cannot all be met.
    #[error("cannot resolve skill versions:\n{0}")]
    Conflict(String),
    /// The resolver hit its time or size limit.
    #[error("{0}")]
    ResolveLimit(String),
    /// An archive does not match the index checksum.
    #[error(
        "{name} {version}: archive checksum mismatch (index says sha256 {expected}, download is {actual}); the archive was tampered with or corrupted, nothing was installed"
    )]
    Checksum {
        /// Skill.
        name: String,
        /// Version.
        version: String,
        /// From the index or lockfile.
        expected: String,
        /// Of the bytes received.
        actual: String,
    },
    /// A signature is missing, untrusted or wrong.
    #[error("{name} {version}: {message}")]
    Signature {
        /// Skill.
        name: String,
        /// Version.
        version: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// An archive is unsafe or too large; it was not unpacked.
    #[error("{name} {version}: unsafe archive refused: {message}")]
    UnsafeArchive {
        /// Skill.
        name: String,
        /// Version.
        version: String,
        /// Which entry and why.
        message: String,
    },
    /// The lockfile is invalid.
    #[error("{path}: {message}")]
    Lock {
        /// The lockfile.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The request is not possible in the current state (e.g. remove of a
    /// skill others depend on).
    #[error("{0}")]
    Refused(String),
    /// A file operation failed.
    #[error(transparent)]
    Fs(#[from] uas_core::fsx::FsError),
    /// Another uas operation holds the operation lock.
    #[error(transparent)]
    Busy(#[from] uas_core::oplock::LockError),
    /// Reading or writing failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl SkillError {
    /// Wraps an I/O error with the path and action.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SkillError::Manifest { .. } => "skill_manifest_invalid",
            SkillError::Index { .. } => "registry_index_invalid",
            SkillError::Fetch { .. } => "registry_unreachable",
            SkillError::UnknownSkill(_) => "skill_unknown",
            SkillError::NoRegistries => "no_registries",
            SkillError::Conflict(_) => "skill_conflict",
            SkillError::ResolveLimit(_) => "resolve_limit",
            SkillError::Checksum { .. } => "skill_checksum_mismatch",
            SkillError::Signature { .. } => "skill_signature_invalid",
            SkillError::UnsafeArchive { .. } => "skill_archive_unsafe",
            SkillError::Lock { .. } => "skill_lock_invalid",
            SkillError::Refused(_) => "skill_refused",
            SkillError::Fs(_) | SkillError::Io { .. } => "io_error",
            SkillError::Busy(uas_core::oplock::LockError::Busy { .. }) => "operation_busy",
            SkillError::Busy(_) => "io_error",
        }
    }
}
