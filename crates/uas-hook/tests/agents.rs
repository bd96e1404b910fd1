//! Real hook inputs (recorded from Claude Code, Codex, Gemini CLI, OpenCode
//! and Copilot CLI; Cursor and Antigravity from their docs) -> decisions ->
//! the exact bytes and exit codes each agent's protocol needs.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use uas_core::Home;
use uas_hook::{HookEnv, Response, run};
use uas_providers::ProbeEnv;

const PLAN_DENY: &str = "Universal Agent: No plan is recorded for this session. Write the plan to /home/user/project/PLAN.md, then edit.\n";
const SHELL_DENY: &str = "Universal Agent: No plan is recorded for this session, and this command changes files. Write the plan to /home/user/project/PLAN.md first.\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agent-hooks")
}

/// The agent's stdin: recorded wrappers keep it under `stdin`.
fn load(rel: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join(rel)).expect(rel);
    let v: Value = serde_json::from_str(&text).expect("json");
    v.get("stdin").cloned().unwrap_or(v)
}

/// What our OpenCode plugin sends for a recorded plugin call.
fn opencode(rel: &str) -> Value {
    let v = load(rel);
    let data = &v["data"];
    let mut input = data["input"].clone();
    if let Some(args) = data["output"].get("args") {
        input["args"] = args.clone();
    }
    input["directory"] = json!("/home/user/project");
    input
}

struct Env {
    _dir: tempfile::TempDir,
    env: HookEnv,
}

fn env() -> Env {
    env_with_user_home(|_| {})
}

/// A uas home plus a user home (for agents' own files) made by `prepare`;
/// without files the user home is a path that does not exist.
fn env_with_user_home(prepare: impl FnOnce(&Path)) -> Env {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("agent");
    std::fs::create_dir_all(&root).expect("mkdir");
    let home = Home::new(&root);
    let db = root.join("uas.db");
    uas_store::Db::open(
        &db,
        uas_store::OpenMode::CreateAndMigrate,
        uas_store::BUSY_TIMEOUT,
    )
    .expect("store");
    std::fs::write(home.config_file(), "[audit]\nkey_store = \"file\"\n").expect("config");
    let user_home = dir.path().join("user");
    prepare(&user_home);
    let user_home = if user_home.exists() {
        user_home
    } else {
        PathBuf::from("/home/user")
    };
    let probe = ProbeEnv {
        user_home,
        path_dirs: vec![],
        vars: Default::default(),
    };
    Env {
        _dir: dir,
        env: HookEnv {
            home,
            probe,
            uas_bin: None,
        },
    }
}

/// (agent, session, payload) of every audit record, in order.
fn audit_rows(e: &Env) -> Vec<(String, String, String)> {
    let log = uas_audit::AuditLog::open(
        &e.env.home.root().join("uas.db"),
        std::time::Duration::from_secs(1),
    )
    .expect("log");
    log.read_after(0, 10_000)
        .expect("read")
        .into_iter()
        .map(|r| (r.agent, r.session, r.payload))
        .collect()
}

fn call(e: &Env, agent: &str, event: &str, input: &Value) -> Response {
    run(&e.env, agent, event, input.to_string().as_bytes()).response
}

fn exact(r: &Response, stdout: &str, stderr: &str, exit: u8) {
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.exit),
        (stdout, stderr, exit)
    );
}

fn allowed(r: &Response) {
    exact(r, "", "", 0);
}

fn session_context(r: &Response) -> String {
    assert_eq!((r.exit, r.stderr.as_str()), (0, ""));
    let v: Value = serde_json::from_str(&r.stdout).expect("json stdout");
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "SessionStart");
    v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .expect("context")
        .to_owned()
}

/// A post-tool event that wrote the plan file, built from a recorded one.
fn plan_written(mut post: Value, key: &str) -> Value {
    post["tool_input"][key] = json!("/home/user/project/PLAN.md");
    post
}

#[test]
fn claude_denied_before_plan_then_allowed_after() {
    let e = env();
    let ctx = session_context(&call(
        &e,
        "claude",
        "SessionStart",
        &load("claude/deny-run/001-SessionStart.json"),
    ));
    assert!(ctx.contains("Current phase: intake (1/7)"), "{ctx}");
    assert!(
        ctx.contains("Next phase `research` needs: a user prompt was received."),
        "{ctx}"
    );
    assert!(ctx.contains("writing PLAN.md"), "{ctx}");
    allowed(&call(
        &e,
        "claude",
        "UserPromptSubmit",
        &load("claude/deny-run/002-UserPromptSubmit.json"),
    ));
    exact(
        &call(
            &e,
            "claude",
            "PreToolUse",
            &load("claude/deny-run/003-PreToolUse.json"),
        ),
        "",
        PLAN_DENY,
        2,
    );
    allowed(&call(
        &e,
        "claude",
        "Stop",
        &load("claude/deny-run/004-Stop.json"),
    ));
    allowed(&call(
        &e,
        "claude",
        "SessionEnd",
        &load("claude/deny-run/005-SessionEnd.json"),
    ));

    // Same session after the plan file was written: the write is allowed.
    let post = load("claude/allow-run/004-PostToolUse.json");
    let mut plan = plan_written(post.clone(), "file_path");
    plan["session_id"] = load("claude/deny-run/003-PreToolUse.json")["session_id"].clone();
    allowed(&call(&e, "claude", "PreToolUse", &{
        let mut p = load("claude/deny-run/003-PreToolUse.json");
        p["tool_input"]["file_path"] = json!("/home/user/project/PLAN.md");
        p
    }));
    allowed(&call(&e, "claude", "PostToolUse", &plan));
    allowed(&call(
        &e,
        "claude",
        "PreToolUse",
        &load("claude/deny-run/003-PreToolUse.json"),
    ));
}

#[test]
fn codex_shell_and_patch() {
    let e = env();
    session_context(&call(
        &e,
        "codex",
        "SessionStart",
        &load("codex/r5-deny-shell-01-SessionStart.json"),
    ));
    exact(
        &call(
            &e,
            "codex",
            "PreToolUse",
            &load("codex/r5-deny-shell-03-PreToolUse.json"),
        ),
        "",
        SHELL_DENY,
        2,
    );
    exact(
        &call(
            &e,
            "codex",
            "PreToolUse",
            &load("codex/r4-allow-patch-03-PreToolUse.json"),
        ),
        "",
        PLAN_DENY,
        2,
    );
    // A patch that writes the plan is allowed and records it.
    let mut plan = load("codex/r4-allow-patch-04-PostToolUse.json");
    plan["session_id"] = load("codex/r4-allow-patch-03-PreToolUse.json")["session_id"].clone();
    plan["tool_input"]["command"] =
        json!("*** Begin Patch\n*** Add File: PLAN.md\n+1. do it\n*** End Patch\n");
    let mut pre = plan.clone();
    pre["hook_event_name"] = json!("PreToolUse");
    allowed(&call(&e, "codex", "PreToolUse", &pre));
    allowed(&call(&e, "codex", "PostToolUse", &plan));
    allowed(&call(
        &e,
        "codex",
        "PreToolUse",
        &load("codex/r4-allow-patch-03-PreToolUse.json"),
    ));
}

