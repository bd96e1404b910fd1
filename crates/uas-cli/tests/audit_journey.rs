//! SOP enforcement and the audit log through the built `uas` binary, with
//! temporary homes and a cleared environment (the real home is never used).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use uas_testsupport::{Sandbox, json_stdout as json_out, stderr, stdout};

/// An initialised home (`PATH` has the system tools, `git` and `sh`) and
/// the hook and audit calls these journeys make through the binary.
struct Journey(Sandbox);

impl std::ops::Deref for Journey {
    type Target = Sandbox;

    fn deref(&self) -> &Sandbox {
        &self.0
    }
}

impl Journey {
    fn new() -> Self {
        let s = Sandbox::new(env!("CARGO_BIN_EXE_uas")).with_path("/usr/bin:/bin");
        let init = s.run(&["init"]);
        assert!(init.status.success(), "{}", stderr(&init));
        Self(s)
    }

    /// One hook call with `input` on stdin.
    fn hook(&self, agent: &str, event: &str, input: &Value) -> Output {
        self.run_with_stdin(&["hook", agent, event], input.to_string().as_bytes())
    }

    /// A Claude Code hook call for `session` in `cwd`.
    fn claude_hook(
        &self,
        session: &str,
        cwd: &Path,
        event: &str,
        tool: Option<(&str, Value)>,
    ) -> Output {
        self.hook("claude", event, &claude(session, cwd, event, tool))
    }

    /// Every audit event, exported as JSON lines.
    fn events(&self) -> Vec<Value> {
        let out = self.run(&["audit", "export", "--format", "jsonl"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).expect("jsonl"))
            .collect()
    }

    /// `uas audit verify` as JSON.
    fn verify(&self) -> Value {
        json_out(&self.run(&["--json", "audit", "verify"]))
    }
}

fn claude(session: &str, cwd: &Path, event: &str, tool: Option<(&str, Value)>) -> Value {
    let mut v = json!({"session_id": session, "cwd": cwd, "hook_event_name": event});
    if let Some((name, input)) = tool {
        v["tool_name"] = json!(name);
        v["tool_input"] = input;
    }
    v
}

#[test]
fn simulated_claude_session_is_held_to_the_sop_and_verifies() {
    let s = Journey::new();
    let p = s.project();
    let c = |event: &str, tool: Option<(&str, Value)>| {
        s.hook("claude", event, &claude("sess-1", &p, event, tool))
    };
    let write = |file: &str| Some(("Write", json!({"file_path": p.join(file), "content": "x"})));
    let bash = |cmd: &str| Some(("Bash", json!({"command": cmd})));

    let start = c("SessionStart", None);
    assert!(
        stdout(&start).contains("additionalContext"),
        "{}",
        stdout(&start)
    );
    assert!(c("UserPromptSubmit", None).status.success());

    let denied = c("PreToolUse", write("src/lib.rs"));
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        stderr(&denied).contains("No plan is recorded"),
        "{}",
        stderr(&denied)
    );
    assert!(stdout(&denied).is_empty());

    // Recording the plan: the plan file is exempt, and writing it counts.
    assert_eq!(c("PreToolUse", write("PLAN.md")).status.code(), Some(0));
    assert!(c("PostToolUse", write("PLAN.md")).status.success());
    assert_eq!(c("PreToolUse", write("src/lib.rs")).status.code(), Some(0));
    assert!(c("PostToolUse", write("src/lib.rs")).status.success());

    // No commit before a passing test run after the last edit.
    let commit = bash("git commit -am 'add lib'");
    let denied = c("PreToolUse", commit.clone());
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        stderr(&denied).contains("No passing test run"),
        "{}",
        stderr(&denied)
    );
    // A failing run is not evidence.
    assert!(c("PostToolUseFailure", bash("cargo test")).status.success());
    assert_eq!(c("PreToolUse", commit.clone()).status.code(), Some(2));
    // A passing run is.
    assert!(c("PostToolUse", bash("cargo test")).status.success());
    assert_eq!(c("PreToolUse", commit.clone()).status.code(), Some(0));
    // Another edit needs another test run.
    assert!(c("PostToolUse", write("src/lib.rs")).status.success());
    assert_eq!(c("PreToolUse", commit).status.code(), Some(2));
    assert!(c("Stop", None).status.success());
    assert!(c("SessionEnd", None).status.success());

    let events = s.events();
    let denies: Vec<_> = events
        .iter()
        .filter_map(|e| {
            let d: Value = serde_json::from_str(e["decision"].as_str()?).ok()?;
            (d["action"] == "deny").then(|| (d["rule"].clone(), d["phase"].clone()))
        })
        .collect();
    assert_eq!(
        denies,
        [
            (json!("plan-before-edit"), json!("research")),
            (json!("tests-before-commit"), json!("verify")),
            (json!("tests-before-commit"), json!("verify")),
            (json!("tests-before-commit"), json!("verify")),
        ]
    );
    let seqs: Vec<u64> = events.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    assert_eq!(s.verify()["ok"], true);
    let phase = json_out(&s.run(&["--json", "sop", "phase", "--session", "sess-1"]));
    assert_eq!(phase[0]["phase"], "verify");
}

