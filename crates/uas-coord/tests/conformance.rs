//! One conformance suite, the same test functions against both backends:
//! SQLite on a temp database and Redis on a real `redis-server` started on
//! a free loopback port. Several coordinators on one backend stand for
//! several processes (each opens its own connection), and the contention
//! and kill tests use real processes: this test binary started again as a
//! worker.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uas_coord::{Beat, Coordinator, LeaseKey, RedisCoordinator, SqliteCoordinator, Ttls};
use uas_testsupport::RedisServer;

type Open<'a> = &'a dyn Fn() -> Box<dyn Coordinator>;

/// How a worker process reaches the backend: `sqlite:<path>` or the URL.
fn open_spec(spec: &str) -> Box<dyn Coordinator> {
    match spec.strip_prefix("sqlite:") {
        Some(p) => Box::new(SqliteCoordinator::create(Path::new(p)).expect("sqlite")),
        None => Box::new(RedisCoordinator::connect(spec, Duration::from_secs(5)).expect("redis")),
    }
}

fn beat(agent: &str, session: &str) -> Beat {
    Beat {
        agent: agent.into(),
        session: session.into(),
        host: "test-host".into(),
        pid: Some(std::process::id()),
        cwd: Some("/work/app".into()),
        repo: Some("example.com/team/app".into()),
        phase: Some("plan".into()),
    }
}

fn key(path: &str) -> LeaseKey {
    LeaseKey {
        repo: "example.com/team/app".into(),
        path: path.into(),
    }
}

fn ttls(session_ms: u64) -> Ttls {
    Ttls {
        session: Duration::from_millis(session_ms),
        lease: Duration::from_secs(600),
    }
}

/// Polls `ok` until it holds or 15 s pass (the condition, not the time, is
/// what the tests assert).
fn eventually(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{what} did not happen within 15 s");
}

fn a_lock_is_granted_once_until_released(open: Open<'_>) {
    let (a, b) = (open(), open());
    let g1 = a
        .try_acquire("task:issue-1", "alice", Duration::from_secs(30))
        .expect("acquire")
        .expect("granted");
    assert_eq!(g1.holder, "alice");
    assert!(
        b.try_acquire("task:issue-1", "bob", Duration::from_secs(30))
            .expect("acquire")
            .is_none()
    );
    assert!(
        !b.release("task:issue-1", g1.token + 1, &g1.secret)
            .expect("release")
    );
    assert!(
        !b.release("task:issue-1", g1.token, "guessed")
            .expect("release"),
        "released without the secret"
    );
    assert!(b.validate("task:issue-1", g1.token).expect("validate"));
    let listed = b.locks().expect("locks");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].token, g1.token);
    assert!(
        a.release("task:issue-1", g1.token, &g1.secret)
            .expect("release")
    );
    assert!(
        !a.release("task:issue-1", g1.token, &g1.secret)
            .expect("second release")
    );
    let g2 = b
        .try_acquire("task:issue-1", "bob", Duration::from_secs(30))
        .expect("acquire")
        .expect("granted after release");
    assert!(
        g2.token > g1.token,
        "tokens only grow: {} then {}",
        g1.token,
        g2.token
    );
    assert!(!b.validate("task:issue-1", g1.token).expect("validate"));
}

fn a_lapsed_grant_lets_a_waiter_in_and_its_token_is_then_stale(open: Open<'_>) {
    let (a, b) = (open(), open());
    let g1 = a
        .try_acquire("task:deploy", "alice", Duration::from_millis(300))
        .expect("acquire")
        .expect("granted");
    let g2 = uas_coord::acquire(
        &*b,
        "task:deploy",
        "bob",
        Duration::from_secs(30),
        Duration::from_secs(15),
    )
    .expect("acquire")
    .expect("the waiter gets the lock once the first grant lapses");
    assert!(g2.token > g1.token);
    assert!(
        !a.validate("task:deploy", g1.token).expect("validate"),
        "stale token accepted"
    );
    assert!(a.validate("task:deploy", g2.token).expect("validate"));
    assert!(
        !a.release("task:deploy", g1.token, &g1.secret)
            .expect("release"),
        "stale holder released"
    );
    assert!(
        a.extend("task:deploy", g1.token, &g1.secret, Duration::from_secs(5))
            .expect("extend")
            .is_none()
    );
    assert!(b.validate("task:deploy", g2.token).expect("validate"));
}

