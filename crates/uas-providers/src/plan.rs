//! Setup as data: the planner reads the disk and the VFS and returns the
//! file changes that would bring agents to the desired state (or remove our
//! traces). Status is a plan that is not applied; repair is applying it.
//! Where the files are is [`crate::paths`]; the disk as the plan leaves it
//! is [`crate::overlay`]; whether an agent is set up is
//! [`crate::configured`].

pub use crate::configured::{is_configured, registered_events, set_up_by_history};
pub(crate) use crate::overlay::Overlay;
pub use crate::paths::{AgentPaths, normalize, symlink_on_path};

use crate::ProbeEnv;
use crate::agents::spec;
use crate::block;
use crate::history::History;
use crate::hookjson::{self, HookShape, JsonFileError};
use crate::skills;
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use uas_core::AgentId;
use uas_vfs::Vfs;

/// Add our things, or take them away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Install / update / repair.
    Install,
    /// Uninstall: remove exactly what we added.
    Remove,
}

/// What the planner may look at.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    /// The machine (user home, PATH, env).
    pub probe: &'a ProbeEnv,
    /// The universal resources.
    pub vfs: &'a Vfs,
    /// Absolute path of the `uas` binary agents should run.
    pub uas_bin: &'a str,
    /// Earlier applies (to restore original bytes and know what we created).
    pub history: &'a History,
}

/// What kind of thing a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeKind {
    /// Our managed block in a Markdown instruction file.
    Instructions,
    /// Our entries in a JSON hook config.
    Hooks,
    /// A file of a skill folder we own.
    Skill,
    /// A generated file we own whole (plugin, Cursor rule).
    OwnedFile,
}

/// One file to write or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file.
    pub path: PathBuf,
    /// Agents this change serves.
    pub agents: Vec<AgentId>,
    /// What it is.
    pub kind: ChangeKind,
    /// Current content (`None`: missing).
    pub before: Option<Vec<u8>>,
    /// If the path is a symlink today, where it points (migration only).
    pub before_link: Option<PathBuf>,
    /// New content (`None`: delete).
    pub after: Option<Vec<u8>>,
    /// Why, in words ("add managed block", "edited by hand inside the managed block").
    pub reason: String,
    /// The file must end up executable (a skill's script).
    pub executable: bool,
}

/// Something the user should know that does not stop setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Notice {
    /// Which agent.
    pub agent: AgentId,
    /// The path concerned.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// What and what to do.
    pub message: String,
}

/// A problem that stops setup (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A JSON config we must edit is broken.
    #[error(transparent)]
    Json(#[from] JsonFileError),
    /// Our markers in a Markdown file are broken.
    #[error("{path}:{source}")]
    Block {
        /// The file.
        path: String,
        /// Marker problem.
        source: block::BlockError,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// OS error.
        message: String,
    },
}

/// The result of planning.
#[derive(Debug, Clone, Default)]
pub struct SetupPlan {
    /// Changes, in order.
    pub changes: Vec<FileChange>,
    /// Things left alone, with advice.
    pub notices: Vec<Notice>,
}

