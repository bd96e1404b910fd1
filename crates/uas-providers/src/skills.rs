//! Skill folders materialized into an agent's skills dir. A folder we made
//! carries a `.uas-managed` file; a folder without it is the user's and is
//! never touched.

use crate::plan::{ChangeKind, Notice, Overlay, PlanError, symlink_on_path};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use uas_core::AgentId;
use uas_vfs::SkillTree;

/// Name of the ownership marker inside each skill folder we create.
pub const MARKER: &str = ".uas-managed";

fn marker_content(skill: &SkillTree) -> Vec<u8> {
    format!("{} sha256={}\n", skill.address, skill.hash).into_bytes()
}

/// Every file under `dir`, relative, sorted (missing dir: empty).
pub fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in rd.flatten() {
            let r = rel.join(e.file_name());
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(r),
                Ok(_) => {
                    out.insert(r);
                }
                Err(_) => {}
            }
        }
    }
    out
}

/// Plans the skills dir of one agent: `skills` present and current, our
/// folders that are no longer wanted removed, the user's folders untouched.
pub(crate) fn plan_skills(
    overlay: &mut Overlay,
    notices: &mut Vec<Notice>,
    agent: AgentId,
    base: &Path,
    skills_dir: &Path,
    skills: &[&SkillTree],
) -> Result<(), PlanError> {
    if let Some(link) = symlink_on_path(base, skills_dir) {
        if !skills.is_empty() {
            notices.push(Notice {
                agent,
                path: link.clone(),
                message: format!(
                    "skills folder is a symlink to {}; left as is. Run `uas migrate` to replace it with managed copies",
                    std::fs::read_link(&link).map(|t| t.display().to_string()).unwrap_or_default()
                ),
            });
        }
        return Ok(());
    }
    let wanted: BTreeSet<&str> = skills.iter().map(|s| s.name.as_str()).collect();
    // Our folders that should go.
    if let Ok(rd) = std::fs::read_dir(skills_dir) {
        for e in rd.flatten() {
            let dir = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let is_ours = !dir
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
                && dir.join(MARKER).is_file();
            if is_ours && !wanted.contains(name.as_str()) {
                for f in files_under(&dir) {
                    overlay.set(
                        agent,
                        ChangeKind::Skill,
                        &dir.join(f),
                        None,
                        format!("remove skill {name}"),
                    )?;
                }
            }
        }
    }
    for skill in skills {
        let dest = skills_dir.join(&skill.name);
        let meta = dest.symlink_metadata();
        if meta.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
            notices.push(Notice {
                agent,
                path: dest.clone(),
                message: format!(
                    "skill {} is a symlink to {}; left as is. Run `uas migrate` to replace it with a managed copy",
                    skill.name,
                    std::fs::read_link(&dest).map(|t| t.display().to_string()).unwrap_or_default()
                ),
            });
            continue;
        }
        if meta.is_ok() && !dest.join(MARKER).is_file() {
            notices.push(Notice {
                agent,
                path: dest.clone(),
                message: format!("a skill folder of yours is named {}; left alone (uas only manages folders it created)", skill.name),
            });
            continue;
        }
        let existing = files_under(&dest);
        let mut desired: Vec<(PathBuf, Vec<u8>)> = skill
            .files
            .iter()
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect();
        desired.push((PathBuf::from(MARKER), marker_content(skill)));
        let reason = if existing.is_empty() {
            format!("install skill {} from {}", skill.name, skill.address)
        } else {
            format!(
                "skill {} differs from {} (edited or updated)",
                skill.name, skill.address
            )
        };
        for (rel, content) in &desired {
            let path = dest.join(rel);
            overlay.set(
                agent,
                ChangeKind::Skill,
                &path,
                Some(content.clone()),
                reason.clone(),
            )?;
            if skill.executables.contains(rel) {
                overlay.set_executable(&path);
            }
        }
        for extra in existing
            .iter()
            .filter(|p| !desired.iter().any(|(d, _)| d == *p))
        {
            overlay.set(
                agent,
                ChangeKind::Skill,
                &dest.join(extra),
                None,
                format!("file not in {}", skill.address),
            )?;
        }
    }
    Ok(())
}
