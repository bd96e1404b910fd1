//! Setup journeys through the built `uas` binary, against a copy of a
//! realistic home (`uas_testsupport::fixture_home`): every agent's config with the
//! user's own text, third-party hooks, unknown keys and odd formatting.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use uas_testsupport::{Sandbox, dirs, files, fixture_home, stderr, stdout};

/// A machine whose home is a copy of the fixture home.
fn machine() -> Sandbox {
    Sandbox::with_fixture(env!("CARGO_BIN_EXE_uas"), fixture_home())
}

/// Every file of the home outside ~/.agent/backups, with content.
fn home_files(m: &Sandbox) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = files(&m.user_home());
    out.retain(|p, _| !p.starts_with(".agent/backups") && !p.ends_with(".agent/uas.lock"));
    out
}

/// Every folder of the home outside ~/.agent/backups.
fn home_dirs(m: &Sandbox) -> Vec<PathBuf> {
    let mut out = dirs(&m.user_home());
    out.retain(|p| !p.starts_with(".agent/backups"));
    out
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).expect("read")).expect("json")
}

fn uas_commands(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => usize::from(s.contains(" hook ") && s.contains("/uas ")),
        serde_json::Value::Array(a) => a.iter().map(uas_commands).sum(),
        serde_json::Value::Object(o) => o.values().map(uas_commands).sum(),
        _ => 0,
    }
}

/// The user-owned part of each fixture file survives byte for byte.
const USER_TEXTS: &[(&str, &str)] = &[
    (
        ".claude/CLAUDE.md",
        "# My Claude rules\n\n- Prefer small diffs.\n- Never touch `vendor/`.\n",
    ),
    (
        ".codex/AGENTS.md",
        "# Codex house rules\r\nUse conventional commits.\r\n",
    ),
    (".gemini/GEMINI.md", "Gemini: answer in English."),
    (
        ".config/opencode/AGENTS.md",
        "OpenCode: keep responses terse.\n",
    ),
    (
        ".copilot/copilot-instructions.md",
        "Copilot: explain before you edit.\n",
    ),
];

