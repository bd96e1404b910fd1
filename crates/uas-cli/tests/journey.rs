//! Journeys through the built `uas` binary against temporary homes. Each test
//! runs the binary with a cleared environment whose HOME is a temp dir, so
//! the real home is never read or written.

use std::fs;
use std::process::Command;
use uas_testsupport::{Sandbox, files as snapshot, json_stdout as json, stderr, stdout};

fn sandbox() -> Sandbox {
    Sandbox::new(env!("CARGO_BIN_EXE_uas"))
}

#[test]
fn init_creates_the_default_home_under_the_users_home() {
    let sb = sandbox();
    let o = sb.run(&["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Initialized"), "{}", stdout(&o));
    for p in [
        "config.toml",
        "instructions/AGENTS.md",
        "sop/README.md",
        "uas.db",
    ] {
        assert!(sb.agent_home().join(p).is_file(), "{p} missing");
    }
}

#[test]
fn second_init_is_a_no_op_and_says_so() {
    let sb = sandbox();
    assert!(sb.run(&["init"]).status.success());
    let files: Vec<_> = snapshot(&sb.agent_home())
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("uas.db"))
        .collect();
    let o = sb.run(&["init", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["changed"], false, "{report:#}");
    let after: Vec<_> = snapshot(&sb.agent_home())
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("uas.db"))
        .collect();
    assert_eq!(files, after);
    assert!(stdout(&sb.run(&["init"])).contains("Nothing to do"));
}

