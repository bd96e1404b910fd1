//! Real hook inputs (recorded from Claude Code, Codex, Gemini CLI, OpenCode
//! and Copilot CLI; Cursor and Antigravity from their docs) -> decisions ->
//! the exact bytes and exit codes each agent's protocol needs.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use uas_core::Home;
use uas_hook::{HookEnv, Response, run};
use uas_providers::ProbeEnv;

const PLAN_DENY: &str = "Universal Agent: No plan is recorded for this session. Write the plan to /home/user/project/PLAN.md (or run `uas sop advance`), then edit.\n";
const SHELL_DENY: &str = "Universal Agent: No plan is recorded for this session, and this command changes files. Write the plan to /home/user/project/PLAN.md (or run `uas sop advance`) first.\n";

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
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("agent");
    std::fs::create_dir_all(&root).expect("mkdir");
    let home = Home::new(&root);
    let db = root.join("uas.db");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            uas_store::Store::open(&db, uas_store::OpenMode::CreateAndMigrate)
                .await
                .expect("store")
                .close()
                .await;
        });
    std::fs::write(home.config_file(), "[audit]\nkey_store = \"file\"\n").expect("config");
    let probe = ProbeEnv {
        user_home: PathBuf::from("/home/user"),
        path_dirs: vec![],
        vars: Default::default(),
    };
    Env {
        _dir: dir,
        env: HookEnv { home, probe },
    }
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

#[test]
fn cursor_answers_with_permission_json() {
    // Shapes from Cursor's hook docs (AGENT-FORMATS.md section 6).
    let e = env();
    let pre = json!({
        "hook_event_name": "preToolUse",
        "conversation_id": "c-1",
        "generation_id": "g-1",
        "workspace_roots": ["/home/user/project"],
        "tool_name": "Write",
        "tool_input": {"file_path": "src/main.rs", "content": "x"}
    });
    let reason = PLAN_DENY.trim_end();
    exact(
        &call(&e, "cursor", "preToolUse", &pre),
        &format!(
            "{}\n",
            json!({"permission": "deny", "user_message": reason, "agent_message": reason})
        ),
        "",
        0,
    );
    let read = json!({"hook_event_name": "preToolUse", "conversation_id": "c-1", "workspace_roots": ["/home/user/project"], "tool_name": "Read", "tool_input": {"file_path": "README.md"}});
    exact(
        &call(&e, "cursor", "preToolUse", &read),
        "{\"permission\":\"allow\"}\n",
        "",
        0,
    );
    exact(
        &call(
            &e,
            "cursor",
            "beforeSubmitPrompt",
            &json!({"conversation_id": "c-1", "prompt": "hi"}),
        ),
        "{\"continue\":true}\n",
        "",
        0,
    );
}

#[test]
fn antigravity_always_gets_a_decision_on_tool_events() {
    let e = env();
    let pre = |tool: &str, input: Value| json!({"session_id": "a-1", "cwd": "/home/user/project", "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input});
    let r = call(
        &e,
        "antigravity",
        "PreToolUse",
        &pre(
            "write_to_file",
            json!({"TargetFile": "/home/user/project/a.py"}),
        ),
    );
    exact(
        &r,
        &format!(
            "{}\n",
            json!({"decision": "deny", "reason": PLAN_DENY.trim_end()})
        ),
        "",
        0,
    );
    let r = call(
        &e,
        "antigravity",
        "PreToolUse",
        &pre(
            "view_file",
            json!({"AbsolutePath": "/home/user/project/a.py"}),
        ),
    );
    exact(&r, "{\"decision\":\"allow\"}\n", "", 0);
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
fn malformed_input_is_recorded_and_answered_without_panicking() {
    let e = env();
    for (agent, input) in [
        ("claude", &b"{\"session_id\": "[..]),
        ("claude", b""),
        ("nosuchagent", b"{}"),
        ("gemini", b"\xff\x00"),
    ] {
        let out = run(&e.env, agent, "PreToolUse", input);
        assert_eq!(out.response.exit, 0);
        assert!(
            out.response.stderr.contains("could not read"),
            "{:?}",
            out.response
        );
        assert!(out.seq.is_some(), "malformed event not recorded");
    }
}
