//! Hooks run an installed `uas`, never one inside a cargo build folder:
//! setup from `target/` is refused without `--dev`, an installed copy in a
//! folder with a space is registered quoted and answers through the exact
//! command the agent runs, and a missing or different hook binary is
//! reported by `status` and `doctor`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use uas_testsupport::{Sandbox, fixture_home, json_stdout, stderr, stdout};

const BUILT: &str = env!("CARGO_BIN_EXE_uas");

/// A copy of the built binary at `dir/uas`, as `./x setup` installs it.
fn install_copy(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).expect("mkdir");
    let bin = dir.join("uas");
    fs::copy(BUILT, &bin).expect("copy uas");
    bin
}

fn settings(m: &Sandbox) -> serde_json::Value {
    serde_json::from_slice(&fs::read(m.path(".claude/settings.json")).expect("read")).expect("json")
}

/// The command Claude runs for PreToolUse, as registered.
fn pre_tool_command(m: &Sandbox) -> String {
    let s = settings(m);
    let groups = s["hooks"]["PreToolUse"]
        .as_array()
        .expect("PreToolUse hooks");
    groups
        .iter()
        .flat_map(|g| g["hooks"].as_array().into_iter().flatten())
        .filter_map(|h| h["command"].as_str())
        .find(|c| c.contains(" hook claude "))
        .expect("our PreToolUse command")
        .to_owned()
}

#[test]
fn setup_from_a_cargo_build_is_refused_unless_dev_is_asked_for() {
    let m = Sandbox::with_fixture(BUILT, fixture_home());
    let before = fs::read(m.path(".claude/settings.json")).expect("read");
    let refused = m
        .command(&["setup", "--agent", "claude", "--yes"])
        .env_remove("UAS_DEV")
        .output()
        .expect("run");
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(err.contains("cargo build folder"), "{err}");
    assert!(err.contains("--dev"), "{err}");
    assert_eq!(
        fs::read(m.path(".claude/settings.json")).expect("read"),
        before,
        "nothing written"
    );

    let dev = m
        .command(&["--dev", "setup", "--agent", "claude", "--yes"])
        .env_remove("UAS_DEV")
        .output()
        .expect("run");
    assert!(dev.status.success(), "{}", stderr(&dev));
    assert!(pre_tool_command(&m).starts_with(BUILT));
    let status = m.command(&["status"]).output().expect("run");
    let text = stdout(&status);
    assert!(text.contains("development build: its hooks run"), "{text}");
    let doctor = json_stdout(&m.command(&["doctor", "--json"]).output().expect("run"));
    let check = doctor["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "hooks:claude")
        .expect("hooks:claude check")
        .clone();
    assert_eq!(check["status"], "warn", "{check}");
}

#[test]
fn an_installed_copy_in_a_folder_with_a_space_answers_through_the_registered_command() {
    let m = Sandbox::with_fixture(BUILT, fixture_home());
    let installed = install_copy(&m.root().join("my bin"));
    let setup = Command::new(&installed)
        .args(["setup", "--agent", "claude", "--yes"])
        .env_clear()
        .env("HOME", m.user_home())
        .env("PATH", m.bin_dir())
        .output()
        .expect("run");
    assert!(setup.status.success(), "{}", stderr(&setup));
    let cmd = pre_tool_command(&m);
    assert_eq!(
        cmd,
        format!("'{}' hook claude PreToolUse", installed.display())
    );

    // The agent runs the string through a shell, with a PATH of its own.
    let project = m.project();
    let event = serde_json::json!({
        "session_id": "s1", "cwd": project, "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": project.join("x.txt"), "content": "hi"}
    });
    let run_hook = || {
        let mut child = Command::new("/bin/sh")
            .args(["-c", &cmd])
            .env_clear()
            .env("HOME", m.user_home())
            .env("PATH", "/nonexistent")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn hook");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            stdin
                .write_all(event.to_string().as_bytes())
                .expect("stdin");
        }
        child.wait_with_output().expect("hook")
    };
    let denied = run_hook();
    assert_eq!(denied.status.code(), Some(2), "{}", stderr(&denied));
    assert!(stderr(&denied).contains("plan"), "{}", stderr(&denied));

    // Removed (uninstalled by hand): status and doctor say enforcement is off.
    fs::remove_file(&installed).expect("rm");
    let status = stdout(&m.command(&["status"]).output().expect("run"));
    assert!(
        status.contains(&format!(
            "ENFORCEMENT OFF: its hooks run {}, which does not exist",
            installed.display()
        )),
        "{status}"
    );
    let doctor = m.command(&["doctor"]).output().expect("run");
    assert!(!doctor.status.success());
    assert!(
        stdout(&doctor).contains("which does not exist"),
        "{}",
        stdout(&doctor)
    );
    // And the agent's hook call fails to start (the agent's own failure mode).
    assert_ne!(run_hook().status.code(), Some(0));
}

#[test]
fn doctor_fails_when_the_hooks_run_a_different_build() {
    let m = Sandbox::with_fixture(BUILT, fixture_home());
    let installed = install_copy(&m.root().join("bin2"));
    let setup = Command::new(&installed)
        .args(["setup", "--agent", "claude", "--yes"])
        .env_clear()
        .env("HOME", m.user_home())
        .env("PATH", m.bin_dir())
        .output()
        .expect("run");
    assert!(setup.status.success(), "{}", stderr(&setup));
    let ok = m.command(&["doctor", "--json"]).output().expect("run");
    let same = json_stdout(&ok);
    let check = |v: &serde_json::Value| {
        v["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["id"] == "hooks:claude")
            .expect("hooks:claude")
            .clone()
    };
    assert_eq!(check(&same)["status"], "ok", "{}", check(&same));

    // An older build in its place (by rename, as an upgrade does).
    let older = m.root().join("bin2/.uas.new");
    fs::write(
        &older,
        "#!/bin/sh\necho 'uas 0.0.9 (0123456789ab, release)'\n",
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&older, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    fs::rename(&older, &installed).expect("rename");
    let other = m.command(&["doctor", "--json"]).output().expect("run");
    assert!(!other.status.success());
    let c = check(&json_stdout(&other));
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["summary"].as_str().unwrap_or("").contains("uas 0.0.9"),
        "{c}"
    );
}

#[test]
fn version_names_commit_profile_and_where_the_binary_is() {
    let out = Command::new(BUILT).arg("--version").output().expect("run");
    assert!(out.status.success());
    let text = stdout(&out);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    assert!(
        first.starts_with(concat!("uas ", env!("CARGO_PKG_VERSION"), " (")),
        "{text}"
    );
    assert!(
        first.ends_with(", debug)") || first.ends_with(", release)"),
        "{text}"
    );
    assert!(
        lines
            .next()
            .unwrap_or("")
            .contains("inside the cargo build folder"),
        "{text}"
    );
    let dir = tempfile::tempdir().expect("tmp");
    let copy = install_copy(dir.path());
    let out = stdout(&Command::new(&copy).arg("--version").output().expect("run"));
    assert_eq!(out.lines().next(), Some(first));
    assert_eq!(
        out.lines().nth(1),
        Some(format!("installed at {}", copy.display()).as_str())
    );
}
