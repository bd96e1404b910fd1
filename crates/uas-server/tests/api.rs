//! The service's REST routes over real HTTP on a free loopback port, with a
//! temporary home (fixture agent configs) and the real facade behind it.

mod common;

use common::{Running, bash, start};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use uas_testsupport::{TempHome, fixture_home};

/// Every route, as (method, path, body).
const ROUTES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/metrics", None),
    ("GET", "/api/doctor", None),
    ("POST", "/api/init", None),
    ("GET", "/api/status", None),
    ("POST", "/api/setup/plan", Some(r#"{"agents":"detected"}"#)),
    ("POST", "/api/setup/apply", Some(r#"{"agents":"detected"}"#)),
    (
        "POST",
        "/api/setup/repair",
        Some(r#"{"agents":"detected"}"#),
    ),
    (
        "POST",
        "/api/setup/uninstall",
        Some(r#"{"agents":"detected"}"#),
    ),
    ("GET", "/api/setup/generations", None),
    (
        "POST",
        "/api/setup/rollback",
        Some(r#"{"generation":null}"#),
    ),
    ("GET", "/api/skills?q=x", None),
    ("GET", "/api/skills/installed", None),
    ("GET", "/api/skills/x", None),
    ("POST", "/api/skills/install", Some(r#"{"request":"x"}"#)),
    ("POST", "/api/skills/update", Some(r#"{"name":null}"#)),
    ("POST", "/api/skills/rollback", Some(r#"{"name":"x"}"#)),
    ("POST", "/api/skills/remove", Some(r#"{"name":"x"}"#)),
    ("GET", "/api/sop", None),
    ("GET", "/api/sop/sessions", None),
    ("POST", "/api/sop/mode", Some(r#"{"mode":"observe"}"#)),
    ("GET", "/api/coord/sessions", None),
    ("GET", "/api/coord/leases", None),
    ("GET", "/api/coord/locks", None),
    ("GET", "/api/audit", None),
    ("POST", "/api/audit/verify", None),
    ("GET", "/api/audit/export", None),
    ("GET", "/api/approvals", None),
    (
        "POST",
        "/api/approvals/rule:1",
        Some(r#"{"answer":"approve"}"#),
    ),
    ("GET", "/api/events", None),
];

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).expect("method")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_open_and_every_api_route_needs_the_token() {
    let s = start(TempHome::empty()).await;
    let (code, h) = s.send(Method::GET, "/health", None, &[], None).await;
    assert_eq!(code, 200);
    assert!(
        ["ok", "degraded"].contains(&h["status"].as_str().unwrap_or_default()),
        "{h}"
    );
    assert!(
        h["checks"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["name"] == "store"))
    );
    let before = s.app.audit_head().expect("head");
    for (m, path, body) in ROUTES {
        let body = body.map(str::to_owned);
        let (code, e) = s.send(method(m), path, None, &[], body.clone()).await;
        assert_eq!(code, 401, "{m} {path} without a token");
        assert_eq!(e["code"], "token_missing", "{m} {path}");
        let wrong = "0".repeat(64);
        let (code, e) = s.send(method(m), path, Some(&wrong), &[], body).await;
        assert_eq!(code, 401, "{m} {path} with a wrong token");
        assert_eq!(e["code"], "token_invalid");
    }
    assert_eq!(
        s.app.audit_head().expect("head"),
        before,
        "a refused call changes nothing"
    );
    let (code, status) = s.get("/api/status").await;
    assert_eq!(code, 200, "{status}");
    assert!(status["agents"].is_array());
    let (code, e) = s.get("/api/no-such-thing").await;
    assert_eq!((code, e["code"].as_str()), (404, Some("unknown_route")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_and_a_rebound_host_name_are_refused() {
    let s = start(TempHome::empty()).await;
    let evil = [("origin", "http://evil.example".to_owned())];
    let (code, e) = s
        .send(Method::GET, "/api/status", Some(&s.token), &evil, None)
        .await;
    assert_eq!(code, 403);
    assert_eq!(e["code"], "origin_refused");
    // DNS rebinding: the page's own name arrives as Host.
    let rebound = [("host", format!("evil.example:{}", s.port()))];
    let (code, e) = s.send(Method::GET, "/health", None, &rebound, None).await;
    assert_eq!(code, 403);
    assert_eq!(e["code"], "host_refused");
    // No CORS headers, ever.
    let r = s
        .http
        .get(format!("{}/health", s.base))
        .header("origin", format!("http://127.0.0.1:{}", s.port()))
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
    let (code, e) = s
        .send(
            Method::POST,
            "/api/setup/apply",
            Some(&s.token),
            &[],
            Some("{\"agents\": ".into()),
        )
        .await;
    assert_eq!(code, 400);
    assert_eq!(e["code"], "bad_json");
    let (code, e) = s.post("/api/setup/apply", json!({"agents": "some"})).await;
    assert_eq!((code, e["code"].as_str()), (400, Some("bad_json")), "{e}");
    let big = format!(
        "{{\"agents\": \"{}\"}}",
        "a".repeat(uas_server::BODY_LIMIT + 10)
    );
    let (code, e) = s
        .send(
            Method::POST,
            "/api/setup/apply",
            Some(&s.token),
            &[],
            Some(big),
        )
        .await;
    assert_eq!(code, 413);
    assert_eq!(e["code"], "body_too_large");
    let (code, e) = s.get("/api/audit?severity=loud").await;
    assert_eq!(
        (code, e["code"].as_str()),
        (400, Some("invalid_request")),
        "{e}"
    );
    let (code, e) = s
        .post("/api/approvals/nonsense", json!({"answer": "approve"}))
        .await;
    assert_eq!(
        (code, e["code"].as_str()),
        (400, Some("invalid_request")),
        "{e}"
    );
    let (code, e) = s
        .post("/api/approvals/rule:999999", json!({"answer": "approve"}))
        .await;
    assert_eq!((code, e["code"].as_str()), (404, Some("not_found")), "{e}");
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
    let (code, applied) = s.post("/api/setup/apply", only.clone()).await;
    assert_eq!(code, 200, "{applied}");
    assert!(applied["unverified"].as_array().is_some_and(Vec::is_empty));
    let after = std::fs::read_to_string(s.home.path(".claude/settings.json")).expect("settings");
    assert!(after.contains("hook claude"), "{after}");
    let (_, gens) = s.get("/api/setup/generations").await;
    assert!(gens.as_array().is_some_and(|g| !g.is_empty()));

    // Repair of an edited file puts it back; uninstall and rollback too.
    std::fs::write(s.home.path(".claude/settings.json"), &before).expect("edit");
    let (code, repaired) = s.post("/api/setup/repair", only.clone()).await;
    assert_eq!(code, 200, "{repaired}");
    assert!(
        std::fs::read_to_string(s.home.path(".claude/settings.json"))
            .expect("settings")
            .contains("hook claude")
    );
    let (code, removed) = s.post("/api/setup/uninstall", only).await;
    assert_eq!(code, 200, "{removed}");
    assert_eq!(
        std::fs::read_to_string(s.home.path(".claude/settings.json")).expect("settings"),
        before,
        "uninstall gives the user's bytes back"
    );
    let (code, undone) = s
        .post("/api/setup/rollback", json!({"generation": null}))
        .await;
    assert_eq!(code, 200, "{undone}");
    assert!(
        std::fs::read_to_string(s.home.path(".claude/settings.json"))
            .expect("settings")
            .contains("hook claude"),
        "undoing the uninstall brings the hooks back"
    );
}

/// A registry folder with one unsigned skill, configured in `s`'s home.
fn registry(s: &Running) {
    let src = s.home.root().join("src/notes");
    std::fs::create_dir_all(src.join("scripts")).expect("mkdir");
    std::fs::write(
        src.join("SKILL.md"),
        "---\nname: notes\ndescription: Takes notes.\nuser-invocable: true\nmetadata:\n  version: \"1.0.0\"\n---\n# Notes\n",
    )
    .expect("skill");
    std::fs::write(
        src.join("scripts/logo.png"),
        [0x89, b'P', b'N', b'G', 0, 1, 2, 255],
    )
    .expect("asset");
    let out = s.home.root().join("registry");
    uas_skills::index::build(&s.home.root().join("src"), &out, None).expect("build");
    std::fs::write(
        s.home.agent_home().join("config.toml"),
        format!(
            "[[skills.registries]]\nname = \"local\"\nurl = \"{}\"\n",
            out.display()
        ),
    )
    .expect("config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_marketplace_lists_shows_installs_rolls_back_and_removes_a_skill() {
    let s = start(TempHome::from_fixture(fixture_home())).await;
    registry(&s);
    let (code, _) = s
        .post("/api/setup/apply", json!({"agents": {"only": ["claude"]}}))
        .await;
    assert_eq!(code, 200);
    let (code, cards) = s.get("/api/skills").await;
    assert_eq!(code, 200, "{cards}");
    assert_eq!(cards[0]["name"], "notes", "{cards}");
    assert_eq!(cards[0]["installed"], Value::Null);
    let (code, page) = s.get("/api/skills/notes").await;
    assert_eq!(code, 200, "{page}");
    assert!(
        page["skill_md"]
            .as_str()
            .is_some_and(|m| m.contains("# Notes"))
    );
    assert!(
        page["files"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f == "scripts/logo.png")),
        "{page}"
    );
    let mut ws = s.connect(s.app.audit_head().expect("head")).await;
    let (code, e) = s
        .post("/api/skills/install", json!({"request": "notes"}))
        .await;
    assert_eq!(
        (code, e["code"].as_str()),
        (422, Some("skill_signature_invalid")),
        "{e}"
    );
    let (code, report) = s
        .post(
            "/api/skills/install",
            json!({"request": "notes", "allow_unsigned": true}),
        )
        .await;
    assert_eq!(code, 200, "{report}");
    let skill = s.home.path(".claude/skills/notes/SKILL.md");
    assert!(skill.is_file(), "installed into ~/.claude/skills");
    assert_eq!(
        std::fs::read(s.home.path(".claude/skills/notes/scripts/logo.png")).expect("asset"),
        [0x89, b'P', b'N', b'G', 0, 1, 2, 255],
        "a binary asset arrives byte for byte"
    );
    // Live clients saw the operation finish.
    let done = loop {
        let m = common::next_json(&mut ws).await;
        if m["type"] == "progress" && m["done"] == true {
            break m;
        }
    };
    assert_eq!(done["op"], "skill install");
    let (_, installed) = s.get("/api/skills/installed").await;
    assert_eq!(installed[0]["version"], "1.0.0", "{installed}");
    let (code, _) = s.post("/api/skills/update", json!({"name": null})).await;
    assert_eq!(code, 200);
    let (code, e) = s
        .post("/api/skills/rollback", json!({"name": "notes"}))
        .await;
    // One version only: nothing to roll back to, a clear refusal.
    assert_eq!(code, 422, "{e}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    let (code, e) = s.post("/api/skills/remove", json!({})).await;
    assert_eq!((code, e["code"].as_str()), (400, Some("invalid_request")));
    let (code, removed) = s.post("/api/skills/remove", json!({"name": "notes"})).await;
    assert_eq!(code, 200, "{removed}");
    assert!(!skill.exists(), "removed from ~/.claude/skills");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sop_mode_sessions_coordination_audit_and_export_answer() {
    let s = start(TempHome::empty()).await;
    s.hook("c1", "UserPromptSubmit", None);
    let denied = s.hook(
        "c1",
        "PreToolUse",
        Some((
            "Write",
            json!({"file_path": s.home.project().join("a.rs"), "content": "x"}),
        )),
    );
    assert_eq!(denied.decision.action, uas_sop::Action::Deny);
    s.hook("c1", "PreToolUse", bash("git push"));

    let (code, sop) = s.get("/api/sop").await;
    assert_eq!(code, 200);
    assert_eq!(sop["phases"].as_array().map(Vec::len), Some(7), "{sop}");
    assert!(
        sop["rules"][0]["matches"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let (_, sessions) = s.get("/api/sop/sessions").await;
    assert_eq!(sessions[0]["session"], "c1", "{sessions}");
    let (_, live) = s.get("/api/coord/sessions").await;
    assert!(
        live.as_array()
            .is_some_and(|l| l.iter().any(|x| x["session"] == "c1")),
        "{live}"
    );
    let (code, leases) = s.get("/api/coord/leases").await;
    assert!(code == 200 && leases.is_array(), "{leases}");
    let (code, locks) = s.get("/api/coord/locks").await;
    assert!(code == 200 && locks.is_array(), "{locks}");

    // Paging and filters: newest first, `before` continues.
    let (_, page) = s.get("/api/audit?session=c1&limit=2").await;
    let seqs: Vec<u64> = page["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["seq"].as_u64())
        .collect();
    assert_eq!(seqs.len(), 2);
    assert!(seqs[0] > seqs[1], "newest first");
    let next = page["next_before"].as_u64().expect("another page");
    let (_, older) = s.get(&format!("/api/audit?session=c1&before={next}")).await;
    assert!(
        older["records"]
            .as_array()
            .is_some_and(|r| r.iter().all(|r| r["seq"].as_u64() < Some(next)))
    );
    let (_, errors) = s.get("/api/audit?severity=error").await;
    assert!(
        errors["records"].as_array().is_some_and(|r| !r.is_empty()
            && r.iter().all(
                |r| ["error", "critical"].contains(&r["severity"].as_str().unwrap_or_default())
            )),
        "{errors}"
    );
    let (_, prompts) = s.get("/api/audit?kind=prompt&agent=claude").await;
    assert!(
        prompts["records"]
            .as_array()
            .is_some_and(|r| r.len() == 1 && r[0]["kind"] == "prompt")
    );
    let (code, verify) = s.post("/api/audit/verify", json!(null)).await;
    assert_eq!(code, 200, "{verify}");
    let r = s
        .http
        .get(format!("{}/api/audit/export?format=csv", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .expect("export");
    assert_eq!(r.status().as_u16(), 200);
    let csv = r.text().await.expect("text");
    assert!(csv.lines().count() > 3 && csv.contains("c1"), "{csv}");
    let (code, e) = s.get("/api/audit/export?format=xml").await;
    assert_eq!((code, e["code"].as_str()), (400, Some("invalid_request")));

    // Observe mode from the ui is a signed, recorded switch.
    let (code, mode) = s.post("/api/sop/mode", json!({"mode": "observe"})).await;
    assert_eq!(code, 200, "{mode}");
    let answered = s.hook(
        "c1",
        "PreToolUse",
        Some((
            "Write",
            json!({"file_path": s.home.project().join("a.rs"), "content": "x"}),
        )),
    );
    assert!(
        answered.decision.observed,
        "the denial is only observed now"
    );
    let (code, _) = s.post("/api/sop/mode", json!({"mode": "enforce"})).await;
    assert_eq!(code, 200);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_down_when_the_signed_checkpoint_does_not_match_the_log() {
    let s = start(TempHome::empty()).await;
    s.hook("h", "UserPromptSubmit", None);
    let (code, h) = s.send(Method::GET, "/health", None, &[], None).await;
    assert_eq!(code, 200, "{h}");
    let audit = |h: &Value| {
        h["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "audit").cloned())
            .expect("an audit check")
    };
    assert_eq!(audit(&h)["status"], "ok", "{h}");
    // Someone rewrites the checkpoint to claim a longer log (as if events
    // after the head had been deleted): the signature no longer holds.
    for slot in uas_audit::CheckpointFile::in_dir(&s.app.audit_dir()).paths() {
        let Ok(text) = std::fs::read_to_string(&slot) else {
            continue;
        };
        let mut cp: Value = serde_json::from_str(&text).expect("checkpoint json");
        cp["seq"] = json!(cp["seq"].as_u64().unwrap_or(0) + 5);
        std::fs::write(&slot, cp.to_string()).expect("write");
    }
    let (code, h) = s.send(Method::GET, "/health", None, &[], None).await;
    assert_eq!(code, 503, "{h}");
    assert_eq!(h["status"], "down");
    assert_eq!(audit(&h)["status"], "down", "{h}");
}
