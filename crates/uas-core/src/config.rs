//! `~/.agent/config.toml`: the user's settings, validated strictly.
//!
//! Every key is documented in `docs/config.md`. Unknown keys are errors (a
//! typo must not be silently ignored), and every error names the file, the
//! line and column, and the key, so the user can fix it in one go.

use crate::AgentId;
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// The config file format version this build understands.
pub const CONFIG_VERSION: u32 = 1;

/// The contents of `config.toml`. Every field has a default, so an empty or
/// missing file is a valid configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version of the file; a newer one than [`CONFIG_VERSION`] is refused.
    #[serde(default = "default_version")]
    pub version: u32,
    /// Storage settings.
    #[serde(default)]
    pub store: StoreConfig,
    /// Which agents Universal Agent manages.
    #[serde(default)]
    pub agents: AgentsConfig,
    /// How `uas hook` behaves when it cannot decide normally.
    #[serde(default)]
    pub hooks: HooksConfig,
    /// Which SOP applies.
    #[serde(default)]
    pub sop: SopConfig,
    /// Audit log signing and forwarding.
    #[serde(default)]
    pub audit: AuditConfig,
    /// The skills package manager: registries, trusted keys, limits.
    #[serde(default)]
    pub skills: SkillsConfig,
    /// Sessions, file leases and locks between agents that run at once.
    #[serde(default)]
    pub coordination: CoordinationConfig,
}

/// What a hook answers when the database is locked or broken, or the
/// event cannot be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailMode {
    /// Deny when a deny rule could apply to the event, allow otherwise.
    #[default]
    Auto,
    /// Always allow.
    Open,
    /// Always deny tool calls.
    Closed,
}

/// `[hooks]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HooksConfig {
    /// Answer when no normal decision is possible.
    #[serde(default)]
    pub on_error: FailMode,
    /// How long a hook may wait for the database, in milliseconds (agents
    /// kill the hook after their own timeout, 10 s as uas registers it).
    #[serde(default = "default_hook_budget")]
    pub budget_ms: u64,
}

fn default_hook_budget() -> u64 {
    2000
}

impl Default for HooksConfig {
    fn default() -> Self {
        Self {
            on_error: FailMode::Auto,
            budget_ms: default_hook_budget(),
        }
    }
}

/// `[sop]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SopConfig {
    /// Name of the SOP file in `sop/` (without `.toml`) that applies.
    #[serde(default = "default_sop")]
    pub active: String,
}

fn default_sop() -> String {
    "default".into()
}

impl Default for SopConfig {
    fn default() -> Self {
        Self {
            active: default_sop(),
        }
    }
}

/// Where the audit checkpoint signing key lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStoreKind {
    /// The OS keyring when one answers, else a file (and `uas audit verify` says so).
    #[default]
    Auto,
    /// Only the OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// A file readable only by you: `audit/signing.key`.
    File,
}

/// `[audit]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Where the signing key lives.
    #[serde(default)]
    pub key_store: KeyStoreKind,
    /// Webhooks that receive every event, in order (`uas audit forward`).
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
}

/// `[[audit.webhooks]]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// A name, used to remember the last delivered sequence number.
    pub name: String,
    /// `http://` or `https://` URL that receives POSTed JSON batches.
    pub url: String,
}

/// `[skills]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillsConfig {
    /// Where skills come from; a skill name is taken from the registry with
    /// the highest priority that lists it.
    #[serde(default)]
    pub registries: Vec<RegistryConfig>,
    /// Public keys (`ed25519:<64 hex digits>`) whose signatures are trusted.
    #[serde(default)]
    pub trusted_keys: Vec<String>,
    /// Safety limits for archives and the resolver.
    #[serde(default)]
    pub limits: SkillLimits,
}

/// One `[[skills.registries]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// Short name shown in listings and recorded in the lockfile.
    pub name: String,
    /// `http://`/`https://` URL of the folder holding `index.json`, or a
    /// local folder path (absolute, or `file://`).
    pub url: String,
    /// Higher wins when two registries list the same skill.
    #[serde(default)]
    pub priority: i32,
}

