//! The service over real HTTP and WebSocket on a free loopback port, with
//! a temporary home (fixture agent configs) and the real facade behind it.

use futures_util::StreamExt;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use uas_api::{App, Home, ProbeEnv};
use uas_server::{ServeOptions, Service};
use uas_testsupport::{TempHome, fixture_home};

struct Running {
    home: TempHome,
    app: App,
    base: String,
    token: String,
    http: reqwest::Client,
}

fn app_for(home: &TempHome) -> App {
    let probe = ProbeEnv {
        user_home: home.user_home(),
        ..ProbeEnv::default()
    };
    App::new(Home::new(home.agent_home()), probe)
        .with_uas_bin("/usr/bin/uas")
        .with_dev_build(true)
}

async fn start(home: TempHome) -> Running {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = app_for(&home);
    app.init().expect("init");
    let service = Service::bind(
        app.clone(),
        ServeOptions {
            addr: "127.0.0.1:0".parse().expect("addr"),
            duties: true,
        },
    )
    .await
    .expect("bind");
    let base = format!("http://{}", service.addr);
    let token = service.token.clone();
    tokio::spawn(service.serve());
    Running {
        home,
        app,
        base,
        token,
        http: reqwest::Client::new(),
    }
}

impl Running {
    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    fn hook(
        &self,
        session: &str,
        event: &str,
        tool: Option<(&str, Value)>,
    ) -> uas_api::HookOutcome {
        let cwd = self.home.project();
        let mut input = json!({
            "session_id": session,
            "hook_event_name": event,
            "cwd": cwd,
        });
        if let Some((name, args)) = tool {
            input["tool_name"] = json!(name);
            input["tool_input"] = args;
        }
        self.app.hook("claude", event, input.to_string().as_bytes())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_open_and_every_api_route_needs_the_token() {
    let s = start(TempHome::empty()).await;
    let health = s
        .http
        .get(format!("{}/health", s.base))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);
    let h: Value = health.json().await.expect("json");
    assert!(
        ["ok", "degraded"].contains(&h["status"].as_str().unwrap_or_default()),
        "{h}"
    );
    assert!(
        h["checks"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["name"] == "store"))
    );

