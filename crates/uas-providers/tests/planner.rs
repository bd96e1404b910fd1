//! The planner against a copy of the fixture home: what it plans, that
//! planning writes nothing, and that install then remove is the identity.

mod support;

use std::path::Path;
use support::{Machine, uas_commands};
use uas_core::AgentId;
use uas_providers::history::ApplyCommand;
use uas_providers::plan::{FileChange, Goal, PlanError, SetupPlan};

/// The planned change of `path`; panics when the plan leaves it alone.
fn change_for<'p>(plan: &'p SetupPlan, path: &Path) -> &'p FileChange {
    plan.changes
        .iter()
        .find(|c| c.path == path)
        .unwrap_or_else(|| panic!("{} is not planned", path.display()))
}

#[test]
fn planning_writes_nothing() {
    let m = Machine::new();
    let before = m.files();
    let plan = m.plan(&AgentId::ALL, Goal::Install);
    assert!(!plan.changes.is_empty());
    assert_eq!(m.files(), before);
}

#[test]
fn the_install_plan_keeps_claudes_foreign_hook_and_unknown_keys() {
    let m = Machine::new();
    let plan = m.plan(&[AgentId::Claude], Goal::Install);
    let settings = m.path(".claude/settings.json");
    let change = change_for(&plan, &settings);
    assert_eq!(
        change.before.as_deref(),
        Some(&m.read(".claude/settings.json")[..])
    );
    let after: serde_json::Value =
        serde_json::from_slice(change.after.as_deref().expect("written")).expect("json");
    assert_eq!(
        after["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "~/bin/block-rm-rf.sh"
    );
    assert_eq!(
        after["hooks"]["Notification"][0]["hooks"][0]["command"],
        "notify-send Claude"
    );
    assert_eq!(
        after["x-unknown-future-key"],
        serde_json::json!([1, 2, {"nested": null}])
    );
    assert_eq!(after["statusLine"]["command"], "~/.claude/statusline.sh");
    assert_eq!(uas_commands(&after), 13, "{after:#}");
    for event in [
        "PermissionRequest",
        "ConfigChange",
        "SubagentStart",
        "StopFailure",
    ] {
        assert!(
            after["hooks"][event]
                .to_string()
                .contains("uas hook claude"),
            "{event} not registered: {after:#}"
        );
    }
}

#[test]
fn the_install_plan_adds_our_block_after_the_users_claude_md_text() {
    let m = Machine::new();
    let user = String::from_utf8(m.read(".claude/CLAUDE.md")).expect("utf-8");
    let plan = m.plan(&[AgentId::Claude], Goal::Install);
    let change = change_for(&plan, &m.path(".claude/CLAUDE.md"));
    let after = String::from_utf8(change.after.clone().expect("written")).expect("utf-8");
    assert!(after.starts_with(&user), "{after}");
    let block = &after[user.len()..];
    assert!(block.contains("<!-- uas:begin"), "{after}");
    assert!(block.contains("Record a plan before editing."), "{after}");
}

#[test]
fn a_plan_only_touches_the_agents_it_is_for() {
    let m = Machine::new();
    let plan = m.plan(&[AgentId::Codex], Goal::Install);
    for c in &plan.changes {
        assert_eq!(c.agents, [AgentId::Codex], "{}", c.path.display());
        assert!(
            c.path.starts_with(m.path(".codex")),
            "{} is not Codex's",
            c.path.display()
        );
    }
}

#[test]
fn a_second_plan_after_apply_is_empty() {
    let m = Machine::new();
    m.run(&AgentId::ALL, Goal::Install, ApplyCommand::Setup);
    let again = m.plan(&AgentId::ALL, Goal::Install);
    assert!(
        again.changes.is_empty(),
        "{:?}",
        again.changes.iter().map(|c| &c.path).collect::<Vec<_>>()
    );
}

#[test]
fn a_plan_for_remove_after_install_restores_the_original_bytes() {
    let m = Machine::new();
    let original = m.files();
    m.run(&AgentId::ALL, Goal::Install, ApplyCommand::Setup);
    let remove = m.plan(&AgentId::ALL, Goal::Remove);
    let settings = m.path(".claude/settings.json");
    let change = change_for(&remove, &settings);
    assert_eq!(
        change.after.as_deref(),
        Some(&original[Path::new(".claude/settings.json")][..])
    );
    m.apply(&remove, ApplyCommand::Uninstall);
    assert_eq!(m.files(), original);
}

#[test]
fn a_foreign_hook_added_after_install_survives_remove() {
    let m = Machine::new();
    m.run(&[AgentId::Cursor], Goal::Install, ApplyCommand::Setup);
    let mut v = m.json(".cursor/hooks.json");
    v["hooks"]["stop"]
        .as_array_mut()
        .expect("stop hooks")
        .push(serde_json::json!({"command": "./hooks/late.sh"}));
    std::fs::write(
        m.path(".cursor/hooks.json"),
        serde_json::to_vec_pretty(&v).expect("ser"),
    )
    .expect("write");
    m.run(&[AgentId::Cursor], Goal::Remove, ApplyCommand::Uninstall);
    let after = m.json(".cursor/hooks.json");
    assert_eq!(uas_commands(&after), 0, "{after:#}");
    assert_eq!(
        after["hooks"]["stop"],
        serde_json::json!([{"command": "./hooks/late.sh"}])
    );
}

#[test]
fn broken_json_is_a_plan_error_that_names_the_file_and_line() {
    let m = Machine::new();
    std::fs::write(
        m.path(".copilot/settings.json"),
        "{\n  \"banner\": \"never\",\n  \"hooks\": { \"preToolUse\": [ } \n}\n",
    )
    .expect("write");
    let err = m
        .try_plan(&[AgentId::Copilot], Goal::Install)
        .expect_err("broken JSON must stop the plan");
    assert!(matches!(err, PlanError::Json(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(".copilot/settings.json:3:"), "{text}");
}
