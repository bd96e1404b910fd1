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
        Self::with_config(None)
    }

    /// A home initialised with `config` as its config.toml (written before
    /// `uas init`, the way a person prepares one: a config edited after
    /// init is a protected file changed outside uas).
    fn with_config(config: Option<&str>) -> Self {
        let s = Sandbox::new(env!("CARGO_BIN_EXE_uas")).with_path("/usr/bin:/bin");
        if let Some(text) = config {
            std::fs::create_dir_all(s.agent_home()).expect("home");
            std::fs::write(s.agent_home().join("config.toml"), text).expect("config");
        }
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
    let s = Journey::with_config(Some(
        "[hooks]\nbudget_ms = 100\n[audit]\nkey_store = \"file\"\n",
    ));
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
    let (url, rx) = webhook_server(2);
    let s = Journey::with_config(Some(&format!(
        "[audit]\nkey_store = \"file\"\n[[audit.webhooks]]\nname = \"siem\"\nurl = \"{url}\"\n"
    )));
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

/// `uas args…` under a pseudo-terminal (`script`): the program's /dev/tty
/// is that terminal, and what it prints there is read back. `answer` gets
/// the text so far and returns what to type, once it has seen enough.
fn on_a_terminal(
    s: &Sandbox,
    args: &str,
    answer: impl Fn(&str) -> Option<String>,
) -> (String, Option<i32>) {
    let mut child = Command::new("script")
        .args([
            "-qefc",
            &format!("'{}' {args}", s.bin().display()),
            "/dev/null",
        ])
        .env_clear()
        .env("HOME", s.user_home())
        .env("PATH", "/usr/bin:/bin")
        .env("USER", "tester")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let mut typed = false;
    // Bounded wait so a broken prompt fails the test instead of hanging it.
    while let Ok(chunk) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if !typed && let Some(text) = answer(&seen) {
            stdin.write_all(text.as_bytes()).expect("type");
            stdin.flush().expect("flush");
            typed = true;
        }
    }
    drop(stdin);
    let status = child.wait().expect("wait");
    (seen, status.code())
}

/// The code `uas sop approve` asks for, once it has printed it.
fn shown_code(text: &str) -> Option<String> {
    let rest = text.split("Type ").nth(1)?;
    rest.contains(" and Enter")
        .then(|| rest.split(' ').next().unwrap_or_default().to_owned())
}

/// A home whose SOP makes a person approve the plan.
fn human_plan_journey() -> Journey {
    let s = Journey::new();
    let sop = uas_sop::DEFAULT_SOP_TOML.replace(
        "enter = [\"plan\"]\n",
        "enter = [\"plan\"]\napproval = \"human\"\n",
    );
    std::fs::write(s.agent_home().join("sop/reviewed.toml"), sop).expect("sop");
    let config = s.agent_home().join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace("active = \"default\"", "active = \"reviewed\""),
    )
    .expect("config");
    assert!(
        std::fs::read_to_string(&config)
            .expect("test value")
            .contains("\"reviewed\"")
    );
    // uas takes the files as they are now as its baseline.
    assert!(s.run(&["repair", "--yes"]).status.success());
    s
}

#[test]
fn a_plan_waits_for_a_person_who_types_the_code_on_a_terminal() {
    let s = human_plan_journey();
    let project = s.user_home().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    let plan = project.join("PLAN.md");
    s.claude_hook("rev", &project, "UserPromptSubmit", None);
    let write = |file: &Path| Some(("Write", json!({"file_path": file, "content": "x"})));
    assert_eq!(
        s.claude_hook("rev", &project, "PreToolUse", write(&plan))
            .status
            .code(),
        Some(0)
    );
    std::fs::write(&plan, "1. add the flag\n2. test it\n").expect("plan");
    s.claude_hook("rev", &project, "PostToolUse", write(&plan));
    let src = project.join("main.rs");
    let denied = s.claude_hook("rev", &project, "PreToolUse", write(&src));
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        stderr(&denied).contains("waits for a person's approval"),
        "{}",
        stderr(&denied)
    );

    // No terminal (a new session without one, as a detached agent child
    // would be): refused, whatever stdin says.
    let mut detached = Command::new("setsid");
    detached
        .args(["-w"])
        .arg(s.bin())
        .args(["sop", "approve", "rev"])
        .env_clear()
        .env("HOME", s.user_home())
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = detached.spawn().expect("setsid");
    let _ = child.stdin.take().expect("stdin").write_all(b"AAAAAA\n");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs a terminal"),
        "{}",
        stderr(&out)
    );

    // A wrong code refuses and is recorded.
    let (text, code) = on_a_terminal(&s, "sop approve rev", |t| {
        shown_code(t).map(|_| "WRONG1\n".into())
    });
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not approved"), "{text}");
    assert!(
        text.contains("1. add the flag"),
        "the plan is shown: {text}"
    );
    assert_eq!(
        s.claude_hook("rev", &project, "PreToolUse", write(&src))
            .status
            .code(),
        Some(2)
    );

    let (text, code) = on_a_terminal(&s, "sop approve rev", |t| {
        shown_code(t).map(|c| format!("{c}\n"))
    });
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("approved plan"), "{text}");
    assert_eq!(
        s.claude_hook("rev", &project, "PreToolUse", write(&src))
            .status
            .code(),
        Some(0)
    );
    let events = s.events();
    let approval = events
        .iter()
        .find(|e| e["kind"] == "approval")
        .expect("approval event");
    let payload: Value = serde_json::from_str(approval["payload"].as_str().expect("test value"))
        .expect("test value");
    assert_eq!(payload["how"]["method"], "cli-terminal-code");
    assert_eq!(payload["how"]["user"], "tester");
    assert_eq!(payload["approved"]["evidence"], json!(["plan"]));
    assert!(events.iter().any(|e| e["kind"] == "approval_refused"));
}