#[test]
fn setup_adds_our_block_hooks_skills_and_plugin_for_all_seven_agents() {
    let m = machine();
    let out = m.ok(&["setup", "--all", "--yes"]);
    assert!(out.contains("Recorded as apply #1"), "{out}");
    for (rel, user) in USER_TEXTS {
        let now = fs::read_to_string(m.path(rel)).expect("read");
        assert!(now.starts_with(user), "{rel} lost the user's text:\n{now}");
        assert!(
            now.contains("<!-- uas:begin") && now.contains("Record a plan before editing."),
            "{rel}"
        );
        assert!(
            now.contains("intake -> research -> plan"),
            "{rel} lacks the SOP statement"
        );
    }
    for (rel, n) in [
        (".claude/settings.json", 13),
        (".codex/hooks.json", 10),
        (".gemini/settings.json", 6),
        (".gemini/config/hooks.json", 5),
        (".cursor/hooks.json", 15),
        (".copilot/settings.json", 12),
        (".qwen/settings.json", 12),
        (".augment/settings.json", 6),
        (".factory/hooks.json", 8),
    ] {
        assert_eq!(uas_commands(&json(&m.path(rel))), n, "{rel}");
    }
    // Cursor: every event that can refuse fails closed; all have a timeout
    // in seconds.
    let cursor = json(&m.path(".cursor/hooks.json"));
    for (event, closed) in [
        ("preToolUse", true),
        ("beforeShellExecution", true),
        ("beforeMCPExecution", true),
        ("beforeReadFile", true),
        ("subagentStart", true),
        ("postToolUse", false),
        ("afterTabFileEdit", false),
        ("stop", false),
    ] {
        let ours: Vec<&serde_json::Value> = cursor["hooks"][event]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["command"].to_string().contains("uas"))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ours.len(), 1, "{event}: {cursor}");
        assert_eq!(ours[0]["timeout"], 10, "{event}");
        assert_eq!(ours[0].get("failClosed").is_some(), closed, "{event}");
    }
    // Droid: the event map at the top level of hooks.json.
    let droid = json(&m.path(".factory/hooks.json"));
    assert!(
        droid["PreToolUse"][0]["hooks"][0]["command"].is_string(),
        "{droid}"
    );
    assert!(droid.get("hooks").is_none(), "{droid}");
    // Kilo and Cline: a generated plugin each, running `uas hook <agent>`.
    for (rel, agent) in [
        (".config/kilo/plugins/universal-agent.js", "kilo"),
        (".cline/plugins/universal-agent.js", "cline"),
    ] {
        let text = fs::read_to_string(m.path(rel)).expect(rel);
        assert!(
            text.starts_with("// uas:managed universal-agent plugin"),
            "{rel}"
        );
        assert!(text.contains(&format!("\"hook\", \"{agent}\"")), "{rel}");
    }
    // agy: tool events nested, its other events flat (the nested form there
    // makes agy reject the whole file), and no SessionStart.
    let agy = json(&m.path(".gemini/config/hooks.json"));
    let set = &agy["universal-agent"];
    assert_eq!(set["enabled"], true);
    assert_eq!(set["PreToolUse"][0]["matcher"], ".*");
    assert!(set["PreToolUse"][0]["hooks"][0]["command"].is_string());
    for flat in ["PreInvocation", "PostInvocation", "Stop"] {
        assert!(set[flat][0]["command"].is_string(), "{flat}: {set}");
        assert_eq!(set[flat][0]["type"], "command");
    }
    assert!(set.get("SessionStart").is_none(), "{set}");
    let claude = json(&m.path(".claude/settings.json"));
    assert_eq!(
        claude["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "~/bin/block-rm-rf.sh"
    );
    assert_eq!(
        claude["x-unknown-future-key"][2]["nested"],
        serde_json::Value::Null
    );
    let keys: Vec<_> = claude.as_object().expect("obj").keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "model",
            "permissions",
            "hooks",
            "statusLine",
            "x-unknown-future-key"
        ]
    );
    assert!(
        fs::read_to_string(m.path(".claude/settings.json"))
            .expect("read")
            .contains("\n    \"model\""),
        "indent kept"
    );
    let gem_group = json(&m.path(".gemini/config/hooks.json"));
    assert_eq!(
        gem_group["safe-chains"]["PreToolUse"][0]["hooks"][0]["command"],
        "safe-chains check"
    );
    assert_eq!(
        json(&m.path(".cursor/hooks.json"))["hooks"]["preToolUse"][0]["failClosed"],
        true
    );
    assert_eq!(
        json(&m.path(".copilot/settings.json"))["hooks"]["preToolUse"][1]["timeoutSec"],
        10
    );
    let plugin =
        fs::read_to_string(m.path(".config/opencode/plugins/universal-agent.js")).expect("plugin");
    assert!(plugin.contains("\"tool.execute.before\"") && plugin.contains("throw new Error"));
    for dir in [
        ".claude/skills",
        ".codex/skills",
        ".gemini/config/skills",
        ".gemini/skills",
        ".config/opencode/skills",
        ".cursor/skills",
        ".copilot/skills",
    ] {
        let skill = m.path(dir).join("review-checklist");
        assert_eq!(
            fs::read(skill.join("SKILL.md")).expect("skill"),
            fs::read(m.path(".agent/skills/review-checklist/SKILL.md")).expect("src")
        );
        assert!(skill.join(".uas-managed").is_file());
        assert!(
            is_exec(&skill.join("scripts/run.sh")),
            "{dir}: skill script lost its execute bit"
        );
    }
    // the user's own plugin and config are untouched
    assert_eq!(
        fs::read(m.path(".config/opencode/plugins/notify.js")).expect("r"),
        fs::read(fixture_home().join(".config/opencode/plugins/notify.js")).expect("r")
    );
    assert_eq!(
        fs::read(m.path(".codex/config.toml")).expect("r"),
        fs::read(fixture_home().join(".codex/config.toml")).expect("r")
    );
}

