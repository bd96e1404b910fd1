//! The built-in SOP driven event by event, as the hook drives it: decide a
//! pre-tool event, observe it, run the tool, observe the post-tool event.

use uas_core::{AgentEvent, AgentId, EventKind, ToolCall, ToolClass, ToolOutcome};
use uas_sop::{
    Action, AdvanceError, Context, Decision, RuleSeverity, SessionState, Sop, Violation,
};

const CWD: &str = "/work/proj";
const HOME: &str = "/home/u";
const UAS_HOME: &str = "/home/u/.agent";
const HOOK_CONFIG: &str = "/home/u/.claude/settings.json";

fn event(kind: EventKind, tool: Option<ToolCall>, outcome: Option<ToolOutcome>) -> AgentEvent {
    AgentEvent {
        agent: AgentId::Claude,
        session: "s1".into(),
        cwd: Some(CWD.into()),
        kind,
        agent_event: format!("{kind:?}"),
        tool,
        tool_input: serde_json::Value::Null,
        outcome,
        agent_ts_ms: None,
        received_ms: 0,
        subagent: None,
        detail: serde_json::Value::Null,
    }
}

fn write(path: &str) -> ToolCall {
    ToolCall {
        name: "Write".into(),
        class: ToolClass::Write,
        paths: vec![path.into()],
        command: None,
    }
}

fn shell(command: &str) -> ToolCall {
    ToolCall {
        name: "Bash".into(),
        class: ToolClass::Shell,
        paths: vec![],
        command: Some(command.into()),
    }
}

fn read(path: &str) -> ToolCall {
    ToolCall {
        name: "Read".into(),
        class: ToolClass::Read,
        paths: vec![path.into()],
        command: None,
    }
}

fn exit(code: i32) -> Option<ToolOutcome> {
    Some(ToolOutcome {
        success: None,
        exit_code: Some(code),
    })
}

/// One session under the built-in SOP; every event gets the next audit seq.
struct Session {
    sop: Sop,
    ctx: Context,
    state: SessionState,
    seq: u64,
}

impl Session {
    fn new() -> Self {
        Self {
            sop: Sop::builtin(),
            ctx: Context {
                uas_home: UAS_HOME.into(),
                hook_configs: vec![HOOK_CONFIG.into()],
                user_home: Some(HOME.into()),
                secrets: vec![format!("{UAS_HOME}/audit/signing.key")],
                launch_off: vec![],
                hook_dirs: vec![],
            },
            state: SessionState::default(),
            seq: 0,
        }
    }

    fn send(&mut self, ev: AgentEvent) -> Decision {
        self.seq += 1;
        let d = self.sop.decide(&self.ctx, &self.state, &ev);
        self.sop.observe(&mut self.state, &ev, &d, self.seq);
        d
    }

    /// A prompt: the session has started and the user asked for something.
    fn prompt(&mut self) {
        self.send(event(EventKind::Prompt, None, None));
    }

    /// The pre-tool decision, then (when allowed) the tool's outcome.
    fn run(&mut self, tool: ToolCall, outcome: Option<ToolOutcome>) -> Decision {
        let d = self.send(event(EventKind::PreTool, Some(tool.clone()), None));
        if d.action != Action::Deny {
            self.send(event(EventKind::PostTool, Some(tool), outcome));
        }
        d
    }

    /// Prompt, read, plan: ready to edit.
    fn planned() -> Self {
        let mut s = Self::new();
        s.prompt();
        s.run(read("/work/proj/src/lib.rs"), None);
        s.run(write("/work/proj/PLAN.md"), None);
        assert!(s.state.has("plan"), "{:?}", s.state);
        s
    }

    fn phase(&self) -> String {
        self.sop.phase(&self.state).1.id.clone()
    }
}

#[test]
fn a_new_session_is_in_intake_and_its_next_gate_needs_a_prompt() {
    let s = Session::new();
    assert_eq!(s.sop.phase(&s.state).0, 0);
    assert_eq!(s.phase(), "intake");
    let gate = s.sop.next_gate(&s.state).expect("a next phase");
    assert_eq!(gate.phase, "research");
    assert_eq!(gate.missing, ["prompt"]);
}

#[test]
fn a_prompt_and_a_read_lead_to_the_plan_phase() {
    let mut s = Session::new();
    s.prompt();
    assert_eq!(s.phase(), "research");
    s.run(read("/work/proj/README.md"), None);
    assert_eq!(s.phase(), "plan");
    let gate = s.sop.next_gate(&s.state).expect("a next phase");
    assert_eq!(
        (gate.phase.as_str(), gate.missing),
        ("implement", vec!["plan".to_owned()])
    );
}