fn extend_keeps_a_grant_past_its_first_ttl(open: Open<'_>) {
    let a = open();
    let g = a
        .try_acquire("task:long", "alice", Duration::from_millis(400))
        .expect("acquire")
        .expect("granted");
    let e = a
        .extend("task:long", g.token, &g.secret, Duration::from_secs(60))
        .expect("extend")
        .expect("extended");
    assert_eq!(e.token, g.token);
    assert!(e.expires_ms >= g.expires_ms + 50_000);
    let b = open();
    assert!(
        b.try_acquire("task:long", "bob", Duration::from_secs(1))
            .expect("acquire")
            .is_none()
    );
}

fn sessions_register_refresh_and_end(open: Open<'_>) {
    let c = open();
    let first = c
        .on_event(&beat("claude", "s1"), &[], ttls(60_000))
        .expect("beat");
    assert!(first.new_session);
    let mut b = beat("claude", "s1");
    b.phase = Some("implement".into());
    assert!(
        !c.on_event(&b, &[key("src/a.rs")], ttls(60_000))
            .expect("beat")
            .new_session
    );
    let other = open();
    let s = other.sessions(false).expect("sessions");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].beat.agent, "claude");
    assert_eq!(s[0].beat.phase.as_deref(), Some("implement"));
    assert_eq!(s[0].beat.host, "test-host");
    assert!(s[0].last_seen_ms >= s[0].started_ms);
    assert_eq!(
        other.leases(Some(("claude", "s1"))).expect("leases").len(),
        1
    );
    assert!(other.end_session("claude", "s1").expect("end"));
    assert!(!other.end_session("claude", "s1").expect("end twice"));
    assert!(other.sessions(false).expect("sessions").is_empty());
    assert!(other.leases(None).expect("leases").is_empty());
}

fn a_second_session_is_refused_a_leased_file_until_the_first_ends(open: Open<'_>) {
    let (a, b) = (open(), open());
    let t = ttls(60_000);
    assert!(
        a.on_event(&beat("claude", "A"), &[key("src/main.rs")], t)
            .expect("a")
            .conflicts
            .is_empty()
    );
    let refused = b
        .on_event(
            &beat("codex", "B"),
            &[key("src/lib.rs"), key("src/main.rs")],
            t,
        )
        .expect("b");
    assert_eq!(refused.conflicts.len(), 1, "{refused:?}");
    let holder = &refused.conflicts[0];
    assert_eq!(
        (holder.agent.as_str(), holder.session.as_str()),
        ("claude", "A")
    );
    assert_eq!(holder.key, key("src/main.rs"));
    // Nothing was taken by the refused call, not even the free file.
    assert!(b.leases(Some(("codex", "B"))).expect("leases").is_empty());
    // The holder edits again: still its own.
    assert!(
        a.on_event(&beat("claude", "A"), &[key("src/main.rs")], t)
            .expect("a")
            .conflicts
            .is_empty()
    );
    assert!(
        b.on_event(&beat("codex", "B"), &[key("src/lib.rs")], t)
            .expect("b")
            .conflicts
            .is_empty()
    );
    assert!(a.end_session("claude", "A").expect("end"));
    assert!(
        b.on_event(&beat("codex", "B"), &[key("src/main.rs")], t)
            .expect("b")
            .conflicts
            .is_empty()
    );
    let held: Vec<String> = a
        .leases(None)
        .expect("leases")
        .iter()
        .map(|l| l.key.path.clone())
        .collect();
    assert_eq!(held, ["src/lib.rs", "src/main.rs"]);
}

fn a_released_lease_is_free_and_only_its_holder_can_release_it(open: Open<'_>) {
    let (a, b) = (open(), open());
    let t = ttls(60_000);
    a.on_event(&beat("claude", "A"), &[key("README.md")], t)
        .expect("a");
    assert!(
        b.release_lease(&key("README.md"), Some(("codex", "B")))
            .expect("release")
            .is_none()
    );
    let dropped = b
        .release_lease(&key("README.md"), Some(("claude", "A")))
        .expect("release");
    assert_eq!(dropped.map(|l| l.session), Some("A".to_owned()));
    assert!(
        b.on_event(&beat("codex", "B"), &[key("README.md")], t)
            .expect("b")
            .conflicts
            .is_empty()
    );
}