    for path in [
        "/api/status",
        "/api/audit",
        "/api/approvals",
        "/metrics",
        "/api/sop",
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 401, "{path} without a token");
        let e: Value = r.json().await.expect("error json");
        assert_eq!(e["code"], "token_missing", "{path}");
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .bearer_auth("0".repeat(64))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 401, "{path} with a wrong token");
        let e: Value = r.json().await.expect("error json");
        assert_eq!(e["code"], "token_invalid");
    }
    let (code, status) = s.get("/api/status").await;
    assert_eq!(code, 200, "{status}");
    assert!(status["agents"].is_array());
    let (code, e) = s.get("/api/no-such-thing").await;
    assert_eq!((code, e["code"].as_str()), (404, Some("unknown_route")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_and_a_rebound_host_name_are_refused() {
    let s = start(TempHome::empty()).await;
    let r = s
        .http
        .get(format!("{}/api/status", s.base))
        .bearer_auth(&s.token)
        .header("origin", "http://evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "origin_refused"
    );
    // DNS rebinding: the page's own name arrives as Host.
    let port = s.base.rsplit(':').next().unwrap_or_default().to_owned();
    let r = s
        .http
        .get(format!("{}/health", s.base))
        .header("host", format!("evil.example:{port}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "host_refused"
    );
    // No CORS headers, ever.
    let r = s
        .http
        .get(format!("{}/health", s.base))
        .header("origin", format!("http://127.0.0.1:{port}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_json_and_oversized_bodies_get_codes_and_change_nothing() {
    let s = start(TempHome::from_fixture(fixture_home())).await;
    let before = std::fs::read(s.home.path(".claude/settings.json")).expect("settings");
    let r = s
        .http
        .post(format!("{}/api/setup/apply", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .body("{\"agents\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "bad_json");
    let (code, e) = s.post("/api/setup/apply", json!({"agents": "some"})).await;
    assert_eq!((code, e["code"].as_str()), (400, Some("bad_json")), "{e}");
    let big = format!(
        "{{\"agents\": \"{}\"}}",
        "a".repeat(uas_server::BODY_LIMIT + 10)
    );
    let r = s
        .http
        .post(format!("{}/api/setup/apply", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "body_too_large"
    );
    assert_eq!(
        std::fs::read(s.home.path(".claude/settings.json")).expect("settings"),
        before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_shows_diffs_and_apply_writes_them_then_status_is_clean() {
    let s = start(TempHome::from_fixture(fixture_home())).await;
    let only = json!({"agents": {"only": ["claude"]}});
    let before = std::fs::read_to_string(s.home.path(".claude/settings.json")).expect("settings");
    let (code, plan) = s.post("/api/setup/plan", only.clone()).await;
    assert_eq!(code, 200, "{plan}");
    assert_eq!(plan["dry_run"], true);
    let settings = plan["changes"]
        .as_array()
        .and_then(|c| {
            c.iter().find(|c| {
                c["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(".claude/settings.json"))
            })
        })
        .cloned()
        .expect("a change of settings.json");
    assert!(
        settings["diff"]
            .as_str()
            .is_some_and(|d| d.contains("+") && d.contains("uas"))
    );
    assert_eq!(
        std::fs::read_to_string(s.home.path(".claude/settings.json")).expect("settings"),
        before,
        "a plan writes nothing"
    );
    let (code, applied) = s.post("/api/setup/apply", only).await;
    assert_eq!(code, 200, "{applied}");
    assert!(applied["unverified"].as_array().is_some_and(Vec::is_empty));
    let after = std::fs::read_to_string(s.home.path(".claude/settings.json")).expect("settings");
    assert!(
        after.contains("uas' hook claude") || after.contains("hook claude"),
        "{after}"
    );
    let (_, gens) = s.get("/api/setup/generations").await;
    assert!(gens.as_array().is_some_and(|g| !g.is_empty()));
}

async fn next_json(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a message in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).expect("json");
        }
    }
}

async fn events_until(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    n: usize,
) -> Vec<u64> {
    let mut seqs = Vec::new();
    while seqs.len() < n {
        let m = next_json(ws).await;
        if m["type"] == "event" {
            seqs.push(m["record"]["seq"].as_u64().expect("seq"));
        }
    }
    seqs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_arrive_and_a_reconnect_resumes_without_a_gap() {
    let s = start(TempHome::empty()).await;
    let ws_url = s.base.replace("http://", "ws://");
    let connect = |since: u64| {
        let url = format!("{ws_url}/api/events?since={since}&token={}", s.token);
        async move {
            tokio_tungstenite::connect_async(url)
                .await
                .expect("connect")
                .0
        }
    };
    // Without the token the upgrade is refused.
    assert!(
        tokio_tungstenite::connect_async(format!("{ws_url}/api/events"))
            .await
            .is_err()
    );
    let start_head = s.app.audit_head().expect("head");
    let mut ws = connect(start_head).await;
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "hello");
    for i in 0..5 {
        s.hook("live", "UserPromptSubmit", None);
        let _ = i;
    }
    let first = events_until(&mut ws, 5).await;
    assert_eq!(first, (start_head + 1..=start_head + 5).collect::<Vec<_>>());
    ws.close(None).await.expect("close");
    // Written while nobody listens.
    for _ in 0..7 {
        s.hook("live", "UserPromptSubmit", None);
    }
    let last_seen = *first.last().expect("some");
    let mut ws = connect(last_seen).await;
    assert_eq!(next_json(&mut ws).await["type"], "hello");
    let rest = events_until(&mut ws, 7).await;
    assert_eq!(rest, (last_seen + 1..=last_seen + 7).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_valid_prometheus_text_with_the_counts() {
    let s = start(TempHome::empty()).await;
    s.hook("m1", "UserPromptSubmit", None);
    s.hook(
        "m1",
        "PreToolUse",
        Some(("Write", json!({"file_path": "/tmp/x.rs", "content": "x"}))),
    );
    // Wait until the feed saw them (the metrics count what it saw).
    let mut text = String::new();
    for _ in 0..100 {
        let r = s
            .http
            .get(format!("{}/metrics", s.base))
            .bearer_auth(&s.token)
            .send()
            .await
            .expect("metrics");
        assert_eq!(r.status().as_u16(), 200);
        text = r.text().await.expect("text");
        if text.contains("uas_violations_total{") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid exposition text");
    let names: Vec<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    for want in [
        "uas_events_total",
        "uas_violations_total",
        "uas_hook_decision_seconds_count",
        "uas_active_sessions",
        "uas_approvals_pending",
    ] {
        assert!(names.contains(&want), "{want} missing in\n{text}");
    }
    let prompts = scrape
        .samples
        .iter()
        .find(|x| x.metric == "uas_events_total" && x.labels.get("kind") == Some("prompt"))
        .expect("prompt events counted");
    assert!(matches!(prompts.value, prometheus_parse::Value::Counter(n) if n >= 1.0));
}

/// An SOP whose only rule asks a person before `git push`.
fn asking_sop(home: &Path) {
    std::fs::write(
        home.join("sop/default.toml"),
        r#"name = "ask"
[[phases]]
id = "work"

[[rules]]
id = "push-needs-a-person"
when = { tool = "shell", command = ["git push*"] }
action = "ask"
timeout_s = 60
reason = "pushing needs a person's approval"
"#,
    )
    .expect("sop");
}

fn push() -> Option<(&'static str, Value)> {
    Some(("Bash", json!({"command": "git push origin main"})))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_rule_waits_for_a_person_in_the_inbox_and_the_answer_decides() {
    let s = start(TempHome::empty()).await;
    asking_sop(&s.home.agent_home());
    s.hook("ask", "UserPromptSubmit", None);

    // Without a running service the rule's `otherwise` (deny) answers at once.
    let t = std::time::Instant::now();
    let out = s.hook("ask", "PreToolUse", push());
    assert_eq!(out.decision.action, uas_sop::Action::Deny);
    assert!(
        out.decision.reason.contains("no uas service runs"),
        "{}",
        out.decision.reason
    );
    assert!(t.elapsed() < Duration::from_secs(3));

    let _service = uas_core::service::ServiceLock::acquire(&s.home.agent_home().join("serve.lock"))
        .expect("io")
        .expect("free");
    for (answer, expected) in [
        ("approve", uas_sop::Action::Allow),
        ("refuse", uas_sop::Action::Deny),
    ] {
        let app = s.app.clone();
        let session = format!("ask-{answer}");
        let sess = session.clone();
        let cwd = s.home.project();
        let waiting = std::thread::spawn(move || {
            let input = json!({
                "session_id": sess, "hook_event_name": "PreToolUse", "cwd": cwd,
                "tool_name": "Bash", "tool_input": {"command": "git push origin main"},
            });
            app.hook("claude", "PreToolUse", input.to_string().as_bytes())
        });
        let mut id = None;
        for _ in 0..200 {
            let (_, view) = s.get("/api/approvals").await;
            id = view["pending"].as_array().and_then(|p| {
                p.iter()
                    .find(|i| i["session"] == session.as_str())
                    .and_then(|i| i["id"].as_str().map(str::to_owned))
            });
            if id.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let id = id.expect("the request shows in the inbox");
        let (code, item) = s
            .post(&format!("/api/approvals/{id}"), json!({"answer": answer}))
            .await;
        assert_eq!(code, 200, "{item}");
        let out = tokio::task::spawn_blocking(move || waiting.join().expect("hook"))
            .await
            .expect("join");
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