#[test]
fn gemini_denies_by_exit_2_with_empty_stdout() {
    let e = env();
    let ctx = session_context(&call(
        &e,
        "gemini",
        "SessionStart",
        &load("gemini/deny-run/001-SessionStart.json"),
    ));
    assert!(ctx.contains("intake"));
    allowed(&call(
        &e,
        "gemini",
        "BeforeAgent",
        &load("gemini/deny-run/002-BeforeAgent.json"),
    ));
    exact(
        &call(
            &e,
            "gemini",
            "BeforeTool",
            &load("gemini/deny-run/003-BeforeTool.json"),
        ),
        "",
        PLAN_DENY,
        2,
    );
    allowed(&call(
        &e,
        "gemini",
        "AfterAgent",
        &load("gemini/deny-run/004-AfterAgent.json"),
    ));
}

#[test]
fn copilot_denies_with_json_on_stdout_and_exit_0() {
    let e = env();
    allowed(&call(
        &e,
        "copilot",
        "sessionStart",
        &load("copilot/c2-jsondeny-01-sessionStart.json"),
    ));
    allowed(&call(
        &e,
        "copilot",
        "userPromptSubmitted",
        &load("copilot/c2-jsondeny-02-userPromptSubmitted.json"),
    ));
    let r = call(
        &e,
        "copilot",
        "preToolUse",
        &load("copilot/c2-jsondeny-03-preToolUse.json"),
    );
    let reason = SHELL_DENY.trim_end();
    exact(
        &r,
        &format!(
            "{}\n",
            json!({"permissionDecision": "deny", "permissionDecisionReason": reason})
        ),
        "",
        0,
    );
    allowed(&call(
        &e,
        "copilot",
        "agentStop",
        &load("copilot/c2-jsondeny-04-agentStop.json"),
    ));
}

#[test]
fn opencode_plugin_blocks_on_exit_2() {
    let e = env();
    allowed(&call(
        &e,
        "opencode",
        "session.created",
        &json!({"event": load("opencode/o4-deny-002-event_session.created.json")["data"], "directory": "/home/user/project"}),
    ));
    exact(
        &call(
            &e,
            "opencode",
            "tool.execute.before",
            &opencode("opencode/o4-deny-066-tool.execute.before.json"),
        ),
        "",
        PLAN_DENY,
        2,
    );
    exact(
        &call(
            &e,
            "opencode",
            "tool.execute.before",
            &opencode("opencode/o5-deny-bash-066-tool.execute.before.json"),
        ),
        "",
        SHELL_DENY,
        2,
    );
}

/// Antigravity (agy) inputs in the protojson shape agy sends: the event
/// name comes from argv, the call from `toolCall`.
fn agy(e: &Env, event: &str, file: &str) -> uas_hook::Outcome {
    let bytes = std::fs::read(fixtures().join("antigravity").join(file)).expect(file);
    run(&e.env, "antigravity", event, &bytes)
}

fn agy_decision(decision: &str, reason: Option<&str>) -> String {
    let v = match reason {
        Some(r) => json!({"decision": decision, "reason": r}),
        None => json!({"decision": decision}),
    };
    format!("{v}\n")
}

#[test]
fn antigravity_tool_calls_are_read_from_its_protojson_and_denied_before_a_plan() {
    let e = env();
    let first = agy(&e, "PreInvocation", "01-PreInvocation.json");
    exact(&first.response, "{}\n", "", 0);
    assert!(first.seq.is_some(), "PreInvocation is recorded");
    let write = agy(&e, "PreToolUse", "02-PreToolUse-write_to_file.json");
    exact(
        &write.response,
        &agy_decision("deny", Some(PLAN_DENY.trim_end())),
        "",
        0,
    );
    let shell = agy(&e, "PreToolUse", "03-PreToolUse-run_command.json");
    exact(
        &shell.response,
        &agy_decision("deny", Some(SHELL_DENY.trim_end())),
        "",
        0,
    );
    let read = agy(&e, "PreToolUse", "04-PreToolUse-view_file.json");
    exact(&read.response, &agy_decision("allow", None), "", 0);
}

#[test]
fn antigravity_plan_written_then_edits_allowed_even_when_post_tool_names_no_tool() {
    let e = env();
    agy(&e, "PreInvocation", "01-PreInvocation.json");
    // Writing the plan is allowed; agy's PostToolUse says only `toolCall:
    // null`, and the allowed call before it is what ran.
    let plan = agy(&e, "PreToolUse", "05-PreToolUse-replace_file_content.json");
    exact(&plan.response, &agy_decision("allow", None), "", 0);
    exact(
        &agy(&e, "PostToolUse", "06-PostToolUse-null-toolCall.json").response,
        "{}\n",
        "",
        0,
    );
    exact(
        &agy(&e, "PreToolUse", "02-PreToolUse-write_to_file.json").response,
        &agy_decision("allow", None),
        "",
        0,
    );
    for (event, file) in [
        ("PostInvocation", "07-PostInvocation.json"),
        ("Stop", "08-Stop.json"),
    ] {
        exact(&agy(&e, event, file).response, "{}\n", "", 0);
    }
}