/// `[skills.limits]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillLimits {
    /// Largest single file inside a skill archive, in bytes.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// Largest total unpacked size of one skill, in bytes.
    #[serde(default = "default_max_total_bytes")]
    pub max_total_bytes: u64,
    /// Most files (and folders) in one skill archive.
    #[serde(default = "default_max_files")]
    pub max_files: u64,
    /// Longest a dependency resolution may take, in milliseconds.
    #[serde(default = "default_resolve_timeout_ms")]
    pub resolve_timeout_ms: u64,
    /// Most distinct skills a resolution may visit.
    #[serde(default = "default_max_resolve_skills")]
    pub max_resolve_skills: u64,
}

fn default_max_file_bytes() -> u64 {
    8 * 1024 * 1024
}
fn default_max_total_bytes() -> u64 {
    64 * 1024 * 1024
}
fn default_max_files() -> u64 {
    2000
}
fn default_resolve_timeout_ms() -> u64 {
    10_000
}
fn default_max_resolve_skills() -> u64 {
    10_000
}

impl Default for SkillLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: default_max_file_bytes(),
            max_total_bytes: default_max_total_bytes(),
            max_files: default_max_files(),
            resolve_timeout_ms: default_resolve_timeout_ms(),
            max_resolve_skills: default_max_resolve_skills(),
        }
    }
}

/// `[store]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite database file; relative paths are inside the home.
    #[serde(default = "default_database")]
    pub database: PathBuf,
}

/// `[coordination]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoordinationConfig {
    /// `"sqlite"` (the home's database: one machine), a Redis URL
    /// (`"redis://host:6379/0"`: a team) or `"off"`.
    #[serde(default = "default_coord_backend")]
    pub backend: String,
    /// A session without hook events for this long is over, and its leases
    /// with it.
    #[serde(default = "default_session_ttl")]
    pub session_ttl_s: u64,
    /// A lease lapses this long after its session's last edit of the file.
    #[serde(default = "default_lease_ttl")]
    pub lease_ttl_s: u64,
    /// What an edit leases: the file, or the folder it is in.
    #[serde(default)]
    pub lease_scope: LeaseScope,
    /// What another session's edit of a leased file gets.
    #[serde(default)]
    pub on_conflict: OnConflict,
    /// What applies when the Redis server does not answer.
    #[serde(default)]
    pub on_unreachable: Unreachable,
    /// How long to wait for the Redis server, in milliseconds.
    #[serde(default = "default_coord_timeout")]
    pub timeout_ms: u64,
}

/// `[coordination] lease_scope`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseScope {
    /// The edited file.
    #[default]
    File,
    /// The folder holding it.
    Directory,
}

/// `[coordination] on_conflict`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// The edit is denied, naming the holder.
    #[default]
    Deny,
    /// The edit goes ahead with a warning to the agent and in the audit log.
    Warn,
}

/// `[coordination] on_unreachable`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unreachable {
    /// Coordinate on this machine's database meanwhile.
    #[default]
    Local,
    /// Deny every edit until the server answers.
    Deny,
    /// Edit without coordination.
    Allow,
}

fn default_coord_backend() -> String {
    "sqlite".into()
}
fn default_session_ttl() -> u64 {
    600
}
fn default_lease_ttl() -> u64 {
    1800
}
fn default_coord_timeout() -> u64 {
    300
}

impl Default for CoordinationConfig {
    fn default() -> Self {
        Self {
            backend: default_coord_backend(),
            session_ttl_s: default_session_ttl(),
            lease_ttl_s: default_lease_ttl(),
            lease_scope: LeaseScope::default(),
            on_conflict: OnConflict::default(),
            on_unreachable: Unreachable::default(),
            timeout_ms: default_coord_timeout(),
        }
    }
}

/// `[agents]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentsConfig {
    /// Agents to leave alone even when they are installed.
    #[serde(default)]
    pub disabled: Vec<AgentId>,
}

fn default_version() -> u32 {
    CONFIG_VERSION
}

fn default_database() -> PathBuf {
    PathBuf::from("uas.db")
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            database: default_database(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            store: StoreConfig::default(),
            agents: AgentsConfig::default(),
            hooks: HooksConfig::default(),
            sop: SopConfig::default(),
            audit: AuditConfig::default(),
            skills: SkillsConfig::default(),
            coordination: CoordinationConfig::default(),
        }
    }
}