#[test]
fn pausing_enforcement_is_a_persons_choice_shown_and_recorded_as_critical() {
    let s = Journey::new();
    let project = s.user_home().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    let src = project.join("main.rs");
    let write = || Some(("Write", json!({"file_path": &src, "content": "x"})));
    s.claude_hook("m", &project, "UserPromptSubmit", None);
    let code = |out: std::process::Output| out.status.code();
    assert_eq!(
        code(s.claude_hook("m", &project, "PreToolUse", write())),
        Some(2)
    );

    // The agent pauses enforcement itself: refused, recorded as tamper.
    let agent = s.user_home().join("claude");
    std::fs::copy("/bin/sh", &agent).expect("copy sh");
    let out = Command::new(&agent)
        .arg("-c")
        .arg(format!(
            "HOME='{}' '{}' sop mode observe; echo exit=$?",
            s.user_home().display(),
            s.bin().display()
        ))
        .output()
        .expect("run");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("exit=1") && text.contains("started by an AI agent"),
        "{text}"
    );
    // Without a terminal (stdin is not asked): refused.
    let out = Command::new("setsid")
        .arg("-w")
        .arg(s.bin())
        .args(["sop", "mode", "observe"])
        .env_clear()
        .env("HOME", s.user_home())
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .output()
        .expect("setsid");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs a terminal"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        code(s.claude_hook("m", &project, "PreToolUse", write())),
        Some(2)
    );

    // A person at a terminal types the code: paused.
    let (text, exit) = on_a_terminal(&s, "sop mode observe", |t| {
        shown_code(t).map(|c| format!("{c}\n"))
    });
    assert_eq!(exit, Some(0), "{text}");
    assert!(
        text.contains("enforcement for every agent: observe"),
        "{text}"
    );
    assert_eq!(
        code(s.claude_hook("m", &project, "PreToolUse", write())),
        Some(0)
    );
    let status = stdout(&s.run(&["status"]));
    assert!(
        status.contains("ENFORCEMENT PAUSED for all agents"),
        "{status}"
    );
    assert!(status.contains("by tester"), "{status}");
    let check = sop_mode_check(&s);
    assert_eq!(check["status"], "warn", "{check}");
    let shown = json_out(&s.run(&["--json", "sop", "mode"]));
    assert_eq!(shown["global"]["mode"], "observe");

    let events = s.events();
    let denied = events
        .iter()
        .rev()
        .find(|e| e["kind"] == "pre_tool")
        .expect("the paused call");
    let decision: Value =
        serde_json::from_str(denied["decision"].as_str().expect("decision")).expect("json");
    assert_eq!(
        (decision["action"].clone(), decision["observed"].clone()),
        (json!("deny"), json!(true))
    );
    let mode = events
        .iter()
        .find(|e| e["kind"] == "sop_mode")
        .expect("mode event");
    assert_eq!(mode["severity"], "critical");
    let payload: Value =
        serde_json::from_str(mode["payload"].as_str().expect("payload")).expect("json");
    assert_eq!(payload["how"]["method"], "cli-terminal-code");

    // Resuming needs no code, and enforces again.
    let out = s.run(&["sop", "mode", "enforce"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        code(s.claude_hook("m", &project, "PreToolUse", write())),
        Some(2)
    );
    assert!(!stdout(&s.run(&["status"])).contains("PAUSED"));

    // A script writes observe straight into the database (as an agent's
    // obfuscated one-liner could): the hooks do not honour it, doctor fails.
    let db = rusqlite::Connection::open(s.agent_home().join("uas.db")).expect("db");
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('sop.mode', ?1)",
        [json!({"global": {"mode": "observe", "since_ms": 1, "by": "tester"}}).to_string()],
    )
    .expect("forge");
    drop(db);
    assert_eq!(
        code(s.claude_hook("m", &project, "PreToolUse", write())),
        Some(2)
    );
    assert!(!stdout(&s.run(&["status"])).contains("PAUSED"));
    let check = sop_mode_check(&s);
    assert_eq!(check["status"], "fail", "{check}");
}