/// The plan for `agents` toward `goal`.
pub fn plan(input: &PlanInput<'_>, agents: &[AgentId], goal: Goal) -> Result<SetupPlan, PlanError> {
    let mut overlay = Overlay::default();
    let mut notices = Vec::new();
    let staying: Vec<AgentId> = match goal {
        Goal::Install => Vec::new(),
        Goal::Remove => AgentId::ALL
            .into_iter()
            .filter(|a| !agents.contains(a) && is_configured(*a, input.probe))
            .collect(),
    };
    for &agent in agents {
        let paths = AgentPaths::new(agent, input.probe);
        let base = input.probe.user_home.as_path();
        if let Some(file) = paths.instructions() {
            let shared_with_staying = staying
                .iter()
                .any(|s| AgentPaths::new(*s, input.probe).instructions().as_ref() == Some(&file));
            if let Some(link) = symlink_on_path(base, &file) {
                notices.push(symlink_notice(agent, &link));
            } else if !(goal == Goal::Remove && shared_with_staying) {
                // A file two agents share (GEMINI.md) gets the first one's text.
                let owner = AgentId::ALL
                    .into_iter()
                    .find(|a| {
                        AgentPaths::new(*a, input.probe).instructions().as_ref() == Some(&file)
                    })
                    .unwrap_or(agent);
                let body = instructions_body(input.vfs, owner);
                plan_block(&mut overlay, input.history, agent, &file, &body, goal)?;
            }
        }
        if let (Some(hooks), Some(file)) = (&paths.spec.hooks, paths.hook_file()) {
            if let Some(link) = symlink_on_path(base, &file) {
                notices.push(symlink_notice(agent, &link));
            } else {
                let desired: Vec<(String, Value)> = match goal {
                    Goal::Install => paths
                        .spec
                        .registered()
                        .map(|e| e.name)
                        .map(|name| {
                            let cmd =
                                hookjson::uas_hook_command(input.uas_bin, agent.as_str(), name);
                            (name.to_string(), (hooks.entry)(&cmd, name))
                        })
                        .collect(),
                    Goal::Remove => Vec::new(),
                };
                plan_hooks(
                    &mut overlay,
                    input.history,
                    agent,
                    &file,
                    hooks.shape,
                    hooks.required_root,
                    &desired,
                )?;
            }
        }
        let plugin_api_unsupported = agent == AgentId::Opencode
            && goal == Goal::Install
            && crate::agents::opencode_major(input.probe).is_some_and(|m| m >= 2);
        if plugin_api_unsupported {
            notices.push(Notice {
                agent,
                path: paths.owned_file().unwrap_or_default(),
                message: "OpenCode 2.x changed its plugin API and uas generates only the 1.x plugin, so OpenCode runs without uas hooks for now (instructions and skills are set up)".into(),
            });
        } else if let (Some((_, render)), Some(file)) = (paths.spec.owned_file, paths.owned_file())
        {
            let content = match goal {
                Goal::Install => Some(render(input.uas_bin).into_bytes()),
                Goal::Remove => None,
            };
            plan_owned_file(
                &mut overlay,
                &mut notices,
                agent,
                base,
                &file,
                content,
                crate::agents::OWNED_MARKERS,
            )?;
        }
        let skills = match goal {
            Goal::Install => input.vfs.skills_for(agent),
            Goal::Remove => Vec::new(),
        };
        skills::plan_skills(
            &mut overlay,
            &mut notices,
            agent,
            base,
            &paths.skills_dir(),
            &skills,
        )?;
    }
    Ok(SetupPlan {
        changes: overlay.into_changes(),
        notices,
    })
}

/// What goes into the managed block: the universal instructions plus how
/// the SOP and progress reporting work, so every agent reads the same rules.
pub fn instructions_body(vfs: &Vfs, agent: AgentId) -> String {
    format!(
        "{}\n\n## Standard operating procedure (enforced by Universal Agent)\n\nEvery session moves through these phases in order: intake -> research -> plan -> implement -> verify -> review -> finalize. Edits are refused until a plan is recorded; commits are refused until the tests pass after the last edit. You do not need to report progress yourself: every tool call is recorded by the uas hooks. Do not edit ~/.agent/ or your own hook configuration; such edits are refused and reported.\n",
        vfs.instructions_for(agent).trim_end()
    )
}

