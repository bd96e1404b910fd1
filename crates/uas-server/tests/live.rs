//! `GET /api/events`: live records, resume after a reconnect, and a client
//! far behind is told it lags while it catches up from the store.

mod common;

use common::{events_until, next_json, start};
use uas_audit::{NewEvent, Severity};
use uas_testsupport::TempHome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_arrive_and_a_reconnect_resumes_without_a_gap() {
    let s = start(TempHome::empty()).await;
    // Without the token the upgrade is refused.
    let ws_url = s.base.replace("http://", "ws://");
    assert!(
        tokio_tungstenite::connect_async(format!("{ws_url}/api/events"))
            .await
            .is_err()
    );
    let start_head = s.app.audit_head().expect("head");
    let mut ws = s.connect(start_head).await;
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "hello");
    for _ in 0..5 {
        s.hook("live", "UserPromptSubmit", None);
    }
    let first = events_until(&mut ws, 5).await;
    assert_eq!(first, (start_head + 1..=start_head + 5).collect::<Vec<_>>());
    ws.close(None).await.expect("close");
    // Written while nobody listens.
    for _ in 0..7 {
        s.hook("live", "UserPromptSubmit", None);
    }
    let last_seen = *first.last().expect("some");
    let mut ws = s.connect(last_seen).await;
    assert_eq!(next_json(&mut ws).await["type"], "hello");
    let rest = events_until(&mut ws, 7).await;
    assert_eq!(rest, (last_seen + 1..=last_seen + 7).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_far_behind_is_told_it_lags_and_still_gets_every_record() {
    let s = start(TempHome::empty()).await;
    let lag = uas_server::LAG as usize;
    let events: Vec<NewEvent> = (0..lag + 600)
        .map(|i| NewEvent {
            ts_ms: uas_core::now_ms(),
            agent: "claude".into(),
            session: "bulk".into(),
            kind: "prompt".into(),
            severity: Severity::Info,
            payload: format!("{{\"i\":{i}}}"),
            decision: None,
        })
        .collect();
    s.app.audit_append(&events).expect("append");
    let head = s.app.audit_head().expect("head");
    let mut ws = s.connect(0).await;
    assert_eq!(next_json(&mut ws).await["type"], "hello");
    let lagged = next_json(&mut ws).await;
    assert_eq!(lagged["type"], "lagged", "{lagged}");
    assert_eq!(lagged["from"], 0);
    let mut seen = 0u64;
    let mut lagged_again = 0;
    while seen < head {
        let m = next_json(&mut ws).await;
        match m["type"].as_str() {
            Some("event") => {
                let seq = m["record"]["seq"].as_u64().expect("seq");
                assert_eq!(seq, seen + 1, "in order, none skipped");
                seen = seq;
            }
            Some("lagged") => lagged_again += 1,
            _ => {}
        }
    }
    assert_eq!(lagged_again, 0, "told once per episode");
}
