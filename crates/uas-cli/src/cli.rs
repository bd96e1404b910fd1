//! The command line: every command, flag and its help text.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Universal Agent: one set of instructions, skills and one enforced SOP for
/// every AI coding agent on this machine, with a tamper-evident audit log.
#[derive(Debug, Parser)]
#[command(
    name = "uas",
    version = crate::VERSION,
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

    /// Fail at once when another uas operation is changing files, instead
    /// of waiting for it to finish.
    #[arg(long, global = true)]
    pub no_wait: bool,

    /// Register this binary in agents' hooks even when it runs from a cargo
    /// build folder (`target/debug/uas`): development on purpose. Such hooks
    /// stop working after `cargo clean`; `uas status` reports them. Same as
    /// `UAS_DEV=1`.
    #[arg(long, global = true)]
    pub dev: bool,

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
    /// List the supported agents: installed or not, why, and what their hooks can do.
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
    ///
    /// Also "ENFORCEMENT OFF" for every setting that switches an agent's
    /// hooks off: in its user-level files, in the project around the current
    /// folder (e.g. `.claude/settings.local.json` with `disableAllHooks`),
    /// and running sessions started without hooks (`claude --bare`).
    Status,
    /// Put back what drifted (hand edits inside our block, removed hooks, changed skills).
    Repair(ApplyArgs),
    /// Remove exactly what uas added; your own content and hooks stay as they were.
    Uninstall(ApplyArgs),
    /// Undo the newest setup/repair/uninstall/migrate from its backups.
    ///
    /// Shows what it would restore and asks first (`--yes` to skip; without
    /// a terminal it refuses unless --yes is given).
    RollbackSetup(RollbackArgs),
    /// Replace symlinks (the old ~/.agent symlink farm) with managed copies.
    ///
    /// Reversible with `uas rollback-setup`, which puts the symlinks back.
    Migrate(ApplyArgs),
    /// The standard operating procedure: show, validate, explain, phases.
    #[command(subcommand)]
    Sop(SopCommand),
    /// The tamper-evident audit log: verify, tail (follow), export, forward.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Install, update, roll back and remove versioned skills from registries.
    Skill(crate::skill_cmd::SkillArgs),
    /// Build, serve and sign skill registries.
    Registry(crate::skill_cmd::RegistryArgs),
    /// Agent sessions seen by the hooks (coordination): list, show with history.
    #[command(subcommand)]
    Session(crate::coord_cmd::SessionCommand),
    /// Named locks with fencing tokens, for agents and scripts that must
    /// not do one thing twice (`uas lock acquire task:issue-123`).
    #[command(subcommand)]
    Lock(crate::coord_cmd::LockCommand),
    /// File leases: an edit leases its file to the session, and another
    /// session's edit of it is denied naming the holder.
    #[command(subcommand)]
    Lease(crate::coord_cmd::LeaseCommand),
    /// Run the local service: the ui, its JSON API, live events and the
    /// approvals inbox (see docs/api.md).
    ///
    /// Listens on 127.0.0.1:7878 and prints the address to open, with the
    /// access token in its `#token=` part (every API call needs it; the
    /// token is derived from the audit signing key, which agents may not
    /// read). While it runs, `ask` rules wait for a person's answer in its
    /// Approvals screen. The first service of a home also imports spooled
    /// events and forwards to webhooks; a second one only serves.
    Serve(crate::serve_cmd::ServeArgs),
    /// Called by agents on their hook events (reads the event JSON on stdin).
    ///
    /// Normalizes the event, decides it with the SOP, appends event and
    /// decision to the audit log and answers in the agent's own protocol
    /// (exit code 2 + reason, or JSON on stdout). It always answers: when the
    /// database is locked or broken, `[hooks] on_error` decides and the event
    /// is spooled for the next writer.
    Hook {
        /// The agent calling (claude, codex, …).
        agent: String,
        /// The agent's own event name (PreToolUse, preToolUse, BeforeTool, …).
        event: String,
    },
}