fn symlink_notice(agent: AgentId, link: &Path) -> Notice {
    let target = std::fs::read_link(link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    Notice {
        agent,
        path: link.to_path_buf(),
        message: format!(
            "symlink to {target} left as is (uas never writes through symlinks); run `uas migrate` to replace it with a managed copy"
        ),
    }
}

fn plan_block(
    overlay: &mut Overlay,
    history: &History,
    agent: AgentId,
    file: &Path,
    body: &str,
    goal: Goal,
) -> Result<(), PlanError> {
    let current = overlay.read(file)?;
    let text = String::from_utf8_lossy(current.as_deref().unwrap_or_default()).into_owned();
    let block_err = |source| PlanError::Block {
        path: file.display().to_string(),
        source,
    };
    let found = block::find(&text).map_err(block_err)?;
    let (after, reason) = match goal {
        Goal::Install => {
            let reason = match &found {
                None => "add managed block".to_owned(),
                Some(b) if b.edited_by_hand() => {
                    "edited by hand inside the managed block; restore it".to_owned()
                }
                Some(_) => "update managed block with the current instructions".to_owned(),
            };
            (
                Some(block::upsert(&text, body).map_err(block_err)?.into_bytes()),
                reason,
            )
        }
        Goal::Remove => {
            let rest = block::remove(&text).map_err(block_err)?;
            let after = if rest.is_empty()
                && history.existed_before(file) != Some(true)
                && current.is_some()
            {
                None
            } else {
                Some(rest.into_bytes())
            };
            (
                if current.is_none() { None } else { after },
                "remove managed block".to_owned(),
            )
        }
    };
    overlay.set(agent, ChangeKind::Instructions, file, after, reason)
}

#[allow(clippy::too_many_arguments)]
fn plan_hooks(
    overlay: &mut Overlay,
    history: &History,
    agent: AgentId,
    file: &Path,
    shape: HookShape,
    required_root: &[(&str, i64)],
    desired: &[(String, Value)],
) -> Result<(), PlanError> {
    let current = overlay.read(file)?;
    let text = String::from_utf8_lossy(current.as_deref().unwrap_or_default()).into_owned();
    let mut root = hookjson::parse_object(file, &text)?;
    let original = root.clone();
    let have = hookjson::ours(&root, shape);
    hookjson::set_ours(&mut root, shape, desired);
    if !desired.is_empty() {
        for (k, v) in required_root {
            root.entry((*k).to_owned()).or_insert(Value::from(*v));
        }
    }
    if root == original {
        return Ok(());
    }
    let reason = if desired.is_empty() {
        format!("remove {} uas hook entries", have.len())
    } else if have.is_empty() {
        format!("register {} uas hooks", desired.len())
    } else {
        "uas hook entries differ from what setup writes (edited or outdated); rewrite them"
            .to_owned()
    };
    let after = if desired.is_empty() {
        removed_text(history, file, &root, &text, required_root)
    } else {
        Some(hookjson::to_text(&root, &text).into_bytes())
    };
    overlay.set(agent, ChangeKind::Hooks, file, after, reason)
}

/// After removing our entries: the original bytes if the value is what it
/// was before uas, nothing if uas created the file, else re-serialized.
fn removed_text(
    history: &History,
    file: &Path,
    root: &Map<String, Value>,
    text: &str,
    required_root: &[(&str, i64)],
) -> Option<Vec<u8>> {
    if let Some(orig) = history.original(file) {
        let same =
            hookjson::parse_object(file, &String::from_utf8_lossy(&orig)).is_ok_and(|v| &v == root);
        if same {
            return Some(orig);
        }
    }
    let only_required = root
        .keys()
        .all(|k| required_root.iter().any(|(r, _)| r == k));
    if only_required && history.existed_before(file) == Some(false) {
        return None;
    }
    Some(hookjson::to_text(root, text).into_bytes())
}

pub(crate) fn plan_owned_file(
    overlay: &mut Overlay,
    notices: &mut Vec<Notice>,
    agent: AgentId,
    base: &Path,
    file: &Path,
    content: Option<Vec<u8>>,
    markers: &[&str],
) -> Result<(), PlanError> {
    if let Some(link) = symlink_on_path(base, file) {
        notices.push(symlink_notice(agent, &link));
        return Ok(());
    }
    let current = overlay.read(file)?;
    let ours = |b: &[u8]| {
        markers.iter().any(|m| {
            String::from_utf8_lossy(b)
                .lines()
                .take(6)
                .any(|l| l.contains(m))
        })
    };
    if let Some(cur) = &current
        && !ours(cur)
    {
        if content.is_some() {
            notices.push(Notice {
                agent,
                path: file.to_path_buf(),
                message: "a file of yours has this name; left alone (rename it to let uas generate its own)".into(),
            });
        }
        return Ok(());
    }
    let reason = match (&current, &content) {
        (None, Some(_)) => "generate",
        (Some(_), Some(_)) => "regenerate (edited or outdated)",
        _ => "remove generated file",
    };
    overlay.set(
        agent,
        ChangeKind::OwnedFile,
        file,
        content,
        reason.to_owned(),
    )
}

/// The plan for a repository: each agent's project instruction file gets
/// the managed block; Cursor gets a generated `.mdc` rule.
pub fn plan_project(
    input: &PlanInput<'_>,
    project: &Path,
    agents: &[AgentId],
    goal: Goal,
) -> Result<SetupPlan, PlanError> {
    let mut overlay = Overlay::default();
    let mut notices = Vec::new();
    for &agent in agents {
        let s = spec(agent);
        let Some(rel) = s.project_instructions else {
            continue;
        };
        let file = project.join(rel);
        let body = instructions_body(input.vfs, agent);
        if agent == AgentId::Cursor {
            let content = match goal {
                Goal::Install => Some(crate::agents::cursor_rule(&body).into_bytes()),
                Goal::Remove => None,
            };
            plan_owned_file(
                &mut overlay,
                &mut notices,
                agent,
                project,
                &file,
                content,
                crate::agents::OWNED_MARKERS,
            )?;
        } else if let Some(link) = symlink_on_path(project, &file) {
            notices.push(symlink_notice(agent, &link));
        } else {
            plan_block(&mut overlay, input.history, agent, &file, &body, goal)?;
        }
    }
    Ok(SetupPlan {
        changes: overlay.into_changes(),
        notices,
    })
}