#[test]
fn a_write_before_a_plan_is_denied_as_an_sop_violation() {
    let mut s = Session::new();
    s.prompt();
    let d = s.run(write("/work/proj/src/lib.rs"), None);
    assert_eq!(d.action, Action::Deny);
    assert_eq!(d.rule.as_deref(), Some("plan-before-edit"));
    assert_eq!(d.violation, Some(Violation::Sop));
    assert_eq!(d.severity, RuleSeverity::Error);
    assert!(d.reason.contains("/work/proj/PLAN.md"), "{}", d.reason);
    assert_eq!(s.state.denied, 1);
    assert!(!s.state.has("edited"), "a denied write is no edit");
}

#[test]
fn a_shell_command_that_writes_before_a_plan_is_denied_but_a_read_only_one_is_not() {
    let mut s = Session::new();
    s.prompt();
    let d = s.run(shell("sed -i s/a/b/ src/lib.rs"), exit(0));
    assert_eq!(d.rule.as_deref(), Some("plan-before-shell-edit"));
    assert_eq!(d.action, Action::Deny);
    let d = s.run(shell("grep -rn foo src"), exit(0));
    assert_eq!(d.action, Action::Allow);
    assert!(s.state.has("research"));
}

#[test]
fn writing_the_plan_file_is_allowed_and_records_the_plan() {
    let mut s = Session::new();
    s.prompt();
    let d = s.run(write("/work/proj/PLAN.md"), None);
    assert_eq!(d.action, Action::Allow);
    assert_eq!(d.rule.as_deref(), Some("plan-file"));
    assert!(s.state.has("plan"));
    assert!(!s.state.has("edited"), "the plan is not an edit");
    assert_eq!(s.phase(), "implement");
    let d = s.run(write("/work/proj/src/lib.rs"), None);
    assert_eq!((d.action, d.rule), (Action::Allow, None));
    assert!(s.state.has("edited"));
    assert_eq!(s.phase(), "verify");
}

#[test]
fn a_plan_file_written_through_the_shell_records_the_plan() {
    let mut s = Session::new();
    s.prompt();
    let d = s.run(shell("echo '1. fix it' > PLAN.md"), exit(0));
    assert_eq!(d.rule.as_deref(), Some("plan-file-shell"));
    assert_eq!(d.action, Action::Allow);
    assert!(s.state.has("plan"));
    assert!(!s.state.has("edited"));
}

#[test]
fn a_plan_file_write_that_failed_records_no_plan() {
    let mut s = Session::new();
    s.prompt();
    s.run(
        write("/work/proj/PLAN.md"),
        Some(ToolOutcome {
            success: Some(false),
            exit_code: None,
        }),
    );
    assert!(!s.state.has("plan"));
    let d = s.run(write("/work/proj/src/lib.rs"), None);
    assert_eq!(d.action, Action::Deny);
}

#[test]
fn a_post_tool_event_without_a_tool_is_the_last_allowed_call() {
    let mut s = Session::new();
    s.prompt();
    s.send(event(
        EventKind::PreTool,
        Some(write("/work/proj/PLAN.md")),
        None,
    ));
    s.send(event(EventKind::PostTool, None, None));
    assert!(s.state.has("plan"));
    assert_eq!(s.state.pending_tool, None);
}

#[test]
fn a_commit_is_denied_until_a_test_run_passes_after_the_last_edit() {
    let mut s = Session::planned();
    s.run(write("/work/proj/src/lib.rs"), None);
    let d = s.run(shell("git commit -m wip"), exit(0));
    assert_eq!(d.action, Action::Deny);
    assert_eq!(d.rule.as_deref(), Some("tests-before-commit"));
    assert_eq!(d.violation, Some(Violation::Sop));

    s.run(shell("cargo test -p uas-sop"), exit(0));
    assert!(s.state.has("tests_passed"));
    assert_eq!(s.phase(), "review");
    let d = s.run(shell("git commit -m done"), exit(0));
    assert_eq!(d.action, Action::Allow, "{d:?}");

    // Another edit makes the passing run stale again.
    s.run(write("/work/proj/src/main.rs"), None);
    assert!(!s.state.has("tests_passed"));
    let d = s.run(shell("git -C /work/proj push"), exit(0));
    assert_eq!(d.rule.as_deref(), Some("tests-before-commit"));
    assert_eq!(d.action, Action::Deny);
}

#[test]
fn a_failing_or_unreported_test_run_is_not_evidence() {
    let mut s = Session::planned();
    s.run(write("/work/proj/src/lib.rs"), None);
    s.run(shell("cargo test"), exit(101));
    assert!(!s.state.has("tests_passed"), "exit code 101 is a failure");
    s.run(shell("npm test"), None);
    assert!(!s.state.has("tests_passed"), "no exit code is no news");
    let d = s.run(shell("git commit -m wip"), exit(0));
    assert_eq!(d.action, Action::Deny);
    s.run(
        shell("pytest -q"),
        Some(ToolOutcome {
            success: Some(true),
            exit_code: None,
        }),
    );
    assert!(s.state.has("tests_passed"), "an explicit success counts");
}

