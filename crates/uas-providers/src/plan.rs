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
    /// A JSON config is not UTF-8 text (decoding it lossily would write
    /// U+FFFD over the user's bytes).
    #[error(
        "{path}: line {line} is not valid UTF-8; save the file as UTF-8 and run setup again (uas did not change it)"
    )]
    NotUtf8 {
        /// The file.
        path: String,
        /// 1-based line of the first bad byte.
        line: usize,
    },
    /// A value where our hooks go has a layout we do not know.
    #[error(
        "{path}: `{key}` is {found}, but {expected} belongs there; uas will not replace it: fix or move that value by hand and run setup again (uas did not change the file)"
    )]
    Shape {
        /// The file.
        path: String,
        /// Key path (`hooks.PreToolUse`).
        key: String,
        /// What is there.
        found: &'static str,
        /// What belongs there.
        expected: &'static str,
    },
    /// An agent's file is a symlink uas cannot write through.
    #[error("not set up: {link} is a symlink to {target}, {problem}; {remedy} and run setup again")]
    Symlink {
        /// The link.
        link: String,
        /// Where it points.
        target: String,
        /// Why uas cannot use it.
        problem: &'static str,
        /// What to do.
        remedy: &'static str,
    },
    /// Several agents' files are broken; nothing was planned.
    #[error("{}", broken_list(.0))]
    Broken(Vec<Skipped>),
}

fn broken_list(all: &[Skipped]) -> String {
    let mut out = format!(
        "{} agent file(s) cannot be set up, so nothing was written:",
        all.len()
    );
    for s in all {
        out.push_str(&format!("\n  - {}: {}", s.agent.as_str(), s.reason));
    }
    out.push_str("\nfix each file, or run `uas setup --partial` to set up the other agents now");
    out
}

impl PlanError {
    /// The file the error is about.
    pub fn path(&self) -> PathBuf {
        match self {
            Self::Json(e) => PathBuf::from(&e.path),
            Self::Block { path, .. }
            | Self::Read { path, .. }
            | Self::NotUtf8 { path, .. }
            | Self::Shape { path, .. } => PathBuf::from(path),
            Self::Symlink { link, .. } => PathBuf::from(link),
            Self::Broken(all) => all.first().map(|s| s.path.clone()).unwrap_or_default(),
        }
    }
}

/// An agent left out of a plan because one of its files cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Skipped {
    /// Which agent.
    pub agent: AgentId,
    /// The file.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// What is wrong and what to do.
    pub reason: String,
}

/// The result of planning.
#[derive(Debug, Clone, Default)]
pub struct SetupPlan {
    /// Changes, in order.
    pub changes: Vec<FileChange>,
    /// Things left alone, with advice.
    pub notices: Vec<Notice>,
    /// Agents left out because a file of theirs cannot be used
    /// ([`plan_partial`] only; [`plan`] refuses instead).
    pub skipped: Vec<Skipped>,
}

/// The plan for `agents` toward `goal`. Any agent whose files cannot be
/// used stops it; the error lists every such file, not only the first.
pub fn plan(input: &PlanInput<'_>, agents: &[AgentId], goal: Goal) -> Result<SetupPlan, PlanError> {
    let (plan, mut errors) = plan_each(input, agents, goal);
    if errors.is_empty() {
        return Ok(plan);
    }
    if agents.len() == 1 {
        // Nothing else to set up: the error itself (with its own kind).
        return Err(errors.remove(0));
    }
    Err(PlanError::Broken(plan.skipped))
}

/// The plan for the agents whose files can be used; the others are in
/// [`SetupPlan::skipped`] with the reason, and none of their changes is
/// planned (an agent is planned whole or not at all).
pub fn plan_partial(input: &PlanInput<'_>, agents: &[AgentId], goal: Goal) -> SetupPlan {
    plan_each(input, agents, goal).0
}

fn plan_each(input: &PlanInput<'_>, agents: &[AgentId], goal: Goal) -> (SetupPlan, Vec<PlanError>) {
    let mut overlay = Overlay::default();
    let mut notices = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for &agent in agents {
        let (saved, notices_before) = (overlay.clone(), notices.len());
        if let Err(error) = plan_agent(input, &mut overlay, &mut notices, agent, agents, goal) {
            tracing::warn!(agent = agent.as_str(), %error, "agent left out of the plan");
            overlay = saved;
            notices.truncate(notices_before);
            skipped.push(Skipped {
                agent,
                path: error.path(),
                reason: error.to_string(),
            });
            errors.push(error);
        }
    }
    let plan = SetupPlan {
        changes: overlay.into_changes(),
        notices,
        skipped,
    };
    (plan, errors)
}

