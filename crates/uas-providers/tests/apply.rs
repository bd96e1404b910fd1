//! Apply and rollback against a copy of the fixture home: what an apply
//! records under `~/.agent/backups/`, and that rollback puts every file back.

mod support;

use std::path::PathBuf;
use support::Machine;
use uas_core::AgentId;
use uas_providers::apply::{self, Failpoints};
use uas_providers::history::{ApplyCommand, Before};
use uas_providers::plan::{ChangeKind, FileChange, Goal, SetupPlan};

#[test]
fn an_empty_plan_is_not_recorded() {
    let m = Machine::new();
    let applied = apply::apply(
        &SetupPlan::default(),
        &m.backups(),
        ApplyCommand::Setup,
        &Failpoints::default(),
    )
    .expect("apply");
    assert_eq!(applied, None);
    assert!(
        !m.backups().exists(),
        "an empty apply made a backups folder"
    );
}

#[test]
fn apply_counts_what_it_wrote_and_numbers_generations_from_one() {
    let m = Machine::new();
    let plan = m.plan(&[AgentId::Claude], Goal::Install);
    let applied = m.apply(&plan, ApplyCommand::Setup).expect("applied");
    assert_eq!(applied.generation, 1);
    assert_eq!(applied.written, plan.changes.len());
    assert_eq!(applied.deleted, 0);
    let second = m.run(&[AgentId::Codex], Goal::Install, ApplyCommand::Setup);
    assert_eq!(second.generation, 2);
}

#[test]
fn apply_writes_a_complete_manifest_with_a_backup_of_each_previous_content() {
    let m = Machine::new();
    let original = m.read(".claude/settings.json");
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let history = m.history();
    let [manifest] = history.manifests() else {
        panic!("expected one manifest: {:?}", history.manifests());
    };
    assert!(manifest.complete && !manifest.rolled_back);
    assert_eq!(manifest.command, ApplyCommand::Setup);
    assert_eq!(manifest.agents, [AgentId::Claude]);
    let entry = manifest
        .entries
        .iter()
        .find(|e| e.path == m.path(".claude/settings.json"))
        .expect("settings.json is in the manifest");
    let Before::File { backup } = &entry.before else {
        panic!("settings.json existed: {:?}", entry.before);
    };
    let saved = std::fs::read(history.apply_dir(1).join(backup)).expect("backup");
    assert_eq!(saved, original);
    // A file uas creates is recorded as missing before, so rollback deletes it.
    let created = manifest
        .entries
        .iter()
        .find(|e| e.path.ends_with("review-checklist/SKILL.md"))
        .expect("the skill copy is in the manifest");
    assert_eq!(created.before, Before::Missing);
}

#[test]
fn the_manifest_lists_new_folders_before_the_files_in_them() {
    let m = Machine::new();
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let history = m.history();
    let entries = &history.manifests()[0].entries;
    let skills = m.path(".claude/skills");
    let dir_at = entries
        .iter()
        .position(|e| e.dir && e.path == skills)
        .expect("~/.claude/skills was created and recorded");
    let file_at = entries
        .iter()
        .position(|e| e.path.starts_with(&skills) && !e.dir)
        .expect("a skill file");
    assert!(
        dir_at < file_at,
        "rollback must remove the folder after its files"
    );
}

#[cfg(unix)]
#[test]
fn apply_and_rollback_keep_the_mode_of_a_file_they_replace() {
    use std::os::unix::fs::PermissionsExt;
    let m = Machine::new();
    let settings = m.path(".claude/settings.json");
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mode = || {
        std::fs::metadata(&settings)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777
    };
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    assert_eq!(mode(), 0o600, "apply changed the mode");
    apply::rollback(&m.backups()).expect("rollback");
    assert_eq!(mode(), 0o600, "rollback changed the mode");
}

#[test]
fn rollback_restores_every_file_and_removes_what_apply_created() {
    let m = Machine::new();
    let original = m.files();
    m.run(&AgentId::ALL, Goal::Install, ApplyCommand::Setup);
    assert_ne!(m.files(), original);
    let undone = apply::rollback(&m.backups())
        .expect("rollback")
        .expect("something to undo");
    assert_eq!(undone.generation, 1);
    assert_eq!(undone.command, ApplyCommand::Setup);
    assert_eq!(m.files(), original);
    assert!(
        !m.path(".claude/skills").exists(),
        "a created folder stayed"
    );
    assert!(m.history().manifests()[0].rolled_back);
}

#[test]
fn rollback_undoes_the_newest_apply_first_and_then_has_nothing_left() {
    let m = Machine::new();
    let original = m.files();
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let after_claude = m.files();
    m.run(&[AgentId::Codex], Goal::Install, ApplyCommand::Setup);
    let first = apply::rollback(&m.backups())
        .expect("rollback")
        .expect("undo");
    assert_eq!(first.generation, 2);
    assert_eq!(m.files(), after_claude);
    let second = apply::rollback(&m.backups())
        .expect("rollback")
        .expect("undo");
    assert_eq!(second.generation, 1);
    assert_eq!(m.files(), original);
    assert_eq!(apply::rollback(&m.backups()).expect("rollback"), None);
}

#[test]
fn rollback_with_no_backups_folder_has_nothing_to_undo() {
    let m = Machine::new();
    assert_eq!(
        apply::rollback(&m.backups().join("never-made")).expect("rollback"),
        None
    );
    assert!(!m.backups().exists());
}

/// A change that writes `after` to `path` (which held `before`).
fn change(path: PathBuf, before: Option<Vec<u8>>, after: &[u8]) -> FileChange {
    FileChange {
        path,
        agents: vec![AgentId::Claude],
        kind: ChangeKind::Hooks,
        before,
        before_link: None,
        after: Some(after.to_vec()),
        reason: "test".into(),
        executable: false,
    }
}

#[test]
fn a_failed_write_puts_back_the_files_written_before_it_from_the_backups() {
    let m = Machine::new();
    let original = m.files();
    let settings = m.path(".claude/settings.json");
    // The second write fails: its folder is a file.
    std::fs::write(m.path("blocker"), "a file, not a folder").expect("write");
    let plan = SetupPlan {
        changes: vec![
            change(
                settings.clone(),
                Some(m.read(".claude/settings.json")),
                b"{}\n",
            ),
            change(m.path("blocker/hooks.json"), None, b"{}\n"),
        ],
        notices: Vec::new(),
        skipped: Vec::new(),
    };
    let err = apply::apply(
        &plan,
        &m.backups(),
        ApplyCommand::Setup,
        &Failpoints::default(),
    )
    .expect_err("the second write cannot succeed");
    assert!(err.to_string().contains("blocker"), "{err}");
    assert!(
        matches!(err, apply::ApplyError::RolledBack { generation: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("was rolled back"), "{err}");
    let history = m.history();
    let [manifest] = history.manifests() else {
        panic!(
            "the manifest was not written first: {:?}",
            history.manifests()
        );
    };
    assert!(
        !manifest.complete && manifest.rolled_back,
        "a failed apply is recorded as rolled back"
    );
    assert!(
        apply::rollback(&m.backups()).expect("rollback").is_none(),
        "nothing is left to undo"
    );
    let mut expected = original;
    expected.insert(PathBuf::from("blocker"), b"a file, not a folder".to_vec());
    assert_eq!(m.files(), expected);
}
