//! The facade's init and doctor against temporary homes.

use std::fs;
use std::path::Path;
use uas_api::{App, CheckStatus, Home, InitAction, ProbeEnv};

fn app(root: &Path) -> App {
    let probe = ProbeEnv {
        user_home: root.join("user"),
        ..ProbeEnv::default()
    };
    App::new(Home::new(root.join(".agent")), probe)
}

fn status_of(report: &uas_api::DoctorReport, id: &str) -> CheckStatus {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.status)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn init_creates_the_home_and_a_second_init_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = app(tmp.path());
    let first = app.init().expect("init");
    assert!(first.changed);
    assert!(first.items.iter().all(|i| i.action == InitAction::Created));
    let home = tmp.path().join(".agent");
    for p in [
        "config.toml",
        "instructions/AGENTS.md",
        "sop/README.md",
        "uas.db",
    ] {
        assert!(home.join(p).is_file(), "{p} missing");
    }
    assert!(home.join("skills").is_dir());

    let second = app.init().expect("init again");
    assert!(!second.changed, "{second:?}");
    assert!(
        second
            .items
            .iter()
            .all(|i| i.action == InitAction::Unchanged)
    );
}

#[test]
fn init_keeps_a_hand_edited_instructions_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = app(tmp.path());
    app.init().expect("init");
    let file = tmp.path().join(".agent/instructions/AGENTS.md");
    fs::write(&file, "# My rules\nAlways write tests first.\n").expect("edit");
    let report = app.init().expect("init again");
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        "# My rules\nAlways write tests first.\n"
    );
    let item = report.items.iter().find(|i| i.path == file).expect("item");
    assert_eq!(item.action, InitAction::KeptUserVersion);
    assert!(!report.changed);
}

#[test]
fn init_refuses_an_invalid_config_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join(".agent");
    fs::create_dir_all(&home).expect("home");
    let bad = "[store]\ndatabase = 42\n";
    fs::write(home.join("config.toml"), bad).expect("config");
    let err = app(tmp.path()).init().expect_err("must fail");
    assert_eq!(err.code(), "config_invalid");
    assert!(err.to_string().contains("config.toml:2:"), "{err}");
    assert_eq!(
        fs::read_to_string(home.join("config.toml")).expect("read"),
        bad
    );
    let names: Vec<_> = fs::read_dir(&home)
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "init created files despite the bad config: {names:?}"
    );
}

#[test]
fn init_with_a_file_where_the_home_should_be_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(tmp.path().join(".agent"), "not a folder").expect("seed");
    let err = app(tmp.path()).init().expect_err("must fail");
    assert_eq!(err.code(), "home_not_a_directory");
    assert_eq!(
        fs::read_to_string(tmp.path().join(".agent")).expect("read"),
        "not a folder"
    );
}

#[test]
fn doctor_on_a_fresh_machine_says_to_run_init_and_creates_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let report = app(tmp.path()).doctor();
    assert!(!report.healthy);
    assert_eq!(status_of(&report, "home"), CheckStatus::Fail);
    assert_eq!(status_of(&report, "database"), CheckStatus::Fail);
    assert!(!tmp.path().join(".agent").exists());
}

#[test]
fn doctor_after_init_is_healthy_and_lists_installed_agents() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = app(tmp.path());
    app.init().expect("init");
    let claude = tmp.path().join("user/.claude");
    fs::create_dir_all(&claude).expect("claude dir");
    fs::write(claude.join("settings.json"), "{}").expect("settings");
    let report = app.doctor();
    assert!(report.healthy, "{report:#?}");
    assert_eq!(report.agents.len(), uas_core::AgentId::ALL.len());
    let installed: Vec<_> = report
        .agents
        .iter()
        .filter(|a| a.installed)
        .map(|a| a.agent)
        .collect();
    assert_eq!(installed, vec![uas_api::AgentId::Claude]);
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["agents"][0]["agent"], "claude");
    assert_eq!(json["checks"][0]["status"], "ok");
}

#[test]
fn doctor_reports_a_corrupt_database_without_touching_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = app(tmp.path());
    app.init().expect("init");
    let db = tmp.path().join(".agent/uas.db");
    let _ = fs::remove_file(tmp.path().join(".agent/uas.db-wal"));
    let _ = fs::remove_file(tmp.path().join(".agent/uas.db-shm"));
    let junk = vec![0x5au8; 8192];
    fs::write(&db, &junk).expect("corrupt");
    let report = app.doctor();
    assert_eq!(status_of(&report, "database"), CheckStatus::Fail);
    let summary = &report
        .checks
        .iter()
        .find(|c| c.id == "database")
        .expect("db")
        .summary;
    assert!(
        summary.contains("uas.db") && summary.contains("not a readable SQLite database"),
        "{summary}"
    );
    assert_eq!(fs::read(&db).expect("read"), junk);
}

#[test]
fn doctor_fails_when_the_hooks_run_a_uas_that_no_longer_exists() {
    let tmp = tempfile::tempdir().expect("tmp");
    let gone = tmp.path().join("old/bin/uas");
    let app = app(tmp.path()).with_uas_bin(gone.display().to_string());
    app.init().expect("init");
    app.setup(&uas_api::SetupOptions {
        agents: uas_api::AgentSelection::Only(vec![uas_api::AgentId::Claude]),
        dry_run: false,
        project: None,
        partial: false,
        failpoints: uas_api::ApplyFailpoints::default(),
    })
    .expect("setup");
    let report = app.doctor();
    assert!(!report.healthy, "{report:#?}");
    let hooks = report
        .checks
        .iter()
        .find(|c| c.id == "hooks:claude")
        .expect("a hooks check for claude");
    assert_eq!(hooks.status, CheckStatus::Fail);
    assert!(
        hooks.summary.contains("enforcement is OFF for claude")
            && hooks.summary.contains(&gone.display().to_string())
            && hooks.summary.contains("does not exist"),
        "{}",
        hooks.summary
    );
    assert!(
        hooks
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("uas repair"))
    );
}

#[test]
fn doctor_fails_on_an_invalid_sop_file_instead_of_using_the_built_in_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = app(tmp.path());
    app.init().expect("init");
    fs::write(
        tmp.path().join(".agent/sop/default.toml"),
        "[[phase]]\nname = 3\n",
    )
    .expect("sop");
    let report = app.doctor();
    assert_eq!(status_of(&report, "sop"), CheckStatus::Fail, "{report:#?}");
    assert!(!report.healthy);
}
