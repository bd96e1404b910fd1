//! Migration from a symlink farm: links where agents read their files
//! become managed copies, and rollback puts the links back.
#![cfg(unix)]

mod support;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use support::Machine;
use uas_core::AgentId;
use uas_providers::apply;
use uas_providers::history::ApplyCommand;
use uas_providers::migrate::{find_links, plan_migrate};

/// GEMINI.md and Claude's review-checklist skill as links into `~/.agent`.
fn symlink_farm() -> Machine {
    let m = Machine::new();
    std::fs::remove_file(m.path(".gemini/GEMINI.md")).expect("rm");
    symlink(
        m.path(".agent/instructions/AGENTS.md"),
        m.path(".gemini/GEMINI.md"),
    )
    .expect("link");
    std::fs::create_dir_all(m.path(".claude/skills")).expect("mkdir");
    symlink(
        m.path(".agent/skills/review-checklist"),
        m.path(".claude/skills/review-checklist"),
    )
    .expect("link");
    m
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn links_into_the_uas_home_are_found_for_the_agents_that_read_them() {
    let m = symlink_farm();
    let links = find_links(&m.uas, &m.probe, &AgentId::ALL);
    let found: Vec<_> = links
        .iter()
        .map(|l| (l.path.clone(), l.into_home, l.target_exists))
        .collect();
    assert_eq!(
        found,
        [
            (m.path(".claude/skills/review-checklist"), true, true),
            (m.path(".gemini/GEMINI.md"), true, true),
        ]
    );
}

#[test]
fn a_home_without_links_has_nothing_to_migrate() {
    let m = Machine::new();
    let plan = plan_migrate(&m.uas, &m.probe, &m.vfs(), &AgentId::ALL);
    assert!(plan.changes.is_empty() && plan.notices.is_empty());
}

#[test]
fn migrate_replaces_each_symlink_with_a_managed_copy_and_rollback_puts_the_links_back() {
    let m = symlink_farm();
    let before = m.files();
    let universal = m.read(".agent/instructions/AGENTS.md");
    let plan = plan_migrate(&m.uas, &m.probe, &m.vfs(), &AgentId::ALL);
    m.apply(&plan, ApplyCommand::Migrate).expect("migrated");

    let gemini = m.path(".gemini/GEMINI.md");
    assert!(!is_symlink(&gemini));
    let text = String::from_utf8(m.read(".gemini/GEMINI.md")).expect("utf-8");
    assert!(
        text.contains("<!-- uas:begin") && text.contains("Record a plan before editing."),
        "{text}"
    );
    let skill = m.path(".claude/skills/review-checklist");
    assert!(!is_symlink(&skill));
    assert!(skill.join(".uas-managed").is_file());
    assert_eq!(
        m.read(".claude/skills/review-checklist/SKILL.md"),
        m.read(".agent/skills/review-checklist/SKILL.md")
    );
    let mode = std::fs::metadata(skill.join("scripts/run.sh"))
        .expect("script")
        .permissions()
        .mode();
    assert_ne!(mode & 0o111, 0, "the copied script lost its execute bit");
    assert_eq!(
        m.read(".agent/instructions/AGENTS.md"),
        universal,
        "migrate wrote through the link"
    );

    apply::rollback(&m.backups())
        .expect("rollback")
        .expect("undo");
    assert!(is_symlink(&gemini) && is_symlink(&skill));
    assert_eq!(m.files(), before);
}

#[test]
fn a_link_to_a_file_outside_the_instructions_is_copied_as_it_is() {
    let m = Machine::new();
    let elsewhere = m.home.root().join("dotfiles/GEMINI.md");
    std::fs::create_dir_all(elsewhere.parent().expect("parent")).expect("mkdir");
    std::fs::write(&elsewhere, "my dotfiles' rules\n").expect("write");
    std::fs::remove_file(m.path(".gemini/GEMINI.md")).expect("rm");
    symlink(&elsewhere, m.path(".gemini/GEMINI.md")).expect("link");
    let plan = plan_migrate(&m.uas, &m.probe, &m.vfs(), &AgentId::ALL);
    m.apply(&plan, ApplyCommand::Migrate).expect("migrated");
    assert!(!is_symlink(&m.path(".gemini/GEMINI.md")));
    assert_eq!(m.read(".gemini/GEMINI.md"), b"my dotfiles' rules\n");
}

#[test]
fn a_dangling_link_is_a_notice_and_is_left_alone() {
    let m = Machine::new();
    std::fs::remove_file(m.path(".gemini/GEMINI.md")).expect("rm");
    symlink(m.path(".agent/gone.md"), m.path(".gemini/GEMINI.md")).expect("link");
    let plan = plan_migrate(&m.uas, &m.probe, &m.vfs(), &AgentId::ALL);
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    assert!(
        plan.notices
            .iter()
            .any(|n| n.path == m.path(".gemini/GEMINI.md") && n.message.contains("dangling")),
        "{:?}",
        plan.notices
    );
}