#[test]
fn a_pre_tool_event_whose_tool_cannot_be_read_is_decided_as_a_write() {
    let e = env();
    // agy's payload without `toolCall`, and a Claude one without a tool.
    let out = run(
        &e.env,
        "antigravity",
        "PreToolUse",
        br#"{"conversationId":"x","workspacePaths":["/home/user/project"],"stepIdx":1}"#,
    );
    assert_eq!(out.decision.action, uas_sop::Action::Deny);
    assert!(out.seq.is_some(), "recorded");
    assert!(out.response.stdout.starts_with(r#"{"decision":"deny""#));
    let out = run(
        &e.env,
        "claude",
        "PreToolUse",
        br#"{"session_id":"s","cwd":"/home/user/project","permission_mode":"default"}"#,
    );
    assert_eq!(
        (out.decision.action, out.response.exit),
        (uas_sop::Action::Deny, 2)
    );
    // Unreadable JSON in a pre-tool position fails closed too.
    let out = run(&e.env, "antigravity", "PreToolUse", b"{\"toolCall\": ");
    assert_eq!(out.decision.action, uas_sop::Action::Deny);
    assert!(out.response.stdout.starts_with(r#"{"decision":"deny""#));
    assert!(out.seq.is_some(), "recorded as malformed");
}

/// Cursor's raw hook input (with its byte order mark).
fn cursor_raw(file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("cursor").join(file)).expect(file)
}

fn cursor_deny(reason: &str) -> String {
    format!(
        "{}\n",
        json!({"permission": "deny", "user_message": reason, "agent_message": reason})
    )
}

#[test]
fn cursor_answers_with_permission_json() {
    let e = env();
    let deny = run(
        &e.env,
        "cursor",
        "preToolUse",
        &cursor_raw("02-preToolUse-Write.json"),
    );
    exact(&deny.response, &cursor_deny(PLAN_DENY.trim_end()), "", 0);
    let shell = run(
        &e.env,
        "cursor",
        "preToolUse",
        &cursor_raw("01-preToolUse-Shell.json"),
    );
    exact(&shell.response, &cursor_deny(SHELL_DENY.trim_end()), "", 0);
    exact(
        &run(
            &e.env,
            "cursor",
            "preToolUse",
            &cursor_raw("03-preToolUse-Read.json"),
        )
        .response,
        "{\"permission\":\"allow\"}\n",
        "",
        0,
    );
    exact(
        &run(
            &e.env,
            "cursor",
            "beforeSubmitPrompt",
            &cursor_raw("00-beforeSubmitPrompt.json"),
        )
        .response,
        "{\"continue\":true}\n",
        "",
        0,
    );
    // A plan written through Write (tool_output is JSON in a string) lifts
    // the gate.
    run(
        &e.env,
        "cursor",
        "postToolUse",
        &cursor_raw("04-postToolUse-Write-plan.json"),
    );
    exact(
        &run(
            &e.env,
            "cursor",
            "preToolUse",
            &cursor_raw("02-preToolUse-Write.json"),
        )
        .response,
        "{\"permission\":\"allow\"}\n",
        "",
        0,
    );
}

#[test]
fn cursor_running_claudes_hook_is_answered_as_cursor_and_recorded_once() {
    // Only Claude is set up: the Claude hook entry is Cursor's only uas hook.
    let e = env();
    let out = run(
        &e.env,
        "claude",
        "PreToolUse",
        &cursor_raw("02-preToolUse-Write.json"),
    );
    let reason = PLAN_DENY.trim_end();
    exact(
        &out.response,
        &cursor_deny(reason),
        &format!("{reason}\n"),
        2,
    );
    assert!(out.seq.is_some(), "recorded, as Cursor's event");
    let rows = audit_rows(&e);
    let last = rows.last().expect("row");
    assert_eq!(
        (last.0.as_str(), last.1.as_str()),
        ("cursor", "6f1c-cursor")
    );
    assert!(last.2.contains("Cursor ran Claude's hook"), "{}", last.2);

    // Both set up: Cursor's own entry records; the Claude one only answers,
    // with the same decision.
    let e = env_with_user_home(|home| {
        std::fs::create_dir_all(home.join(".cursor")).expect("mkdir");
        std::fs::write(
            home.join(".cursor/hooks.json"),
            r#"{"version":1,"hooks":{"preToolUse":[{"command":"/usr/bin/uas hook cursor preToolUse","failClosed":true}]}}"#,
        )
        .expect("write");
    });
    let before = audit_rows(&e).len();
    let input = cursor_raw("01-preToolUse-Shell.json");
    let own = run(&e.env, "cursor", "preToolUse", &input);
    let via_claude = run(&e.env, "claude", "PreToolUse", &input);
    assert_eq!(own.decision.action, uas_sop::Action::Deny);
    assert_eq!(via_claude.decision.action, uas_sop::Action::Deny);
    assert_eq!(via_claude.response.exit, 2);
    assert!(via_claude.seq.is_none(), "the duplicate is not recorded");
    assert_eq!(
        audit_rows(&e).len(),
        before + 1,
        "one event for one tool call"
    );

    // A real Claude payload inside Cursor's terminal stays Claude's.
    let claude = load("claude/deny-run/003-PreToolUse.json");
    let out = run(
        &e.env,
        "claude",
        "PreToolUse",
        claude.to_string().as_bytes(),
    );
    exact(&out.response, "", PLAN_DENY, 2);
    assert_eq!(audit_rows(&e).last().expect("row").0, "claude");
}

#[test]
fn tamper_attempts_are_denied_as_critical_violations() {
    let e = env();
    let home = e.env.home.root().display().to_string();
    for (agent, event, input) in [
        (
            "claude",
            "PreToolUse",
            json!({"session_id": "t", "cwd": "/home/user/project", "tool_name": "Write", "tool_input": {"file_path": format!("{home}/sop/default.toml"), "content": ""}}),
        ),
        (
            "claude",
            "PreToolUse",
            json!({"session_id": "t", "cwd": "/home/user/project", "tool_name": "Edit", "tool_input": {"file_path": "/home/user/.claude/settings.json"}}),
        ),
        (
            "codex",
            "PreToolUse",
            json!({"session_id": "t", "cwd": "/home/user/project", "tool_name": "Bash", "tool_input": {"command": "echo '{}' > ~/.codex/hooks.json"}}),
        ),
        (
            "gemini",
            "BeforeTool",
            json!({"session_id": "t", "cwd": "/home/user/project", "tool_name": "run_shell_command", "tool_input": {"command": format!("rm -rf {home}")}}),
        ),
        (
            "copilot",
            "preToolUse",
            json!({"sessionId": "t", "cwd": "/home/user/project", "toolName": "bash", "toolArgs": {"command": "uas uninstall --yes"}}),
        ),
        (
            "claude",
            "PreToolUse",
            json!({"session_id": "t", "cwd": "/home/user/project", "tool_name": "Write", "tool_input": {"file_path": "/home/user/project/.claude/settings.local.json"}}),
        ),
    ] {
        let out = run(&e.env, agent, event, input.to_string().as_bytes());
        assert_eq!(out.decision.action, uas_sop::Action::Deny, "{input}");
        assert_eq!(
            out.decision.violation,
            Some(uas_sop::Violation::Tamper),
            "{input}"
        );
        assert_eq!(
            out.decision.severity,
            uas_sop::RuleSeverity::Critical,
            "{input}"
        );
    }
    // Reading them is fine.
    let read = json!({"session_id": "t", "cwd": "/home/user/project", "tool_name": "Bash", "tool_input": {"command": format!("cat {home}/sop/default.toml")}});
    assert_eq!(
        run(&e.env, "claude", "PreToolUse", read.to_string().as_bytes())
            .decision
            .action,
        uas_sop::Action::Allow
    );
}

#[test]
fn every_registered_event_of_every_agent_has_a_known_kind() {
    for agent in uas_core::AgentId::ALL {
        let spec = uas_providers::agents::spec(agent);
        assert!(spec.registered().count() > 0, "{agent}");
        for e in spec.registered() {
            let m = uas_hook::normalize::event_kind(agent, e.name);
            assert!(m.known, "{agent} {}", e.name);
            assert_ne!(m.kind, uas_core::EventKind::Other, "{agent} {}", e.name);
        }
    }
}

#[test]
fn an_event_name_the_agent_does_not_have_is_decided_as_a_write() {
    let e = env();
    // A Read under a name Claude does not send: denied before a plan, and
    // in Claude's blocking protocol.
    let input = json!({"session_id": "u", "cwd": "/home/user/project", "tool_name": "Read", "tool_input": {"file_path": "/home/user/project/README.md"}});
    let out = run(&e.env, "claude", "BeforeTool", input.to_string().as_bytes());
    assert_eq!(out.decision.action, uas_sop::Action::Deny);
    assert_eq!(out.response.exit, 2);
    let rows = audit_rows(&e);
    let (_, _, payload) = rows.last().expect("recorded");
    assert!(payload.contains("not one of claude's events"), "{payload}");
    // The same call under its real name is a read: allowed.
    let out = run(&e.env, "claude", "PreToolUse", input.to_string().as_bytes());
    assert_eq!(out.decision.action, uas_sop::Action::Allow);
}

#[test]
fn malformed_input_is_recorded_and_answered_without_panicking() {
    let e = env();
    for (agent, input) in [
        ("claude", &b"{\"session_id\": "[..]),
        ("claude", b""),
        ("nosuchagent", b"{}"),
        ("gemini", b"\xff\x00"),
    ] {
        // A tool call that cannot be read is denied (fail closed) …
        let out = run(&e.env, agent, "PreToolUse", input);
        assert_eq!(out.decision.action, uas_sop::Action::Deny, "{agent}");
        assert_eq!(out.response.exit, 2);
        assert!(
            out.response.stderr.contains("could not read"),
            "{:?}",
            out.response
        );
        assert!(out.seq.is_some(), "malformed event not recorded");
        // … anything else is answered and recorded.
        let post = if agent == "gemini" {
            "AfterTool"
        } else {
            "PostToolUse"
        };
        let out = run(&e.env, agent, post, input);
        assert_eq!(out.response.exit, 0);
        assert!(
            out.response.stderr.contains("could not read"),
            "{:?}",
            out.response
        );
        assert!(out.seq.is_some(), "malformed event not recorded");
    }
}

#[test]
fn tamper_through_cursor_running_claudes_hook_is_denied_and_recorded_as_critical() {
    let e = env();
    // Cursor's Write to Claude's own hook config, and a shell removal of
    // Cursor's hook file, both through the Claude hook entry.
    for (tool, input) in [
        (
            "Write",
            json!({"file_path": "/home/user/.claude/settings.json", "contents": "{}"}),
        ),
        (
            "Shell",
            json!({"command": "rm /home/user/.cursor/hooks.json"}),
        ),
    ] {
        let payload = json!({"conversation_id": "c-t", "generation_id": "g", "cursor_version": "2.4", "hook_event_name": "preToolUse", "workspace_roots": ["/home/user/project"], "cwd": "", "tool_name": tool, "tool_input": input});
        let out = run(
            &e.env,
            "claude",
            "PreToolUse",
            payload.to_string().as_bytes(),
        );
        assert_eq!(out.decision.action, uas_sop::Action::Deny, "{tool}");
        assert_eq!(
            out.decision.violation,
            Some(uas_sop::Violation::Tamper),
            "{tool}"
        );
        assert_eq!(out.response.exit, 2, "{tool}");
        assert!(
            out.response.stdout.contains("\"permission\":\"deny\""),
            "{tool}"
        );
        assert!(
            out.seq.is_some(),
            "recorded: Cursor's own hook is not set up"
        );
    }
    // The same write under an event name Claude does not have is still
    // denied (decided as a write), not waved through as `other`.
    let payload = json!({"session_id": "t2", "cwd": "/home/user/project", "permission_mode": "default", "tool_name": "Write", "tool_input": {"file_path": "/home/user/.claude/settings.json"}});
    let out = run(
        &e.env,
        "claude",
        "PermissionRequestX",
        payload.to_string().as_bytes(),
    );
    assert_eq!(out.decision.action, uas_sop::Action::Deny);
}

#[test]
fn unreadable_session_state_denies_edits_and_records_why() {
    let e = env();
    let pre = load("claude/deny-run/003-PreToolUse.json");
    let session = pre["session_id"].as_str().expect("id").to_owned();
    // A planned session: its edit is allowed.
    let mut post = plan_written(pre.clone(), "file_path");
    post["hook_event_name"] = json!("PostToolUse");
    post["tool_response"] = json!({"success": true});
    allowed(&call(&e, "claude", "PostToolUse", &post));
    allowed(&call(&e, "claude", "PreToolUse", &pre));
    // Its stored state is damaged (a partial write, a hand edit).
    let mut db = uas_store::Db::open(
        &e.env.home.root().join("uas.db"),
        uas_store::OpenMode::Existing,
        uas_store::BUSY_TIMEOUT,
    )
    .expect("db");
    db.write(|tx| {
        uas_store::sessions::save(
            tx,
            "claude",
            &session,
            "{\"cwd\":\"/home/user/project\",\"evidence\":[\"plan\"",
            0,
        )
    })
    .expect("corrupt");
    drop(db);
    // Fail closed: the same edit is now denied, and the person is told.
    let r = call(&e, "claude", "PreToolUse", &pre);
    assert_eq!(r.exit, 2, "{r:?}");
    assert!(r.stderr.contains("No plan is recorded"), "{}", r.stderr);
    assert!(r.stderr.contains("could not be read"), "{}", r.stderr);
    let rows = audit_rows(&e);
    let last = &rows.last().expect("recorded").2;
    assert!(last.contains("stored SOP state is unreadable"), "{last}");
}

fn store_mode(e: &Env, value: &str) {
    let mut db = uas_store::Db::open(
        &e.env.home.root().join("uas.db"),
        uas_store::OpenMode::Existing,
        uas_store::BUSY_TIMEOUT,
    )
    .expect("db");
    db.write(|tx| uas_store::meta::set(tx, uas_sop::MODE_KEY, value))
        .expect("mode");
}

/// The last audit record's (payload, decision).
fn last_record(e: &Env) -> (String, Value) {
    let log = uas_audit::AuditLog::open(
        &e.env.home.root().join("uas.db"),
        std::time::Duration::from_secs(1),
    )
    .expect("log");
    let r = log
        .read_after(0, 10_000)
        .expect("read")
        .pop()
        .expect("a record");
    let d = serde_json::from_str(r.decision.as_deref().expect("decision")).expect("json");
    (r.payload, d)
}

/// What `uas sop mode observe` records: its critical `sop_mode` event,
/// then the setting naming that event's sequence number (as JSON).
fn observe_setting_as_uas_records_it(e: &Env, since_ms: i64) -> String {
    let mut log = uas_audit::AuditLog::open(
        &e.env.home.root().join("uas.db"),
        std::time::Duration::from_secs(1),
    )
    .expect("log");
    let keys = uas_audit::SigningKeys::load_or_create(
        &uas_audit::audit_dir(&e.env.home),
        uas_core::config::KeyStoreKind::File,
    )
    .expect("keys");
    let sig = keys.sign_mode("observe", since_ms, "all agents");
    let rec = log
        .append(&uas_audit::NewEvent {
            ts_ms: since_ms,
            agent: "uas".into(),
            session: "-".into(),
            kind: "sop_mode".into(),
            severity: uas_audit::Severity::Critical,
            payload:
                json!({"mode": "observe", "since_ms": since_ms, "scope": "all agents", "sig": sig})
                    .to_string(),
            decision: None,
        })
        .expect("append");
    json!({"mode": "observe", "since_ms": since_ms, "by": "ann", "seq": rec.seq}).to_string()
}

#[test]
fn observe_mode_answers_allow_and_records_the_denial_for_the_agents_it_covers() {
    let e = env();
    let pre = load("claude/deny-run/003-PreToolUse.json");
    let observe = observe_setting_as_uas_records_it(&e, 1);
    // Paused for Codex only: Claude is still denied.
    store_mode(&e, &format!("{{\"agents\":{{\"codex\":{observe}}}}}"));
    exact(&call(&e, "claude", "PreToolUse", &pre), "", PLAN_DENY, 2);
    let (_, d) = last_record(&e);
    assert_eq!(
        (d["action"].as_str(), d.get("observed")),
        (Some("deny"), None)
    );

    // Paused for every agent: answered allow, recorded as the denial it was.
    store_mode(&e, &format!("{{\"global\":{observe}}}"));
    allowed(&call(&e, "claude", "PreToolUse", &pre));
    let (payload, d) = last_record(&e);
    assert_eq!(d["action"], "deny");
    assert_eq!(d["observed"], true);
    assert_eq!(d["violation"], "sop");
    assert!(payload.contains("enforcement is paused"), "{payload}");

    // An unreadable mode enforces, and says why.
    store_mode(&e, "{\"global\":");
    exact(&call(&e, "claude", "PreToolUse", &pre), "", PLAN_DENY, 2);
    let (payload, _) = last_record(&e);
    assert!(payload.contains("unreadable"), "{payload}");
}

#[test]
fn an_observe_mode_written_into_the_database_around_uas_is_not_honoured() {
    let e = env();
    let pre = load("claude/deny-run/003-PreToolUse.json");
    let backed = observe_setting_as_uas_records_it(&e, 5);
    let forged: Vec<String> = vec![
        // An agent's script writing the meta row, as an old uas did (no seq).
        json!({"global": {"mode": "observe", "since_ms": 1, "by": "me"}}).to_string(),
        // Naming an event that is not a sop_mode event of that time.
        json!({"global": {"mode": "observe", "since_ms": 6, "by": "me", "seq": 1}}).to_string(),
        json!({"global": {"mode": "observe", "since_ms": 5, "by": "me", "seq": 999}}).to_string(),
    ];
    // A chain-valid sop_mode row appended by a script (the chain hash is
    // public): without this home's signature it backs nothing.
    let mut log = uas_audit::AuditLog::open(
        &e.env.home.root().join("uas.db"),
        std::time::Duration::from_secs(1),
    )
    .expect("log");
    let fake = log
        .append(&uas_audit::NewEvent {
            ts_ms: 7,
            agent: "uas".into(),
            session: "-".into(),
            kind: "sop_mode".into(),
            severity: uas_audit::Severity::Critical,
            payload: json!({"mode": "observe", "since_ms": 7, "scope": "all agents", "sig": "00"})
                .to_string(),
            decision: None,
        })
        .expect("append");
    let mut forged = forged;
    forged.push(
        json!({"global": {"mode": "observe", "since_ms": 7, "by": "me", "seq": fake.seq}})
            .to_string(),
    );
    for value in forged {
        store_mode(&e, &value);
        exact(&call(&e, "claude", "PreToolUse", &pre), "", PLAN_DENY, 2);
        let (_, d) = last_record(&e);
        assert_eq!(d["action"], "deny", "{value}");
        assert_eq!(d["severity"], "critical", "{value}: {d}");
        assert_eq!(d["violation"], "tamper", "{value}: {d}");
        assert!(
            d["fallback"]
                .as_str()
                .is_some_and(|f| f.contains("not backed")),
            "{value}: {d}"
        );
    }
    // The same setting with its own event is honoured.
    store_mode(&e, &format!("{{\"global\":{backed}}}"));
    allowed(&call(&e, "claude", "PreToolUse", &pre));
}

/// The answer that refuses a Claude or Codex `PermissionRequest`.
fn permission_deny(reason: &str) -> String {
    format!(
        "{}\n",
        json!({"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": {"behavior": "deny", "message": reason}}})
    )
}

#[test]
fn permission_requests_are_refused_when_the_sop_refuses_the_tool_and_left_to_the_agent_otherwise() {
    let e = env();
    // Claude Code: the Write asked for before a plan.
    let mut claude = load("claude/deny-run/003-PreToolUse.json");
    claude["hook_event_name"] = json!("PermissionRequest");
    claude["permission_suggestions"] = json!([]);
    exact(
        &call(&e, "claude", "PermissionRequest", &claude),
        &permission_deny(PLAN_DENY.trim_end()),
        "",
        0,
    );
    // Codex: a shell approval for a command that writes.
    let mut codex = load("codex/r5-deny-shell-03-PreToolUse.json");
    codex["hook_event_name"] = json!("PermissionRequest");
    exact(
        &call(&e, "codex", "PermissionRequest", &codex),
        &permission_deny(SHELL_DENY.trim_end()),
        "",
        0,
    );
    // Copilot: `{behavior, message}` on stdout.
    let copilot = json!({"sessionId": "cp-perm", "timestamp": 1_796_000_000_000_i64, "cwd": "/home/user/project", "toolName": "create", "toolInput": {"path": "/home/user/project/hello.txt", "file_text": "hello"}});
    exact(
        &call(&e, "copilot", "permissionRequest", &copilot),
        &format!(
            "{}\n",
            json!({"behavior": "deny", "message": PLAN_DENY.trim_end()})
        ),
        "",
        0,
    );
    // A read is not refused, and uas never approves for the person: nothing
    // on stdout leaves the decision to the agent's own dialog and rules.
    let mut read = claude.clone();
    read["tool_name"] = json!("Read");
    read["tool_input"] = json!({"file_path": "/home/user/project/README.md"});
    allowed(&call(&e, "claude", "PermissionRequest", &read));
    let mut read = copilot.clone();
    read["toolName"] = json!("view");
    read["toolInput"] = json!({"path": "/home/user/project/README.md"});
    allowed(&call(&e, "copilot", "permissionRequest", &read));
    let kinds: Vec<String> = audit_rows(&e)
        .iter()
        .map(|(_, _, p)| serde_json::from_str::<Value>(p).expect("json")["kind"].to_string())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| k.contains("permission")).count(),
        5,
        "{kinds:?}"
    );
}