fn plan_agent(
    input: &PlanInput<'_>,
    overlay: &mut Overlay,
    notices: &mut Vec<Notice>,
    agent: AgentId,
    agents: &[AgentId],
    goal: Goal,
) -> Result<(), PlanError> {
    let staying: Vec<AgentId> = match goal {
        Goal::Install => Vec::new(),
        Goal::Remove => AgentId::ALL
            .into_iter()
            .filter(|a| !agents.contains(a) && is_configured(*a, input.probe))
            .collect(),
    };
    let paths = AgentPaths::new(agent, input.probe);
    let base = input.probe.user_home.as_path();
    if let Some(file) = paths.instructions() {
        let shared_with_staying = staying
            .iter()
            .any(|s| AgentPaths::new(*s, input.probe).instructions().as_ref() == Some(&file));
        match resolve_link(input, &file)? {
            Target::LeftAlone(link) => notices.push(symlink_notice(agent, &link)),
            Target::File { .. } if goal == Goal::Remove && shared_with_staying => {}
            Target::File { path, via } => {
                // A file two agents share (GEMINI.md) gets the first one's text.
                let owner = AgentId::ALL
                    .into_iter()
                    .find(|a| {
                        AgentPaths::new(*a, input.probe).instructions().as_ref() == Some(&file)
                    })
                    .unwrap_or(agent);
                let body = instructions_body(input.vfs, owner);
                plan_block(overlay, input.history, agent, &path, &body, goal)?;
                overlay.note_link(&path, via.as_deref());
            }
        }
    }
    if let (Some(hooks), Some(file)) = (&paths.spec.hooks, paths.hook_file()) {
        match resolve_link(input, &file)? {
            Target::LeftAlone(link) => notices.push(symlink_notice(agent, &link)),
            Target::File { path, via } => {
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
                    overlay,
                    input.history,
                    agent,
                    &path,
                    hooks.shape,
                    hooks.required_root,
                    &desired,
                )?;
                overlay.note_link(&path, via.as_deref());
            }
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
    } else if let (Some((_, render)), Some(file)) = (paths.spec.owned_file, paths.owned_file()) {
        let content = match goal {
            Goal::Install => Some(render(input.uas_bin).into_bytes()),
            Goal::Remove => None,
        };
        plan_owned_file(
            overlay,
            notices,
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
    skills::plan_skills(overlay, notices, agent, base, &paths.skills_dir(), &skills)
}

/// Where setup writes for an agent's file.
enum Target {
    /// This regular file (or missing file); `via` is the symlink that
    /// points at it, if the agent's path is one.
    File { path: PathBuf, via: Option<PathBuf> },
    /// A symlink left as it is, with a notice (links into the uas home,
    /// which `uas migrate` turns into copies; folder links higher up).
    LeftAlone(PathBuf),
}

/// Follows a dotfiles-manager link (`~/.claude/settings.json ->
/// ~/dotfiles/claude/settings.json`) to a regular file the user owns, so
/// setup edits the file the agent really reads and the link stays. Any
/// other link is refused by name: saying "up to date" while nothing was set
/// up is the one answer that must never happen.
fn resolve_link(input: &PlanInput<'_>, file: &Path) -> Result<Target, PlanError> {
    let base = input.probe.user_home.as_path();
    let Some(link) = symlink_on_path(base, file) else {
        return Ok(Target::File {
            path: file.to_path_buf(),
            via: None,
        });
    };
    let shown = std::fs::read_link(&link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    let refuse = |problem| PlanError::Symlink {
        link: link.display().to_string(),
        target: shown.clone(),
        problem,
        remedy: "point the link at a regular file you own (or replace it with a file)",
    };
    let Ok(target) = std::fs::canonicalize(&link) else {
        return Err(refuse("which does not exist"));
    };
    if input
        .history
        .uas_home()
        .and_then(|h| std::fs::canonicalize(h).ok())
        .is_some_and(|h| target.starts_with(h))
    {
        // The symlink farm: its target is a universal resource of ours,
        // which `uas migrate` turns into copies.
        return Ok(Target::LeftAlone(link));
    }
    if link != file {
        return Err(PlanError::Symlink {
            link: link.display().to_string(),
            target: shown,
            problem: "a folder on the way to the agent's files (uas follows a symlink only when it is the file itself)",
            remedy: "replace the link with a real folder (or link the files one by one)",
        });
    }
    let meta = std::fs::metadata(&target).map_err(|e| PlanError::Read {
        path: target.display().to_string(),
        message: e.to_string(),
    })?;
    if !meta.is_file() {
        return Err(refuse("which is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let home_uid = std::fs::metadata(base).map(|m| m.uid()).ok();
        if home_uid.is_some_and(|uid| uid != meta.uid()) {
            return Err(refuse("which is owned by another user"));
        }
    }
    Ok(Target::File {
        path: target,
        via: Some(link),
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
            "symlink to {target} left as is (uas follows a symlink only when it is an agent config file pointing at a regular file of yours, never into ~/.agent); run `uas migrate` to replace it with a managed copy"
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
    // Bytes, not text: the user's part may be in any encoding.
    let text = current.as_deref().unwrap_or_default();
    let block_err = |source| PlanError::Block {
        path: file.display().to_string(),
        source,
    };
    let found = block::find_bytes(text).map_err(block_err)?;
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
                Some(block::upsert_bytes(text, body).map_err(block_err)?),
                reason,
            )
        }
        Goal::Remove => {
            let rest = block::remove_bytes(text).map_err(block_err)?;
            let after = if rest.is_empty()
                && history.existed_before(file) != Some(true)
                && current.is_some()
            {
                None
            } else {
                Some(rest)
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
    let parsed = parse_hook_file(file, current.as_deref().unwrap_or_default(), shape, desired);
    let (text, mut root) = match parsed {
        Ok(ok) => ok,
        // Uninstall of a file uas never changed (one setup refused, say):
        // there is nothing of ours in it to remove.
        Err(e) if desired.is_empty() && history.existed_before(file).is_none() => {
            tracing::debug!(error = %e, "uninstall: file never touched by uas, left alone");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
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
        removed_text(history, file, shape, &mut root, &text, required_root)
    } else {
        Some(hookjson::to_text(&root, &text).into_bytes())
    };
    overlay.set(agent, ChangeKind::Hooks, file, after, reason)
}

/// The text and top-level object of a hook file, refusing what setup could
/// only damage: bytes that are not UTF-8, and values of unknown shape where
/// our entries for `desired` would go.
fn parse_hook_file(
    file: &Path,
    bytes: &[u8],
    shape: HookShape,
    desired: &[(String, Value)],
) -> Result<(String, Map<String, Value>), PlanError> {
    let text = std::str::from_utf8(bytes).map_err(|e| PlanError::NotUtf8 {
        path: file.display().to_string(),
        line: hookjson::line_of(bytes, e.valid_up_to()),
    })?;
    let root = hookjson::parse_object(file, text)?;
    let events: Vec<&str> = desired.iter().map(|(e, _)| e.as_str()).collect();
    hookjson::check_shape(&root, shape, &events).map_err(|e| PlanError::Shape {
        path: file.display().to_string(),
        key: e.key,
        found: e.found,
        expected: e.expected,
    })?;
    Ok((text.to_owned(), root))
}

/// After removing our entries: the original bytes if the value is what it
/// was before uas, nothing if uas created the file, else re-serialized.
/// Empty lists and maps the original had come back at their places first
/// (removing our entry from `"PreToolUse": []` must not delete the key).
fn removed_text(
    history: &History,
    file: &Path,
    shape: HookShape,
    root: &mut Map<String, Value>,
    text: &str,
    required_root: &[(&str, i64)],
) -> Option<Vec<u8>> {
    if let Some(orig) = history.original(file) {
        let before = std::str::from_utf8(&orig)
            .ok()
            .and_then(|t| hookjson::parse_object(file, t).ok());
        if let Some(before) = before {
            hookjson::restore_empty(root, &before, shape);
            if &before == root {
                return Some(orig);
            }
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
        skipped: Vec::new(),
    })
}
