//! `ask` rules and the approvals inbox, including what a hostile agent
//! would try: an answer row written around uas, a replayed signature, an
//! approval stretched to another call, a fake service.

mod common;

use common::{ask_rule, bash, hook_with, sop_with_rules, start};
use serde_json::json;
use std::time::{Duration, Instant};
use uas_audit::{NewEvent, Severity};
use uas_sop::Action;
use uas_testsupport::TempHome;

fn serve_lock(s: &common::Running) -> uas_core::service::ServiceLock {
    uas_core::service::ServiceLock::acquire(&s.home.agent_home().join("serve.lock"))
        .expect("io")
        .expect("free")
}

/// Runs the hook for `command` in `session` on another thread.
fn ask_in_background(
    s: &common::Running,
    session: &str,
    command: &str,
) -> std::thread::JoinHandle<uas_api::HookOutcome> {
    let (app, cwd) = (s.app.clone(), s.home.project());
    let (session, command) = (session.to_owned(), command.to_owned());
    std::thread::spawn(move || hook_with(&app, &cwd, &session, "PreToolUse", bash(&command)))
}

async fn join(h: std::thread::JoinHandle<uas_api::HookOutcome>) -> uas_api::HookOutcome {
    tokio::task::spawn_blocking(move || h.join().expect("hook"))
        .await
        .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_rule_waits_for_a_person_in_the_inbox_and_the_answer_decides() {
    let s = start(TempHome::empty()).await;
    sop_with_rules(&s, &ask_rule(60));
    s.hook("ask", "UserPromptSubmit", None);

    // Without a running service the rule's `otherwise` (deny) answers at once.
    let t = Instant::now();
    let out = s.hook("ask", "PreToolUse", bash("git push origin main"));
    assert_eq!(out.decision.action, Action::Deny);
    assert!(
        out.decision.reason.contains("no uas service runs"),
        "{}",
        out.decision.reason
    );
    assert!(t.elapsed() < Duration::from_secs(3));

    let _service = serve_lock(&s);
    for (answer, expected) in [("approve", Action::Allow), ("refuse", Action::Deny)] {
        let session = format!("ask-{answer}");
        let waiting = ask_in_background(&s, &session, "git push origin main");
        let id = s.pending_of(&session).await;
        let (code, item) = s
            .post(&format!("/api/approvals/{id}"), json!({"answer": answer}))
            .await;
        assert_eq!(code, 200, "{item}");
        let out = join(waiting).await;
        assert_eq!(out.decision.action, expected, "{}", out.decision.reason);
        let (code, again) = s
            .post(
                &format!("/api/approvals/{id}"),
                json!({"answer": "approve"}),
            )
            .await;
        assert_eq!(
            (code, again["code"].as_str()),
            (409, Some("conflict")),
            "answered once only"
        );
    }
    let (_, view) = s.get("/api/approvals").await;
    assert!(
        view["history"].as_array().is_some_and(|h| h.len() >= 2),
        "{view}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_written_around_uas_or_replayed_answers_nothing() {
    let s = start(TempHome::empty()).await;
    sop_with_rules(&s, &ask_rule(60));
    let _service = serve_lock(&s);
    // A real, signed approval of one request to copy from.
    let first = ask_in_background(&s, "one", "git push origin main");
    let id = s.pending_of("one").await;
    s.post(
        &format!("/api/approvals/{id}"),
        json!({"answer": "approve"}),
    )
    .await;
    let first = join(first).await;
    assert_eq!(
        first.decision.action,
        Action::Allow,
        "{}",
        first.decision.reason
    );
    let (_, view) = s.get("/api/approvals").await;
    let genuine = s
        .app
        .audit_query(&uas_api::AuditQuery {
            kind: Some("approval_answer".into()),
            ..Default::default()
        })
        .expect("query")
        .records[0]
        .payload
        .clone();
    assert!(view["history"].as_array().is_some_and(|h| !h.is_empty()));

    // The agent waits on a new request and writes answers into the log
    // itself: unsigned, and one with the genuine signature of the first.
    let waiting = ask_in_background(&s, "two", "git push origin main");
    let id = s.pending_of("two").await;
    let request: u64 = id.trim_start_matches("rule:").parse().expect("seq");
    let mut replayed: serde_json::Value = serde_json::from_str(&genuine).expect("json");
    replayed["request"] = json!(request);
    let forged = |payload: String| NewEvent {
        ts_ms: uas_core::now_ms(),
        agent: "claude".into(),
        session: "two".into(),
        kind: "approval_answer".into(),
        severity: Severity::Info,
        payload,
        decision: None,
    };
    s.app
        .audit_append(&[
            forged(
                json!({"request": request, "answer": "approve", "by": "web me", "at_ms": uas_core::now_ms(), "sig": "00"})
                    .to_string(),
            ),
            forged(replayed.to_string()),
        ])
        .expect("append");
    let out = join(waiting).await;
    assert_eq!(out.decision.action, Action::Deny, "{}", out.decision.reason);
    assert!(
        out.decision.reason.contains("has not answered"),
        "{}",
        out.decision.reason
    );
    let (_, view) = s.get("/api/approvals").await;
    assert!(
        view["pending"]
            .as_array()
            .is_some_and(|p| p.iter().any(|i| i["id"] == id.as_str())),
        "still pending: {view}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_approval_allows_that_call_once_and_no_other() {
    let s = start(TempHome::empty()).await;
    sop_with_rules(&s, &ask_rule(60));
    let _service = serve_lock(&s);
    // Nobody answers in the hook's wait: denied, the request stays open.
    let t = Instant::now();
    let first = s.hook("once", "PreToolUse", bash("git push origin main"));
    assert_eq!(first.decision.action, Action::Deny);
    assert!(t.elapsed() >= uas_hook::approvals::WAIT_CAP);
    assert!(
        first.decision.reason.contains("make the same call again"),
        "{}",
        first.decision.reason
    );
    let id = s.pending_of("once").await;
    s.post(
        &format!("/api/approvals/{id}"),
        json!({"answer": "approve"}),
    )
    .await;
    // Another command does not ride on that approval (it asks anew).
    let other = ask_in_background(&s, "once", "git push --force origin main");
    let other_id = loop {
        let (_, view) = s.get("/api/approvals").await;
        if let Some(i) = view["pending"].as_array().and_then(|p| {
            p.iter()
                .find(|i| i["id"] != id.as_str() && i["session"] == "once")
        }) {
            break i["id"].as_str().expect("id").to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    s.post(
        &format!("/api/approvals/{other_id}"),
        json!({"answer": "refuse"}),
    )
    .await;
    assert_eq!(join(other).await.decision.action, Action::Deny);
    // The approved call, made again, runs once.
    let again = s.hook("once", "PreToolUse", bash("git push origin main"));
    assert_eq!(
        again.decision.action,
        Action::Allow,
        "{}",
        again.decision.reason
    );
    let third = ask_in_background(&s, "once", "git push origin main");
    let third_id = loop {
        let (_, view) = s.get("/api/approvals").await;
        if let Some(i) = view["pending"].as_array().and_then(|p| {
            p.iter()
                .find(|i| i["id"] != id.as_str() && i["id"] != other_id.as_str())
        }) {
            break i["id"].as_str().expect("id").to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    s.post(
        &format!("/api/approvals/{third_id}"),
        json!({"answer": "refuse"}),
    )
    .await;
    assert_eq!(
        join(third).await.decision.action,
        Action::Deny,
        "a used approval does not allow the call twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_nobody_answers_lapses_into_a_deny_and_otherwise_can_allow() {
    let s = start(TempHome::empty()).await;
    // `git fetch` asks too, but answers allow when no service runs.
    let fetch = ask_rule(30)
        .replace("push-needs-a-person", "fetch-asks")
        .replace("git push*", "git fetch*")
        .replace(
            "action = \"ask\"",
            "action = \"ask\"\notherwise = \"allow\"",
        );
    sop_with_rules(&s, &format!("{}\n{fetch}", ask_rule(1)));
    // An agent holding the service lock itself only gets itself a deny.
    let fake = serve_lock(&s);
    let out = s.hook("lapse", "PreToolUse", bash("git push"));
    assert_eq!(out.decision.action, Action::Deny);
    assert!(
        out.decision.reason.contains("in time"),
        "{}",
        out.decision.reason
    );
    let (_, view) = s.get("/api/approvals").await;
    assert_eq!(view["history"][0]["state"], "expired", "{view}");
    drop(fake);
    let out = s.hook("lapse", "PreToolUse", bash("git fetch"));
    assert_eq!(
        out.decision.action,
        Action::Allow,
        "{}",
        out.decision.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_gate_waits_in_the_inbox_and_answers_go_to_its_history() {
    let s = start(TempHome::empty()).await;
    let sop = uas_sop::DEFAULT_SOP_TOML.replace(
        "enter = [\"plan\"]\n",
        "enter = [\"plan\"]\napproval = \"human\"\n",
    );
    std::fs::write(s.home.agent_home().join("sop/default.toml"), &sop).expect("sop");
    s.app
        .repair(&uas_api::SetupOptions {
            agents: uas_api::AgentSelection::Detected,
            dry_run: false,
            project: None,
            partial: false,
            failpoints: Default::default(),
        })
        .expect("baseline");
    let project = s.home.project();
    let plan = project.join("PLAN.md");
    let write =
        |file: &std::path::Path| Some(("Write", json!({"file_path": file, "content": "1. x\n"})));
    for session in ["yes", "no"] {
        s.hook(session, "UserPromptSubmit", None);
        s.hook(session, "PreToolUse", write(&plan));
        std::fs::write(&plan, "1. x\n").expect("plan");
        s.hook(session, "PostToolUse", write(&plan));
    }
    let (_, view) = s.get("/api/approvals").await;
    let ids: Vec<&str> = view["pending"]
        .as_array()
        .expect("pending")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"plan:claude:yes") && ids.contains(&"plan:claude:no"),
        "{view}"
    );
    let (code, yes) = s
        .post(
            "/api/approvals/plan:claude:yes",
            json!({"answer": "approve"}),
        )
        .await;
    assert_eq!(
        (code, yes["state"].as_str()),
        (200, Some("approved")),
        "{yes}"
    );
    assert!(
        yes["answered_by"]
            .as_str()
            .is_some_and(|b| b.starts_with("web"))
    );
    let (code, no) = s
        .post("/api/approvals/plan:claude:no", json!({"answer": "refuse"}))
        .await;
    assert_eq!((code, no["state"].as_str()), (200, Some("refused")), "{no}");
    let src = project.join("main.rs");
    assert_eq!(
        s.hook("yes", "PreToolUse", write(&src)).decision.action,
        Action::Allow
    );
    assert_eq!(
        s.hook("no", "PreToolUse", write(&src)).decision.action,
        Action::Deny
    );
    let (_, view) = s.get("/api/approvals").await;
    assert_eq!(view["pending"], json!([]), "{view}");
    let history: Vec<(&str, &str)> = view["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|i| Some((i["id"].as_str()?, i["state"].as_str()?)))
        .collect();
    assert_eq!(
        history,
        [
            ("plan:claude:no", "refused"),
            ("plan:claude:yes", "approved")
        ],
        "newest first"
    );
    let (code, again) = s
        .post("/api/approvals/plan:claude:no", json!({"answer": "refuse"}))
        .await;
    assert_eq!(
        (code, again["code"].as_str()),
        (409, Some("conflict")),
        "{again}"
    );
}
