//! Setup of agents: detect, plan (with a unified diff), apply, verify;
//! status (drift), repair, uninstall, rollback and symlink migration.

use crate::{ApiError, App};
use serde::Serialize;
use std::path::{Path, PathBuf};
use uas_core::{AgentId, Config};
use uas_providers::agents::{Capabilities, spec};
use uas_providers::apply::{self, Failpoints as ApplyFailpoints};
use uas_providers::history::{ApplyCommand, History};
use uas_providers::migrate::{self, FoundLink};
use uas_providers::plan::{
    self, ChangeKind, FileChange, Goal, Notice, PlanInput, SetupPlan, Skipped,
};
use uas_providers::{Detection, detect_all};
use uas_vfs::Vfs;

/// Which agents a command is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AgentSelection {
    /// Every detected agent that is not disabled in config.toml.
    Detected,
    /// Every known agent that is not disabled.
    All,
    /// Exactly these.
    Only(Vec<AgentId>),
}

/// Options of `setup`, `repair`, `uninstall` and `migrate`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SetupOptions {
    /// Which agents.
    pub agents: AgentSelection,
    /// Plan and show, change nothing.
    pub dry_run: bool,
    /// A repository to set up instead of the user-level files.
    #[ts(type = "string | null")]
    pub project: Option<PathBuf>,
    /// Set up the agents whose files can be used and report the others as
    /// skipped (the command then exits non-zero); without it one broken
    /// file stops everything and the error lists every broken file.
    #[serde(default)]
    pub partial: bool,
    /// Test failpoints; empty unless uas-providers is built with the
    /// `failpoints` feature (only the CLI's journey tests do that). Never
    /// on the wire.
    #[serde(skip)]
    #[ts(skip)]
    pub failpoints: ApplyFailpoints,
}

/// What happens to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileAction {
    /// New file.
    Create,
    /// Changed file.
    Update,
    /// Removed file.
    Delete,
}

/// One planned or applied file change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ChangeDto {
    /// The file.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// Agents it serves.
    pub agents: Vec<AgentId>,
    /// What it is.
    pub kind: ChangeKind,
    /// Create, update or delete.
    pub action: FileAction,
    /// Why.
    pub reason: String,
    /// Unified diff (text files).
    pub diff: String,
}

/// Something the user must do before an agent runs our hooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Approval {
    /// Which agent.
    pub agent: AgentId,
    /// What to do.
    pub message: String,
}

/// Result of setup / repair / uninstall / migrate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SetupReport {
    /// What ran.
    pub command: String,
    /// Agents covered.
    pub agents: Vec<AgentId>,
    /// True when nothing was written because of `--dry-run`.
    pub dry_run: bool,
    /// The generation recorded (for rollback), when something was applied.
    pub generation: Option<u64>,
    /// Every file change.
    pub changes: Vec<ChangeDto>,
    /// Things left alone, with advice.
    pub notices: Vec<Notice>,
    /// Agents not set up (`--partial`) because a file of theirs cannot be
    /// used, with the file and what to do.
    pub skipped: Vec<Skipped>,
    /// Approvals the user must give in the agents.
    pub approvals: Vec<Approval>,
    /// After applying: remaining differences (should be empty).
    pub unverified: Vec<String>,
}

/// A drifted file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Drift {
    /// The file.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// What is off.
    pub reason: String,
}

/// Hook registration state of one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HookState {
    /// Not registered.
    Absent,
    /// Registered; the agent runs them.
    Active,
    /// Registered, but the agent needs the user's approval first (uas cannot see whether it was given).
    AwaitingApproval,
}

/// `uas status` for one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AgentStatus {
    /// Detection verdict.
    pub detection: Detection,
    /// Whether uas has set it up.
    pub configured: bool,
    /// Hook state.
    pub hooks: HookState,
    /// Files that differ from what setup writes.
    pub drift: Vec<Drift>,
    /// Symlinks at the agent's files.
    pub symlinks: Vec<FoundLink>,
    /// What it supports.
    pub capabilities: Capabilities,
    /// What the user must do, if anything.
    pub approval: Option<String>,
    /// Settings of the agent that switch its hooks off (enforcement OFF).
    pub off: Vec<uas_providers::offswitch::OffSwitch>,
    /// The `uas` programs its hooks run: one that is missing switches
    /// enforcement off; one inside a cargo build folder was set up `--dev`.
    pub hook_bins: Vec<crate::HookBinary>,
}