/// A user home whose Claude settings exist (the file the guard watches).
fn with_claude_settings(text: &str) -> Env {
    let text = text.to_owned();
    env_with_user_home(move |home| {
        std::fs::create_dir_all(home.join(".claude")).expect("mkdir");
        std::fs::write(home.join(".claude/settings.json"), text).expect("settings");
    })
}

#[test]
fn a_settings_change_that_switches_the_hooks_off_is_kept_out_of_the_session() {
    let e = with_claude_settings("{\n  \"model\": \"opus\"\n}\n");
    let settings = e.env.probe.user_home.join(".claude/settings.json");
    let start = load("claude/deny-run/001-SessionStart.json");
    let session = start["session_id"].clone();
    call(&e, "claude", "SessionStart", &start);
    let change = json!({"session_id": session, "transcript_path": "/home/user/.claude/projects/x.jsonl", "cwd": "/home/user/project", "hook_event_name": "ConfigChange", "source": "user_settings", "file_path": settings.display().to_string()});
    // A change that leaves the hooks alone (the person picked a model).
    std::fs::write(&settings, "{\n  \"model\": \"sonnet\"\n}\n").expect("edit");
    allowed(&call(&e, "claude", "ConfigChange", &change));
    // One that switches every hook off: exit 2 keeps it out of the session.
    std::fs::write(
        &settings,
        "{\n  \"model\": \"sonnet\",\n  \"disableAllHooks\": true\n}\n",
    )
    .expect("edit");
    let r = call(&e, "claude", "ConfigChange", &change);
    assert_eq!((r.exit, r.stdout.as_str()), (2, ""), "{r:?}");
    assert!(
        r.stderr
            .starts_with("Universal Agent: this settings change would")
            && r.stderr.contains(&format!("{}:3 sets", settings.display()))
            && r.stderr.contains("disableAllHooks"),
        "{}",
        r.stderr
    );
    let (payload, d) = last_record(&e);
    assert_eq!(
        (
            d["action"].as_str(),
            d["rule"].as_str(),
            d["violation"].as_str()
        ),
        (Some("deny"), Some("hooks-config"), Some("tamper"))
    );
    let p: Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(p["detail"]["source"], "user_settings");
    // A settings change is not blamed on the session: it is not locked.
    allowed(&call(
        &e,
        "claude",
        "UserPromptSubmit",
        &load("claude/deny-run/002-UserPromptSubmit.json"),
    ));
}