#[test]
fn hand_edited_files_survive_init() {
    let sb = sandbox();
    assert!(sb.run(&["init"]).status.success());
    let agents = sb.agent_home().join("instructions/AGENTS.md");
    let config = sb.agent_home().join("config.toml");
    fs::write(&agents, "# Team rules\n\n- squash before merge\n").expect("edit");
    fs::write(&config, "# mine\n[agents]\ndisabled = [\"cursor\"]\n").expect("edit");
    let o = sb.run(&["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Kept 2 file(s) you edited"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        fs::read_to_string(&agents).expect("read"),
        "# Team rules\n\n- squash before merge\n"
    );
    assert_eq!(
        fs::read_to_string(&config).expect("read"),
        "# mine\n[agents]\ndisabled = [\"cursor\"]\n"
    );
}

#[test]
fn uas_home_overrides_the_default_and_home_flag_overrides_both() {
    let sb = sandbox();
    let custom = sb.root().join("custom");
    let flag = sb.root().join("flag");
    let o = sb
        .command(&["init"])
        .env("UAS_HOME", &custom)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(custom.join("config.toml").is_file());
    let flag_str = flag.to_string_lossy().into_owned();
    let o = sb
        .command(&["init", "--home", &flag_str])
        .env("UAS_HOME", &custom)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(flag.join("config.toml").is_file());
    assert!(!sb.agent_home().exists());
}

fn assert_config_error(config: &str, expect_line: &str, expect_words: &[&str]) {
    let sb = sandbox();
    fs::create_dir_all(sb.agent_home()).expect("home");
    let path = sb.agent_home().join("config.toml");
    fs::write(&path, config).expect("config");
    for args in [&["init"][..], &["doctor"][..]] {
        let o = sb.run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        let text = format!("{}{}", stdout(&o), stderr(&o));
        let located = format!("{}:{expect_line}", path.display());
        assert!(
            text.contains(&located),
            "{args:?} should name {located}: {text}"
        );
        for w in expect_words {
            assert!(text.contains(w), "{args:?} should mention {w}: {text}");
        }
        assert_eq!(
            fs::read_to_string(&path).expect("read"),
            config,
            "config was changed"
        );
    }
    assert!(
        !sb.agent_home().join("uas.db").exists(),
        "init went ahead despite the bad config"
    );
}

#[test]
fn config_syntax_error_names_file_and_line() {
    assert_config_error("version = 1\n[store\n", "2:", &["docs/config.md"]);
}

#[test]
fn config_unknown_key_names_file_line_and_key() {
    assert_config_error(
        "[agents]\ndisabled = []\ncolour = \"blue\"\n",
        "3:1",
        &["colour"],
    );
}

#[test]
fn config_wrong_type_names_file_line_and_dotted_key() {
    assert_config_error("[store]\ndatabase = true\n", "2:", &["store.database"]);
}

#[test]
fn corrupted_database_is_reported_and_kept() {
    let sb = sandbox();
    fs::create_dir_all(sb.agent_home()).expect("home");
    let db = sb.agent_home().join("uas.db");
    let junk = b"SQLite format 2\0 but really a text file\n".repeat(300);
    fs::write(&db, &junk).expect("db");
    let o = sb.run(&["init", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let err = json(&o);
    assert_eq!(err["error"]["code"], "store_corrupt", "{err:#}");
    let msg = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(&db.display().to_string()) && msg.contains("mv "),
        "{msg}"
    );
    assert_eq!(fs::read(&db).expect("read"), junk);
}

#[test]
fn home_that_is_a_file_is_a_clear_error() {
    let sb = sandbox();
    fs::write(sb.agent_home(), "oops").expect("file");
    let o = sb.run(&["init"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(sb.agent_home()).expect("read"), "oops");
}

#[cfg(unix)]
#[test]
fn read_only_home_is_a_clear_error_and_nothing_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let sb = sandbox();
    let home = sb.agent_home();
    fs::create_dir_all(&home).expect("home");
    fs::set_permissions(sb.root(), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(sb.user_home(), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(&home, fs::Permissions::from_mode(0o555)).expect("chmod");
    // root ignores permission bits, so as root run uas as `nobody`.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| stdout(&o).trim() == "0")
        .unwrap_or(false);
    let o = if is_root {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sb.bin().to_str().expect("utf-8 path"),
            "init",
        ])
        .env_clear()
        .env("HOME", sb.user_home())
        .env("PATH", "/usr/bin:/bin");
        cmd.output()
            .expect("setpriv (util-linux) must be installed")
    } else {
        sb.run(&["init"])
    };
    let _ = fs::set_permissions(&home, fs::Permissions::from_mode(0o755));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains(&home.display().to_string()), "{err}");
    assert!(
        err.contains("ermission denied") && err.contains("writable"),
        "{err}"
    );
    assert!(
        fs::read_dir(&home).expect("ls").next().is_none(),
        "something was written"
    );
}

#[test]
fn doctor_json_lists_checks_and_every_agent() {
    let sb = sandbox();
    assert!(sb.run(&["init"]).status.success());
    fs::create_dir_all(sb.user_home().join(".codex")).expect("codex");
    fs::write(
        sb.user_home().join(".codex/config.toml"),
        "model = \"o3\"\n",
    )
    .expect("codex config");
    let o = sb.run(&["doctor", "--json"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let r = json(&o);
    assert_eq!(r["healthy"], true);
    let agents = r["agents"].as_array().expect("agents");
    assert_eq!(agents.len(), uas_core::AgentId::ALL.len());
    let found: Vec<_> = agents
        .iter()
        .filter(|a| a["installed"] == true)
        .map(|a| a["agent"].clone())
        .collect();
    assert_eq!(found, vec![serde_json::json!("codex")]);
}

#[test]
fn doctor_before_init_fails_with_advice_and_creates_nothing() {
    let sb = sandbox();
    let o = sb.run(&["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("fix: run `uas init`"), "{}", stdout(&o));
    assert!(!sb.agent_home().exists());
}

#[test]
fn version_and_help_do_no_config_or_database_work() {
    let sb = sandbox();
    fs::create_dir_all(sb.agent_home()).expect("home");
    fs::write(sb.agent_home().join("config.toml"), "this is [[ not toml").expect("config");
    fs::write(sb.agent_home().join("uas.db"), "not a db").expect("db");
    let v = sb.run(&["--version"]);
    assert!(v.status.success());
    assert!(
        stdout(&v).starts_with(&format!("uas {} (", env!("CARGO_PKG_VERSION"))),
        "{}",
        stdout(&v)
    );
    for args in [
        &["help"][..],
        &["help", "init"][..],
        &["doctor", "--help"][..],
        &["--help"][..],
    ] {
        let o = sb.run(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage:"), "{args:?}");
    }
    assert!(stdout(&sb.run(&["help", "doctor"])).contains("Read-only"));
}

#[test]
fn verbose_logs_go_to_stderr_and_json_stays_clean() {
    let sb = sandbox();
    let o = sb.run(&["init", "--json", "-vv"]);
    assert!(o.status.success());
    let _ = json(&o);
    assert!(stderr(&o).contains("init finished"), "{}", stderr(&o));
}
