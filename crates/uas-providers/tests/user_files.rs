//! Setup never damages or silently skips a user's files: bytes that are not
//! UTF-8, file modes, empty values and odd shapes, symlinks into dotfiles
//! repositories, and several broken files at once.
#![cfg(unix)]

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use support::{Machine, uas_commands};
use uas_core::AgentId;
use uas_providers::history::ApplyCommand;
use uas_providers::plan::Goal;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn write(m: &Machine, rel: &str, bytes: &[u8]) {
    let p = m.path(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

/// Setup then uninstall of `agent` must give back `rel` byte for byte.
fn assert_round_trip(m: &Machine, agent: AgentId, rel: &str) {
    let original = m.read(rel);
    m.run(&[agent], Goal::Install, ApplyCommand::Setup);
    assert_ne!(
        m.read(rel),
        original,
        "setup did not register hooks in {rel}"
    );
    m.run(&[agent], Goal::Remove, ApplyCommand::Uninstall);
    assert_eq!(
        String::from_utf8_lossy(&m.read(rel)),
        String::from_utf8_lossy(&original),
        "{rel} after setup + uninstall"
    );
}

// 1. Bytes that are not UTF-8.

#[test]
fn latin1_bytes_in_claude_md_survive_setup_and_uninstall_byte_for_byte() {
    let m = Machine::new();
    // Written by an editor set to Latin-1: "café", "naïve", a stray 0xff.
    let original =
        b"# Pr\xe9f\xe9rences\n\nR\xe9ponds en fran\xe7ais, sois na\xefve.\n\xff\n".to_vec();
    write(&m, ".claude/CLAUDE.md", &original);
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let set_up = m.read(".claude/CLAUDE.md");
    assert!(set_up.starts_with(&original), "the user's bytes changed");
    assert!(String::from_utf8_lossy(&set_up).contains("uas:begin"));
    m.run(&[AgentId::Claude], Goal::Remove, ApplyCommand::Uninstall);
    assert_eq!(m.read(".claude/CLAUDE.md"), original);
}

#[test]
fn a_json_settings_file_that_is_not_utf8_is_refused_and_left_untouched() {
    let m = Machine::new();
    let original = b"{\n  \"model\": \"opus\",\n  \"note\": \"caf\xe9\"\n}\n".to_vec();
    write(&m, ".claude/settings.json", &original);
    let err = m
        .try_plan(&[AgentId::Claude], Goal::Install)
        .expect_err("a settings file that is not UTF-8 must stop setup");
    let text = err.to_string();
    assert!(text.contains(".claude/settings.json"), "{text}");
    assert!(text.contains("UTF-8"), "{text}");
    assert!(text.contains("line 3"), "{text}");
    assert_eq!(m.read(".claude/settings.json"), original);
}

// 2. File modes.

#[test]
fn backups_keep_the_mode_of_a_private_settings_file_and_the_backups_folder_is_private() {
    let m = Machine::new();
    let settings = m.path(".claude/settings.json");
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let applied = m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    assert_eq!(mode(&settings), 0o600, "settings.json itself");
    let history = m.history();
    let dir = history.apply_dir(applied.generation);
    let entry = history.manifests()[0]
        .entries
        .iter()
        .find(|e| e.path == settings)
        .expect("settings.json in the manifest");
    let uas_providers::history::Before::File { backup } = &entry.before else {
        panic!("{:?}", entry.before);
    };
    assert_eq!(
        mode(&dir.join(backup)),
        0o600,
        "the backup of settings.json"
    );
    assert_eq!(mode(&m.backups()), 0o700, "the backups folder");
    assert_eq!(mode(&dir), 0o700, "the apply's folder");
}

#[test]
fn a_file_created_in_a_private_agent_folder_is_private_and_elsewhere_0644() {
    let m = Machine::new();
    std::fs::remove_file(m.path(".cursor/hooks.json")).expect("rm");
    std::fs::set_permissions(m.path(".cursor"), std::fs::Permissions::from_mode(0o700))
        .expect("chmod");
    std::fs::remove_file(m.path(".codex/hooks.json")).expect("rm");
    m.run(
        &[AgentId::Cursor, AgentId::Codex],
        Goal::Install,
        ApplyCommand::Setup,
    );
    assert_eq!(mode(&m.path(".cursor/hooks.json")), 0o600);
    assert_eq!(mode(&m.path(".codex/hooks.json")), 0o644);
}

// 3. Exact round trips on files like real users' dotfiles.

#[test]
fn an_empty_event_list_and_odd_key_order_come_back_exactly_after_uninstall() {
    let m = Machine::new();
    // Key order as a user wrote it, `PreToolUse: []` left from an old
    // experiment, no final newline.
    write(
        &m,
        ".claude/settings.json",
        br#"{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "hooks": {
    "Stop": [
      { "hooks": [ { "type": "command", "command": "afplay /System/Library/Sounds/Glass.aiff" } ] }
    ],
    "PreToolUse": []
  },
  "includeCoAuthoredBy": false,
  "env": { "DISABLE_TELEMETRY": "1" },
  "alwaysThinkingEnabled": true
}"#,
    );
    assert_round_trip(&m, AgentId::Claude, ".claude/settings.json");
}

