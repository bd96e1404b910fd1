//! `uas serve` as a hostile agent would try it: started from under an agent
//! it refuses (it prints the token that answers approvals), and an agent's
//! shell call of it is denied as tamper.

use serde_json::json;
use uas_testsupport::{Sandbox, stderr, stdout};

fn home() -> Sandbox {
    let s = Sandbox::new(env!("CARGO_BIN_EXE_uas")).with_path("/usr/bin:/bin");
    let init = s.run(&["init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    s
}

#[test]
fn serve_started_by_an_agent_is_refused_and_recorded_as_tamper() {
    let s = home();
    let out = s
        .fake_agent("agent")
        .args([
            "-c",
            // Not the shell's last command, so it is not exec'ed in place
            // of the agent process; timeout ends a serve that wrongly ran.
            &format!("timeout 20 '{}' serve --port 0; exit $?", s.bin().display()),
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("only a person may run it"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("token="), "no token printed");
    let log = stdout(&s.run(&["audit", "export", "--format", "jsonl"]));
    assert!(
        log.lines()
            .any(|l| l.contains("\"tamper\"") && l.contains("uas serve")),
        "{log}"
    );
}

#[test]
fn an_agents_shell_call_of_uas_serve_is_denied() {
    let s = home();
    for command in [
        "uas serve",
        "nohup ~/.local/bin/uas serve --port 9000 &",
        "env uas serve",
    ] {
        let input = json!({
            "session_id": "hostile", "hook_event_name": "PreToolUse", "cwd": s.project(),
            "tool_name": "Bash", "tool_input": {"command": command},
        });
        let out = s.run_with_stdin(
            &["hook", "claude", "PreToolUse"],
            input.to_string().as_bytes(),
        );
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
    }
}