/// The config file could not be used. Nothing is ever rewritten because of
/// one of these: the user fixes the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The operating system's answer.
        #[source]
        source: io::Error,
    },
    /// The file is not valid, or a value is wrong.
    #[error("{}", invalid_message(path, *line, *column, key.as_deref(), message))]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column of the problem, when known.
        column: Option<usize>,
        /// Dotted key path (`store.database`), when known.
        key: Option<String>,
        /// What is wrong.
        message: String,
    },
}

fn invalid_message(
    path: &Path,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&str>,
    message: &str,
) -> String {
    let mut out = path.display().to_string();
    if let Some(l) = line {
        out.push_str(&format!(":{l}"));
        if let Some(c) = column {
            out.push_str(&format!(":{c}"));
        }
    }
    out.push_str(": ");
    if let Some(k) = key {
        out.push_str(&format!("key `{k}`: "));
    }
    out.push_str(message);
    out.push_str("\n  fix or remove that line (every key is described in docs/config.md); the file was not changed");
    out
}

impl Config {
    /// Reads the config file; a missing file means all defaults.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, &text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses and validates config text; `path` is only used in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let invalid =
            |span: Option<std::ops::Range<usize>>, key: Option<String>, message: String| {
                let (line, column) = span
                    .map(|s| line_col(text, s.start))
                    .map_or((None, None), |(l, c)| (Some(l), Some(c)));
                ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    column,
                    key,
                    message,
                }
            };
        let de = toml::Deserializer::parse(text)
            .map_err(|e| invalid(e.span(), None, e.message().to_owned()))?;
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let key = (key != ".").then_some(key);
            let inner = e.into_inner();
            invalid(inner.span(), key, inner.message().to_owned())
        })?;
        if config.version > CONFIG_VERSION {
            let span = find_key_span(text, "version");
            return Err(invalid(
                span,
                Some("version".into()),
                format!(
                    "this file is format version {}, but this uas understands up to {CONFIG_VERSION}; upgrade uas",
                    config.version
                ),
            ));
        }
        Ok(config)
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Span of a top-level `key = …` line, for errors found after parsing.
fn find_key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            return None;
        }
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
}

/// The config file `uas init` writes: every key, at its default, explained.
pub const DEFAULT_CONFIG_TOML: &str = r#"# Universal Agent configuration. Every key is optional; the values below are
# the defaults. Reference: docs/config.md in the Universal Agent repository.

# Format version of this file.
version = 1

[store]
# SQLite database with the audit log and state. Relative paths are inside
# this folder.
database = "uas.db"

[agents]
# Agents Universal Agent should leave alone even when installed, e.g.
# disabled = ["cursor"]. Known: claude, codex, antigravity, gemini,
# opencode, cursor, copilot.
disabled = []

[hooks]
# What `uas hook` answers when it cannot decide normally (database locked or
# broken, unreadable event): "auto" denies when a deny rule could apply and
# allows otherwise; "open" always allows; "closed" always denies tool calls.
# Every such answer is recorded.
on_error = "auto"
# How long a hook waits for the database, in milliseconds.
budget_ms = 2000

[sop]
# The SOP in sop/<name>.toml that every agent follows.
active = "default"

[audit]
# Where the checkpoint signing key lives: "auto" (OS keyring, else a file),
# "keyring" or "file".
key_store = "auto"
# Webhooks that receive every audit event (`uas audit forward`):
# [[audit.webhooks]]
# name = "siem"
# url = "https://example.com/hook"

[skills]
# Public keys whose skill signatures are trusted, e.g.
# trusted_keys = ["ed25519:3b6a27bc…"] (`uas registry keygen` prints one).
# Unsigned skills install only with `uas skill install --allow-unsigned`.
trusted_keys = []
# Registries, e.g.
# [[skills.registries]]
# name = "team"
# url = "https://skills.example.com/"   # or a local folder
# priority = 10

[skills.limits]
# Largest file, total unpacked size and file count of one skill archive.
max_file_bytes = 8388608
max_total_bytes = 67108864
max_files = 2000
# The resolver gives up (with a clear error) after this long or this many skills.
resolve_timeout_ms = 10000
max_resolve_skills = 10000

