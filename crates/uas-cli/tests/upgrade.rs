//! A database made before storage moved to one driver (sqlx migrations,
//! schema 2; `tests/fixtures/schema2-home`) upgrades in place: every event
//! is found, the chain and its signed checkpoint verify, session state
//! survives, and new events chain on.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

fn uas(user_home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uas"))
        .args(args)
        .env_clear()
        .env("HOME", user_home)
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write");
    drop(input);
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_schema_2_database_from_the_sqlx_era_upgrades_in_place_with_every_event() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    let agent = home.join(".agent");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema2-home"),
        &agent,
    );
    let init = uas(&home, &["--json", "init"], None);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let report: Value = serde_json::from_slice(&init.stdout).expect("json");
    let db = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "database")
        .expect("database item");
    // Same schema, only the version bookkeeping moved: nothing to migrate.
    assert_eq!(db["action"], "unchanged", "{report}");

    let verify = uas(&home, &["audit", "verify"], None);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
    assert!(
        text(&verify.stdout).contains("4 events"),
        "{}",
        text(&verify.stdout)
    );
    let export = uas(&home, &["audit", "export", "--format", "jsonl"], None);
    let events: Vec<Value> = text(&export.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e["session"] == "legacy-1"));

    // The session's SOP state survived: the prompt it recorded counts.
    let phase = uas(
        &home,
        &["--json", "sop", "phase", "--session", "legacy-1"],
        None,
    );
    assert!(phase.status.success(), "{}", text(&phase.stderr));
    assert!(
        text(&phase.stdout).contains("research"),
        "{}",
        text(&phase.stdout)
    );

    // New events chain onto the old ones and the whole log verifies.
    let hook = uas(
        &home,
        &["hook", "claude", "UserPromptSubmit"],
        Some(
            r#"{"session_id":"legacy-1","cwd":"/tmp","hook_event_name":"UserPromptSubmit","prompt":"again"}"#,
        ),
    );
    assert_eq!(hook.status.code(), Some(0), "{}", text(&hook.stderr));
    let verify = uas(&home, &["audit", "verify"], None);
    assert!(
        text(&verify.stdout).contains("5 events"),
        "{}",
        text(&verify.stdout)
    );
    let doctor = uas(&home, &["doctor"], None);
    assert!(
        text(&doctor.stdout).contains("is healthy (schema 2)"),
        "{}",
        text(&doctor.stdout)
    );
}
