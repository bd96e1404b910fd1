//! A copy of the fixture home with the providers' inputs built from it: the
//! probe (no agent on `PATH`), the VFS of its `~/.agent` and its apply
//! history, so planner, apply, history and migrate run as setup runs them.

// Each test file uses part of this.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use uas_core::{AgentId, Home};
use uas_providers::ProbeEnv;
use uas_providers::apply::{self, Applied, Failpoints};
use uas_providers::history::{ApplyCommand, History};
use uas_providers::plan::{self, Goal, PlanError, PlanInput, SetupPlan};
use uas_testsupport::{TempHome, files, fixture_home};
use uas_vfs::Vfs;

/// The `uas` path the planned hooks run (never executed here).
pub const UAS_BIN: &str = "/opt/uas/bin/uas";

/// A machine whose user home is a copy of the fixture home.
pub struct Machine {
    pub home: TempHome,
    pub uas: Home,
    pub probe: ProbeEnv,
}

impl Machine {
    pub fn new() -> Self {
        let home = TempHome::from_fixture(fixture_home());
        let uas = Home::new(home.agent_home());
        let probe = ProbeEnv::new(home.user_home(), None, []);
        Self { home, uas, probe }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.path(rel)
    }

    pub fn backups(&self) -> PathBuf {
        self.uas.backups_dir()
    }

    pub fn history(&self) -> History {
        History::load(&self.backups())
    }

    pub fn vfs(&self) -> Vfs {
        Vfs::load(&self.uas).expect("load the VFS")
    }

    /// The plan for `agents` toward `goal`, against the disk and history now.
    pub fn try_plan(&self, agents: &[AgentId], goal: Goal) -> Result<SetupPlan, PlanError> {
        let (vfs, history) = (self.vfs(), self.history());
        let input = PlanInput {
            probe: &self.probe,
            vfs: &vfs,
            uas_bin: UAS_BIN,
            history: &history,
        };
        plan::plan(&input, agents, goal)
    }

    /// [`plan::plan_partial`]: the agents that can be planned, the others skipped.
    pub fn plan_partial(&self, agents: &[AgentId], goal: Goal) -> SetupPlan {
        let (vfs, history) = (self.vfs(), self.history());
        let input = PlanInput {
            probe: &self.probe,
            vfs: &vfs,
            uas_bin: UAS_BIN,
            history: &history,
        };
        plan::plan_partial(&input, agents, goal)
    }

    pub fn plan(&self, agents: &[AgentId], goal: Goal) -> SetupPlan {
        self.try_plan(agents, goal).expect("plan")
    }

    pub fn apply(&self, plan: &SetupPlan, command: ApplyCommand) -> Option<Applied> {
        apply::apply(plan, &self.backups(), command, &Failpoints::default()).expect("apply")
    }

    /// Plans and applies `goal` for `agents`; panics when there was nothing to do.
    pub fn run(&self, agents: &[AgentId], goal: Goal, command: ApplyCommand) -> Applied {
        let plan = self.plan(agents, goal);
        self.apply(&plan, command)
            .expect("the plan changed something")
    }

    /// Every file of the user home outside `~/.agent/backups`.
    pub fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = files(&self.home.user_home());
        out.retain(|p, _| !p.starts_with(".agent/backups"));
        out
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).expect("read")
    }

    pub fn json(&self, rel: &str) -> serde_json::Value {
        serde_json::from_slice(&self.read(rel)).expect("json")
    }
}

/// How many hook commands in `v` run our binary.
pub fn uas_commands(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => usize::from(s.starts_with(UAS_BIN)),
        serde_json::Value::Array(a) => a.iter().map(uas_commands).sum(),
        serde_json::Value::Object(o) => o.values().map(uas_commands).sum(),
        _ => 0,
    }
}