#[test]
fn a_locked_session_starts_no_subagent_where_the_agent_lets_us_refuse() {
    let e = env();
    let base = json!({"conversation_id": "cur-sub", "generation_id": "g1", "cursor_version": "2.4", "workspace_roots": ["/home/user/project"], "cwd": "", "subagent_type": "explore", "task": "look around"});
    let start = |e: &Env| {
        run(
            &e.env,
            "cursor",
            "subagentStart",
            base.to_string().as_bytes(),
        )
    };
    exact(&start(&e).response, "{\"permission\":\"allow\"}\n", "", 0);
    // A protected file (uas's config) changes around a tool call: the
    // session locks.
    std::fs::write(
        e.env.home.config_file(),
        "[audit]\nkey_store = \"file\"\n[hooks]\non_error = \"open\"\n",
    )
    .expect("tamper");
    let mut read = base.clone();
    read["tool_name"] = json!("Read");
    read["tool_input"] = json!({"file_path": "/home/user/project/README.md"});
    let locked = run(&e.env, "cursor", "preToolUse", read.to_string().as_bytes());
    assert_eq!(locked.decision.rule.as_deref(), Some(uas_sop::LOCKED_RULE));
    let refused = start(&e);
    assert_eq!(refused.decision.action, uas_sop::Action::Deny);
    let reason = format!("Universal Agent: {}", refused.decision.reason);
    assert!(reason.contains("No subagent starts"), "{reason}");
    exact(&refused.response, &cursor_deny(&reason), "", 0);
    // Claude cannot refuse a subagent: recorded and answered as it is.
    let claude = load("claude/subagent-start.json");
    allowed(&call(&e, "claude", "SubagentStart", &claude));
}