#[test]
fn a_command_that_only_says_it_tested_is_not_a_test_run() {
    let mut s = Session::planned();
    s.run(write("/work/proj/src/lib.rs"), None);
    s.run(shell("echo cargo test passed"), exit(0));
    assert!(!s.state.has("tests_passed"));
}

#[test]
fn reviewing_the_diff_after_passing_tests_reaches_finalize() {
    let mut s = Session::planned();
    s.run(write("/work/proj/src/lib.rs"), None);
    s.run(shell("git diff"), exit(0));
    assert!(
        !s.state.has("reviewed"),
        "a review before the tests is early"
    );
    s.run(shell("go test ./..."), exit(0));
    s.run(shell("git diff --stat"), exit(0));
    assert!(s.state.has("reviewed"));
    assert_eq!(s.phase(), "finalize");
    assert_eq!(s.sop.next_gate(&s.state), None);
}

#[test]
fn writes_to_the_uas_home_are_critical_tamper_attempts_even_with_a_plan() {
    let mut s = Session::planned();
    for path in [
        UAS_HOME.to_owned(),
        format!("{UAS_HOME}/config.toml"),
        format!("{UAS_HOME}/audit/checkpoint-0.json"),
    ] {
        let d = s.run(write(&path), None);
        assert_eq!(d.action, Action::Deny, "{path}");
        assert_eq!(d.rule.as_deref(), Some("tamper-uas-home"), "{path}");
        assert_eq!(d.severity, RuleSeverity::Critical, "{path}");
        assert_eq!(d.violation, Some(Violation::Tamper), "{path}");
        assert!(d.reason.contains(UAS_HOME), "{}", d.reason);
    }
    assert_eq!(s.state.denied, 3);
}

#[test]
fn writes_to_hook_configs_are_tamper_attempts() {
    let mut s = Session::planned();
    let d = s.run(write(HOOK_CONFIG), None);
    assert_eq!(d.rule.as_deref(), Some("tamper-hook-config"));
    assert_eq!(d.severity, RuleSeverity::Critical);
    assert_eq!(d.violation, Some(Violation::Tamper));
}

#[test]
fn shell_commands_that_change_uas_files_in_any_spelling_are_tamper_attempts() {
    let mut s = Session::planned();
    for cmd in [
        "rm -rf /home/u/.agent/audit",
        "echo x > ~/.agent/config.toml",
        "sed -i d $HOME/.claude/settings.json",
    ] {
        let d = s.run(shell(cmd), exit(0));
        assert_eq!(d.rule.as_deref(), Some("tamper-shell"), "{cmd}");
        assert_eq!(d.severity, RuleSeverity::Critical, "{cmd}");
    }
    let d = s.run(shell("cat ~/.agent/config.toml"), exit(0));
    assert_eq!(d.action, Action::Allow, "reading is not tampering: {d:?}");
}

#[test]
fn removing_universal_agent_is_a_tamper_attempt() {
    let mut s = Session::planned();
    for cmd in ["uas uninstall --yes", "cd /tmp && uas rollback-setup"] {
        let d = s.run(shell(cmd), exit(0));
        assert_eq!(d.rule.as_deref(), Some("tamper-uas-cli"), "{cmd}");
        assert_eq!(d.violation, Some(Violation::Tamper), "{cmd}");
    }
}

#[test]
fn events_other_than_pre_tool_are_always_allowed() {
    let mut s = Session::new();
    for kind in [
        EventKind::SessionStart,
        EventKind::Stop,
        EventKind::SessionEnd,
    ] {
        let d = s.send(event(kind, None, None));
        assert_eq!((d.action, d.rule), (Action::Allow, None), "{kind:?}");
    }
    // A post-tool event of a write is recorded, never blocked.
    let d = s.send(event(
        EventKind::PostTool,
        Some(write(&format!("{UAS_HOME}/x"))),
        None,
    ));
    assert_eq!(d.action, Action::Allow);
    assert!(s.state.has("session"));
    assert_eq!(s.state.events, 4);
}

#[test]
fn advance_records_the_plan_by_hand() {
    let mut s = Session::new();
    s.prompt();
    s.run(read("/work/proj/README.md"), None);
    assert_eq!(s.sop.advance(&mut s.state).expect("advance"), ["plan"]);
    assert!(s.state.has("plan"));
    assert_eq!(s.phase(), "implement");
}