fn a_session_that_stops_beating_loses_its_leases_within_the_ttl(open: Open<'_>) {
    let (a, b) = (open(), open());
    a.on_event(&beat("claude", "A"), &[key("src/x.rs")], ttls(300))
        .expect("a");
    assert_eq!(
        b.on_event(&beat("codex", "B"), &[key("src/x.rs")], ttls(60_000))
            .expect("b")
            .conflicts
            .len(),
        1
    );
    eventually("the silent session's lease ending", || {
        b.on_event(&beat("codex", "B"), &[key("src/x.rs")], ttls(60_000))
            .expect("b")
            .conflicts
            .is_empty()
    });
    assert!(
        b.sessions(false)
            .expect("sessions")
            .iter()
            .all(|s| s.beat.session != "A")
    );
}

fn changes_are_published_in_order_and_resume_after_a_sequence(open: Open<'_>) {
    let c = open();
    c.on_event(&beat("claude", "A"), &[key("a.txt")], ttls(60_000))
        .expect("beat");
    let g = c
        .try_acquire("task:t", "alice", Duration::from_secs(10))
        .expect("acq")
        .expect("granted");
    c.release("task:t", g.token, &g.secret).expect("release");
    c.end_session("claude", "A").expect("end");
    let all = open().events_after(0, 100).expect("events");
    let kinds: Vec<&str> = all.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "session_started",
            "lease_taken",
            "lock_acquired",
            "lock_released",
            "session_ended"
        ]
    );
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all[1].detail["lease"], "example.com/team/app:a.txt");
    let rest = c.events_after(all[1].seq, 100).expect("events");
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[0].kind, "lock_acquired");
}

/// Worker processes: this binary again, told what to do by environment.
fn spawn_worker(mode: &str, spec: &str, extra: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", "worker", "--nocapture", "--test-threads", "1"])
        .env("UAS_COORD_WORKER", mode)
        .env("UAS_COORD_SPEC", spec)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().expect("worker")
}

/// Not a test by itself: the body of the worker processes.
#[test]
fn worker() {
    let Ok(mode) = std::env::var("UAS_COORD_WORKER") else {
        return;
    };
    let c = open_spec(&std::env::var("UAS_COORD_SPEC").expect("spec"));
    match mode.as_str() {
        "count" => {
            let file = PathBuf::from(std::env::var("UAS_COORD_FILE").expect("file"));
            let rounds: u32 = std::env::var("UAS_COORD_ROUNDS")
                .expect("rounds")
                .parse()
                .expect("n");
            let me = format!("worker-{}", std::process::id());
            for _ in 0..rounds {
                let g = uas_coord::acquire(
                    &*c,
                    "counter",
                    &me,
                    Duration::from_secs(30),
                    Duration::from_secs(60),
                )
                .expect("acquire")
                .expect("granted within 60 s");
                // The protected operation checks its fencing token first.
                assert!(c.validate("counter", g.token).expect("validate"));
                let n: u64 = std::fs::read_to_string(&file)
                    .expect("read")
                    .trim()
                    .parse()
                    .expect("number");
                std::fs::write(&file, format!("{}\n", n + 1)).expect("write");
                assert!(
                    c.release("counter", g.token, &g.secret).expect("release"),
                    "lost the lock mid-increment"
                );
            }
        }
        "hold" => {
            let ttl = ttls(400);
            c.on_event(&beat("claude", "doomed"), &[key("src/held.rs")], ttl)
                .expect("hold");
            loop {
                c.on_event(&beat("claude", "doomed"), &[], ttl)
                    .expect("beat");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        other => panic!("unknown worker mode {other}"),
    }
}

fn mutual_exclusion_under_contention(spec: &str) {
    const PROCESSES: usize = 4;
    const ROUNDS: u32 = 25;
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("counter");
    std::fs::write(&file, "0\n").expect("counter");
    let workers: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawn_worker(
                "count",
                spec,
                &[
                    ("UAS_COORD_FILE", file.display().to_string()),
                    ("UAS_COORD_ROUNDS", ROUNDS.to_string()),
                ],
            )
        })
        .collect();
    for mut w in workers {
        assert!(w.wait().expect("wait").success(), "a worker failed");
    }
    let n: u64 = std::fs::read_to_string(&file)
        .expect("read")
        .trim()
        .parse()
        .expect("number");
    assert_eq!(n, PROCESSES as u64 * u64::from(ROUNDS));
}

