//! The apply history read back from `~/.agent/backups/`: generations, the
//! last command per agent, what existed before uas, and damaged manifests.

mod support;

use support::Machine;
use uas_core::AgentId;
use uas_providers::apply;
use uas_providers::history::{ApplyCommand, History};
use uas_providers::plan::Goal;

#[test]
fn a_missing_backups_folder_is_an_empty_history_starting_at_generation_one() {
    let m = Machine::new();
    let history = History::load(&m.backups());
    assert!(history.manifests().is_empty());
    assert_eq!(history.next_generation(), 1);
    assert_eq!(history.last_command_for(AgentId::Claude), None);
}

#[test]
fn the_last_command_is_kept_per_agent() {
    let m = Machine::new();
    m.run(
        &[AgentId::Claude, AgentId::Codex],
        Goal::Install,
        ApplyCommand::Setup,
    );
    m.run(&[AgentId::Codex], Goal::Remove, ApplyCommand::Uninstall);
    let history = m.history();
    assert_eq!(
        history.last_command_for(AgentId::Claude),
        Some(ApplyCommand::Setup)
    );
    assert_eq!(
        history.last_command_for(AgentId::Codex),
        Some(ApplyCommand::Uninstall)
    );
    assert_eq!(history.last_command_for(AgentId::Cursor), None);
    assert_eq!(history.next_generation(), 3);
}

#[test]
fn a_rolled_back_apply_is_not_the_last_command() {
    let m = Machine::new();
    m.run(&[AgentId::Codex], Goal::Install, ApplyCommand::Setup);
    m.run(&[AgentId::Codex], Goal::Remove, ApplyCommand::Uninstall);
    apply::rollback(&m.backups()).expect("rollback");
    assert_eq!(
        m.history().last_command_for(AgentId::Codex),
        Some(ApplyCommand::Setup)
    );
}

#[test]
fn history_knows_which_files_existed_before_uas_and_which_folders_it_made() {
    let m = Machine::new();
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let history = m.history();
    assert_eq!(
        history.existed_before(&m.path(".claude/settings.json")),
        Some(true)
    );
    assert_eq!(
        history.existed_before(&m.path(".claude/skills/review-checklist/SKILL.md")),
        Some(false)
    );
    assert_eq!(history.existed_before(&m.path(".codex/hooks.json")), None);
    assert!(history.created_dir(&m.path(".claude/skills")));
    assert!(!history.created_dir(&m.path(".claude")));
}

#[test]
fn the_original_bytes_survive_later_applies() {
    let m = Machine::new();
    let original = m.read(".claude/settings.json");
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    // Drift in our hooks: the repair rewrites settings.json, so generation 2
    // backs up the set-up bytes, not the user's.
    let mut v = m.json(".claude/settings.json");
    v["hooks"].as_object_mut().expect("hooks").remove("Stop");
    std::fs::write(
        m.path(".claude/settings.json"),
        serde_json::to_vec_pretty(&v).expect("ser"),
    )
    .expect("write");
    let repair = m.plan(&[AgentId::Claude], Goal::Install);
    assert!(
        repair
            .changes
            .iter()
            .any(|c| c.path == m.path(".claude/settings.json"))
    );
    m.apply(&repair, ApplyCommand::Repair);
    assert_eq!(
        m.history().original(&m.path(".claude/settings.json")),
        Some(original)
    );
}

#[test]
fn an_unreadable_manifest_is_skipped_and_the_others_still_count() {
    let m = Machine::new();
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let broken = m.backups().join("000002");
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(broken.join("manifest.json"), "{ not json").expect("write");
    let history = m.history();
    assert_eq!(history.manifests().len(), 1);
    assert_eq!(
        history.last_command_for(AgentId::Claude),
        Some(ApplyCommand::Setup)
    );
}