/// `uas sop …`
#[derive(Debug, Subcommand)]
pub enum SopCommand {
    /// Print the active SOP: phases with their gates, and the rules in order.
    Show,
    /// Check an SOP file (default: the active one); errors name file, line and key.
    Validate {
        /// The file to check.
        file: Option<PathBuf>,
    },
    /// Show how the SOP decides one hook event (a raw agent hook input, or `-` for stdin).
    ///
    /// Uses the session's stored state when the event names a known session,
    /// a fresh session otherwise (or with --fresh). Nothing is recorded.
    Explain {
        /// The event JSON file.
        event: PathBuf,
        /// The agent that sent it.
        #[arg(long, default_value = "claude")]
        agent: uas_api::AgentId,
        /// The agent's event name (default: the input's `hook_event_name`, else PreToolUse).
        #[arg(long = "event", value_name = "NAME")]
        event_name: Option<String>,
        /// Decide as for a new session.
        #[arg(long)]
        fresh: bool,
    },
    /// Show sessions with their phase and what the next gate needs.
    Phase {
        /// Only this session.
        #[arg(long)]
        session: Option<String>,
    },
    /// Record the plan for a session (the SOP's manual evidence) and move on.
    ///
    /// Without --session: the newest session working in the current
    /// directory, else the newest session. Recorded in the audit log.
    Advance {
        /// The session id.
        #[arg(long)]
        session: Option<String>,
        /// Only sessions of this agent.
        #[arg(long)]
        agent: Option<uas_api::AgentId>,
    },
    /// Approve, as a person, what a session waits for: its plan (a phase
    /// with `approval = "human"`), or its lock after a protected file
    /// changed outside uas (accepting the files as they are now).
    ///
    /// Only a person at a terminal can approve: it is refused when an AI
    /// agent is among its parent processes, it shows the request and a short
    /// code on the terminal (/dev/tty) and reads the code back from it,
    /// never from stdin. Recorded in the audit log with how it was given.
    Approve {
        /// The session id (see `uas sop phase`).
        session: String,
        /// The agent, when two agents have a session of that id.
        #[arg(long)]
        agent: Option<uas_api::AgentId>,
    },
    /// Show or switch enforcement: `enforce` (denials block) or `observe`
    /// (paused: every decision is still made and recorded, denials are
    /// answered allow and marked observed).
    ///
    /// Without MODE, shows the mode. Switching is for a person only: refused
    /// when an agent started it; `observe` also asks for a code typed on
    /// the terminal. Home-wide, or for one agent with `--agent`; a home-wide
    /// switch removes the per-agent overrides. Stored in the database (not
    /// a file an agent could edit) and recorded as a critical audit event.
    Mode {
        /// `observe` or `enforce`; omit to show the mode.
        #[arg(value_parser = ["observe", "enforce"])]
        mode: Option<String>,
        /// Only this agent.
        #[arg(long)]
        agent: Option<uas_api::AgentId>,
    },
    /// Apply a gate outside any agent (used by `uas setup git`'s pre-commit hook).
    Gate {
        /// The gate: `commit`.
        #[arg(value_parser = ["commit"])]
        gate: String,
        /// The repository.
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
}

/// `uas audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain and the signed checkpoint; exits 1 on a problem.
    ///
    /// Reports the first bad sequence number and what is wrong: edited,
    /// deleted, reordered, truncated, bad signature, missing checkpoint.
    Verify,
    /// Print events, oldest first; with --follow keep printing new ones as
    /// any process writes them.
    Tail {
        /// Keep waiting for new events (Ctrl-C to stop).
        #[arg(long, short)]
        follow: bool,
        /// Start after this sequence number (default: the last 20 events).
        #[arg(long, value_name = "SEQ")]
        since: Option<u64>,
        /// Only events at or above this severity: info, warning, error, critical.
        #[arg(long)]
        severity: Option<String>,
        /// Only this session.
        #[arg(long)]
        session: Option<String>,
    },
    /// Write the whole log (or from --since) as JSON Lines or CSV to stdout.
    Export {
        /// Output format.
        #[arg(long, value_parser = ["jsonl", "csv"], default_value = "jsonl")]
        format: String,
        /// Start after this sequence number.
        #[arg(long, value_name = "SEQ", default_value_t = 0)]
        since: u64,
    },
    /// Deliver events to the webhooks in `[[audit.webhooks]]`, in order,
    /// resuming from each one's last delivered sequence number.
    Forward {
        /// Keep delivering new events as they are written.
        #[arg(long, short)]
        follow: bool,
        /// Events per POST.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
    /// Test and benchmark helper: append N synthetic events.
    #[command(hide = true)]
    AppendSynthetic {
        /// Events to append.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Events per transaction.
        #[arg(long, default_value_t = 1)]
        batch: usize,
        /// Session name to use.
        #[arg(long, default_value = "synthetic")]
        session: String,
    },
}

/// `uas setup git`
#[derive(Debug, Subcommand)]
pub enum SetupCommand {
    /// Install a git pre-commit hook that applies the SOP's commit gate
    /// outside any agent (a foreign pre-commit hook is never replaced).
    Git {
        /// The repository (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
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
    #[cfg(feature = "failpoints")]
    #[arg(long, hide = true)]
    pub abort_after_writes: Option<usize>,
    /// Test failpoint: fail the file write after N (simulates a full disk).
    #[cfg(feature = "failpoints")]
    #[arg(long, hide = true)]
    pub fail_after_writes: Option<usize>,
}

/// Flags of `uas rollback-setup`.
#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// Show what would be restored; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Roll back without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// List the recorded applies (generation, command, state) instead.
    #[arg(long, conflicts_with_all = ["dry_run", "yes", "to"])]
    pub list: bool,
    /// Go back to how generation N left the files: undo every apply newer
    /// than N, newest first (`--to 0` undoes them all). Without it, only
    /// the newest apply is undone.
    #[arg(long, value_name = "N")]
    pub to: Option<u64>,
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
    /// Also trust uas's hooks in Codex (as its `/hooks` screen would): asks
    /// `codex app-server` for the hooks' hashes and records them in
    /// $CODEX_HOME/config.toml. Only with your consent: this flag.
    #[arg(long)]
    pub trust_codex_hooks: bool,
    /// Set up the agents whose files can be used even when another agent's
    /// file is broken; the broken ones are reported as skipped and the
    /// command exits 1 (without it, nothing is written and every broken
    /// file is listed).
    #[arg(long)]
    pub partial: bool,
    /// `uas setup git`.
    #[command(subcommand)]
    pub target: Option<SetupCommand>,
}
