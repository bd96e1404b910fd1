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
}
