//! The command line: every command, flag and its help text.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Universal Agent: one set of instructions, skills and one enforced SOP for
/// every AI coding agent on this machine, with a tamper-evident audit log.
#[derive(Debug, Parser)]
#[command(
    name = "uas",
    version,
    propagate_version = true,
    arg_required_else_help = true
)]
#[command(
    after_help = "Home: $UAS_HOME, or ~/.agent. Logs go to stderr (-v, -vv or RUST_LOG=debug)."
)]
pub struct Cli {
    /// The Universal Agent home folder (default: $UAS_HOME, else ~/.agent).
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the home (config, universal instructions, skills/, sop/, database).
    ///
    /// Safe to run again: existing files are never replaced, so your edits
    /// survive, and an invalid config.toml stops init before anything is
    /// written. The database is migrated to the current schema.
    Init,
    /// Check the home, config and database, and list installed agents.
    ///
    /// Read-only: changes nothing. Exits 1 when a check fails, with a `fix`
    /// line saying what to do.
    Doctor,
    /// List the seven supported agents: installed or not, why, and what their hooks can do.
    Detect,
    /// Set up agents: instructions block, skills, hooks (plan -> diff -> apply -> verify).
    ///
    /// Without --agent or --all, every detected agent (minus `agents.disabled`
    /// in config.toml) is set up. Existing files are changed key by key:
    /// your own text and hooks stay byte for byte, every previous content is
    /// backed up, and `uas rollback-setup` undoes the whole apply. Running it
    /// twice changes nothing.
    Setup(SetupArgs),
    /// Show, per agent, whether it is set up, drifted files with the reason,
    /// hook state and symlinks. Exits 1 when something drifted.
    Status,
    /// Put back what drifted (hand edits inside our block, removed hooks, changed skills).
    Repair(ApplyArgs),
    /// Remove exactly what uas added; your own content and hooks stay as they were.
    Uninstall(ApplyArgs),
    /// Undo the newest setup/repair/uninstall/migrate from its backups.
    RollbackSetup,
    /// Replace symlinks (the old ~/.agent symlink farm) with managed copies.
    ///
    /// Reversible with `uas rollback-setup`, which puts the symlinks back.
    Migrate(ApplyArgs),
    /// Install, update, roll back and remove versioned skills from registries.
    Skill(crate::skill_cmd::SkillArgs),
    /// Build, serve and sign skill registries.
    Registry(crate::skill_cmd::RegistryArgs),
    /// Called by agents on their hook events (reads the event JSON on stdin).
    ///
    /// Currently accepts every event (exit 0) without recording it; SOP
    /// enforcement and the audit log attach here.
    Hook {
        /// The agent calling (claude, codex, …).
        agent: String,
        /// The agent's own event name (PreToolUse, preToolUse, BeforeTool, …).
        event: String,
    },
}

/// Flags shared by commands that change files.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Only these agents (repeatable): claude, codex, antigravity, gemini, opencode, cursor, copilot.
    #[arg(long = "agent", value_name = "AGENT")]
    pub agents: Vec<uas_api::AgentId>,
    /// Show the plan and the diff; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Test failpoint: abort after N file writes (simulates a crash).
    #[arg(long, hide = true)]
    pub abort_after_writes: Option<usize>,
}

/// Flags of `uas setup`.
#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    #[command(flatten)]
    pub apply: ApplyArgs,
    /// Every supported agent, detected or not (minus `agents.disabled`).
    #[arg(long, conflicts_with = "agents")]
    pub all: bool,
    /// Set up a repository's files (CLAUDE.md, AGENTS.md, GEMINI.md,
    /// .cursor/rules, .github/copilot-instructions.md) instead of the user's.
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}
