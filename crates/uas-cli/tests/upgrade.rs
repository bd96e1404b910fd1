//! A database made before storage moved to one driver (sqlx migrations,
//! schema 2; `tests/fixtures/schema2-home`) upgrades in place: every event
//! is found, the chain and its signed checkpoint verify, session state
//! survives, new events chain on, and the coordination tables of schema 3
//! and the event-kind index of schema 4 are added.

use serde_json::Value;
use std::path::Path;
use uas_testsupport::{Sandbox, copy_tree, stderr, stdout};

#[test]
fn a_schema_2_database_from_the_sqlx_era_upgrades_in_place_with_every_event() {
    let s = Sandbox::new(env!("CARGO_BIN_EXE_uas")).with_path("/usr/bin:/bin");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema2-home"),
        &s.agent_home(),
    );
    let init = s.run(&["--json", "init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let report: Value = serde_json::from_slice(&init.stdout).expect("json");
    let db = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "database")
        .expect("database item");
    // The version bookkeeping moved, and the coordination tables
    // (schema 3) are added beside the old ones.
    assert_eq!(db["action"], "migrated", "{report}");

    let verify = s.run(&["audit", "verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert!(stdout(&verify).contains("4 events"), "{}", stdout(&verify));
    let export = s.run(&["audit", "export", "--format", "jsonl"]);
    let events: Vec<Value> = stdout(&export)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e["session"] == "legacy-1"));

    // The session's SOP state survived: the prompt it recorded counts.
    let phase = s.run(&["--json", "sop", "phase", "--session", "legacy-1"]);
    assert!(phase.status.success(), "{}", stderr(&phase));
    assert!(stdout(&phase).contains("research"), "{}", stdout(&phase));

    // New events chain onto the old ones and the whole log verifies.
    let hook = s.run_with_stdin(
        &["hook", "claude", "UserPromptSubmit"],
        br#"{"session_id":"legacy-1","cwd":"/tmp","hook_event_name":"UserPromptSubmit","prompt":"again"}"#,
    );
    assert_eq!(hook.status.code(), Some(0), "{}", stderr(&hook));
    let verify = s.run(&["audit", "verify"]);
    assert!(stdout(&verify).contains("5 events"), "{}", stdout(&verify));
    let doctor = s.run(&["doctor"]);
    assert!(
        stdout(&doctor).contains("is healthy (schema 4)"),
        "{}",
        stdout(&doctor)
    );
}
