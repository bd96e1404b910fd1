//! Any single edit, deletion, reordering or truncation of the log is found
//! by verify, and a clean log verifies.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uas_audit::{
    AuditLog, Checkpoint, CheckpointFile, NewEvent, ProblemKind, Severity, SigningKeys,
    VerifyReport,
};

fn create_db(dir: &Path) -> PathBuf {
    let path = dir.join("uas.db");
    uas_store::Db::open(
        &path,
        uas_store::OpenMode::CreateAndMigrate,
        uas_store::BUSY_TIMEOUT,
    )
    .expect("store");
    path
}

fn event(i: usize) -> NewEvent {
    NewEvent {
        ts_ms: 1_700_000_000_000 + i as i64,
        agent: ["claude", "codex", "gemini"][i % 3].into(),
        session: format!("session-{}", i % 4),
        kind: "pre_tool".into(),
        severity: if i.is_multiple_of(7) {
            Severity::Error
        } else {
            Severity::Info
        },
        payload: format!("{{\"tool\":\"Write\",\"n\":{i}}}"),
        decision: i
            .is_multiple_of(2)
            .then(|| format!("{{\"action\":\"deny\",\"i\":{i}}}")),
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    log: AuditLog,
    keys: SigningKeys,
    cp: CheckpointFile,
}

fn fixture(n: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("tmp");
    let db = create_db(dir.path());
    let mut log = AuditLog::open(&db, Duration::from_secs(5)).expect("open");
    let keys = SigningKeys::ephemeral([42; 32]);
    let cp = CheckpointFile::in_dir(&dir.path().join("audit"));
    for i in 1..=n {
        let r = log.append(&event(i)).expect("append");
        let hash: [u8; 32] = hex::decode(&r.hash).expect("hex").try_into().expect("32");
        cp.write(&Checkpoint::sign(&keys, r.seq, &hash, r.ts_ms))
            .expect("checkpoint");
    }
    // An attacker with the database file would first drop our triggers.
    attacker(&log)
        .execute_batch("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;")
        .expect("drop triggers");
    Fixture {
        _dir: dir,
        log,
        keys,
        cp,
    }
}

fn verify(f: &Fixture) -> VerifyReport {
    uas_audit::verify::verify(&f.log, f.cp.read(), Ok(f.keys.verifying_key()), None)
        .expect("verify ran")
}

/// A raw connection to the log's file: what an attacker with the file has.
fn attacker(log: &AuditLog) -> rusqlite::Connection {
    rusqlite::Connection::open(log.path()).expect("raw")
}

fn sql(f: &Fixture, q: &str) {
    attacker(&f.log).execute_batch(q).expect("tamper");
}

#[test]
fn clean_log_verifies() {
    let f = fixture(20);
    let r = verify(&f);
    assert!(r.ok, "{r:?}");
    assert_eq!((r.records, r.checkpoint_seq), (20, Some(20)));
}

#[test]
fn each_kind_of_tampering_is_named() {
    let cases: &[(&str, ProblemKind, u64)] = &[
        (
            "UPDATE audit_events SET payload = '{\"tool\":\"Read\"}' WHERE seq = 5",
            ProblemKind::Edited,
            5,
        ),
        (
            "DELETE FROM audit_events WHERE seq = 7",
            ProblemKind::Deleted,
            7,
        ),
        (
            "DELETE FROM audit_events WHERE seq > 17",
            ProblemKind::Truncated,
            18,
        ),
        (
            "UPDATE audit_events SET seq = -1 WHERE seq = 9; UPDATE audit_events SET seq = 9 WHERE seq = 10; UPDATE audit_events SET seq = 10 WHERE seq = -1;",
            ProblemKind::Reordered,
            9,
        ),
        (
            "DELETE FROM audit_events WHERE seq = 3; UPDATE audit_events SET seq = seq - 1 WHERE seq > 3;",
            ProblemKind::Reordered,
            3,
        ),
    ];
    for (q, kind, seq) in cases {
        let f = fixture(20);
        sql(&f, q);
        let r = verify(&f);
        let p = r
            .problem
            .clone()
            .unwrap_or_else(|| panic!("not detected: {q}"));
        assert_eq!((p.kind, p.seq), (*kind, *seq), "{q}: {p:?}");
        assert!(!r.ok);
    }
}

#[test]
fn checkpoint_deleted_or_forged_is_reported() {
    let f = fixture(5);
    for p in f.cp.paths() {
        let _ = std::fs::remove_file(p);
    }
    assert_eq!(
        verify(&f).problem.map(|p| p.kind),
        Some(ProblemKind::CheckpointMissing)
    );
    // Re-signed by another key after deleting the newest records.
    sql(&f, "DELETE FROM audit_events WHERE seq = 5");
    let other = SigningKeys::ephemeral([1; 32]);
    f.cp.write(&Checkpoint::sign(&other, 4, &[0; 32], 1))
        .expect("forge");
    assert_eq!(
        verify(&f).problem.map(|p| p.kind),
        Some(ProblemKind::BadSignature)
    );
}

#[derive(Debug, Clone)]
enum Tamper {
    Edit { seq: usize, column: usize },
    Delete { seq: usize },
    Swap { a: usize, b: usize },
    Truncate { keep: usize },
}

const COLUMNS: &[&str] = &[
    "ts_ms = ts_ms + 1",
    "agent = agent || 'x'",
    "session = 'other'",
    "kind = 'post_tool'",
    "severity = 'info'",
    "payload = payload || ' '",
    "decision = NULL",
    "prev_hash = zeroblob(32)",
    "hash = randomblob(32)",
];

fn tamper(n: usize) -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (1..=n, 0..COLUMNS.len()).prop_map(|(seq, column)| Tamper::Edit { seq, column }),
        (1..=n).prop_map(|seq| Tamper::Delete { seq }),
        (1..=n, 1..=n)
            .prop_filter("distinct", |(a, b)| a != b)
            .prop_map(|(a, b)| Tamper::Swap { a, b }),
        (0..n).prop_map(|keep| Tamper::Truncate { keep }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn any_single_tampering_is_detected(t in tamper(12)) {
        let f = fixture(12);
        let q = match &t {
            Tamper::Edit { seq, column } => {
                let c = COLUMNS[*column];
                // Severity 'info' on an info row and NULL on a NULL decision
                // are not changes; use a value that differs.
                let c = match c {
                    "severity = 'info'" => "severity = CASE severity WHEN 'info' THEN 'error' ELSE 'info' END",
                    "decision = NULL" => "decision = CASE WHEN decision IS NULL THEN '{}' ELSE NULL END",
                    "prev_hash = zeroblob(32)" if *seq == 1 => "prev_hash = randomblob(32)",
                    other => other,
                };
                format!("UPDATE audit_events SET {c} WHERE seq = {seq}")
            }
            Tamper::Delete { seq } => format!("DELETE FROM audit_events WHERE seq = {seq}"),
            Tamper::Swap { a, b } => format!(
                "UPDATE audit_events SET seq = -1 WHERE seq = {a}; UPDATE audit_events SET seq = {a} WHERE seq = {b}; UPDATE audit_events SET seq = {b} WHERE seq = -1;"
            ),
            Tamper::Truncate { keep } => format!("DELETE FROM audit_events WHERE seq > {keep}"),
        };
        sql(&f, &q);
        let r = verify(&f);
        prop_assert!(!r.ok, "{:?} not detected: {:?}", t, r);
    }
}