fn a_killed_agent_process_loses_its_session_and_leases_within_the_ttl(spec: &str) {
    let c = open_spec(spec);
    let mut w = spawn_worker("hold", spec, &[]);
    eventually("the worker's lease", || {
        c.leases(Some(("claude", "doomed")))
            .is_ok_and(|l| l.len() == 1)
    });
    assert_eq!(
        c.on_event(&beat("codex", "B"), &[key("src/held.rs")], ttls(60_000))
            .expect("b")
            .conflicts
            .len(),
        1
    );
    // SIGKILL: no end event, nothing cleans up.
    w.kill().expect("kill -9");
    w.wait().expect("reap");
    eventually("the killed session disappearing", || {
        c.sessions(false)
            .is_ok_and(|s| s.iter().all(|s| s.beat.session != "doomed"))
    });
    assert!(
        c.on_event(&beat("codex", "B"), &[key("src/held.rs")], ttls(60_000))
            .expect("b")
            .conflicts
            .is_empty()
    );
}

macro_rules! conformance {
    ($($name:ident),* ; $($proc:ident),*) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let dir = tempfile::tempdir().expect("tmp");
                    let db = dir.path().join("uas.db");
                    super::$name(&|| Box::new(uas_coord::SqliteCoordinator::create(&db).expect("open")));
                }
            )*
            $(
                #[test]
                fn $proc() {
                    let dir = tempfile::tempdir().expect("tmp");
                    let db = dir.path().join("uas.db");
                    drop(uas_coord::SqliteCoordinator::create(&db).expect("create"));
                    super::$proc(&format!("sqlite:{}", db.display()));
                }
            )*
        }
        mod redis {
            $(
                #[test]
                fn $name() {
                    let server = uas_testsupport::RedisServer::start();
                    let url = server.url();
                    super::$name(&|| Box::new(uas_coord::RedisCoordinator::connect(&url, std::time::Duration::from_secs(5)).expect("connect")));
                }
            )*
            $(
                #[test]
                fn $proc() {
                    let server = uas_testsupport::RedisServer::start();
                    super::$proc(&server.url());
                }
            )*
        }
    };
}

conformance!(
    a_lock_is_granted_once_until_released,
    a_lapsed_grant_lets_a_waiter_in_and_its_token_is_then_stale,
    extend_keeps_a_grant_past_its_first_ttl,
    sessions_register_refresh_and_end,
    a_second_session_is_refused_a_leased_file_until_the_first_ends,
    a_released_lease_is_free_and_only_its_holder_can_release_it,
    a_session_that_stops_beating_loses_its_leases_within_the_ttl,
    changes_are_published_in_order_and_resume_after_a_sequence;
    mutual_exclusion_under_contention,
    a_killed_agent_process_loses_its_session_and_leases_within_the_ttl
);

#[test]
fn a_restarted_redis_loses_no_lock_and_clients_reconnect() {
    let mut server = RedisServer::start();
    let url = server.url();
    let a = RedisCoordinator::connect(&url, Duration::from_secs(2)).expect("a");
    let b = RedisCoordinator::connect(&url, Duration::from_secs(2)).expect("b");
    let g = a
        .try_acquire("task:migrate", "alice", Duration::from_secs(120))
        .expect("acq")
        .expect("granted");
    server.kill();
    let down = b.try_acquire("task:migrate", "bob", Duration::from_secs(120));
    let msg = match down {
        Err(e) => e.to_string(),
        Ok(v) => panic!("a stopped server answered: {v:?}"),
    };
    assert!(msg.contains("unreachable") && msg.contains(&url), "{msg}");
    server.restart();
    // Both clients reconnect on their own; the grant survived the restart.
    assert!(
        b.try_acquire("task:migrate", "bob", Duration::from_secs(120))
            .expect("reconnected")
            .is_none(),
        "granted twice"
    );
    assert!(a.validate("task:migrate", g.token).expect("reconnected"));
    assert!(
        a.release("task:migrate", g.token, &g.secret)
            .expect("release")
    );
    let g2 = b
        .try_acquire("task:migrate", "bob", Duration::from_secs(120))
        .expect("acq")
        .expect("granted");
    assert!(g2.token > g.token);
}

