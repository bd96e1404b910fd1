//! Migration from the symlink farm: agent files and skill folders that are
//! symlinks (typically into `~/.agent/`) become managed copies with the same
//! content. Each replaced link is recorded so `uas rollback-setup` puts the
//! symlink back.

use crate::ProbeEnv;
use crate::block;
use crate::plan::{AgentPaths, ChangeKind, FileChange, Notice, SetupPlan};
use crate::skills::{MARKER, files_under};
use serde::Serialize;
use std::path::{Path, PathBuf};
use uas_core::{AgentId, Home};
use uas_vfs::Vfs;

/// A symlink found where an agent reads its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FoundLink {
    /// Which agent reads it.
    pub agent: AgentId,
    /// The link.
    #[ts(type = "string")]
    pub path: PathBuf,
    /// Where it points.
    #[ts(type = "string")]
    pub target: PathBuf,
    /// Whether the target is inside the uas home (a symlink-farm link).
    pub into_home: bool,
    /// Whether the target exists.
    pub target_exists: bool,
}

fn link_target(p: &Path) -> Option<PathBuf> {
    p.symlink_metadata()
        .ok()
        .filter(|m| m.file_type().is_symlink())?;
    let t = std::fs::read_link(p).ok()?;
    Some(if t.is_absolute() {
        t
    } else {
        p.parent().map(|d| d.join(&t)).unwrap_or(t)
    })
}

/// Every symlink at a place an agent reads from.
pub fn find_links(home: &Home, probe: &ProbeEnv, agents: &[AgentId]) -> Vec<FoundLink> {
    let mut out = Vec::new();
    let home_root = home
        .root()
        .canonicalize()
        .unwrap_or_else(|_| home.root().to_path_buf());
    for &agent in agents {
        let paths = AgentPaths::new(agent, probe);
        let mut candidates: Vec<PathBuf> = paths.instructions().into_iter().collect();
        let skills = paths.skills_dir();
        candidates.push(skills.clone());
        if link_target(&skills).is_none()
            && let Ok(rd) = std::fs::read_dir(&skills)
        {
            candidates.extend(rd.flatten().map(|e| e.path()));
        }
        for path in candidates {
            if let Some(target) = link_target(&path) {
                let resolved = target.canonicalize().ok();
                out.push(FoundLink {
                    agent,
                    into_home: resolved.as_ref().is_some_and(|r| r.starts_with(&home_root))
                        || target.starts_with(home.root()),
                    target_exists: resolved.is_some(),
                    path,
                    target,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.agent.cmp(&b.agent)));
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// The plan that replaces each link with a managed copy.
pub fn plan_migrate(home: &Home, probe: &ProbeEnv, vfs: &Vfs, agents: &[AgentId]) -> SetupPlan {
    let mut plan = SetupPlan::default();
    for link in find_links(home, probe, agents) {
        if !link.target_exists {
            plan.notices.push(Notice {
                agent: link.agent,
                path: link.path.clone(),
                message: format!(
                    "dangling symlink to {}; remove it by hand",
                    link.target.display()
                ),
            });
            continue;
        }
        let paths = AgentPaths::new(link.agent, probe);
        let change = |path: PathBuf, after: Option<Vec<u8>>, kind, reason: &str| FileChange {
            path,
            agents: vec![link.agent],
            kind,
            before: None,
            before_link: None,
            after,
            reason: reason.to_owned(),
            executable: false,
        };
        if paths.instructions().as_ref() == Some(&link.path) {
            // A link into the universal instructions becomes our managed
            // block (the same text); any other target is copied as is.
            let from_instructions = link
                .target
                .canonicalize()
                .ok()
                .zip(home.instructions_dir().canonicalize().ok())
                .is_some_and(|(t, i)| t.starts_with(i));
            let after = if from_instructions {
                block::upsert("", &crate::plan::instructions_body(vfs, link.agent))
                    .unwrap_or_default()
                    .into_bytes()
            } else {
                std::fs::read(&link.target).unwrap_or_default()
            };
            let mut c = change(
                link.path.clone(),
                Some(after),
                ChangeKind::Instructions,
                "replace symlink with a managed copy",
            );
            c.before_link = Some(link.target.clone());
            plan.changes.push(c);
            continue;
        }
        // A skill folder, or the whole skills folder.
        let whole = link.path == paths.skills_dir();
        let mut c = change(
            link.path.clone(),
            None,
            ChangeKind::Skill,
            "replace symlink with managed copies",
        );
        c.before_link = Some(link.target.clone());
        plan.changes.push(c);
        let skill_dirs: Vec<(PathBuf, PathBuf)> = if whole {
            std::fs::read_dir(&link.target)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.path().join("SKILL.md").is_file())
                .map(|e| (e.path(), link.path.join(e.file_name())))
                .collect()
        } else {
            vec![(link.target.clone(), link.path.clone())]
        };
        for (src, dest) in skill_dirs {
            for rel in files_under(&src) {
                let bytes = std::fs::read(src.join(&rel)).ok();
                let mut c = change(
                    dest.join(&rel),
                    bytes,
                    ChangeKind::Skill,
                    "managed copy of a symlinked skill",
                );
                c.executable = uas_vfs::is_executable(&src.join(&rel));
                plan.changes.push(c);
            }
            let marker = format!("migrated-from {} \n", src.display()).into_bytes();
            plan.changes.push(change(
                dest.join(MARKER),
                Some(marker),
                ChangeKind::Skill,
                "mark the copy as managed",
            ));
        }
    }
    plan
}