/// An apply that was killed part-way (its manifest never became complete).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct InterruptedApply {
    /// Its generation.
    pub generation: u64,
    /// What ran.
    pub command: String,
    /// When it started (Unix seconds).
    pub started: u64,
    /// What it means and what to do.
    pub message: String,
}

/// `uas status` / `uas detect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct StatusReport {
    /// One per known agent.
    pub agents: Vec<AgentStatus>,
    /// Applies killed part-way that nothing finished or undid yet.
    pub interrupted: Vec<InterruptedApply>,
    /// True when a configured agent has drift.
    pub drifted: bool,
    /// Protected files changed outside uas, and locked sessions.
    pub guard: crate::GuardReport,
    /// The enforcement mode (`uas sop mode`).
    pub mode: uas_sop::EnforcementMode,
}

/// One recorded apply, for `uas rollback-setup --list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct GenerationDto {
    /// Its generation number.
    pub generation: u64,
    /// What ran.
    pub command: String,
    /// When it started (Unix seconds).
    pub started: u64,
    /// Finished all its writes.
    pub complete: bool,
    /// Undone by `uas rollback-setup` (or by itself after a failed write).
    pub rolled_back: bool,
    /// The agents it served.
    pub agents: Vec<AgentId>,
    /// How many paths it changed.
    pub paths: usize,
}

/// Result of `uas rollback-setup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RollbackReport {
    /// True when nothing was changed (`--dry-run`): `undone` is what would be.
    pub dry_run: bool,
    /// The applies undone, newest first (empty: nothing to undo).
    pub undone: Vec<UndoneApply>,
}

/// One apply `uas rollback-setup` undid (or would undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct UndoneApply {
    /// Its generation.
    pub generation: u64,
    /// What that apply was.
    pub command: String,
    /// Paths restored.
    #[ts(type = "string[]")]
    pub restored: Vec<PathBuf>,
}

impl App {
    fn selected(&self, sel: &AgentSelection) -> Result<Vec<AgentId>, ApiError> {
        let config = Config::load(&self.home.config_file())?;
        let enabled = |a: &AgentId| !config.agents.disabled.contains(a);
        Ok(match sel {
            AgentSelection::Only(list) => list.clone(),
            AgentSelection::All => AgentId::ALL.into_iter().filter(enabled).collect(),
            AgentSelection::Detected => detect_all(&self.probe)
                .into_iter()
                .filter(|d| d.installed)
                .map(|d| d.agent)
                .filter(enabled)
                .collect(),
        })
    }

    /// What every plan reads: the universal resources and earlier applies.
    fn plan_context(&self) -> Result<(Vfs, History), ApiError> {
        Ok((
            Vfs::load(&self.home)?,
            History::load(&self.home.backups_dir()),
        ))
    }

    fn make_plan(
        &self,
        agents: &[AgentId],
        goal: Goal,
        project: Option<&Path>,
        partial: bool,
    ) -> Result<SetupPlan, ApiError> {
        if goal == Goal::Install {
            self.hook_bin_is_installed()?;
        }
        let (vfs, history) = self.plan_context()?;
        let input = PlanInput {
            probe: &self.probe,
            vfs: &vfs,
            uas_bin: &self.uas_bin,
            history: &history,
        };
        Ok(match project {
            Some(dir) => plan::plan_project(&input, dir, agents, goal)?,
            None if partial => plan::plan_partial(&input, agents, goal),
            None => plan::plan(&input, agents, goal)?,
        })
    }

    fn run_plan(
        &self,
        command: ApplyCommand,
        agents: Vec<AgentId>,
        goal: Goal,
        opts: &SetupOptions,
    ) -> Result<SetupReport, ApiError> {
        self.run_plan_with(command, agents, goal, opts, Vec::new())
    }

    /// [`Self::run_plan`] with `extra` changes recorded in the same apply.
    fn run_plan_with(
        &self,
        command: ApplyCommand,
        agents: Vec<AgentId>,
        goal: Goal,
        opts: &SetupOptions,
        extra: Vec<plan::FileChange>,
    ) -> Result<SetupReport, ApiError> {
        // Plan under the lock: a plan made before another apply finished
        // would back up stale content and reuse its generation number.
        let _lock = self.lock_unless(opts.dry_run, command)?;
        let mut plan = self.make_plan(&agents, goal, opts.project.as_deref(), opts.partial)?;
        plan.changes.extend(extra);
        self.finish(command, agents, goal, plan, opts)
    }