#[test]
fn advance_never_declares_evidence_that_must_be_observed() {
    let mut s = Session::planned();
    s.run(write("/work/proj/src/lib.rs"), None);
    let before = s.state.clone();
    let e = s
        .sop
        .advance(&mut s.state)
        .expect_err("tests must be observed");
    assert_eq!(
        e,
        AdvanceError::MustBeObserved {
            phase: "review".into(),
            missing: vec!["tests_passed".into()],
        }
    );
    let e = e.to_string();
    assert!(e.contains("phase `review`"), "{e}");
    assert!(e.contains("`tests_passed`"), "{e}");
    assert!(e.contains("must be observed, not declared"), "{e}");
    assert_eq!(s.state, before, "a refused advance changes nothing");
}

#[test]
fn advance_in_the_last_phase_says_so() {
    let mut s = Session::planned();
    s.run(shell("cargo test"), exit(0));
    s.run(shell("git status"), exit(0));
    assert_eq!(s.phase(), "finalize");
    let e = s
        .sop
        .advance(&mut s.state)
        .expect_err("nothing after finalize");
    assert_eq!(e, AdvanceError::LastPhase);
    assert!(e.to_string().contains("last phase already"), "{e}");
}

/// The built-in SOP with the plan gate (`implement`) approved by a person.
fn human_plan_sop() -> Sop {
    let text = uas_sop::DEFAULT_SOP_TOML.replace(
        "id = \"implement\"\nsummary = \"Change the code, following the plan.\"\nenter = [\"plan\"]",
        "id = \"implement\"\nsummary = \"Change the code, following the plan.\"\nenter = [\"plan\"]\napproval = \"human\"",
    );
    assert_ne!(
        text,
        uas_sop::DEFAULT_SOP_TOML,
        "the default SOP's implement phase moved"
    );
    Sop::parse(std::path::Path::new("human.toml"), &text).expect("valid")
}

#[test]
fn a_human_gate_holds_the_written_plan_until_a_person_approves_it() {
    let mut s = Session::new();
    s.sop = human_plan_sop();
    s.prompt();
    s.run(read("/work/proj/src/lib.rs"), None);
    let d = s.run(write("/work/proj/PLAN.md"), None);
    assert_eq!(
        d.action,
        Action::Allow,
        "writing the plan is the agent's work"
    );
    assert!(!s.state.has("plan"));
    assert!(s.state.awaiting.contains("plan"));
    let d = s.run(write("/work/proj/src/lib.rs"), None);
    assert_eq!(d.action, Action::Deny);
    assert!(
        d.reason.contains("waits for a person's approval"),
        "{}",
        d.reason
    );
    assert!(
        !d.reason.contains("uas sop"),
        "no way around it is suggested: {}",
        d.reason
    );
    // Writing the plan again does not open the gate either.
    s.run(write("/work/proj/PLAN.md"), None);
    assert_eq!(
        s.run(write("/work/proj/src/lib.rs"), None).action,
        Action::Deny
    );
    let approved = s.sop.approve(&mut s.state);
    assert_eq!(approved.evidence, ["plan"]);
    assert!(s.state.awaiting.is_empty());
    assert_eq!(
        s.run(write("/work/proj/src/lib.rs"), None).action,
        Action::Allow
    );
    assert_eq!(s.phase(), "verify");
}

#[test]
fn the_default_sop_lets_the_agents_plan_open_the_gate() {
    let s = Session::planned();
    assert!(s.state.awaiting.is_empty());
    assert!(Sop::builtin().human_evidence().is_empty());
}

#[test]
fn a_locked_session_is_denied_every_tool_call_until_approved() {
    let mut s = Session::planned();
    s.state.locked = Some(uas_sop::Lock {
        reason: "a protected file changed outside uas (after a `Bash` call): /home/u/.claude/settings.json (deleted).".into(),
        files: vec![HOOK_CONFIG.into()],
        seq: 9,
        at_ms: 0,
    });
    for tool in [
        read("/work/proj/README.md"),
        shell("ls"),
        write("/work/proj/src/a.rs"),
    ] {
        let d = s.run(tool, None);
        assert_eq!(d.action, Action::Deny);
        assert_eq!(d.rule.as_deref(), Some(uas_sop::LOCKED_RULE));
        assert_eq!(d.severity, RuleSeverity::Critical);
        assert_eq!(d.violation, Some(Violation::Tamper));
        assert!(d.reason.contains("settings.json"), "{}", d.reason);
    }
    // Other events are still recorded and allowed (the agent can stop).
    assert_eq!(
        s.send(event(EventKind::Stop, None, None)).action,
        Action::Allow
    );
    let approved = s.sop.approve(&mut s.state);
    assert_eq!(approved.unlocked.map(|l| l.seq), Some(9));
    assert_eq!(
        s.run(read("/work/proj/README.md"), None).action,
        Action::Allow
    );
}