#[test]
fn eight_processes_append_a_thousand_events_each() {
    let s = Journey::new();
    let children: Vec<_> = (0..8)
        .map(|i| {
            s.command(&[
                "audit",
                "append-synthetic",
                "--count",
                "1000",
                "--session",
                &format!("p{i}"),
            ])
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let events = s.events();
    assert_eq!(events.len(), 8000);
    let seqs: Vec<u64> = events.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, (1..=8000).collect::<Vec<_>>());
    for i in 0..8 {
        let n = events
            .iter()
            .filter(|e| e["session"] == format!("p{i}"))
            .count();
        assert_eq!(n, 1000, "process {i}");
    }
    let v = s.verify();
    assert_eq!(
        (v["ok"].clone(), v["records"].clone()),
        (json!(true), json!(8000))
    );
}

#[test]
fn a_follower_sees_events_written_by_other_processes() {
    let s = Journey::new();
    let mut tail = s
        .command(&["--json", "audit", "tail", "--follow", "--since", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tail");
    let lines = BufReader::new(tail.stdout.take().expect("stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in lines.lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let p = s.project();
    for i in 0..5 {
        s.claude_hook(&format!("f{i}"), &p, "UserPromptSubmit", None);
    }
    let mut got = Vec::new();
    while got.len() < 5 {
        // A bound so a broken follower fails the test instead of hanging it.
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("follower printed nothing");
        let v: Value = serde_json::from_str(&line).expect("json");
        got.push(v["session"].as_str().unwrap_or("").to_owned());
    }
    let _ = tail.kill();
    let _ = tail.wait();
    assert_eq!(got, ["f0", "f1", "f2", "f3", "f4"]);
}

#[test]
fn deleting_the_newest_events_is_reported_by_verify() {
    let s = Journey::new();
    let p = s.project();
    for i in 0..4 {
        s.claude_hook(&format!("t{i}"), &p, "UserPromptSubmit", None);
    }
    assert_eq!(s.verify()["ok"], true);
    let db = rusqlite::Connection::open(s.agent_home().join("uas.db")).expect("db");
    db.execute_batch(
        "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq > 2;",
    )
    .expect("tamper");
    drop(db);
    let out = s.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("first bad event #3 (Truncated)"),
        "{}",
        stdout(&out)
    );
    // `uas doctor` says so too.
    let doctor = s.run(&["--json", "doctor"]);
    assert_eq!(doctor.status.code(), Some(1));
    let report = json_out(&doctor);
    let audit = report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "audit"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(audit["status"], "fail", "{report}");
}

#[test]
fn a_locked_database_fails_closed_for_deny_rules_and_nothing_is_lost() {
    let s = Journey::new();
    std::fs::write(
        s.agent_home().join("config.toml"),
        "[hooks]\nbudget_ms = 100\n[audit]\nkey_store = \"file\"\n",
    )
    .expect("config");
    let p = s.project();
    let db = rusqlite::Connection::open(s.agent_home().join("uas.db")).expect("db");
    db.execute_batch("BEGIN IMMEDIATE;").expect("lock");
    let write = s.claude_hook(
        "l",
        &p,
        "PreToolUse",
        Some(("Write", json!({"file_path": p.join("a.rs")}))),
    );
    assert_eq!(write.status.code(), Some(2), "{}", stderr(&write));
    assert!(stderr(&write).contains("on_error"), "{}", stderr(&write));
    let read = s.claude_hook(
        "l",
        &p,
        "PreToolUse",
        Some(("Read", json!({"file_path": p.join("a.rs")}))),
    );
    assert_eq!(read.status.code(), Some(0), "{}", stderr(&read));
    db.execute_batch("COMMIT;").expect("unlock");
    drop(db);
    // The next writer imports both spooled events first.
    s.claude_hook("l", &p, "UserPromptSubmit", None);
    let events = s.events();
    assert_eq!(events.len(), 3);
    let fallback: Vec<_> = events
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e["decision"].as_str()?).ok())
        .filter_map(|d| d["fallback"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(fallback.len(), 2, "{events:?}");
    assert!(
        fallback.iter().all(|f| f.starts_with("fail-auto")),
        "{fallback:?}"
    );
    assert_eq!(s.verify()["ok"], true);
}

#[test]
fn malformed_input_is_answered_and_audited() {
    let s = Journey::new();
    let mut child = s
        .command(&["hook", "codex", "PreToolUse"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\"tool_name\": \"Bash\", ")
        .expect("w");
    let out = child.wait_with_output().expect("wait");
    // A tool call that cannot be read is decided as a write: denied before
    // a plan (fail closed), with the reason Codex needs on stderr.
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No plan is recorded"),
        "{}",
        stderr(&out)
    );
    let events = s.events();
    assert_eq!(events[0]["kind"], "malformed");
    assert_eq!(events[0]["severity"], "error");
}

#[test]
fn git_pre_commit_hook_applies_the_commit_gate() {
    let s = Journey::new();
    let repo = s.project();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .env_clear()
            .env("HOME", s.user_home())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("git")
    };
    assert!(git(&["init", "-q"]).status.success());
    let out = s.run(&["setup", "git", "--repo", repo.to_str().expect("utf8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A human commit in a repository no agent touched is fine.
    std::fs::write(repo.join("a.txt"), "1").expect("w");
    git(&["add", "a.txt"]);
    let first = git(&["commit", "-qm", "human"]);
    assert!(first.status.success(), "{}", stderr(&first));
    // An agent edited without testing: the commit is blocked, even by hand.
    let c = |event: &str, tool: (&str, Value)| {
        s.hook("claude", event, &claude("g", &repo, event, Some(tool)))
    };
    s.run(&["sop", "advance", "--session", "g"]);
    c(
        "PostToolUse",
        ("Write", json!({"file_path": repo.join("b.txt")})),
    );
    std::fs::write(repo.join("b.txt"), "2").expect("w");
    git(&["add", "b.txt"]);
    let blocked = git(&["commit", "-qm", "agent"]);
    assert!(!blocked.status.success());
    assert!(
        stderr(&blocked).contains("commit blocked by the SOP"),
        "{}",
        stderr(&blocked)
    );
    c("PostToolUse", ("Bash", json!({"command": "cargo test"})));
    let ok = git(&["commit", "-qm", "agent"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    // A foreign pre-commit hook is never replaced.
    std::fs::write(repo.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n").expect("w");
    let out = s.run(&["setup", "git", "--repo", repo.to_str().expect("utf8")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not ours"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/hooks/pre-commit")).expect("r"),
        "#!/bin/sh\nexit 0\n"
    );
}

/// A loopback HTTP server answering 503 to the first `failures` requests.
fn webhook_server(failures: usize) -> (String, std::sync::mpsc::Receiver<Value>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut n = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let Ok(k) = stream.read(&mut chunk) else {
                    break None;
                };
                if k == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..k]);
                let text = String::from_utf8_lossy(&buf).into_owned();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break Some(buf[end + 4..end + 4 + len].to_vec());
                    }
                }
            };
            n += 1;
            let status = if n <= failures {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = stream.write_all(
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .as_bytes(),
            );
            if n > failures
                && let Some(b) = body
                && let Ok(v) = serde_json::from_slice(&b)
            {
                let _ = tx.send(v);
            }
        }
    });
    (url, rx)
}

#[test]
fn webhooks_retry_with_backoff_and_resume_from_the_last_delivered_event() {
    let s = Journey::new();
    let (url, rx) = webhook_server(2);
    std::fs::write(
        s.agent_home().join("config.toml"),
        format!(
            "[audit]\nkey_store = \"file\"\n[[audit.webhooks]]\nname = \"siem\"\nurl = \"{url}\"\n"
        ),
    )
    .expect("config");
    let p = s.project();
    for i in 0..3 {
        s.claude_hook(&format!("w{i}"), &p, "UserPromptSubmit", None);
    }
    let out = s.run(&["audit", "forward"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let body = rx.try_recv().expect("delivered after retries");
    assert_eq!(
        (body["first_seq"].clone(), body["last_seq"].clone()),
        (json!(1), json!(3))
    );
    s.claude_hook("w3", &p, "UserPromptSubmit", None);
    assert!(s.run(&["audit", "forward"]).status.success());
    let body = rx.try_recv().expect("second delivery");
    assert_eq!(
        (body["first_seq"].clone(), body["last_seq"].clone()),
        (json!(4), json!(4))
    );
    assert!(rx.try_recv().is_err(), "nothing delivered twice");
}

#[test]
fn drift_of_a_hook_config_is_a_critical_event_recorded_once() {
    let s = Journey::new();
    std::fs::create_dir_all(s.user_home().join(".claude")).expect("claude");
    let out = s.run(&["setup", "--agent", "claude", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let settings = s.user_home().join(".claude/settings.json");
    // An agent (or anyone) drops the pre-tool hook to get around the SOP.
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("json");
    v["hooks"]
        .as_object_mut()
        .expect("hooks")
        .remove("PreToolUse");
    std::fs::write(&settings, v.to_string()).expect("tamper");
    assert_eq!(s.run(&["status"]).status.code(), Some(1));
    assert_eq!(s.run(&["status"]).status.code(), Some(1));
    let drift: Vec<_> = s
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "hook_config_drift")
        .collect();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["severity"], "critical");
    assert!(
        drift[0]["payload"]
            .as_str()
            .unwrap_or("")
            .contains("settings.json")
    );
    // Removing every uas hook is drift too (the apply history says Claude
    // is set up), and repair puts them back.
    std::fs::write(&settings, "{}\n").expect("tamper");
    assert_eq!(s.run(&["status"]).status.code(), Some(1));
    let drift = s
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "hook_config_drift")
        .count();
    assert_eq!(drift, 2);
    assert!(s.run(&["repair", "--yes"]).status.success());
    assert!(s.run(&["status"]).status.success());
    // After uninstall nothing is expected any more.
    assert!(s.run(&["uninstall", "--yes"]).status.success());
    assert!(s.run(&["status"]).status.success());
}

#[test]
fn sop_advance_started_by_an_agent_is_refused_and_recorded() {
    let s = Journey::new();
    let project = s.user_home().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    s.claude_hook("adv", &project, "UserPromptSubmit", None);
    // A shell whose process is named `claude`, as Claude Code's Bash tool's
    // parent is: the agent runs `uas sop advance` itself.
    let agent = s.user_home().join("claude");
    std::fs::copy("/bin/sh", &agent).expect("copy sh");
    let uas = s.bin().display().to_string();
    let home = s.user_home().display().to_string();
    let out = Command::new(&agent)
        .arg("-c")
        .arg(format!(
            "HOME='{home}' '{uas}' sop advance --session adv; echo exit=$?"
        ))
        .current_dir(&project)
        .output()
        .expect("run");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("exit=1"), "{text}");
    assert!(text.contains("started by an AI agent"), "{text}");
    // No plan was recorded: the session is not in `implement`.
    let phase = json_out(&s.run(&["--json", "sop", "phase", "--session", "adv"]));
    assert!(!phase.to_string().contains("\"implement\""), "{phase}");
    let log = stdout(&s.run(&["audit", "export"]));
    assert!(
        log.lines()
            .any(|l| l.contains("\"tamper\"") && l.contains("sop advance")),
        "{log}"
    );
    // The same command from a terminal (no agent above it) works.
    let ok = s.run(&["sop", "advance", "--session", "adv"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}