#[test]
fn second_setup_is_a_no_op_and_says_so() {
    let m = machine();
    m.ok(&["setup", "--all", "--yes"]);
    let before = home_files(&m);
    let out = m.ok(&["setup", "--all", "--yes"]);
    assert!(out.starts_with("Nothing to do"), "{out}");
    assert_eq!(home_files(&m), before);
    assert!(
        !m.path(".agent/backups/000002").exists(),
        "a no-op run recorded an apply"
    );
    let status = m.run(&["status", "--json"]);
    assert!(status.status.success(), "{}", stdout(&status));
}

#[test]
fn uninstall_restores_every_file_byte_for_byte_and_removes_what_we_created() {
    let m = machine();
    let (files, dirs) = (home_files(&m), home_dirs(&m));
    m.ok(&["setup", "--all", "--yes"]);
    m.ok(&["uninstall", "--yes"]);
    assert_eq!(home_files(&m), files);
    assert_eq!(
        home_dirs(&m)
            .into_iter()
            .filter(|d| !d.starts_with(".agent"))
            .collect::<Vec<_>>(),
        dirs.into_iter()
            .filter(|d| !d.starts_with(".agent"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn uninstall_keeps_foreign_hooks_added_after_setup() {
    let m = machine();
    m.ok(&["setup", "--all", "--yes"]);
    let p = m.path(".cursor/hooks.json");
    let mut v = json(&p);
    v["hooks"]["stop"]
        .as_array_mut()
        .expect("stop")
        .push(serde_json::json!({"command": "./hooks/late.sh"}));
    fs::write(&p, serde_json::to_vec_pretty(&v).expect("ser")).expect("write");
    m.ok(&["uninstall", "--agent", "cursor", "--yes"]);
    let after = json(&p);
    assert_eq!(uas_commands(&after), 0);
    assert_eq!(
        after["hooks"]["stop"],
        serde_json::json!([{"command": "./hooks/late.sh"}])
    );
    assert_eq!(
        after["hooks"]["beforeShellExecution"][0]["command"],
        "./hooks/audit.sh"
    );
    // other agents are still set up
    assert_eq!(uas_commands(&json(&m.path(".claude/settings.json"))), 13);
}

#[test]
fn hand_edit_inside_our_block_is_drift_and_repair_fixes_it() {
    let m = machine();
    m.ok(&["setup", "--all", "--yes"]);
    let good = fs::read_to_string(m.path(".codex/AGENTS.md")).expect("read");
    fs::write(
        m.path(".codex/AGENTS.md"),
        good.replace("Run the tests before committing.", "Skip tests."),
    )
    .expect("edit");
    let hooks = m.path(".claude/settings.json");
    let mut v = json(&hooks);
    v["hooks"].as_object_mut().expect("hooks").remove("Stop");
    fs::write(&hooks, serde_json::to_vec_pretty(&v).expect("ser")).expect("write");
    let status = m.run(&["status"]);
    assert_eq!(status.status.code(), Some(1));
    let s = stdout(&status);
    assert!(
        s.contains(".codex/AGENTS.md: edited by hand inside the managed block"),
        "{s}"
    );
    assert!(
        s.contains(".claude/settings.json: uas hook entries differ"),
        "{s}"
    );
    m.ok(&["repair", "--yes"]);
    assert_eq!(
        fs::read_to_string(m.path(".codex/AGENTS.md")).expect("read"),
        good
    );
    assert_eq!(uas_commands(&json(&hooks)), 13);
    assert!(m.run(&["status"]).status.success());
}

#[test]
fn broken_json_is_a_clear_error_and_nothing_is_written() {
    let m = machine();
    let bad = "{\n  \"banner\": \"never\",\n  \"hooks\": { \"preToolUse\": [ } \n}\n";
    fs::write(m.path(".copilot/settings.json"), bad).expect("write");
    let before = home_files(&m);
    let o = m.run(&["setup", "--all", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(".copilot/settings.json:3:"), "{err}");
    assert!(err.contains("fix the file by hand"), "{err}");
    assert_eq!(
        home_files(&m),
        before,
        "setup wrote files despite the error"
    );
}

// Needs the hidden failpoint flag: `./x test` enables `uas-cli/failpoints`.
#[cfg(feature = "failpoints")]
#[test]
fn crash_mid_apply_leaves_each_file_old_or_new_and_rollback_restores_all() {
    let m = machine();
    let original = home_files(&m);
    // What a full setup writes, from a separate machine.
    let full = machine();
    full.ok(&["setup", "--all", "--yes"]);
    let complete = home_files(&full);
    let fixed = |f: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, Vec<u8>> {
        f.iter()
            .map(|(p, c)| {
                (
                    p.clone(),
                    String::from_utf8_lossy(c)
                        .replace(&full.user_home().display().to_string(), "HOME")
                        .into_bytes(),
                )
            })
            .collect()
    };
    let complete = fixed(&complete);
    for n in [1, 7, 20] {
        let m = machine();
        let o = m.run(&[
            "setup",
            "--all",
            "--yes",
            "--abort-after-writes",
            &n.to_string(),
        ]);
        assert!(!o.status.success(), "the failpoint did not fire at {n}");
        let now = home_files(&m);
        let now_fixed: BTreeMap<_, _> = now
            .iter()
            .map(|(p, c)| {
                (
                    p.clone(),
                    String::from_utf8_lossy(c)
                        .replace(&m.user_home().display().to_string(), "HOME")
                        .into_bytes(),
                )
            })
            .collect();
        let mut new_files = 0;
        for (path, content) in &now_fixed {
            let old = original.get(path);
            let new = complete.get(path);
            assert!(
                Some(content) == old || Some(content) == new,
                "{} is neither old nor new after a crash at {n}",
                path.display()
            );
            if old != Some(content) {
                new_files += 1;
            }
        }
        assert_eq!(new_files, n, "expected exactly {n} finished writes");
        let names: Vec<_> = fs::read_dir(m.user_home())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.starts_with(".uas-tmp")),
            "temp file left: {names:?}"
        );
        m.ok(&["rollback-setup", "--yes"]);
        assert_eq!(home_files(&m), original, "rollback after a crash at {n}");
        // and a fresh setup completes
        m.ok(&["setup", "--all", "--yes"]);
    }
}

#[test]
fn rollback_setup_undoes_the_last_apply() {
    let m = machine();
    let original = home_files(&m);
    m.ok(&["setup", "--all", "--yes"]);
    let out = m.ok(&["rollback-setup", "--yes"]);
    assert!(out.contains("Rolled back apply #1 (setup)"), "{out}");
    assert_eq!(home_files(&m), original);
    assert!(
        m.ok(&["rollback-setup", "--yes"])
            .contains("Nothing to roll back.")
    );
}

#[test]
fn dry_run_shows_a_diff_and_changes_nothing() {
    let m = machine();
    let before = home_files(&m);
    let out = m.ok(&["setup", "--agent", "claude", "--dry-run"]);
    assert!(out.contains("would change"), "{out}");
    assert!(out.contains("+<!-- uas:begin"), "{out}");
    assert!(
        out.contains("--- a") && out.contains(".claude/settings.json"),
        "{out}"
    );
    assert_eq!(home_files(&m), before);
}

#[test]
fn setup_without_yes_and_without_a_terminal_refuses() {
    let m = machine();
    let before = home_files(&m);
    let o = m.run(&["setup", "--agent", "codex"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(home_files(&m), before);
}

#[test]
fn a_users_own_skill_folder_and_plugin_of_the_same_name_are_left_alone() {
    let m = machine();
    fs::create_dir_all(m.path(".claude/skills/review-checklist")).expect("mkdir");
    fs::write(m.path(".claude/skills/review-checklist/SKILL.md"), "my own").expect("write");
    fs::write(
        m.path(".config/opencode/plugins/universal-agent.js"),
        "// mine\n",
    )
    .expect("write");
    let out = m.ok(&["setup", "--all", "--yes"]);
    assert!(
        out.contains("a skill folder of yours is named review-checklist"),
        "{out}"
    );
    assert!(out.contains("a file of yours has this name"), "{out}");
    assert_eq!(
        fs::read_to_string(m.path(".claude/skills/review-checklist/SKILL.md")).expect("r"),
        "my own"
    );
    assert_eq!(
        fs::read_to_string(m.path(".config/opencode/plugins/universal-agent.js")).expect("r"),
        "// mine\n"
    );
    m.ok(&["uninstall", "--yes"]);
    assert_eq!(
        fs::read_to_string(m.path(".claude/skills/review-checklist/SKILL.md")).expect("r"),
        "my own"
    );
}

#[cfg(unix)]
#[test]
fn symlink_farm_is_detected_kept_by_setup_and_migrated_reversibly() {
    use std::os::unix::fs::symlink;
    let m = machine();
    fs::remove_file(m.path(".gemini/GEMINI.md")).expect("rm");
    symlink(
        m.path(".agent/instructions/AGENTS.md"),
        m.path(".gemini/GEMINI.md"),
    )
    .expect("link");
    fs::create_dir_all(m.path(".claude/skills")).expect("mkdir");
    symlink(
        m.path(".agent/skills/review-checklist"),
        m.path(".claude/skills/review-checklist"),
    )
    .expect("link");
    let universal = fs::read(m.path(".agent/instructions/AGENTS.md")).expect("read");

    let detect = m.ok(&["detect"]);
    assert!(detect.contains("symlink farm"), "{detect}");
    let out = m.ok(&["setup", "--all", "--yes"]);
    assert!(
        out.contains("left as is (uas follows a symlink only when"),
        "{out}"
    );
    assert!(out.contains("skill review-checklist is a symlink"), "{out}");
    assert_eq!(
        fs::read(m.path(".agent/instructions/AGENTS.md")).expect("read"),
        universal,
        "setup wrote through the symlink"
    );
    assert!(
        fs::symlink_metadata(m.path(".gemini/GEMINI.md"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );

    let before_migrate = home_files(&m);
    let out = m.ok(&["migrate", "--yes"]);
    assert!(out.contains("replace symlink"), "{out}");
    assert!(
        !fs::symlink_metadata(m.path(".gemini/GEMINI.md"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(m.path(".gemini/GEMINI.md"))
            .expect("read")
            .contains("Record a plan before editing.")
    );
    assert!(
        m.path(".claude/skills/review-checklist/.uas-managed")
            .is_file()
    );
    assert!(
        is_exec(&m.path(".claude/skills/review-checklist/scripts/run.sh")),
        "migrated script lost +x"
    );
    assert_eq!(
        fs::read(m.path(".agent/instructions/AGENTS.md")).expect("read"),
        universal
    );
    // after migration, setup manages them like any other file
    m.ok(&["setup", "--all", "--yes"]);
    assert!(m.run(&["status"]).status.success());
    // two rollbacks: the setup, then the migration, which puts the links back
    m.ok(&["rollback-setup", "--yes"]);
    m.ok(&["rollback-setup", "--yes"]);
    assert_eq!(home_files(&m), before_migrate);
    assert!(
        fs::symlink_metadata(m.path(".claude/skills/review-checklist"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn project_setup_writes_each_agents_project_files() {
    let m = machine();
    let repo = m.root().join("repo");
    fs::create_dir_all(&repo).expect("mkdir");
    fs::write(repo.join("AGENTS.md"), "# Repo rules\nUse pnpm.\n").expect("write");
    let repo_s = repo.display().to_string();
    m.ok(&["setup", "--all", "--project", &repo_s, "--yes"]);
    let agents = fs::read_to_string(repo.join("AGENTS.md")).expect("read");
    assert!(agents.starts_with("# Repo rules\nUse pnpm.\n") && agents.contains("<!-- uas:begin"));
    for f in ["CLAUDE.md", "GEMINI.md", ".github/copilot-instructions.md"] {
        assert!(
            fs::read_to_string(repo.join(f))
                .expect(f)
                .contains("Record a plan before editing."),
            "{f}"
        );
    }
    let mdc = fs::read_to_string(repo.join(".cursor/rules/universal-agent.mdc")).expect("mdc");
    assert!(mdc.starts_with("---\ndescription:") && mdc.contains("alwaysApply: true"));
    assert!(
        m.ok(&["setup", "--all", "--project", &repo_s, "--yes"])
            .starts_with("Nothing to do")
    );
}

#[cfg(unix)]
#[test]
fn opencode_2_gets_no_1x_plugin_but_a_clear_notice() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let m = machine();
    let prefix = m.root().join("npm");
    let pkg = prefix.join("lib/node_modules/opencode-ai");
    fs::create_dir_all(pkg.join("bin")).expect("mkdir");
    fs::write(
        pkg.join("package.json"),
        r#"{"name":"opencode-ai","version":"2.1.0"}"#,
    )
    .expect("pkg");
    fs::write(pkg.join("bin/opencode"), "#!/bin/sh\n").expect("bin");
    fs::set_permissions(pkg.join("bin/opencode"), fs::Permissions::from_mode(0o755))
        .expect("chmod");
    fs::create_dir_all(prefix.join("bin")).expect("mkdir");
    symlink(
        "../lib/node_modules/opencode-ai/bin/opencode",
        prefix.join("bin/opencode"),
    )
    .expect("link");
    let o = m
        .command(&["setup", "--agent", "opencode", "--yes"])
        .env("PATH", prefix.join("bin"))
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("OpenCode 2.x changed its plugin API"),
        "{}",
        stdout(&o)
    );
    assert!(
        !m.path(".config/opencode/plugins/universal-agent.js")
            .exists()
    );
    assert!(
        fs::read_to_string(m.path(".config/opencode/AGENTS.md"))
            .expect("read")
            .contains("<!-- uas:begin")
    );
}

#[cfg(unix)]
fn is_exec(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_exec(_p: &Path) -> bool {
    true
}

#[test]
fn concurrent_setups_take_turns_with_distinct_generations_and_intact_backups() {
    let m = machine();
    let original = home_files(&m);
    let children: Vec<_> = (0..5)
        .map(|_| {
            m.command(&["setup", "--all", "--yes"])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // Exactly one of them changed files; the others found nothing to do.
    let gens: Vec<_> = fs::read_dir(m.path(".agent/backups"))
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(gens, ["000001"], "{gens:?}");
    m.ok(&["rollback-setup", "--yes"]);
    assert_eq!(
        home_files(&m),
        original,
        "the backups of apply #1 are intact"
    );
}

#[test]
fn no_wait_fails_clearly_while_another_operation_holds_the_lock() {
    let m = machine();
    fs::create_dir_all(m.path(".agent")).expect("mkdir");
    let lock = m.path(".agent/uas.lock");
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .expect("open");
    f.lock().expect("lock");
    fs::write(&lock, "pid=4242\ncommand=uas setup\n").expect("write");
    let o = m.run(&["--no-wait", "setup", "--all", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("another uas operation")
            && err.contains("pid 4242")
            && err.contains("`uas setup`"),
        "{err}"
    );
    drop(f);
    m.ok(&["--no-wait", "setup", "--all", "--yes"]);
}

#[cfg(feature = "failpoints")]
#[test]
fn a_failed_write_rolls_the_whole_apply_back_and_says_so() {
    let m = machine();
    let original = home_files(&m);
    let dirs_before = home_dirs(&m);
    let o = m.run(&["setup", "--all", "--yes", "--fail-after-writes", "5"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("no space left on device") && err.contains("apply #1 was rolled back"),
        "{err}"
    );
    assert_eq!(
        home_files(&m),
        original,
        "files written before the failure were put back"
    );
    assert_eq!(
        home_dirs(&m),
        dirs_before,
        "folders it created were removed"
    );
    assert!(
        m.ok(&["rollback-setup", "--yes"])
            .contains("Nothing to roll back.")
    );
    m.ok(&["setup", "--all", "--yes"]);
}

#[test]
fn a_temp_file_left_by_a_killed_run_is_removed_by_the_next_setup() {
    let m = machine();
    let stale = m.path(".claude/.uas-tmp-AbC123");
    fs::write(&stale, "half a settings.json").expect("seed");
    m.ok(&["setup", "--agent", "claude", "--yes"]);
    assert!(!stale.exists(), "the leftover temp file is still there");
}

#[cfg(feature = "failpoints")]
#[test]
fn status_reports_a_killed_apply_until_repair_finishes_it() {
    let m = machine();
    let o = m.run(&["setup", "--all", "--yes", "--abort-after-writes", "3"]);
    assert!(!o.status.success());
    let o = m.run(&["status"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("interrupted apply of generation 1 (`uas setup`) at ")
            && out.contains(" UTC: run `uas repair`"),
        "{out}"
    );
    m.ok(&["repair", "--yes"]);
    let out = m.ok(&["status"]);
    assert!(!out.contains("interrupted"), "{out}");
}

#[test]
fn setup_uninstall_and_rollback_are_events_in_the_audit_log() {
    let m = machine();
    m.ok(&["init"]);
    m.ok(&["setup", "--agent", "claude", "--yes"]);
    m.ok(&["uninstall", "--agent", "claude", "--yes"]);
    m.ok(&["rollback-setup", "--yes"]);
    let log = m.ok(&["audit", "export"]);
    let ours: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .filter(|e: &serde_json::Value| e["agent"] == "uas")
        .collect();
    let kinds: Vec<_> = ours
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["setup", "uninstall", "rollback-setup"], "{log}");
    let payload = |e: &serde_json::Value| -> serde_json::Value {
        match &e["payload"] {
            serde_json::Value::String(s) => serde_json::from_str(s).expect("payload"),
            v => v.clone(),
        }
    };
    let setup = payload(&ours[0]);
    assert_eq!(setup["generation"], 1);
    assert_eq!(setup["agents"], serde_json::json!(["claude"]));
    assert_eq!(setup["result"], "ok");
    assert!(
        setup["files"].as_array().is_some_and(|f| f.iter().any(|p| p
            .as_str()
            .is_some_and(|p| p.ends_with(".claude/settings.json")))),
        "{setup}"
    );
    assert_eq!(payload(&ours[2])["generation"], 2);
    m.ok(&["audit", "verify"]);
}

#[test]
fn rollback_setup_previews_lists_and_refuses_without_yes_or_a_terminal() {
    let m = machine();
    let original = home_files(&m);
    m.ok(&["setup", "--agent", "claude", "--yes"]);
    let applied = home_files(&m);
    let out = m.ok(&["rollback-setup", "--dry-run"]);
    assert!(
        out.contains("Would roll back apply #1 (setup)") && out.contains(".claude/settings.json"),
        "{out}"
    );
    assert_eq!(home_files(&m), applied, "--dry-run changed files");
    let o = m.run(&["rollback-setup"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(home_files(&m), applied, "refused, yet files changed");
    let list = uas_testsupport::json_stdout(&m.run(&["--json", "rollback-setup", "--list"]));
    assert_eq!(list[0]["generation"], 1);
    assert_eq!(list[0]["command"], "setup");
    assert_eq!(list[0]["rolled_back"], false);
    m.ok(&["rollback-setup", "--yes"]);
    assert_eq!(home_files(&m), original);
    assert!(m.ok(&["rollback-setup", "--list"]).contains("rolled back"));
}

#[test]
fn a_setting_that_switches_the_hooks_off_is_enforcement_off_in_status_and_doctor() {
    let m = machine();
    m.ok(&["setup", "--agent", "gemini", "--agent", "claude", "--yes"]);
    let status = m.run(&["status"]);
    assert!(
        !stdout(&status).contains("ENFORCEMENT OFF"),
        "{}",
        stdout(&status)
    );
    // The user (or an agent) disables every uas hook by its shared name.
    let settings = m.user_home().join(".gemini/settings.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&settings).expect("read")).expect("json");
    v["hooksConfig"] = serde_json::json!({"disabled": ["universal-agent"]});
    let text = serde_json::to_string_pretty(&v).expect("json");
    let line = text
        .lines()
        .position(|l| l.contains("\"universal-agent\""))
        .expect("line")
        + 1;
    fs::write(&settings, &text).expect("write");

    let status = m.run(&["status"]);
    assert_eq!(status.status.code(), Some(1));
    let out = stdout(&status);
    assert!(
        out.contains(&format!(
            "ENFORCEMENT OFF: {}:{line} sets hooksConfig.disabled names \"universal-agent\"",
            settings.display()
        )),
        "{out}"
    );
    let doctor: serde_json::Value =
        serde_json::from_str(&stdout(&m.run(&["--json", "doctor"]))).expect("json");
    let check = doctor["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "hooks:gemini")
        .expect("gemini check")
        .clone();
    assert_eq!(check["status"], "fail", "{check}");
    assert!(
        check["summary"]
            .as_str()
            .is_some_and(|s| s.contains("enforcement is OFF for gemini")),
        "{check}"
    );
    assert_eq!(doctor["healthy"], false);
}

/// Kills the child when the test ends, pass or fail.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_running_session_started_without_hooks_is_enforcement_off_in_status() {
    let m = machine();
    m.ok(&["setup", "--agent", "claude", "--yes"]);
    // A process that looks like `claude --bare` to /proc, for this home.
    let child = std::process::Command::new("bash")
        .args(["-c", "exec -a claude perl -e 'sleep 120' -- --bare"])
        .env("HOME", m.user_home())
        .spawn()
        .expect("spawn");
    let child = Killed(child);
    let pid = child.0.id();
    let cmdline = format!("/proc/{pid}/cmdline");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !fs::read(&cmdline).is_ok_and(|c| c.starts_with(b"claude\0")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the child never exec'd"
        );
        std::thread::yield_now();
    }
    let status = m.run(&["status"]);
    let out = stdout(&status);
    assert!(
        out.contains(&format!(
            "ENFORCEMENT OFF: pid {pid} runs `claude --bare` (a session without uas's hooks)"
        )),
        "{out}"
    );
    assert_eq!(status.status.code(), Some(1), "{out}");
    drop(child);
    let out = stdout(&m.run(&["status"]));
    assert!(!out.contains(&format!("pid {pid}")), "{out}");
}

#[test]
fn a_projects_setting_that_switches_the_hooks_off_is_enforcement_off_in_status_there() {
    let m = machine();
    m.ok(&["setup", "--agent", "claude", "--yes"]);
    let repo = m.user_home().join("src/app");
    fs::create_dir_all(repo.join(".git")).expect("git");
    fs::create_dir_all(repo.join(".claude")).expect("dir");
    let local = repo.join(".claude/settings.local.json");
    fs::write(
        &local,
        "{\n  \"permissions\": {},\n  \"disableAllHooks\": true\n}\n",
    )
    .expect("write");
    let in_repo = m
        .command(&["status"])
        .current_dir(&repo)
        .output()
        .expect("status");
    assert_eq!(in_repo.status.code(), Some(1));
    assert!(
        stdout(&in_repo).contains(&format!(
            "ENFORCEMENT OFF: {}:3 sets disableAllHooks: true",
            local.display()
        )),
        "{}",
        stdout(&in_repo)
    );
    // Elsewhere the project's setting is not in force.
    let elsewhere = m
        .command(&["status"])
        .current_dir(m.user_home())
        .output()
        .expect("status");
    assert!(
        !stdout(&elsewhere).contains("ENFORCEMENT OFF"),
        "{}",
        stdout(&elsewhere)
    );
}
