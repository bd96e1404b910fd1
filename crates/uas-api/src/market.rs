//! The skill marketplace's view: every configured registry's skills as
//! cards (with installed/outdated state and the agents a skill reaches),
//! and one skill's page (SKILL.md, versions, dependencies, dependents,
//! files). Read-only; installing is [`App::skill_install`].

use crate::{ApiError, App, SkillVersionDto};
use serde::Serialize;
use uas_core::{AgentId, Config};
use uas_skills::lock::Lockfile;
use uas_skills::ops::Skills;

/// A card in the marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct MarketSkill {
    /// Name.
    pub name: String,
    /// Description (as published; may be long).
    pub description: String,
    /// Newest non-yanked version.
    pub version: String,
    /// The registry providing it.
    pub registry: String,
    /// Active version here, if installed.
    pub installed: Option<String>,
    /// Installed and a newer version is published.
    pub outdated: bool,
    /// The agents an install reaches (those uas has set up).
    pub agents: Vec<String>,
    /// Problems that do not stop an install (a description over the spec's
    /// 1,024 characters, …).
    pub warnings: Vec<String>,
}

/// One skill's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SkillPage {
    /// Name.
    pub name: String,
    /// The registry providing it.
    pub registry: String,
    /// Description of the newest version.
    pub description: String,
    /// Active version here.
    pub installed: Option<String>,
    /// Newest first.
    pub versions: Vec<SkillVersionDto>,
    /// SKILL.md of the newest version (markdown; the ui renders it safely).
    pub skill_md: Option<String>,
    /// `name requirement` of the newest version's dependencies.
    pub dependencies: Vec<String>,
    /// Installed skills that depend on it.
    pub dependents: Vec<String>,
    /// Files of the newest version.
    pub files: Vec<String>,
    /// The agents an install reaches.
    pub agents: Vec<String>,
}

/// The spec's limit on a description.
const DESCRIPTION_MAX: usize = 1024;

impl App {
    /// The agents uas has set up (where an installed skill is written).
    fn skill_agents(&self) -> Vec<String> {
        AgentId::ALL
            .iter()
            .filter(|a| uas_providers::plan::is_configured(**a, &self.probe))
            .map(|a| a.as_str().to_owned())
            .collect()
    }

    fn lockfile(&self) -> Result<Lockfile, ApiError> {
        Ok(Lockfile::load(&self.home.skills_lock_file())?)
    }

    /// The marketplace: every skill of every configured registry matching
    /// `query` (name or description; empty: all).
    pub fn market(&self, query: &str) -> Result<Vec<MarketSkill>, ApiError> {
        let lock = self.lockfile()?;
        let agents = self.skill_agents();
        Ok(self
            .skill_search(query)?
            .into_iter()
            .map(|h| {
                let installed = lock.skills.get(&h.name).map(|s| s.version.to_string());
                let outdated = lock.skills.get(&h.name).is_some_and(|s| {
                    semver::Version::parse(&h.version).is_ok_and(|newest| newest > s.version)
                });
                let mut warnings = Vec::new();
                let chars = h.description.chars().count();
                if chars > DESCRIPTION_MAX {
                    warnings.push(format!(
                        "description is {chars} characters, over the Agent Skills limit of {DESCRIPTION_MAX}; agents may cut it"
                    ));
                }
                if h.description.trim().is_empty() {
                    warnings.push("no description: agents cannot tell when to use it".into());
                }
                MarketSkill {
                    name: h.name,
                    description: h.description,
                    version: h.version,
                    registry: h.registry,
                    installed,
                    outdated,
                    agents: agents.clone(),
                    warnings,
                }
            })
            .collect())
    }

    /// One skill's page (downloads the newest archive to show its SKILL.md
    /// when that version is not installed; installs nothing).
    pub fn skill_page(&self, name: &str) -> Result<SkillPage, ApiError> {
        let info = self.skill_info(name)?;
        let config = Config::load(&self.home.config_file())?;
        let preview = Skills::new(&self.home, &config.skills).preview(name)?;
        let lock = self.lockfile()?;
        let newest = info.versions.iter().find(|v| !v.yanked);
        Ok(SkillPage {
            description: newest.map(|v| v.description.clone()).unwrap_or_default(),
            dependencies: newest.map(|v| v.dependencies.clone()).unwrap_or_default(),
            dependents: lock
                .skills
                .iter()
                .filter(|(_, s)| s.dependencies.contains_key(name))
                .map(|(n, _)| n.clone())
                .collect(),
            skill_md: preview.skill_md,
            files: preview.files,
            agents: self.skill_agents(),
            name: info.name,
            registry: info.registry,
            installed: info.installed,
            versions: info.versions,
        })
    }
}
