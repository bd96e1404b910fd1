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
    /// A request that cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// The skills package manager refused or failed; nothing was switched.
    #[error(transparent)]
    Skills(#[from] uas_skills::SkillError),
    /// A query of the database failed (not the caller's fault: the
    /// database is locked, damaged or from another version).
    #[error("{action}: {source}")]
    Database {
        /// What was being read or written (`reading sessions`).
        action: &'static str,
        /// The database's answer.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Codex could not be asked for its hooks, or its `config.toml` is broken.
    #[error(transparent)]
    CodexTrust(#[from] uas_providers::codex_trust::CodexTrustError),
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
            ApiError::Config(ConfigError::Read { .. }) => "config_unreadable",
            ApiError::Config(ConfigError::Invalid { .. }) => "config_invalid",
            ApiError::Store(StoreError::Corrupt { .. }) => "store_corrupt",
            ApiError::Store(StoreError::NewerSchema { .. }) => "store_newer_schema",
            ApiError::Store(StoreError::Missing { .. }) => "store_missing",
            ApiError::Store(StoreError::Sqlx { .. }) => "store_error",
            ApiError::Fs(_) => "io_error",
            ApiError::Vfs(_) => "vfs_error",
            ApiError::Plan(_) => "agent_config_invalid",
            ApiError::Audit(uas_audit::AuditError::Missing(_)) => "store_missing",
            ApiError::Audit(_) => "audit_error",
            ApiError::Sop(_) => "sop_invalid",
            ApiError::Invalid(_) => "invalid_request",
            ApiError::Skills(e) => e.code(),
            ApiError::CodexTrust(_) => "codex_trust_failed",
            ApiError::Database { .. } => "database",
        }
    }

    /// A failed database query, reported with code `database` (never as
    /// `invalid_request`: the request was fine, the storage was not).
    pub fn database<E>(action: &'static str) -> impl FnOnce(E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        move |source| ApiError::Database {
            action,
            source: source.into(),
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
    fn a_failed_query_is_a_database_error_not_an_invalid_request() {
        let io = std::io::Error::other("database is locked");
        let e = ApiError::database("reading sessions")(io);
        assert_eq!(e.code(), "database");
        assert_eq!(e.to_string(), "reading sessions: database is locked");
    }
}
