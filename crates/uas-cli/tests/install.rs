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
    // Another test thread that forks while the copy's write handle is open
    // holds it until its exec: the new binary is busy ("Text file busy")
    // for that moment. Wait until it runs.
    for _ in 0..200 {
        match Command::new(&bin).arg("--version").output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            _ => break,
        }
    }
    bin
}

/// `uas init` and `uas setup --agent claude` run by `installed`, as
/// `./x setup` and then a user run them.
fn setup_claude_with(m: &Sandbox, installed: &Path) {
    for args in [&["init"][..], &["setup", "--agent", "claude", "--yes"]] {
        let out = Command::new(installed)
            .args(args)
            .env_clear()
            .env("HOME", m.user_home())
            .env("PATH", m.bin_dir())
            .output()
            .expect("run");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
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
    setup_claude_with(&m, &installed);
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
    let run_hook_with = |event: &serde_json::Value| {
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
    let run_hook = || run_hook_with(&event);
    let denied = run_hook();
    assert_eq!(denied.status.code(), Some(2), "{}", stderr(&denied));
    assert!(stderr(&denied).contains("plan"), "{}", stderr(&denied));

    // A hostile agent replacing the hook binary would silence every hook:
    // a write to it, a shell copy over it (absolute, and relative from its
    // folder) and moving its folder are denied as tamper.
    let bin_dir = installed.parent().expect("bin dir").to_path_buf();
    let quoted = format!("'{}'", installed.display());
    for (tool, input, cwd) in [
        (
            "Write",
            serde_json::json!({"file_path": installed, "content": "#!/bin/sh\nexit 0\n"}),
            project.clone(),
        ),
        (
            "Bash",
            serde_json::json!({"command": format!("cp /bin/true {quoted}")}),
            project.clone(),
        ),
        (
            "Bash",
            serde_json::json!({"command": "cp /bin/true ./uas"}),
            bin_dir.clone(),
        ),
        (
            "Bash",
            serde_json::json!({"command": format!("mv '{}' /tmp/elsewhere", bin_dir.display())}),
            project.clone(),
        ),
    ] {
        let attempt = serde_json::json!({
            "session_id": "s-hostile", "cwd": cwd, "hook_event_name": "PreToolUse",
            "tool_name": tool, "tool_input": input
        });
        let out = run_hook_with(&attempt);
        assert_eq!(out.status.code(), Some(2), "{attempt}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("tamper"),
            "{attempt}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        fs::read(&installed).expect("read"),
        fs::read(BUILT).expect("read")
    );

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
    setup_claude_with(&m, &installed);
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

    // A stub that answers nothing is no uas either.
    fs::write(&older, "#!/bin/sh\nexit 1\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&older, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    fs::rename(&older, &installed).expect("rename");
    let stub = m.command(&["doctor", "--json"]).output().expect("run");
    assert!(!stub.status.success());
    let c = check(&json_stdout(&stub));
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap_or("")
            .contains("no answer to --version"),
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