#[test]
fn an_unreachable_server_is_a_clear_error_naming_it() {
    let server = RedisServer::start();
    let url = server.url();
    drop(server);
    let e = RedisCoordinator::connect(&url, Duration::from_millis(300))
        .err()
        .expect("refused");
    let msg = e.to_string();
    assert!(
        msg.contains(&url) && msg.contains("[coordination] backend"),
        "{msg}"
    );
}

#[test]
fn redis_subscribers_are_woken_with_each_change_sequence() {
    let server = RedisServer::start();
    let client = ::redis::Client::open(server.url()).expect("client");
    let mut con = client.get_connection().expect("connect");
    let mut sub = con.as_pubsub();
    sub.subscribe("uas:events").expect("subscribe");
    sub.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let c = RedisCoordinator::connect(&server.url(), Duration::from_secs(5)).expect("coordinator");
    c.on_event(&beat("claude", "A"), &[key("src/a.rs")], ttls(60_000))
        .expect("beat");
    let seqs: Vec<u64> = (0..2)
        .map(|_| {
            sub.get_message()
                .expect("a wake-up")
                .get_payload::<String>()
                .expect("payload")
                .parse()
                .expect("sequence")
        })
        .collect();
    let events = c.events_after(0, 10).expect("events");
    assert_eq!(seqs, events.iter().map(|e| e.seq).collect::<Vec<_>>());
}

#[test]
fn folder_edits_conflict_with_the_leases_inside_them_sqlite() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("uas.db");
    folder_edits_conflict_with_the_leases_inside_them(&|| {
        Box::new(SqliteCoordinator::create(&db).expect("open"))
    });
}

#[test]
fn folder_edits_conflict_with_the_leases_inside_them_redis() {
    let server = RedisServer::start();
    let url = server.url();
    folder_edits_conflict_with_the_leases_inside_them(&|| {
        Box::new(RedisCoordinator::connect(&url, Duration::from_secs(5)).expect("connect"))
    });
}

fn folder_edits_conflict_with_the_leases_inside_them(open: Open<'_>) {
    let (a, b) = (open(), open());
    let t = ttls(60_000);
    a.on_event(&beat("claude", "A"), &[key("src/core/lib.rs")], t)
        .expect("a");
    for tree in ["src/", "src/core/", "./"] {
        let c = b.on_event(&beat("codex", "B"), &[key(tree)], t).expect("b");
        assert_eq!(c.conflicts.len(), 1, "{tree}: {c:?}");
        assert_eq!(c.conflicts[0].key, key("src/core/lib.rs"));
    }
    for other in ["docs/", "src/co/", "src/core"] {
        let c = b
            .on_event(&beat("codex", "B"), &[key(other)], t)
            .expect("b");
        assert!(c.conflicts.is_empty(), "{other}: {c:?}");
    }
    // lease_scope = "directory": a folder's own lease meets an edit of it.
    a.on_event(&beat("claude", "A"), &[key("lib")], t)
        .expect("a");
    let c = b
        .on_event(&beat("codex", "B"), &[key("lib/")], t)
        .expect("b");
    assert_eq!(c.conflicts.len(), 1, "{c:?}");
    assert_eq!(c.conflicts[0].key, key("lib"));
    // A folder takes no lease itself.
    assert!(
        b.leases(Some(("codex", "B")))
            .expect("leases")
            .iter()
            .all(|l| !l.key.is_tree())
    );
}

#[test]
fn ending_a_silent_session_drops_its_leases_on_both_backends() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("uas.db");
    let server = RedisServer::start();
    let url = server.url();
    let sqlite =
        || -> Box<dyn Coordinator> { Box::new(SqliteCoordinator::create(&db).expect("open")) };
    let redis = || -> Box<dyn Coordinator> {
        Box::new(RedisCoordinator::connect(&url, Duration::from_secs(5)).expect("connect"))
    };
    for open in [&sqlite as Open<'_>, &redis] {
        let c = open();
        c.on_event(&beat("claude", "quiet"), &[key("src/q.rs")], ttls(300))
            .expect("beat");
        eventually("the session going quiet", || {
            c.sessions(false)
                .is_ok_and(|s| s.iter().all(|s| s.beat.session != "quiet"))
        });
        // Its end event comes late: not live any more, but its leases go.
        assert!(!c.end_session("claude", "quiet").expect("end"));
        c.on_event(&beat("claude", "quiet"), &[], ttls(60_000))
            .expect("back");
        assert!(
            c.leases(Some(("claude", "quiet")))
                .expect("leases")
                .is_empty()
        );
    }
}