#[test]
fn cursors_own_gates_decide_shell_mcp_and_reads_and_tab_edits_are_recorded() {
    let e = env();
    let base = json!({"conversation_id": "cur-gates", "generation_id": "g2", "cursor_version": "2.4", "workspace_roots": ["/home/user/project"], "cwd": ""});
    let call_cursor = |event: &str, extra: Value| {
        let mut p = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            p[k] = v.clone();
        }
        run(&e.env, "cursor", event, p.to_string().as_bytes())
    };
    let shell = call_cursor(
        "beforeShellExecution",
        json!({"command": "printf hi > hello.txt", "cwd": "/home/user/project"}),
    );
    exact(&shell.response, &cursor_deny(SHELL_DENY.trim_end()), "", 0);
    exact(
        &call_cursor("beforeShellExecution", json!({"command": "ls -la"})).response,
        "{\"permission\":\"allow\"}\n",
        "",
        0,
    );
    // Reading the audit signing key is refused whatever asks.
    let key = e.env.home.root().join("audit/signing.key");
    let secret = call_cursor(
        "beforeReadFile",
        json!({"file_path": key.display().to_string(), "content": "…"}),
    );
    assert_eq!(secret.decision.action, uas_sop::Action::Deny, "{secret:?}");
    assert!(secret.response.stdout.contains("\"permission\":\"deny\""));
    exact(
        &call_cursor(
            "beforeReadFile",
            json!({"file_path": "/home/user/project/README.md", "content": "# hi"}),
        )
        .response,
        "{\"permission\":\"allow\"}\n",
        "",
        0,
    );
    exact(
        &call_cursor(
            "beforeMCPExecution",
            json!({"tool_name": "github.list_issues", "tool_input": "{}", "url": "https://mcp.example"}),
        )
        .response,
        "{\"permission\":\"allow\"}\n",
        "",
        0,
    );
    // A Tab completion the person accepted: no pre-tool event ever; its
    // after-edit event is the record, naming the file.
    let tab = call_cursor(
        "afterTabFileEdit",
        json!({"file_path": "/home/user/project/src/lib.rs", "edits": [{"old_string": "a", "new_string": "b"}]}),
    );
    exact(&tab.response, "", "", 0);
    let rows = audit_rows(&e);
    let last: Value = serde_json::from_str(&rows.last().expect("row").2).expect("json");
    assert_eq!(
        (
            last["agent_event"].as_str(),
            last["tool"]["name"].as_str(),
            last["tool"]["class"].as_str()
        ),
        (Some("afterTabFileEdit"), Some("Edit"), Some("write"))
    );
    assert_eq!(
        last["tool"]["paths"],
        json!(["/home/user/project/src/lib.rs"])
    );
}

#[test]
fn subagents_errors_and_compactions_are_recorded_with_what_they_said() {
    let e = env();
    let start = load("claude/subagent-start.json");
    let id = start["agent_id"].as_str().expect("agent_id").to_owned();
    allowed(&call(&e, "claude", "SubagentStart", &start));
    allowed(&call(&e, "claude", "PreToolUse", &{
        let mut p = load("claude/subagent-pre-tool.json");
        p["agent_id"] = json!(id);
        p["tool_name"] = json!("Read");
        p["tool_input"] = json!({"file_path": "/home/user/project/README.md"});
        p
    }));
    allowed(&call(
        &e,
        "claude",
        "SubagentStop",
        &load("claude/subagent-stop.json"),
    ));
    let failure = json!({"session_id": start["session_id"], "transcript_path": "/home/user/t.jsonl", "cwd": "/home/user/project", "hook_event_name": "StopFailure", "error": "rate_limit", "error_details": "429 Too Many Requests"});
    allowed(&call(&e, "claude", "StopFailure", &failure));
    let compact = json!({"sessionId": "cp-1", "timestamp": 1, "cwd": "/home/user/project", "transcriptPath": "/t", "trigger": "auto", "customInstructions": ""});
    allowed(&call(&e, "copilot", "preCompact", &compact));
    let error = json!({"sessionId": "cp-1", "timestamp": 2, "cwd": "/home/user/project", "error": {"message": "model call failed", "name": "Error"}, "errorContext": "model_call", "recoverable": true});
    allowed(&call(&e, "copilot", "errorOccurred", &error));
    let failed_tool = json!({"sessionId": "cp-1", "timestamp": 3, "cwd": "/home/user/project", "toolName": "bash", "toolArgs": {"command": "cargo test"}, "error": "exit 101"});
    allowed(&call(&e, "copilot", "postToolUseFailure", &failed_tool));

    let rows: Vec<Value> = audit_rows(&e)
        .iter()
        .map(|(_, _, p)| serde_json::from_str(p).expect("json"))
        .collect();
    let by = |kind: &str| -> &Value {
        rows.iter()
            .find(|r| r["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}: {rows:?}"))
    };
    assert_eq!(by("subagent_start")["subagent"]["id"], json!(id));
    assert_eq!(by("subagent_start")["subagent"]["kind"], "general-purpose");
    assert_eq!(by("subagent_stop")["subagent"]["id"], json!(id));
    assert_eq!(by("pre_tool")["subagent"]["id"], json!(id));
    assert_eq!(by("agent_error")["detail"]["error"], "rate_limit");
    assert_eq!(by("compact")["detail"]["trigger"], "auto");
    let copilot_error = rows
        .iter()
        .filter(|r| r["kind"] == "agent_error")
        .nth(1)
        .expect("copilot error");
    assert_eq!(copilot_error["detail"]["errorContext"], "model_call");
    let post = by("post_tool");
    assert_eq!(post["agent_event"], "postToolUseFailure");
    assert_eq!(post["outcome"]["success"], false);
}

#[test]
fn a_session_whose_prompts_go_on_without_tool_events_is_noticed_once() {
    let e = env();
    let prompt = load("claude/deny-run/002-UserPromptSubmit.json");
    // Prompts alone (a session that only talks) are nothing to notice.
    for _ in 0..uas_sop::QUIET_PROMPTS + 1 {
        call(&e, "claude", "UserPromptSubmit", &prompt);
    }
    let silent = |e: &Env| {
        audit_rows(e)
            .iter()
            .filter(|(_, _, p)| p.contains("prompts_without_tool_events"))
            .count()
    };
    assert_eq!(silent(&e), 0);
    // After tool events, prompts that bring none are noticed once.
    call(
        &e,
        "claude",
        "PreToolUse",
        &load("claude/deny-run/003-PreToolUse.json"),
    );
    for _ in 0..uas_sop::QUIET_PROMPTS * 2 {
        call(&e, "claude", "UserPromptSubmit", &prompt);
    }
    assert_eq!(silent(&e), 1);
}