[coordination]
# Sessions, file leases and locks between agents that run at once:
# "sqlite" (this machine), a Redis URL for a team ("redis://host:6379/0"),
# or "off".
backend = "sqlite"
# A session without hook events for this long is over; its leases end with it.
session_ttl_s = 600
# A lease lapses this long after its session last edited the file.
lease_ttl_s = 1800
# What an edit leases: "file" or "directory" (the folder holding it).
lease_scope = "file"
# Another session's edit of a leased file: "deny" or "warn".
on_conflict = "deny"
# When the Redis server does not answer: "local" (this machine's database),
# "deny" (no edits) or "allow" (no coordination).
on_unreachable = "local"
# How long to wait for the Redis server, in milliseconds.
timeout_ms = 300
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/h/config.toml"), text)
    }

    fn error_text(text: &str) -> String {
        match parse(text) {
            Ok(c) => panic!("expected an error, parsed {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn default_config_file_parses_to_the_defaults() {
        assert_eq!(parse(DEFAULT_CONFIG_TOML).ok(), Some(Config::default()));
    }

    #[test]
    fn skills_registries_and_keys_are_read_and_unknown_keys_refused() {
        let c = parse(
            "[skills]\ntrusted_keys = [\"ed25519:00\"]\n[[skills.registries]]\nname = \"team\"\nurl = \"http://x/\"\npriority = 5\n",
        )
        .expect("parse");
        assert_eq!(c.skills.registries[0].name, "team");
        assert_eq!(c.skills.registries[0].priority, 5);
        assert_eq!(c.skills.trusted_keys, vec!["ed25519:00".to_owned()]);
        let e = error_text("[skills.limits]\nmax_filez = 3\n");
        assert!(e.contains("max_filez"), "{e}");
    }

    #[test]
    fn empty_file_is_all_defaults() {
        assert_eq!(parse("").ok(), Some(Config::default()));
    }

    #[test]
    fn disabled_agents_are_read() {
        let c = parse("[agents]\ndisabled = [\"cursor\", \"codex\"]\n").ok();
        assert_eq!(
            c.map(|c| c.agents.disabled),
            Some(vec![AgentId::Cursor, AgentId::Codex])
        );
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let e = error_text("version = 1\n[store\ndatabase = \"x\"\n");
        assert!(e.starts_with("/h/config.toml:2:"), "{e}");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = error_text("version = 1\n\n[store]\ndatabse = \"x.db\"\n");
        assert!(e.starts_with("/h/config.toml:4:1: "), "{e}");
        assert!(e.contains("databse"), "{e}");
        assert!(e.contains("database"), "should suggest the known key: {e}");
    }

    #[test]
    fn wrong_type_names_the_dotted_key_and_line() {
        let e = error_text("[store]\ndatabase = 42\n");
        assert!(e.starts_with("/h/config.toml:2:"), "{e}");
        assert!(e.contains("key `store.database`"), "{e}");
    }

    #[test]
    fn unknown_agent_names_the_key_and_lists_known_agents() {
        let e = error_text("[agents]\ndisabled = [\"claude\", \"vim\"]\n");
        assert!(e.starts_with("/h/config.toml:2:"), "{e}");
        assert!(e.contains("agents.disabled"), "{e}");
        assert!(e.contains("copilot"), "{e}");
    }

    #[test]
    fn newer_format_version_is_refused_with_advice() {
        let e = error_text("# comment\nversion = 7\n");
        assert!(e.starts_with("/h/config.toml:2:1: key `version`"), "{e}");
        assert!(e.contains("upgrade uas"), "{e}");
    }

    #[test]
    fn missing_file_is_defaults() {
        let dir = tempfile::tempdir().expect("tmp");
        let c = Config::load(&dir.path().join("config.toml")).ok();
        assert_eq!(c, Some(Config::default()));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics_and_errors_point_inside_the_file(text in "\\PC{0,200}") {
            if let Err(ConfigError::Invalid { line: Some(l), .. }) = parse(&text) {
                proptest::prop_assert!(l <= text.lines().count().max(1) + 1);
            }
        }
    }
}