/// `uas doctor`'s `sop-mode` check.
fn sop_mode_check(s: &Journey) -> Value {
    let doctor = json_out(&s.run(&["--json", "doctor"]));
    doctor["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "sop-mode")
        .expect("sop-mode check")
        .clone()
}

#[test]
fn a_protected_file_changed_behind_the_parser_locks_the_session_until_repair() {
    let s = Journey::new();
    std::fs::create_dir_all(s.user_home().join(".claude")).expect("claude");
    assert!(
        s.run(&["setup", "--agent", "claude", "--yes"])
            .status
            .success()
    );
    let project = s.user_home().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    let settings = s.user_home().join(".claude/settings.json");
    let bash = |cmd: &str| Some(("Bash", json!({"command": cmd})));
    let readme = Some(("Read", json!({"file_path": project.join("README.md")})));
    s.claude_hook("t1", &project, "UserPromptSubmit", None);
    s.claude_hook("t2", &project, "UserPromptSubmit", None);

    // Claude's own settings change (a model switch): not ours to judge.
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&settings).expect("read")).expect("json");
        f(&mut v);
        std::fs::write(
            &settings,
            serde_json::to_string_pretty(&v).expect("test value"),
        )
        .expect("write");
    };
    edit(&|v| v["model"] = json!("opus"));
    s.claude_hook("t1", &project, "PostToolUse", bash("ls"));
    assert_eq!(
        s.claude_hook("t1", &project, "PreToolUse", readme.clone())
            .status
            .code(),
        Some(0)
    );

    // A command the parser saw as harmless switched every hook off.
    assert_eq!(
        s.claude_hook("t1", &project, "PreToolUse", bash("./build.sh"))
            .status
            .code(),
        Some(0)
    );
    edit(&|v| v["disableAllHooks"] = json!(true));
    s.claude_hook("t1", &project, "PostToolUse", bash("./build.sh"));
    let tamper: Vec<Value> = s
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "tamper")
        .collect();
    assert_eq!(tamper.len(), 1, "{tamper:?}");
    assert_eq!(tamper[0]["severity"], "critical");
    assert_eq!(tamper[0]["session"], "t1");
    assert!(
        tamper[0]["payload"]
            .as_str()
            .expect("test value")
            .contains("settings.json")
    );

    let locked = s.claude_hook("t1", &project, "PreToolUse", readme.clone());
    assert_eq!(locked.status.code(), Some(2));
    assert!(
        stderr(&locked).contains("this session is locked"),
        "{}",
        stderr(&locked)
    );
    // The change was reported once; the other session is not blamed.
    assert_eq!(
        s.claude_hook("t2", &project, "PreToolUse", readme.clone())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        s.events().iter().filter(|e| e["kind"] == "tamper").count(),
        1
    );

    let status = s.run(&["status"]);
    assert_eq!(status.status.code(), Some(1));
    let text = stdout(&status);
    assert!(
        text.contains("PROTECTED FILES CHANGED OUTSIDE UAS"),
        "{text}"
    );
    assert!(text.contains("LOCKED: claude session t1"), "{text}");
    let json = json_out(&s.run(&["--json", "status"]));
    assert_eq!(json["guard"]["locked"][0]["session"], "t1");

    // A person looks, and repair puts the hooks back and unlocks; the
    // switch is the user's setting, which repair leaves, so status still
    // says enforcement is off until the person removes it.
    assert!(s.run(&["repair", "--yes"]).status.success());
    let status = s.run(&["status"]);
    assert_eq!(status.status.code(), Some(1));
    assert!(
        stdout(&status).contains("ENFORCEMENT OFF")
            && stdout(&status).contains("disableAllHooks: true"),
        "{}",
        stdout(&status)
    );
    edit(&|v| {
        v.as_object_mut().expect("object").remove("disableAllHooks");
    });
    assert!(s.run(&["repair", "--yes"]).status.success());
    assert!(s.run(&["status"]).status.success());
    assert_eq!(
        s.claude_hook("t1", &project, "PreToolUse", readme)
            .status
            .code(),
        Some(0)
    );
    assert!(
        s.events()
            .iter()
            .any(|e| e["kind"] == "unlock" && e["session"] == "t1")
    );
}