#[test]
fn a_permission_request_cannot_carry_a_tamper_write_past_the_gate() {
    let e = env();
    // Even in a planned session, asking the permission dialog to write the
    // agent's own hook config, by a relative path from the home, is refused
    // as tamper in the permission protocol.
    let mut post = plan_written(load("claude/allow-run/004-PostToolUse.json"), "file_path");
    post["session_id"] = json!("perm-tamper");
    allowed(&call(&e, "claude", "PostToolUse", &post));
    let ask = json!({"session_id": "perm-tamper", "cwd": "/home/user", "hook_event_name": "PermissionRequest", "permission_mode": "default", "tool_name": "Write", "tool_input": {"file_path": ".claude/settings.json", "content": "{}"}});
    let out = run(
        &e.env,
        "claude",
        "PermissionRequest",
        ask.to_string().as_bytes(),
    );
    assert_eq!(
        out.decision.violation,
        Some(uas_sop::Violation::Tamper),
        "{out:?}"
    );
    assert!(
        out.response.stdout.contains("\"behavior\":\"deny\""),
        "{out:?}"
    );
    // The same through Copilot's shell, in its own protocol.
    let ask = json!({"sessionId": "cp-tamper", "timestamp": 1, "cwd": "/home/user/project", "toolName": "bash", "toolInput": {"command": "python3 -c \"open('/home/user/.copilot/settings.json','w').write('{}')\""}});
    let out = run(
        &e.env,
        "copilot",
        "permissionRequest",
        ask.to_string().as_bytes(),
    );
    assert_eq!(out.decision.action, uas_sop::Action::Deny, "{out:?}");
    assert!(
        out.response.stdout.contains("\"behavior\":\"deny\""),
        "{out:?}"
    );
}

#[test]
fn starting_a_nested_agent_with_its_hooks_off_is_tamper_even_with_a_plan() {
    let e = env();
    let mut post = plan_written(load("claude/allow-run/004-PostToolUse.json"), "file_path");
    post["session_id"] = json!("nested");
    allowed(&call(&e, "claude", "PostToolUse", &post));
    for cmd in [
        "claude --bare -p 'create hello.txt'",
        "CLAUDE_CODE_SIMPLE=1 claude -p 'create hello.txt'",
        "HOME=/tmp/elsewhere claude -p 'create hello.txt'",
        "bash -c 'codex exec --disable hooks \"create hello.txt\"'",
        "CODEX_HOME=/tmp/c codex exec x",
    ] {
        let pre = json!({"session_id": "nested", "cwd": "/home/user/project", "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash", "tool_input": {"command": cmd}});
        let out = run(&e.env, "claude", "PreToolUse", pre.to_string().as_bytes());
        assert_eq!(
            out.decision.rule.as_deref(),
            Some("tamper-unhooked-agent"),
            "{cmd}: {out:?}"
        );
        assert_eq!(out.response.exit, 2, "{cmd}");
    }
    // With its hooks, a nested agent is supervised like any other.
    let pre = json!({"session_id": "nested", "cwd": "/home/user/project", "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash", "tool_input": {"command": "claude -p 'create hello.txt'"}});
    let out = run(&e.env, "claude", "PreToolUse", pre.to_string().as_bytes());
    assert_ne!(
        out.decision.rule.as_deref(),
        Some("tamper-unhooked-agent"),
        "{out:?}"
    );
}

