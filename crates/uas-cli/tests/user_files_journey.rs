//! Journeys through the built `uas` binary where a user's file is broken,
//! refused or a dotfiles symlink: setup lists every broken file, `--partial`
//! sets up the rest and says which were skipped, uninstall of a file uas
//! never touched has nothing to remove.

use std::fs;
use uas_testsupport::{Sandbox, fixture_home, json_stdout, stderr, stdout};

fn machine() -> Sandbox {
    Sandbox::with_fixture(env!("CARGO_BIN_EXE_uas"), fixture_home())
}

/// Claude's settings.json cut off mid-edit, Cursor's hooks pointing to a file.
fn two_broken_files(m: &Sandbox) -> (Vec<u8>, Vec<u8>) {
    let claude = b"{\n  \"model\": \"opus\",\n  \"hooks\": {\n    \"PreToolUse\": [\n".to_vec();
    let cursor = b"{\n  \"version\": 1,\n  \"hooks\": \"./hooks.d\"\n}\n".to_vec();
    fs::write(m.path(".claude/settings.json"), &claude).expect("write");
    fs::write(m.path(".cursor/hooks.json"), &cursor).expect("write");
    (claude, cursor)
}

const AGENTS: &[&str] = &[
    "setup", "--agent", "claude", "--agent", "cursor", "--agent", "codex", "--yes",
];

#[test]
fn setup_lists_every_broken_file_and_writes_nothing() {
    let m = machine();
    two_broken_files(&m);
    let before = uas_testsupport::files(&m.user_home());
    let out = m.run(AGENTS);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(".claude/settings.json:"), "{err}");
    assert!(
        err.contains(".cursor/hooks.json: `hooks` is a string"),
        "{err}"
    );
    assert!(err.contains("--partial"), "{err}");
    // The operation lock file is uas's own, not a user file.
    let mut after = uas_testsupport::files(&m.user_home());
    after.remove(std::path::Path::new(".agent/uas.lock"));
    assert_eq!(after, before);
}

#[test]
fn partial_sets_up_the_others_reports_the_skipped_and_exits_1() {
    let m = machine();
    let (claude, cursor) = two_broken_files(&m);
    let mut args = AGENTS.to_vec();
    args.push("--partial");
    let out = m.run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("skipped claude: "), "{text}");
    assert!(text.contains("skipped cursor: "), "{text}");
    assert!(text.contains(".codex/hooks.json"), "{text}");
    assert_eq!(
        fs::read(m.path(".claude/settings.json")).expect("r"),
        claude
    );
    assert_eq!(fs::read(m.path(".cursor/hooks.json")).expect("r"), cursor);
    let hooks = fs::read_to_string(m.path(".codex/hooks.json")).expect("r");
    assert!(hooks.contains(" hook codex "), "{hooks}");

    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(&args);
    let report = json_stdout(&m.run(&json_args));
    let skipped: Vec<_> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["agent"].as_str().expect("agent").to_owned())
        .collect();
    assert_eq!(skipped, ["claude", "cursor"]);
    assert!(
        report["skipped"][0]["path"]
            .as_str()
            .expect("path")
            .ends_with(".claude/settings.json")
    );
}

#[test]
fn uninstall_of_a_refused_jsonc_file_says_nothing_to_remove_and_exits_0() {
    let m = machine();
    let jsonc = "{\n  // hooks I am trying out\n  \"version\": 1,\n  \"hooks\": {}\n}\n";
    fs::write(m.path(".cursor/hooks.json"), jsonc).expect("write");
    assert!(
        !m.run(&["setup", "--agent", "cursor", "--yes"])
            .status
            .success()
    );
    let out = m.ok(&["uninstall", "--agent", "cursor", "--yes"]);
    assert!(out.starts_with("Nothing to remove"), "{out}");
    assert_eq!(
        fs::read_to_string(m.path(".cursor/hooks.json")).expect("r"),
        jsonc
    );
}

#[cfg(unix)]
#[test]
fn setup_through_a_dotfiles_symlink_says_so_and_keeps_the_link() {
    use std::os::unix::fs::symlink;
    let m = machine();
    let settings = fs::read(m.path(".claude/settings.json")).expect("r");
    fs::create_dir_all(m.path("dotfiles/claude")).expect("mkdir");
    fs::write(m.path("dotfiles/claude/settings.json"), &settings).expect("w");
    fs::remove_file(m.path(".claude/settings.json")).expect("rm");
    symlink(
        "../dotfiles/claude/settings.json",
        m.path(".claude/settings.json"),
    )
    .expect("ln");
    let out = m.ok(&["setup", "--agent", "claude", "--yes"]);
    assert!(out.contains("via symlink"), "{out}");
    assert!(
        fs::symlink_metadata(m.path(".claude/settings.json"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    m.ok(&["uninstall", "--agent", "claude", "--yes"]);
    assert_eq!(
        fs::read(m.path("dotfiles/claude/settings.json")).expect("r"),
        settings
    );
}