#[test]
fn an_empty_hooks_object_comes_back_after_uninstall() {
    let m = Machine::new();
    write(
        &m,
        ".gemini/settings.json",
        b"{\n    \"theme\": \"GitHub\",\n    \"hooks\": {},\n    \"selectedAuthType\": \"oauth-personal\",\n    \"mcpServers\": {}\n}\n",
    );
    assert_round_trip(&m, AgentId::Gemini, ".gemini/settings.json");
    write(
        &m,
        ".cursor/hooks.json",
        b"{\"version\":1,\"hooks\":{\"stop\":[],\"afterFileEdit\":[{\"command\":\"./hooks/format.sh\"}]}}",
    );
    assert_round_trip(&m, AgentId::Cursor, ".cursor/hooks.json");
    write(
        &m,
        ".codex/hooks.json",
        b"{\n\t\"hooks\": {\n\t\t\"SessionStart\": [],\n\t\t\"Stop\": []\n\t}\n}\n",
    );
    assert_round_trip(&m, AgentId::Codex, ".codex/hooks.json");
}

#[test]
fn setup_and_uninstall_leave_codex_config_toml_and_its_comments_alone() {
    let m = Machine::new();
    let toml = b"# my codex config\nmodel = \"gpt-5\"   # pinned\n\n[projects.\"/home/me/src\"]\ntrust_level = \"trusted\"\n";
    write(&m, ".codex/config.toml", toml);
    assert_round_trip(&m, AgentId::Codex, ".codex/hooks.json");
    assert_eq!(m.read(".codex/config.toml"), toml);
}

#[test]
fn empty_values_are_put_back_even_when_the_user_changed_something_else() {
    let m = Machine::new();
    write(
        &m,
        ".claude/settings.json",
        b"{\n  \"model\": \"opus\",\n  \"hooks\": {\n    \"PreToolUse\": [],\n    \"Notification\": [{\"hooks\":[{\"type\":\"command\",\"command\":\"notify-send hi\"}]}]\n  },\n  \"z\": 1\n}\n",
    );
    m.run(&[AgentId::Claude], Goal::Install, ApplyCommand::Setup);
    let mut v = m.json(".claude/settings.json");
    v["model"] = serde_json::json!("sonnet");
    write(
        &m,
        ".claude/settings.json",
        &serde_json::to_vec_pretty(&v).expect("ser"),
    );
    m.run(&[AgentId::Claude], Goal::Remove, ApplyCommand::Uninstall);
    let after = m.json(".claude/settings.json");
    assert_eq!(
        after,
        serde_json::json!({"model":"sonnet","hooks":{"PreToolUse":[],"Notification":[{"hooks":[{"type":"command","command":"notify-send hi"}]}]},"z":1})
    );
    let keys: Vec<_> = after["hooks"]
        .as_object()
        .expect("hooks")
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["PreToolUse", "Notification"]);
}