/// The recorded inputs of one run (`<agent>/<run>/NNN-<event>.json`, what
/// the real CLI sent uas, recorded by `e2e.py --record`), replayed in
/// firing order: (event, answer) for each.
fn replay(e: &Env, agent: &str, recorded_run: &str) -> Vec<(String, Response)> {
    let dir = fixtures().join(agent).join(recorded_run);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("recorded run")
        .map(|f| f.expect("entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}", dir.display());
    files
        .iter()
        .map(|f| {
            let name = f.file_stem().and_then(|n| n.to_str()).expect("name");
            let event = name.split_once('-').map(|(_, e)| e).expect("NNN-event");
            let input = std::fs::read(f).expect("read");
            (event.to_owned(), run(&e.env, agent, event, &input).response)
        })
        .collect()
}

/// The agents added after the first seven, each proven with its real CLI
/// (`./x agents`) and replayed here from what it sent: the pre-tool event
/// before a plan is refused in the agent's protocol (exit 2 and the reason
/// on stderr: the hook answers of Qwen Code, Auggie and Droid, the plugins of
/// Kilo and Cline), every other event is allowed, the session brief goes
/// out where the agent reads it at session start, and after the plan is
/// written the same edit is allowed.
#[test]
fn the_next_agents_are_refused_before_a_plan_and_allowed_after_in_their_own_protocol() {
    let with_brief = ["qwen", "droid"];
    for agent in ["qwen", "auggie", "droid", "kilo", "cline"] {
        let e = env();
        let kind = |event: &str| {
            uas_hook::normalize::event_kind(agent.parse().expect("agent"), event).kind
        };
        let mut refused = 0;
        for (event, r) in replay(&e, agent, "deny-run") {
            match kind(&event) {
                uas_core::EventKind::PreTool => {
                    exact(&r, "", PLAN_DENY, 2);
                    refused += 1;
                }
                uas_core::EventKind::SessionStart if with_brief.contains(&agent) => {
                    assert!(session_context(&r).contains("intake"), "{agent}");
                }
                _ => assert_eq!(
                    (r.stdout.as_str(), r.stderr.as_str(), r.exit),
                    ("", "", 0),
                    "{agent} {event}"
                ),
            }
        }
        assert_eq!(refused, 1, "{agent}: one write, refused");
        let e = env();
        let answers = replay(&e, agent, "allow-run");
        let pre = answers
            .iter()
            .filter(|(ev, _)| kind(ev) == uas_core::EventKind::PreTool)
            .count();
        assert_eq!(pre, 2, "{agent}: the plan, then the edit");
        for (event, r) in answers {
            if kind(&event) == uas_core::EventKind::SessionStart && with_brief.contains(&agent) {
                session_context(&r);
            } else {
                allowed(&r);
            }
        }
        let rows = audit_rows(&e);
        assert!(rows.iter().all(|(a, _, _)| a == agent), "{agent}: {rows:?}");
        let sessions: std::collections::BTreeSet<&String> =
            rows.iter().map(|(_, s, _)| s).collect();
        assert_eq!(sessions.len(), 1, "{agent}: one session, {sessions:?}");
        assert!(
            !sessions.contains(&"unknown".to_owned()),
            "{agent}: session id read"
        );
    }
}

#[test]
fn qwen_permission_requests_are_refused_like_claudes() {
    let e = env();
    let mut ask = load("qwen/deny-run/003-PreToolUse.json");
    ask["hook_event_name"] = json!("PermissionRequest");
    exact(
        &call(&e, "qwen", "PermissionRequest", &ask),
        &permission_deny(PLAN_DENY.trim_end()),
        "",
        0,
    );
}

#[test]
fn clines_shell_commands_and_auggies_and_droids_tools_are_read_as_shell_and_writes() {
    let e = env();
    // Cline's `run_commands` takes a list: read as one script, so a write
    // by redirection is refused before a plan.
    let mut cline = load("cline/deny-run/002-beforeTool.json");
    cline["tool_name"] = json!("run_commands");
    cline["tool_input"] = json!({"commands": ["ls", "echo hi > /home/user/project/hello.txt"]});
    exact(&call(&e, "cline", "beforeTool", &cline), "", SHELL_DENY, 2);
    let mut read = cline.clone();
    read["tool_input"] = json!({"commands": ["ls -la", "git status"]});
    allowed(&call(&e, "cline", "beforeTool", &read));
    // Auggie's shell and its file removal.
    let mut auggie = load("auggie/deny-run/003-PreToolUse.json");
    auggie["tool_name"] = json!("launch-process");
    auggie["tool_input"] = json!({"command": "rm -rf src", "wait": true, "cwd": "."});
    exact(
        &call(&e, "auggie", "PreToolUse", &auggie),
        "",
        SHELL_DENY,
        2,
    );
    auggie["tool_name"] = json!("remove-files");
    auggie["tool_input"] = json!({"file_paths": ["/home/user/project/src/main.rs"]});
    let out = run(
        &e.env,
        "auggie",
        "PreToolUse",
        auggie.to_string().as_bytes(),
    );
    assert_eq!(out.response.exit, 2, "{out:?}");
    // Droid's shell.
    let mut droid = load("droid/deny-run/002-PreToolUse.json");
    droid["tool_name"] = json!("Execute");
    droid["tool_input"] =
        json!({"command": "printf x > /home/user/project/hello.txt", "riskLevel": "low"});
    exact(&call(&e, "droid", "PreToolUse", &droid), "", SHELL_DENY, 2);
}

/// Windsurf's Cascade, from its docs (no Windsurf runs here): the action
/// and its `tool_info` are read as a tool call, a write before a plan is
/// refused by exit 2 with the reason on stderr, a read and the response
/// are allowed, and one session (the trajectory) is recorded.
#[test]
fn windsurf_actions_are_read_from_tool_info_and_refused_by_exit_2() {
    let e = env();
    let ws = |file: &str| -> Value { load(&format!("windsurf/{file}")) };
    let event = |file: &str| {
        file.split_once('-')
            .map(|(_, e)| e.trim_end_matches(".json"))
            .expect("name")
            .to_owned()
    };
    let answer = |file: &str, input: &Value| {
        run(
            &e.env,
            "windsurf",
            &event(file),
            input.to_string().as_bytes(),
        )
    };
    allowed(&answer("01-pre_user_prompt.json", &ws("01-pre_user_prompt.json")).response);
    let write = answer("02-pre_write_code.json", &ws("02-pre_write_code.json"));
    assert_eq!(write.response.exit, 2, "{write:?}");
    assert!(write.response.stdout.is_empty());
    assert!(
        write
            .response
            .stderr
            .starts_with("Universal Agent: No plan is recorded"),
        "{write:?}"
    );
    let recorded = audit_rows(&e).pop().expect("recorded").2;
    assert!(
        recorded.contains("\"/home/user/project/notes.txt\""),
        "{recorded}"
    );
    // A shell command that writes, in the cwd Windsurf names.
    let mut cmd = ws("04-pre_run_command.json");
    cmd["tool_info"]["command_line"] = json!("echo hi > notes.txt");
    exact(
        &answer("04-pre_run_command.json", &cmd).response,
        "",
        SHELL_DENY,
        2,
    );
    allowed(&answer("04-pre_run_command.json", &ws("04-pre_run_command.json")).response);
    allowed(&answer("06-pre_read_code.json", &ws("06-pre_read_code.json")).response);
    allowed(
        &answer(
            "08-post_cascade_response.json",
            &ws("08-post_cascade_response.json"),
        )
        .response,
    );
    let rows = audit_rows(&e);
    assert!(
        rows.iter()
            .all(|(a, s, _)| a == "windsurf" && s == "traj-0001"),
        "{rows:?}"
    );
}

/// Copilot 1.0.102 sends a subagent's own events with `sessionId` set to
/// the subagent's id and the parent's session as `parentAgentId` (the
/// real-agent subagent scenario): they count in the parent's session, so
/// the parent's plan lets the subagent's edit through.
#[test]
fn a_copilot_subagents_calls_count_in_the_parents_session() {
    let e = env();
    let parent = "ea655561-505b-4660-887c-9fe08e4f675c";
    let mut plan = load("copilot/c3-allow-04-postToolUse.json");
    plan["toolArgs"]["command"] = json!("printf '1. do it' > /home/user/project/PLAN.md");
    allowed(&call(&e, "copilot", "postToolUse", &plan));
    let sub = json!({"sessionId": "agent-7", "agentId": "agent-7", "agentType": "general-purpose", "parentAgentId": parent, "timestamp": 1, "cwd": "/home/user/project", "toolName": "bash", "toolArgs": {"command": "echo hi > /home/user/project/hello.txt", "description": "write"}});
    let r = call(&e, "copilot", "preToolUse", &sub);
    assert!(!r.stdout.contains("deny"), "{r:?}");
    let (_, session, payload) = audit_rows(&e).pop().expect("recorded");
    assert_eq!(session, parent);
    assert!(payload.contains("\"agent-7\""), "{payload}");
}

/// Found by a hostile review: moving or removing the folder that holds a
/// hook file, or adding a plugin or local settings beside ours, passed the
/// path rules after a plan. Each is now tamper.
#[test]
fn moving_a_hook_folder_or_adding_a_plugin_beside_ours_is_tamper_after_a_plan() {
    let e = env();
    let mut post = plan_written(load("claude/allow-run/004-PostToolUse.json"), "file_path");
    post["session_id"] = json!("folders");
    allowed(&call(&e, "claude", "PostToolUse", &post));
    let home = e.env.probe.user_home.display().to_string();
    for cmd in [
        "mv ~/.qwen ~/.q".to_owned(),
        "rm -rf ~/.cline/plugins".to_owned(),
        "rm -rf ~/.config/kilo".to_owned(),
        "mv ~/.factory/hooks.json ~/.factory/hooks.bak".to_owned(),
        "cp /tmp/evil.js ~/.config/kilo/plugins/evil.js".to_owned(),
        "printf '{}' > ~/.factory/settings.local.json".to_owned(),
        "rm -rf project/.cline".to_owned(),
        format!("mv {home}/.claude {home}/.c"),
    ] {
        let pre = json!({"session_id": "folders", "cwd": "/home/user", "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash", "tool_input": {"command": cmd}});
        let out = run(&e.env, "claude", "PreToolUse", pre.to_string().as_bytes());
        assert_eq!(
            out.decision.violation,
            Some(uas_sop::Violation::Tamper),
            "{cmd}: {out:?}"
        );
    }
    // The Write tool too, for a plugin beside ours.
    let write = json!({"session_id": "folders", "cwd": "/home/user", "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Write", "tool_input": {"file_path": format!("{home}/.cline/plugins/evil.js"), "content": "x"}});
    let out = run(&e.env, "claude", "PreToolUse", write.to_string().as_bytes());
    assert_eq!(
        out.decision.violation,
        Some(uas_sop::Violation::Tamper),
        "{out:?}"
    );
    // Reading and working elsewhere stay allowed.
    for cmd in ["ls ~/.qwen", "echo x > /home/user/project/notes.txt"] {
        let pre = json!({"session_id": "folders", "cwd": "/home/user/project", "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash", "tool_input": {"command": cmd}});
        let out = run(&e.env, "claude", "PreToolUse", pre.to_string().as_bytes());
        assert_eq!(out.response.exit, 0, "{cmd}: {out:?}");
    }
}
