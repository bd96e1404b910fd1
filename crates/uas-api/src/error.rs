//! Errors of the facade, each with a stable code for the wire.

use serde::Serialize;
use uas_core::fsx::FsError;
use uas_core::{ConfigError, HomeError};
use uas_store::StoreError;

/// Anything an [`crate::App`] method can fail with. The message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The home could not be determined.
    #[error(transparent)]
    Home(#[from] HomeError),
    /// `config.toml` is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database is missing, corrupt or too new.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file or folder could not be written.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// A universal resource could not be read.
    #[error(transparent)]
    Vfs(#[from] uas_vfs::VfsError),
    /// Setup cannot proceed (broken config file of an agent, broken markers).
    #[error(transparent)]
    Plan(#[from] uas_providers::plan::PlanError),
    /// The audit log could not be used.
    #[error(transparent)]
    Audit(#[from] uas_audit::AuditError),
    /// The SOP file is invalid.
    #[error(transparent)]
    Sop(#[from] uas_sop::SopError),
    /// `uas sop advance` cannot declare the evidence still missing.
    #[error(transparent)]
    SopAdvance(#[from] uas_sop::AdvanceError),
    /// A request that cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The thing asked for is no longer in a state that allows it.
    #[error("{0}")]
    Conflict(String),
    /// A fault of the front end itself (a task that did not finish, an
    /// address that cannot be bound).
    #[error("{0}")]
    Internal(String),
    /// The skills package manager refused or failed; nothing was switched.
    #[error(transparent)]
    Skills(#[from] uas_skills::SkillError),
    /// Codex could not be asked for its hooks, or its `config.toml` is broken.
    #[error(transparent)]
    CodexTrust(#[from] uas_providers::codex_trust::CodexTrustError),
    /// Another uas operation holds the operation lock (`--no-wait`), or
    /// the lock file cannot be used.
    #[error(transparent)]
    Lock(#[from] uas_core::oplock::LockError),
    /// An apply failed part-way and was rolled back.
    #[error(transparent)]
    Apply(#[from] uas_providers::apply::ApplyError),
    /// Setup would register a `uas` inside a cargo build folder in hooks.
    #[error(
        "{bin} runs from the cargo build folder {target}: hooks registered with it stop working after `cargo clean`, a moved checkout or a failed build, and the agents then run unenforced. Install uas first (`./x setup` puts it in ~/.local/bin) and run setup with that one, or pass --dev (UAS_DEV=1) to register this build on purpose"
    )]
    DevBuild {
        /// The binary that would be registered.
        bin: std::path::PathBuf,
        /// The cargo target folder it is in.
        target: std::path::PathBuf,
    },
    /// The coordination backend failed or is switched off.
    #[error(transparent)]
    Coord(#[from] uas_coord::CoordError),
    /// The home path exists but is not a folder.
    #[error("{0} exists but is not a folder; move it aside or set UAS_HOME to another path")]
    HomeNotADirectory(std::path::PathBuf),
}

impl ApiError {
    /// A stable machine-readable code (`config_invalid`, `store_corrupt`, …).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Home(_) => "home_unknown",
            ApiError::HomeNotADirectory(_) => "home_not_a_directory",
            ApiError::DevBuild { .. } => "dev_build_refused",
            ApiError::Config(ConfigError::Read { .. }) => "config_unreadable",
            ApiError::Config(ConfigError::Invalid { .. }) => "config_invalid",
            ApiError::Store(StoreError::Corrupt { .. }) => "store_corrupt",
            ApiError::Store(StoreError::NewerSchema { .. }) => "store_newer_schema",
            ApiError::Store(StoreError::Missing { .. }) => "store_missing",
            ApiError::Store(StoreError::Busy { .. }) => "store_busy",
            ApiError::Store(StoreError::Sqlite { .. }) => "store_error",
            ApiError::Fs(_) => "io_error",
            ApiError::Vfs(_) => "vfs_error",
            ApiError::Plan(_) => "agent_config_invalid",
            ApiError::Audit(uas_audit::AuditError::Missing(_)) => "store_missing",
            ApiError::Audit(uas_audit::AuditError::Store(StoreError::Busy { .. })) => "store_busy",
            ApiError::Audit(uas_audit::AuditError::Store(StoreError::Corrupt { .. })) => {
                "store_corrupt"
            }
            ApiError::Audit(uas_audit::AuditError::Store(StoreError::Missing { .. })) => {
                "store_missing"
            }
            ApiError::Audit(uas_audit::AuditError::Store(_)) => "store_error",
            ApiError::Audit(_) => "audit_error",
            ApiError::Sop(_) => "sop_invalid",
            ApiError::SopAdvance(_) => "sop_advance_refused",
            ApiError::Invalid(_) => "invalid_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Internal(_) => "internal",
            ApiError::Skills(e) => e.code(),
            ApiError::CodexTrust(_) => "codex_trust_failed",
            ApiError::Lock(uas_core::oplock::LockError::Busy { .. }) => "operation_busy",
            ApiError::Lock(_) => "io_error",
            ApiError::Apply(_) => "apply_rolled_back",
            ApiError::Coord(uas_coord::CoordError::Store(_)) => "store_error",
            ApiError::Coord(uas_coord::CoordError::Unreachable { .. }) => {
                "coordination_unreachable"
            }
            ApiError::Coord(uas_coord::CoordError::Protocol { .. }) => "coordination_error",
            ApiError::Coord(uas_coord::CoordError::BadBackend(_)) => "config_invalid",
        }
    }

    /// The error as it travels over the wire.
    pub fn to_dto(&self) -> ErrorDto {
        ErrorDto {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

/// `{code, message}`: how every front end reports an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ErrorDto {
    /// Stable code, see [`ApiError::code`].
    pub code: String,
    /// Human-readable message naming the file and what to do.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_failures_have_storage_codes_never_invalid_request() {
        let path = std::path::PathBuf::from("/h/uas.db");
        let busy = StoreError::Busy {
            path: path.clone(),
            waited_ms: 5,
        };
        assert_eq!(ApiError::from(busy).code(), "store_busy");
        let through_audit = uas_audit::AuditError::Store(StoreError::Missing { path });
        assert_eq!(ApiError::from(through_audit).code(), "store_missing");
    }
}