#[test]
fn the_sop_and_the_config_changed_outside_uas_are_noticed() {
    let s = Journey::new();
    let project = s.user_home().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    let readme = Some(("Read", json!({"file_path": project.join("README.md")})));
    s.claude_hook("c1", &project, "UserPromptSubmit", None);
    let sop = s.agent_home().join("sop/default.toml");
    if !sop.exists() {
        std::fs::write(&sop, uas_sop::DEFAULT_SOP_TOML).expect("sop");
        assert!(s.run(&["repair", "--yes"]).status.success());
    }
    let weakened = std::fs::read_to_string(&sop)
        .expect("test value")
        .replace("plan_files = [", "plan_files = [\"src/*\", ");
    std::fs::write(&sop, weakened).expect("weaken");
    s.claude_hook("c1", &project, "PostToolUse", readme.clone());
    let tamper: Vec<Value> = s
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "tamper")
        .collect();
    assert_eq!(tamper.len(), 1);
    assert!(
        tamper[0]["payload"]
            .as_str()
            .expect("test value")
            .contains("default.toml")
    );
    // Between sessions (a person editing their config): recorded, but a
    // new session is not locked for it.
    let config = s.agent_home().join("config.toml");
    let mut text = std::fs::read_to_string(&config).expect("test value");
    text.push_str("\n# a note\n");
    std::fs::write(&config, text).expect("test value");
    s.claude_hook("c2", &project, "SessionStart", None);
    assert_eq!(
        s.events().iter().filter(|e| e["kind"] == "tamper").count(),
        2
    );
    assert_eq!(
        s.claude_hook("c2", &project, "PreToolUse", readme)
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn an_unreadable_baseline_is_reported_and_replaced() {
    let s = Journey::new();
    let p = s.project();
    let db = rusqlite::Connection::open(s.agent_home().join("uas.db")).expect("db");
    db.execute(
        "UPDATE meta SET value = '{torn' WHERE key = 'guard.baseline'",
        [],
    )
    .expect("damage");
    drop(db);
    s.claude_hook("b", &p, "UserPromptSubmit", None);
    let tamper: Vec<Value> = s
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "tamper")
        .collect();
    assert_eq!(tamper.len(), 1, "{tamper:?}");
    assert!(
        tamper[0]["payload"]
            .as_str()
            .expect("test value")
            .contains("baseline is unreadable")
    );
    // The new baseline holds: nothing more is reported.
    s.claude_hook("b", &p, "UserPromptSubmit", None);
    assert_eq!(
        s.events().iter().filter(|e| e["kind"] == "tamper").count(),
        1
    );
}

#[test]
fn workspace_files_a_shell_call_changed_before_a_plan_are_recorded_by_name() {
    let s = Journey::new();
    let repo = s.user_home().join("repo");
    std::fs::create_dir_all(repo.join("src")).expect("mkdir");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(args)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(repo.join("src/lib.rs"), "// v1\n").expect("write");
    let bash = |cmd: &str| Some(("Bash", json!({"command": cmd})));
    s.claude_hook("ws", &repo, "UserPromptSubmit", None);
    // A read-only call that changes nothing: nothing recorded.
    assert_eq!(
        s.claude_hook("ws", &repo, "PreToolUse", bash("ls src"))
            .status
            .code(),
        Some(0)
    );
    s.claude_hook("ws", &repo, "PostToolUse", bash("ls src"));
    // A call the parser took as harmless that wrote files anyway (what a
    // compiled helper or a git alias could do).
    assert_eq!(
        s.claude_hook("ws", &repo, "PreToolUse", bash("make lint"))
            .status
            .code(),
        Some(0)
    );
    std::fs::write(repo.join("src/lib.rs"), "// v2, changed again\n").expect("write");
    std::fs::write(repo.join("src/new.rs"), "// new\n").expect("write");
    s.claude_hook("ws", &repo, "PostToolUse", bash("make lint"));
    let seen: Vec<Value> = s
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "workspace_changed")
        .collect();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let payload: Value =
        serde_json::from_str(seen[0]["payload"].as_str().expect("payload")).expect("json");
    let files: Vec<String> = payload["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            f.as_str()
                .expect("path")
                .rsplit("repo/")
                .next()
                .expect("rel")
                .to_owned()
        })
        .collect();
    assert_eq!(files, ["src/lib.rs", "src/new.rs"]);
    assert_eq!(seen[0]["severity"], "error");
    // The session counts as having edited: its commit needs a test run.
    let phase = json_out(&s.run(&["--json", "sop", "phase", "--session", "ws"]));
    assert!(phase.to_string().contains("\"edited\""), "{phase}");
}