#[test]
fn uninstall_of_an_agent_whose_refused_jsonc_file_uas_never_touched_has_nothing_to_do() {
    let m = Machine::new();
    let jsonc = b"{\n  // my hooks\n  \"version\": 1,\n  \"hooks\": {}\n}\n".to_vec();
    write(&m, ".cursor/hooks.json", &jsonc);
    assert!(m.try_plan(&[AgentId::Cursor], Goal::Install).is_err());
    let plan = m
        .try_plan(&[AgentId::Cursor], Goal::Remove)
        .expect("uninstall of a file uas never touched is not an error");
    assert!(
        plan.changes
            .iter()
            .all(|c| c.path != m.path(".cursor/hooks.json")),
        "{:?}",
        plan.changes
    );
    assert_eq!(m.read(".cursor/hooks.json"), jsonc);
}

// 4. Unknown shapes.

#[test]
fn hook_values_of_unknown_shape_are_refused_with_the_key_path() {
    for (text, key) in [
        (r#"{"hooks":{"PreToolUse":{"a":1}}}"#, "hooks.PreToolUse"),
        (r#"{"hooks":"./my-hooks.json"}"#, "hooks"),
        (r#"{"hooks":3}"#, "hooks"),
        (
            r#"{"hooks":{"Stop":["notify-send done"]}}"#,
            "hooks.Stop[0]",
        ),
    ] {
        let m = Machine::new();
        write(&m, ".claude/settings.json", text.as_bytes());
        let err = m
            .try_plan(&[AgentId::Claude], Goal::Install)
            .expect_err(text);
        let msg = err.to_string();
        assert!(msg.contains(".claude/settings.json"), "{msg}");
        assert!(msg.contains(&format!("`{key}`")), "{key}: {msg}");
        assert_eq!(m.read(".claude/settings.json"), text.as_bytes());
    }
}

// 5. Symlinks.

/// settings.json and CLAUDE.md as links into `~/dotfiles` (stow, chezmoi
/// symlink mode, yadm…).
fn dotfiles(m: &Machine) -> (Vec<u8>, Vec<u8>) {
    let settings = m.read(".claude/settings.json");
    let claude_md = b"# My global rules\n\nUse pnpm.\n".to_vec();
    write(m, "dotfiles/claude/settings.json", &settings);
    write(m, "dotfiles/claude/CLAUDE.md", &claude_md);
    std::fs::remove_file(m.path(".claude/settings.json")).expect("rm");
    let _ = std::fs::remove_file(m.path(".claude/CLAUDE.md"));
    symlink(
        "../dotfiles/claude/settings.json",
        m.path(".claude/settings.json"),
    )
    .expect("link");
    symlink(
        m.path("dotfiles/claude/CLAUDE.md"),
        m.path(".claude/CLAUDE.md"),
    )
    .expect("link");
    (settings, claude_md)
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn setup_writes_through_dotfiles_symlinks_and_uninstall_restores_the_targets() {
    let m = Machine::new();
    let (settings, claude_md) = dotfiles(&m);
    let plan = m.plan(&[AgentId::Claude], Goal::Install);
    let target = m.path("dotfiles/claude/settings.json");
    let change = plan
        .changes
        .iter()
        .find(|c| c.path == target)
        .expect("the hook change is planned on the link's target");
    assert!(change.reason.contains("via symlink"), "{}", change.reason);
    m.apply(&plan, ApplyCommand::Setup);
    assert!(is_symlink(&m.path(".claude/settings.json")));
    assert!(is_symlink(&m.path(".claude/CLAUDE.md")));
    assert!(uas_commands(&m.json(".claude/settings.json")) > 0);
    assert!(String::from_utf8_lossy(&m.read(".claude/CLAUDE.md")).contains("uas:begin"));
    assert!(
        m.try_plan(&[AgentId::Claude], Goal::Install)
            .expect("plan")
            .changes
            .is_empty(),
        "a second setup finds nothing to do"
    );
    m.run(&[AgentId::Claude], Goal::Remove, ApplyCommand::Uninstall);
    assert!(is_symlink(&m.path(".claude/settings.json")));
    assert_eq!(m.read("dotfiles/claude/settings.json"), settings);
    assert_eq!(m.read("dotfiles/claude/CLAUDE.md"), claude_md);
}

#[test]
fn a_dangling_or_directory_symlink_is_refused_never_up_to_date() {
    let m = Machine::new();
    std::fs::remove_file(m.path(".claude/settings.json")).expect("rm");
    symlink(
        m.path("dotfiles/gone.json"),
        m.path(".claude/settings.json"),
    )
    .expect("link");
    let err = m
        .try_plan(&[AgentId::Claude], Goal::Install)
        .expect_err("a dangling link must not pass as up to date");
    let msg = err.to_string();
    assert!(msg.contains(".claude/settings.json"), "{msg}");
    assert!(msg.contains("dotfiles/gone.json"), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");

    let m = Machine::new();
    std::fs::remove_file(m.path(".claude/settings.json")).expect("rm");
    std::fs::create_dir_all(m.path("dotfiles/dir")).expect("mkdir");
    symlink(m.path("dotfiles/dir"), m.path(".claude/settings.json")).expect("link");
    let msg = m
        .try_plan(&[AgentId::Claude], Goal::Install)
        .expect_err("a link to a folder")
        .to_string();
    assert!(msg.contains("not a regular file"), "{msg}");

    // stow-style: the whole ~/.gemini folder is a link into ~/dotfiles.
    let m = Machine::new();
    std::fs::rename(m.path(".gemini"), m.path("dotfiles-gemini")).expect("mv");
    symlink(m.path("dotfiles-gemini"), m.path(".gemini")).expect("link");
    let msg = m
        .try_plan(&[AgentId::Gemini], Goal::Install)
        .expect_err("a linked agent folder must not pass as up to date")
        .to_string();
    assert!(msg.contains("not set up: "), "{msg}");
    assert!(msg.contains("a folder on the way"), "{msg}");
}

#[test]
fn a_symlink_to_a_file_of_another_owner_is_refused() {
    let m = Machine::new();
    write(&m, "shared/settings.json", b"{}\n");
    let target = m.path("shared/settings.json");
    let home_uid = std::fs::metadata(m.home.user_home()).expect("meta").uid();
    if std::os::unix::fs::chown(&target, Some(home_uid + 1), None).is_err() {
        return; // not root: cannot make a file of another owner here
    }
    std::fs::remove_file(m.path(".claude/settings.json")).expect("rm");
    symlink(&target, m.path(".claude/settings.json")).expect("link");
    let msg = m
        .try_plan(&[AgentId::Claude], Goal::Install)
        .expect_err("another owner's file")
        .to_string();
    assert!(msg.contains("owned by another user"), "{msg}");
}

// 6. Several broken files.

#[test]
fn every_broken_file_is_listed_and_partial_plans_the_others() {
    let m = Machine::new();
    write(&m, ".claude/settings.json", b"{\"hooks\": [}\n");
    write(&m, ".cursor/hooks.json", b"{\"hooks\": \"x\"}\n");
    let agents = [AgentId::Claude, AgentId::Cursor, AgentId::Codex];
    let msg = m
        .try_plan(&agents, Goal::Install)
        .expect_err("two broken files")
        .to_string();
    assert!(msg.contains(".claude/settings.json"), "{msg}");
    assert!(msg.contains(".cursor/hooks.json"), "{msg}");
    assert!(msg.contains("--partial"), "{msg}");
    let partial = m.plan_partial(&agents, Goal::Install);
    let skipped: Vec<_> = partial.skipped.iter().map(|s| s.agent).collect();
    assert_eq!(skipped, [AgentId::Claude, AgentId::Cursor]);
    assert!(
        partial.changes.iter().all(|c| c.agents == [AgentId::Codex]),
        "only Codex is planned: {:?}",
        partial.changes.iter().map(|c| &c.path).collect::<Vec<_>>()
    );
    assert!(!partial.changes.is_empty());
}
