//! Coordination through the built `uas` binary: simulated agent sessions
//! (hook calls as the agents make them) in temp homes, on SQLite and on a
//! real `redis-server` shared by two homes standing for two machines.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Output;
use uas_testsupport::{RedisServer, Sandbox, json_stdout, stderr, stdout};

/// An initialised home with `config` (written before `uas init`).
fn home(config: &str) -> Sandbox {
    let s = Sandbox::new(env!("CARGO_BIN_EXE_uas")).with_path("/usr/bin:/bin");
    std::fs::create_dir_all(s.agent_home()).expect("home");
    std::fs::write(s.agent_home().join("config.toml"), config).expect("config");
    let init = s.run(&["init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    s
}

/// A clone of `git@example.com:team/app.git` at `dir`.
fn clone_at(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    std::fs::write(
        dir.join(".git/config"),
        "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@example.com:team/app.git\n",
    )
    .expect("git config");
    dir.to_path_buf()
}

/// A Claude Code hook input.
fn claude_event(session: &str, cwd: &Path, event: &str, tool: Option<(&str, Value)>) -> Value {
    let mut v = json!({"session_id": session, "cwd": cwd, "hook_event_name": event});
    if let Some((name, input)) = tool {
        v["tool_name"] = json!(name);
        v["tool_input"] = input;
    }
    v
}

fn claude(
    s: &Sandbox,
    session: &str,
    cwd: &Path,
    event: &str,
    tool: Option<(&str, Value)>,
) -> Output {
    let v = claude_event(session, cwd, event, tool);
    s.run_with_stdin(&["hook", "claude", event], v.to_string().as_bytes())
}

/// A shell line that makes the hook call `claude` would (its input kept in
/// a file of the home), for scripts run under a fake agent process.
fn hook_line(
    s: &Sandbox,
    session: &str,
    cwd: &Path,
    event: &str,
    tool: Option<(&str, Value)>,
) -> String {
    let v = claude_event(session, cwd, event, tool).to_string();
    let f = s
        .user_home()
        .join(format!("{session}-{event}-{}.json", v.len()));
    std::fs::write(&f, &v).expect("event");
    format!(
        "'{}' hook claude {event} < '{}' > /dev/null",
        s.bin().display(),
        f.display()
    )
}

fn write(repo: &Path, file: &str) -> Option<(&'static str, Value)> {
    Some((
        "Write",
        json!({"file_path": repo.join(file), "content": "x"}),
    ))
}

/// A session that has recorded its plan (in `plan_file`) and may edit.
fn planned(s: &Sandbox, session: &str, repo: &Path, plan_file: &str) {
    assert!(
        claude(s, session, repo, "SessionStart", None)
            .status
            .success()
    );
    assert!(
        claude(s, session, repo, "UserPromptSubmit", None)
            .status
            .success()
    );
    let pre = claude(s, session, repo, "PreToolUse", write(repo, plan_file));
    assert_eq!(pre.status.code(), Some(0), "{}", stderr(&pre));
    assert!(
        claude(s, session, repo, "PostToolUse", write(repo, plan_file))
            .status
            .success()
    );
}

fn events(s: &Sandbox) -> Vec<Value> {
    stdout(&s.run(&["audit", "export", "--format", "jsonl"]))
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect()
}

fn lease_decisions(s: &Sandbox) -> Vec<(String, String)> {
    events(s)
        .iter()
        .filter_map(|e| {
            let d: Value = serde_json::from_str(e["decision"].as_str()?).ok()?;
            (d["rule"] == "coordination.lease").then(|| {
                (
                    e["session"].as_str().unwrap_or_default().to_owned(),
                    d["action"].as_str().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn a_second_session_editing_a_leased_file_is_denied_naming_the_holder_until_the_first_ends() {
    let s = home("");
    let repo = clone_at(&s.user_home().join("app"));
    planned(&s, "A", &repo, "PLAN.md");
    planned(&s, "B", &repo, ".uas/plan.md");
    let a = claude(&s, "A", &repo, "PreToolUse", write(&repo, "src/lib.rs"));
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));

    let b = claude(&s, "B", &repo, "PreToolUse", write(&repo, "src/lib.rs"));
    assert_eq!(
        b.status.code(),
        Some(2),
        "the second session's edit went through"
    );
    let told = stderr(&b);
    assert!(
        told.contains("example.com/team/app:src/lib.rs is being edited by claude session A"),
        "{told}"
    );
    // Through a shell redirection too.
    let sh = claude(
        &s,
        "B",
        &repo,
        "PreToolUse",
        Some(("Bash", json!({"command": "echo x >> src/lib.rs"}))),
    );
    assert_eq!(sh.status.code(), Some(2), "{}", stderr(&sh));
    // A command no parser reads is seen by its effect: the leased file
    // changed while B's shell call ran.
    let py = Some((
        "Bash",
        json!({"command": "python3 -c \"open('src/lib.rs','w').write('mine')\""}),
    ));
    assert_eq!(
        claude(&s, "B", &repo, "PreToolUse", py.clone())
            .status
            .code(),
        Some(0)
    );
    std::fs::create_dir_all(repo.join("src")).expect("src");
    std::fs::write(repo.join("src/lib.rs"), "mine").expect("the command's effect");
    assert!(claude(&s, "B", &repo, "PostToolUse", py).status.success());
    let violated: Vec<Value> = events(&s)
        .into_iter()
        .filter(|e| e["kind"] == "lease_violated")
        .collect();
    assert_eq!(violated.len(), 1, "{violated:?}");
    assert_eq!(violated[0]["session"], "B");
    assert!(
        violated[0]["payload"]
            .as_str()
            .unwrap_or_default()
            .contains("claude session A"),
        "{violated:?}"
    );
    // Another file is free.
    assert_eq!(
        claude(&s, "B", &repo, "PreToolUse", write(&repo, "src/other.rs"))
            .status
            .code(),
        Some(0)
    );

    let leases = json_stdout(&s.run(&["--json", "lease", "list"]));
    let held: Vec<(String, String)> = leases
        .as_array()
        .expect("array")
        .iter()
        .map(|l| {
            (
                l["key"]["path"].as_str().unwrap_or_default().to_owned(),
                l["session"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        held.contains(&("src/lib.rs".into(), "A".into())),
        "{held:?}"
    );
    assert!(
        held.contains(&("src/other.rs".into(), "B".into())),
        "{held:?}"
    );

    // A new session is told at its start which files others hold.
    let start = claude(&s, "C", &repo, "SessionStart", None);
    assert!(
        stdout(&start).contains("src/lib.rs (claude session A"),
        "{}",
        stdout(&start)
    );

    assert!(claude(&s, "A", &repo, "SessionEnd", None).status.success());
    let after = claude(&s, "B", &repo, "PreToolUse", write(&repo, "src/lib.rs"));
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
    assert_eq!(
        lease_decisions(&s),
        [
            ("B".to_owned(), "deny".to_owned()),
            ("B".to_owned(), "deny".to_owned()),
            ("B".to_owned(), "warn".to_owned())
        ]
    );
    let show = json_stdout(&s.run(&["--json", "session", "show", "A"]));
    assert_eq!(show["live"], false);
    let kinds: Vec<&str> = show["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"session_started"));
    assert_eq!(kinds.last(), Some(&"session_ended"));
}

#[test]
fn on_conflict_warn_lets_the_edit_through_and_names_the_holder() {
    let s = home("[coordination]\non_conflict = \"warn\"\n");
    let repo = clone_at(&s.user_home().join("app"));
    planned(&s, "A", &repo, "PLAN.md");
    planned(&s, "B", &repo, ".uas/plan.md");
    assert_eq!(
        claude(&s, "A", &repo, "PreToolUse", write(&repo, "main.go"))
            .status
            .code(),
        Some(0)
    );
    let b = claude(&s, "B", &repo, "PreToolUse", write(&repo, "main.go"));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    assert!(format!("{}{}", stdout(&b), stderr(&b)).contains("claude session A"));
    assert_eq!(lease_decisions(&s), [("B".to_owned(), "warn".to_owned())]);
}

#[test]
fn two_machines_sharing_one_redis_see_each_others_sessions_and_leases() {
    let redis = RedisServer::start();
    let config = format!("[coordination]\nbackend = \"{}\"\n", redis.url());
    let (m1, m2) = (home(&config), home(&config));
    // Two clones of one repository, one on each "machine".
    let (r1, r2) = (
        clone_at(&m1.user_home().join("work/app")),
        clone_at(&m2.user_home().join("src/app-clone")),
    );
    planned(&m1, "alice-1", &r1, "PLAN.md");
    // PLAN.md in bob's clone is the same file of the same repository.
    assert!(
        claude(&m2, "bob-1", &r2, "SessionStart", None)
            .status
            .success()
    );
    assert!(
        claude(&m2, "bob-1", &r2, "UserPromptSubmit", None)
            .status
            .success()
    );
    let refused = claude(&m2, "bob-1", &r2, "PreToolUse", write(&r2, "PLAN.md"));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let m2_leases = json_stdout(&m2.run(&["--json", "lease", "list"]));
    assert_eq!(m2_leases[0]["session"], "alice-1", "{m2_leases}");
    assert_eq!(
        claude(&m2, "bob-1", &r2, "PreToolUse", write(&r2, "docs/PLAN.md"))
            .status
            .code(),
        Some(0)
    );
    assert!(
        claude(&m2, "bob-1", &r2, "PostToolUse", write(&r2, "docs/PLAN.md"))
            .status
            .success()
    );

    assert_eq!(
        claude(&m1, "alice-1", &r1, "PreToolUse", write(&r1, "src/api.rs"))
            .status
            .code(),
        Some(0)
    );
    let denied = claude(&m2, "bob-1", &r2, "PreToolUse", write(&r2, "src/api.rs"));
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        stderr(&denied).contains("claude session alice-1"),
        "{}",
        stderr(&denied)
    );

    let seen: Vec<String> = json_stdout(&m1.run(&["--json", "session", "list"]))
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["session"].as_str().map(str::to_owned))
        .collect();
    assert!(
        seen.contains(&"bob-1".to_owned()) && seen.contains(&"alice-1".to_owned()),
        "{seen:?}"
    );
    let doctor = stdout(&m2.run(&["doctor"]));
    assert!(
        doctor.contains(&redis.url()) && doctor.contains("2 live sessions"),
        "{doctor}"
    );
}

#[test]
fn an_unreachable_server_applies_on_unreachable_and_is_recorded() {
    let gone = {
        let r = RedisServer::start();
        r.url()
    };
    let deny = home(&format!(
        "[coordination]\nbackend = \"{gone}\"\non_unreachable = \"deny\"\ntimeout_ms = 200\n"
    ));
    let repo = clone_at(&deny.user_home().join("app"));
    planned_despite_deny(&deny, &repo);
    let d = claude(&deny, "A", &repo, "PreToolUse", write(&repo, "src/x.rs"));
    assert_eq!(d.status.code(), Some(2));
    assert!(
        stderr(&d).contains("on_unreachable = \"deny\""),
        "{}",
        stderr(&d)
    );
    assert!(
        events(&deny)
            .iter()
            .any(|e| e["kind"] == "coordination_unreachable")
    );
    let doctor = stdout(&deny.run(&["doctor"]));
    assert!(
        doctor.contains("coordination") && doctor.contains("unreachable"),
        "{doctor}"
    );

    let local = home(&format!(
        "[coordination]\nbackend = \"{gone}\"\non_unreachable = \"local\"\ntimeout_ms = 200\n"
    ));
    let repo = clone_at(&local.user_home().join("app"));
    planned(&local, "A", &repo, "PLAN.md");
    assert_eq!(
        claude(&local, "A", &repo, "PreToolUse", write(&repo, "src/x.rs"))
            .status
            .code(),
        Some(0)
    );
    planned(&local, "B", &repo, "docs/PLAN.md");
    // Coordinated on this machine meanwhile.
    assert_eq!(
        claude(&local, "B", &repo, "PreToolUse", write(&repo, "src/x.rs"))
            .status
            .code(),
        Some(2)
    );
    assert!(
        events(&local)
            .iter()
            .any(|e| e["kind"] == "coordination_unreachable")
    );
}

/// With `on_unreachable = "deny"` even the plan file cannot be written: the
/// session records its plan the other way, a person's `uas sop advance`.
fn planned_despite_deny(s: &Sandbox, repo: &Path) {
    assert!(claude(s, "A", repo, "SessionStart", None).status.success());
    assert!(
        claude(s, "A", repo, "UserPromptSubmit", None)
            .status
            .success()
    );
    let plan = claude(s, "A", repo, "PreToolUse", write(repo, "PLAN.md"));
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    let adv = s.run(&["sop", "advance", "--session", "A"]);
    assert!(adv.status.success(), "{}", stderr(&adv));
}

#[test]
fn locks_from_the_command_line_carry_fencing_tokens() {
    let s = home("");
    let first = json_stdout(&s.run(&[
        "--json",
        "lock",
        "acquire",
        "task:issue-7",
        "--ttl",
        "60s",
        "--holder",
        "alice",
    ]));
    assert_eq!(first["granted"], true);
    let token = first["lock"]["token"].as_u64().expect("token");
    let busy = s.run(&["lock", "acquire", "task:issue-7", "--holder", "bob"]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(stderr(&busy).contains("held by alice"), "{}", stderr(&busy));
    let t = token.to_string();
    let secret = first["lock"]["secret"].as_str().expect("secret").to_owned();
    let listed = stdout(&s.run(&["--json", "lock", "list"]));
    assert!(!listed.contains(&secret), "the secret is listed: {listed}");
    assert!(
        s.run(&["lock", "check", "task:issue-7", "--token", &t])
            .status
            .success()
    );
    assert!(
        s.run(&[
            "lock",
            "extend",
            "task:issue-7",
            "--token",
            &t,
            "--secret",
            &secret,
            "--ttl",
            "5m"
        ])
        .status
        .success()
    );
    assert!(
        s.run(&[
            "lock",
            "release",
            "task:issue-7",
            "--token",
            &t,
            "--secret",
            &secret
        ])
        .status
        .success()
    );
    assert_eq!(
        s.run(&[
            "lock",
            "release",
            "task:issue-7",
            "--token",
            &t,
            "--secret",
            &secret
        ])
        .status
        .code(),
        Some(1)
    );
    let second = json_stdout(&s.run(&[
        "--json",
        "lock",
        "acquire",
        "task:issue-7",
        "--holder",
        "bob",
    ]));
    assert!(second["lock"]["token"].as_u64().expect("token") > token);
    assert_eq!(
        s.run(&["lock", "check", "task:issue-7", "--token", &t])
            .status
            .code(),
        Some(1)
    );
    let bad = s.run(&["lock", "acquire", "x", "--ttl", "5 parsecs"]);
    assert!(
        !bad.status.success() && stderr(&bad).contains("unknown unit"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn an_agent_may_use_locks_but_not_release_another_sessions_lease() {
    let s = home("");
    let repo = clone_at(&s.user_home().join("app"));
    planned(&s, "A", &repo, "PLAN.md");
    let bash = |cmd: &str| Some(("Bash", json!({"command": cmd})));
    let lock = claude(
        &s,
        "A",
        &repo,
        "PreToolUse",
        bash("uas lock acquire task:review --wait 10s"),
    );
    assert_eq!(lock.status.code(), Some(0), "{}", stderr(&lock));
    let list = claude(&s, "A", &repo, "PreToolUse", bash("uas lease list --json"));
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let release = claude(
        &s,
        "A",
        &repo,
        "PreToolUse",
        bash("uas lease release src/lib.rs"),
    );
    assert_eq!(release.status.code(), Some(2), "{}", stderr(&release));
    assert!(events(&s).iter().any(|e| e["severity"] == "critical"));
}

fn fake_agent(s: &Sandbox, name: &str) -> std::process::Command {
    s.fake_agent(name)
}

#[test]
fn a_hook_event_forged_in_another_sessions_name_neither_ends_it_nor_acts_for_it() {
    use std::io::{BufRead, BufReader};
    let s = home("");
    let repo = clone_at(&s.user_home().join("app"));
    let event = |session: &str, name: &str, tool: Option<(&str, Value)>| {
        hook_line(&s, session, &repo, name, tool)
    };
    // Session A: its hooks run under its own (live) agent process.
    let script = [
        event("A", "SessionStart", None),
        event("A", "UserPromptSubmit", None),
        event("A", "PreToolUse", write(&repo, "PLAN.md")),
        "echo ready".into(),
        "read _ || true".into(),
    ]
    .join("\n");
    let mut a = fake_agent(&s, "agent-a")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("agent A");
    let mut line = String::new();
    BufReader::new(a.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready");
    assert_eq!(line.trim(), "ready");

    // Another agent process sends events in A's name.
    let forged = fake_agent(&s, "agent-b")
        .arg("-c")
        .arg(format!(
            "{}; echo end=$?; {}; echo write=$?",
            event("A", "SessionEnd", None),
            event("A", "PreToolUse", write(&repo, "PLAN.md"))
        ))
        .output()
        .expect("agent B");
    let said = stdout(&forged);
    assert!(
        said.contains("end=0") && said.contains("write=2"),
        "{said}{}",
        stderr(&forged)
    );
    assert!(
        stderr(&forged).contains("another agent process"),
        "{}",
        stderr(&forged)
    );
    let leases = json_stdout(&s.run(&["--json", "lease", "list"]));
    assert_eq!(leases[0]["session"], "A", "A lost its lease: {leases}");

    drop(a.stdin.take());
    assert!(a.wait().expect("A exits").success());
}

#[test]
fn a_killed_agents_files_are_free_at_once_on_its_machine() {
    let s = home("");
    let repo = clone_at(&s.user_home().join("app"));
    let script = [
        hook_line(&s, "gone", &repo, "SessionStart", None),
        hook_line(&s, "gone", &repo, "UserPromptSubmit", None),
        hook_line(&s, "gone", &repo, "PreToolUse", write(&repo, "PLAN.md")),
    ];
    // The agent process runs its hooks, then dies without a SessionEnd.
    let ran = fake_agent(&s, "agent-gone")
        .arg("-c")
        .arg(script.join("\n"))
        .output()
        .expect("agent");
    assert!(ran.status.success(), "{}", stderr(&ran));
    let leases = json_stdout(&s.run(&["--json", "lease", "list"]));
    assert_eq!(leases[0]["session"], "gone", "{leases}");
    // Well within the session TTL, another session may have the file.
    assert!(
        claude(&s, "B", &repo, "SessionStart", None)
            .status
            .success()
    );
    assert!(
        claude(&s, "B", &repo, "UserPromptSubmit", None)
            .status
            .success()
    );
    let b = claude(&s, "B", &repo, "PreToolUse", write(&repo, "PLAN.md"));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let notes = stdout(&s.run(&["audit", "export"]));
    assert!(notes.contains("its agent process"), "{notes}");
}