    fn lock_unless(
        &self,
        dry_run: bool,
        command: ApplyCommand,
    ) -> Result<Option<uas_core::oplock::OpLock>, ApiError> {
        (!dry_run)
            .then(|| self.exclusive(&format!("uas {command}")))
            .transpose()
    }

    fn finish(
        &self,
        command: ApplyCommand,
        agents: Vec<AgentId>,
        goal: Goal,
        plan: SetupPlan,
        opts: &SetupOptions,
    ) -> Result<SetupReport, ApiError> {
        let changes = plan.changes.iter().map(to_dto).collect();
        let mut generation = None;
        let mut unverified = Vec::new();
        if !opts.dry_run {
            uas_core::fsx::create_dir_all(&self.home.backups_dir())?;
            let applied = apply::apply(&plan, &self.home.backups_dir(), command, &opts.failpoints);
            let files: Vec<&Path> = plan.changes.iter().map(|c| c.path.as_path()).collect();
            let (result, failed_generation) = match &applied {
                Ok(_) => ("ok".to_owned(), None),
                Err(apply::ApplyError::RolledBack { generation, .. }) => {
                    ("failed, rolled back".to_owned(), Some(*generation))
                }
                Err(apply::ApplyError::Stuck { generation, .. }) => {
                    ("failed, rollback failed".to_owned(), Some(*generation))
                }
                Err(apply::ApplyError::Prepare(_)) => ("failed, nothing changed".to_owned(), None),
            };
            self.record_operation(
                command.as_str(),
                serde_json::json!({
                    "generation": applied.as_ref().ok().and_then(|a| a.as_ref()).map(|a| a.generation).or(failed_generation),
                    "agents": agents,
                    "files": files,
                    "result": result,
                    "error": applied.as_ref().err().map(ToString::to_string),
                }),
                applied.is_ok(),
            );
            generation = applied?.map(|a| a.generation);
            if command != ApplyCommand::Migrate {
                // Verify: planning again must find nothing left to do.
                // Skipped agents stay skipped: verify the others only.
                let verified: Vec<AgentId> = agents
                    .iter()
                    .copied()
                    .filter(|a| !plan.skipped.iter().any(|s| s.agent == *a))
                    .collect();
                let again =
                    self.make_plan(&verified, goal, opts.project.as_deref(), opts.partial)?;
                unverified = again
                    .changes
                    .iter()
                    .map(|c| format!("{}: {}", c.path.display(), c.reason))
                    .collect();
                // A clean setup or repair finishes what a killed apply of
                // the same agents left half done.
                if unverified.is_empty()
                    && goal == Goal::Install
                    && opts.project.is_none()
                    && let Err(e) = History::load(&self.home.backups_dir())
                        .mark_finished(&agents, generation.unwrap_or(0))
                {
                    tracing::warn!("could not mark the interrupted apply as finished: {e}");
                }
            }
        }
        let approvals = match goal {
            Goal::Install if opts.project.is_none() && command != ApplyCommand::Migrate => agents
                .iter()
                .filter(|a| !plan.skipped.iter().any(|s| s.agent == **a))
                .filter_map(|a| {
                    spec(*a)
                        .capabilities()
                        .approval
                        .map(|message| Approval { agent: *a, message })
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(SetupReport {
            command: command.to_string(),
            agents,
            dry_run: opts.dry_run,
            generation,
            changes,
            notices: plan.notices,
            skipped: plan.skipped,
            approvals,
            unverified,
        })
    }

    /// `uas setup`: bring the selected agents (or a project) to the desired state.
    pub fn setup(&self, opts: &SetupOptions) -> Result<SetupReport, ApiError> {
        let agents = self.selected(&opts.agents)?;
        self.run_plan(ApplyCommand::Setup, agents, Goal::Install, opts)
    }

    /// Trusts uas's hooks in Codex the way `/hooks` does (the user consents
    /// with `uas setup --trust-codex-hooks`): `codex app-server` lists the
    /// hooks and their hashes, and `config.toml` gets one
    /// `hooks.state."<key>".trusted_hash` per uas hook, backed up and undone
    /// by `uas rollback-setup` like every apply.
    pub fn trust_codex_hooks(&self, dry_run: bool) -> Result<SetupReport, ApiError> {
        let _lock = self.lock_unless(dry_run, ApplyCommand::TrustCodexHooks)?;
        let codex = self.probe.find_binary("codex").ok_or_else(|| {
            ApiError::Invalid("codex is not on PATH: cannot ask it which hooks to trust".into())
        })?;
        let hooks = uas_providers::codex_trust::list_uas_hooks(
            &codex,
            &self.probe.user_home,
            std::time::Duration::from_secs(30),
        )?;
        if hooks.is_empty() {
            return Err(ApiError::Invalid(
                "Codex lists no uas hooks: run `uas setup --agent codex` first".into(),
            ));
        }
        let config =
            uas_providers::detect::config_dir(AgentId::Codex, &self.probe).join("config.toml");
        let change = uas_providers::codex_trust::trust_change(&config, &hooks)?;
        let plan = SetupPlan {
            changes: change.into_iter().collect(),
            notices: Vec::new(),
            skipped: Vec::new(),
        };
        let opts = SetupOptions {
            agents: AgentSelection::Only(vec![AgentId::Codex]),
            dry_run,
            project: None,
            partial: false,
            failpoints: ApplyFailpoints::default(),
        };
        let mut report = self.finish(
            ApplyCommand::TrustCodexHooks,
            vec![AgentId::Codex],
            Goal::Install,
            plan,
            &opts,
        )?;
        report.approvals.clear();
        Ok(report)
    }

    /// `uas repair`: setup again for every agent uas has configured.
    pub fn repair(&self, opts: &SetupOptions) -> Result<SetupReport, ApiError> {
        self.repair_with(opts, Vec::new())
    }

    /// [`Self::repair`] recording `extra` changes in the same apply (a
    /// skill change's `skills.lock`, so undoing the apply undoes both).
    pub(crate) fn repair_with(
        &self,
        opts: &SetupOptions,
        extra: Vec<plan::FileChange>,
    ) -> Result<SetupReport, ApiError> {
        let agents = match &opts.agents {
            AgentSelection::Only(l) => l.clone(),
            _ => {
                // Also the agents of a killed apply: repair finishes it.
                let history = History::load(&self.home.backups_dir());
                let interrupted = history.interrupted();
                AgentId::ALL
                    .into_iter()
                    .filter(|a| {
                        plan::is_configured(*a, &self.probe)
                            || plan::set_up_by_history(*a, &history)
                            || interrupted.iter().any(|m| m.agents.contains(a))
                    })
                    .collect()
            }
        };
        self.run_plan_with(ApplyCommand::Repair, agents, Goal::Install, opts, extra)
    }

    /// `uas uninstall`: remove exactly what uas added.
    pub fn uninstall(&self, opts: &SetupOptions) -> Result<SetupReport, ApiError> {
        let agents = match &opts.agents {
            AgentSelection::Only(l) => l.clone(),
            _ => AgentId::ALL.to_vec(),
        };
        self.run_plan(ApplyCommand::Uninstall, agents, Goal::Remove, opts)
    }

    /// `uas migrate`: replace symlinks at agents' files with managed copies.
    pub fn migrate(&self, opts: &SetupOptions) -> Result<SetupReport, ApiError> {
        let agents = match &opts.agents {
            AgentSelection::Only(l) => l.clone(),
            _ => AgentId::ALL.to_vec(),
        };
        let _lock = self.lock_unless(opts.dry_run, ApplyCommand::Migrate)?;
        let vfs = Vfs::load(&self.home)?;
        let plan = migrate::plan_migrate(&self.home, &self.probe, &vfs, &agents);
        self.finish(ApplyCommand::Migrate, agents, Goal::Install, plan, opts)
    }

    /// `uas rollback-setup [--to N]`: undoes the newest apply not rolled
    /// back yet, or with `to`, every apply newer than generation `to`
    /// (newest first; `0`: all of them). A failure keeps the undos before
    /// it, which are recorded; the error says which generation failed.
    pub fn rollback_setup(
        &self,
        dry_run: bool,
        to: Option<u64>,
    ) -> Result<RollbackReport, ApiError> {
        // Chosen under the lock: another apply may be finishing.
        let _lock = (!dry_run)
            .then(|| self.exclusive("uas rollback-setup"))
            .transpose()?;
        let history = History::load(&self.home.backups_dir());
        if let Some(n) = to
            && n != 0
            && !history.manifests().iter().any(|m| m.generation == n)
        {
            return Err(ApiError::Invalid(format!(
                "there is no apply #{n} (see `uas rollback-setup --list`)"
            )));
        }
        let pending: Vec<_> = history
            .manifests()
            .iter()
            .rev()
            .filter(|m| !m.rolled_back)
            .take_while(|m| to.is_none_or(|n| m.generation > n))
            .take(if to.is_some() { usize::MAX } else { 1 })
            .collect();
        if dry_run {
            return Ok(RollbackReport {
                dry_run,
                undone: pending
                    .iter()
                    .map(|m| UndoneApply {
                        generation: m.generation,
                        command: m.command.to_string(),
                        restored: m
                            .entries
                            .iter()
                            .rev()
                            .filter(|e| !e.dir)
                            .map(|e| e.path.clone())
                            .collect(),
                    })
                    .collect(),
            });
        }
        let keep = to.unwrap_or_else(|| pending.first().map_or(u64::MAX, |m| m.generation - 1));
        let (undone, result) = apply::rollback_to(&self.home.backups_dir(), keep);
        for r in &undone {
            self.record_operation(
                "rollback-setup",
                serde_json::json!({
                    "generation": r.generation,
                    "undid": r.command.as_str(),
                    "files": r.restored,
                    "result": "ok",
                }),
                true,
            );
        }
        if let Err(e) = &result {
            self.record_operation(
                "rollback-setup",
                serde_json::json!({"result": "failed", "error": e.to_string()}),
                false,
            );
        }
        result.map_err(|e| {
            ApiError::Invalid(format!(
                "{e}; undone before the failure: {}",
                if undone.is_empty() {
                    "none".to_owned()
                } else {
                    undone
                        .iter()
                        .map(|r| format!("#{}", r.generation))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ))
        })?;
        Ok(RollbackReport {
            dry_run,
            undone: undone
                .into_iter()
                .map(|r| UndoneApply {
                    generation: r.generation,
                    command: r.command.to_string(),
                    restored: r.restored,
                })
                .collect(),
        })
    }

    /// `uas rollback-setup --list`: every recorded apply, oldest first.
    pub fn setup_generations(&self) -> Vec<GenerationDto> {
        History::load(&self.home.backups_dir())
            .manifests()
            .iter()
            .map(|m| GenerationDto {
                generation: m.generation,
                command: m.command.to_string(),
                started: m.created,
                complete: m.complete,
                rolled_back: m.rolled_back,
                agents: m.agents.clone(),
                paths: m.entries.iter().filter(|e| !e.dir).count(),
            })
            .collect()
    }

    /// `uas status` (and `uas detect`): per agent, detection, configuration,
    /// drift with reasons, hooks, symlinks, capabilities.
    pub fn status(&self) -> Result<StatusReport, ApiError> {
        let (vfs, history) = self.plan_context()?;
        let input = PlanInput {
            probe: &self.probe,
            vfs: &vfs,
            uas_bin: &self.uas_bin,
            history: &history,
        };
        let links = migrate::find_links(&self.home, &self.probe, &AgentId::ALL);
        let mut agents = Vec::new();
        for detection in detect_all(&self.probe) {
            let agent = detection.agent;
            let configured =
                plan::is_configured(agent, &self.probe) || plan::set_up_by_history(agent, &history);
            let drift = if configured {
                match plan::plan(&input, &[agent], Goal::Install) {
                    Ok(p) => p
                        .changes
                        .iter()
                        .map(|c| Drift {
                            path: c.path.clone(),
                            reason: c.reason.clone(),
                        })
                        .collect(),
                    Err(e) => vec![Drift {
                        path: PathBuf::new(),
                        reason: e.to_string(),
                    }],
                }
            } else {
                Vec::new()
            };
            let capabilities = spec(agent).capabilities();
            let hooks = match (configured, &capabilities.approval) {
                (false, _) => HookState::Absent,
                (true, Some(_)) if agent == AgentId::Codex => HookState::AwaitingApproval,
                (true, _) => HookState::Active,
            };
            agents.push(AgentStatus {
                configured,
                hooks,
                drift,
                symlinks: links.iter().filter(|l| l.agent == agent).cloned().collect(),
                approval: capabilities.approval.clone(),
                off: if configured {
                    let mut off = uas_providers::offswitch::find(agent, &self.probe);
                    off.extend(uas_providers::offswitch::managed(
                        agent,
                        std::path::Path::new("/"),
                    ));
                    if let Some(cwd) = &self.project {
                        off.extend(uas_providers::offswitch::in_project(
                            agent,
                            cwd,
                            &self.probe.user_home,
                        ));
                    }
                    off.extend(uas_providers::offswitch::running(
                        agent,
                        &self.probe.user_home,
                        std::path::Path::new("/proc"),
                    ));
                    off
                } else {
                    Vec::new()
                },
                hook_bins: if configured {
                    self.hook_binaries(agent)
                } else {
                    Vec::new()
                },
                capabilities,
                detection,
            });
        }
        let drifted = agents.iter().any(|a| !a.drift.is_empty());
        let interrupted = history
            .interrupted()
            .into_iter()
            .map(|m| InterruptedApply {
                generation: m.generation,
                command: m.command.to_string(),
                started: m.created,
                message: format!(
                    "interrupted apply of generation {} (`uas {}`) at {}: run `uas repair` to finish it, or `uas rollback-setup` to undo it",
                    m.generation,
                    m.command,
                    uas_core::utc(m.created)
                ),
            })
            .collect();
        Ok(StatusReport {
            agents,
            interrupted,
            drifted,
            guard: self.guard_report()?,
            mode: self.sop_mode()?,
        })
    }

    /// Records the hook-config drift in `report` as critical audit events
    /// (once per distinct drift). [`App::status`] only reads; `uas status`
    /// calls this after it, so the log holds every drift a person saw.
    pub fn record_drift(&self, report: &StatusReport) {
        let hook_drift: Vec<_> = report
            .agents
            .iter()
            .flat_map(|a| {
                let paths = plan::AgentPaths::new(a.detection.agent, &self.probe);
                let hook_files: Vec<PathBuf> = paths
                    .hook_file()
                    .into_iter()
                    .chain(paths.owned_file())
                    .collect();
                a.drift
                    .iter()
                    .filter(move |d| hook_files.contains(&d.path))
                    .map(move |d| (a.detection.agent, d.path.clone(), d.reason.clone()))
            })
            .collect();
        if !hook_drift.is_empty() {
            self.record_hook_drift(&hook_drift);
        }
    }
}

impl App {
    /// Appends one of uas's own changing operations to the audit log
    /// (agent `uas`, kind = the command), so the log tells the whole story,
    /// and takes the protected-file baseline.
    /// Best effort: a home without a database yet (`uas init` not run) or a
    /// busy log does not undo a finished apply; it is logged instead.
    fn record_operation(&self, kind: &str, payload: serde_json::Value, ok: bool) {
        let Ok(config) = Config::load(&self.home.config_file()) else {
            return;
        };
        if !self.home.database(&config.store.database).exists() {
            tracing::info!(
                kind,
                "no audit database yet (run `uas init`): {kind} not recorded"
            );
            return;
        }
        let event = uas_audit::NewEvent {
            ts_ms: uas_core::now_ms(),
            agent: "uas".into(),
            session: "-".into(),
            kind: kind.into(),
            severity: if ok {
                uas_audit::Severity::Info
            } else {
                uas_audit::Severity::Error
            },
            payload: payload.to_string(),
            decision: None,
        };
        // In the same transaction: the protected files as this operation
        // left them become the baseline hooks compare against, and a repair
        // (which put uas's files back) lifts every session's lock.
        let written = self.journal().and_then(|mut j| {
            j.write(|tx| {
                tx.append(&event)?;
                if ok {
                    self.take_baseline(tx, kind)?;
                    if kind == ApplyCommand::Repair.as_str() {
                        self.unlock_all(tx, "uas repair")?;
                    }
                }
                Ok::<_, ApiError>(())
            })
        });
        if let Err(e) = written {
            tracing::warn!("could not record `uas {kind}` in the audit log: {e}");
        }
    }
}

fn to_dto(c: &FileChange) -> ChangeDto {
    let action = match (&c.before, &c.after) {
        (None, Some(_)) if c.before_link.is_none() => FileAction::Create,
        (_, None) => FileAction::Delete,
        _ => FileAction::Update,
    };
    let text = |b: &Option<Vec<u8>>| {
        String::from_utf8_lossy(b.as_deref().unwrap_or_default()).into_owned()
    };
    let (old, new) = (text(&c.before), text(&c.after));
    let name = c.path.display().to_string();
    let diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a{name}"), &format!("b{name}"))
        .to_string();
    ChangeDto {
        path: c.path.clone(),
        agents: c.agents.clone(),
        kind: c.kind,
        action,
        reason: c.reason.clone(),
        diff,
    }
}
