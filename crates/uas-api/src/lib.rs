//! The facade every front end calls: the CLI (`uas`), the local web service
//! and the desktop app use the same [`App`] methods and the same DTOs, so a
//! feature is written once.
//!
//! DTOs derive `ts_rs::TS`; `cargo test -p uas-api` regenerates
//! `ui/src/bindings/`, and CI fails when the checked-in copy is stale.

pub mod alerts;
mod approvals;
mod audit;
mod coord;
mod desktop;
mod doctor;
mod error;
mod feed;
mod guard;
mod health;
mod hookbin;
mod init;
mod market;
mod mode;
mod setup;
pub mod skills;
mod sopview;
mod token;

pub use approvals::{Answer, ApprovalItem, ApprovalKind, ApprovalState, ApprovalsView};
pub use audit::{AdvanceReport, ExplainReport, GateReport, MatchingRule, SessionPhase};
pub use coord::{CoordStatus, SessionDetail};
pub use desktop::{AgentLine, DesktopPrefs, DesktopSettings, TrayLevel, TraySnapshot};
pub use doctor::{Check, CheckStatus, DoctorReport};
pub use error::{ApiError, ErrorDto};
pub use feed::{AuditFollow, AuditPage, AuditQuery};
pub use guard::{
    ApprovalMethod, ApproveReport, GuardChange, GuardReport, LockedSession, PendingApproval,
};
pub use health::{HealthCheck, HealthReport, HealthStatus};
pub use hookbin::HookBinary;
pub use init::{InitAction, InitItem, InitReport, ItemKind};
pub use market::{MarketSkill, SkillPage};
pub use mode::ModeReport;
pub use setup::{
    AgentSelection, AgentStatus, Approval, ChangeDto, Drift, FileAction, GenerationDto, HookState,
    InterruptedApply, RollbackReport, SetupOptions, SetupReport, StatusReport, UndoneApply,
};
pub use skills::{
    InstalledSkillDto, RegistryBuildReport, SkillChangeDto, SkillInfoDto, SkillOptions,
    SkillProgress, SkillSearchHit, SkillVerifyReport, SkillVersionDto, SkillsReport,
};
pub use sopview::{PhaseView, RuleView, SopView, describe_pattern};
pub use uas_audit::VerifyReport;
pub use uas_coord::{CoordEvent, Lease, LeaseKey, LockGrant, SessionInfo};
pub use uas_core::EventKind;
pub use uas_core::oplock::LockWait;
pub use uas_core::paths::HOME_ENV;
pub use uas_core::{AgentId, Home};
pub use uas_hook::Outcome as HookOutcome;
pub use uas_providers::agents::{Capabilities, FailureMode};
pub use uas_providers::apply::Failpoints as ApplyFailpoints;
pub use uas_providers::{Confidence, Detection, ProbeEnv};
pub use uas_skills::ops::Failpoints as SkillFailpoints;
pub use uas_sop::{EnforcementMode, Mode, ModeSetting};

/// One Universal Agent installation: its home plus what we may look at on
/// the machine. Cheap to create; opens nothing until a method needs it.
#[derive(Debug, Clone)]
pub struct App {
    home: Home,
    probe: ProbeEnv,
    uas_bin: String,
    lock_wait: uas_core::oplock::LockWait,
    project: Option<std::path::PathBuf>,
    dev_build: bool,
}

impl App {
    /// An app for `home`, detecting agents with `probe`.
    pub fn new(home: Home, probe: ProbeEnv) -> Self {
        Self {
            home,
            probe,
            uas_bin: "uas".to_owned(),
            lock_wait: uas_core::oplock::LockWait::Wait,
            project: None,
            dev_build: false,
        }
    }

    /// The folder `status` is asked from: the settings of the project
    /// around it that switch an agent's hooks off are reported too.
    pub fn with_project(mut self, cwd: std::path::PathBuf) -> Self {
        self.project = Some(cwd);
        self
    }

    /// Whether a changing operation waits for another one to finish
    /// (default) or fails at once (`--no-wait`).
    pub fn with_lock_wait(mut self, wait: uas_core::oplock::LockWait) -> Self {
        self.lock_wait = wait;
        self
    }

    /// Takes the home's operation lock for `command` ("uas setup", …); every
    /// changing operation holds it from planning to the last write.
    pub(crate) fn exclusive(&self, command: &str) -> Result<uas_core::oplock::OpLock, ApiError> {
        Ok(uas_core::oplock::OpLock::acquire(
            &self.home.operation_lock_file(),
            command,
            self.lock_wait,
        )?)
    }

    /// The `uas` binary that agent hooks should run (an absolute path is
    /// best: agents do not always have the user's PATH).
    pub fn with_uas_bin(mut self, uas_bin: impl Into<String>) -> Self {
        self.uas_bin = uas_bin.into();
        self
    }

    /// Lets setup register a `uas` inside a cargo build folder in agents'
    /// hooks (`--dev`, `UAS_DEV=1`); without it such a setup is refused.
    pub fn with_dev_build(mut self, allowed: bool) -> Self {
        self.dev_build = allowed;
        self
    }

    /// The `uas` hooks run, when it is an absolute path.
    pub(crate) fn hook_bin_path(&self) -> Option<std::path::PathBuf> {
        Some(std::path::PathBuf::from(&self.uas_bin)).filter(|p| p.is_absolute())
    }

    /// Refuses to write hooks that run a binary inside a cargo build folder,
    /// unless that is asked for ([`App::with_dev_build`]).
    pub(crate) fn hook_bin_is_installed(&self) -> Result<(), ApiError> {
        let bin = std::path::Path::new(&self.uas_bin);
        match uas_core::install::cargo_target_dir(bin) {
            Some(target) if !self.dev_build => Err(ApiError::DevBuild {
                bin: bin.to_path_buf(),
                target,
            }),
            _ => Ok(()),
        }
    }

    /// The app as a binary sees the machine: the one place that reads the
    /// process environment (`UAS_HOME`, `HOME`/`USERPROFILE`, `PATH`, the
    /// agents' variables, `UAS_DEV`). `home_override` (a `--home` flag) wins over
    /// `UAS_HOME`. Libraries and tests use [`App::new`] with explicit paths.
    pub fn from_process_env(
        home_override: Option<std::path::PathBuf>,
        uas_bin: String,
    ) -> Result<Self, ApiError> {
        let user_home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(std::path::PathBuf::from);
        let uas_home =
            home_override.or_else(|| std::env::var_os(HOME_ENV).map(std::path::PathBuf::from));
        let home = Home::resolve(uas_home, user_home.as_deref())?;
        let probe = ProbeEnv::new(
            user_home.unwrap_or_default(),
            std::env::var_os("PATH").as_deref(),
            std::env::vars(),
        );
        let dev = std::env::var_os("UAS_DEV").is_some_and(|v| v == "1");
        Ok(Self::new(home, probe)
            .with_uas_bin(uas_bin)
            .with_dev_build(dev))
    }

    /// The home this app works in.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// The machine as detection sees it.
    pub fn probe(&self) -> &ProbeEnv {
        &self.probe
    }
}
