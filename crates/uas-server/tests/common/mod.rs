//! A running service on a free loopback port over a temporary home, and
//! the clients the tests talk to it with.
#![allow(dead_code)]

use futures_util::StreamExt;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use uas_api::{App, Home, ProbeEnv};
use uas_server::{ServeOptions, Service};
use uas_testsupport::TempHome;

/// The service and its home.
pub struct Running {
    pub home: TempHome,
    pub app: App,
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

/// A live-events connection.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub fn app_for(home: &TempHome) -> App {
    let probe = ProbeEnv {
        user_home: home.user_home(),
        ..ProbeEnv::default()
    };
    App::new(Home::new(home.agent_home()), probe)
        .with_uas_bin("/usr/bin/uas")
        .with_dev_build(true)
}

/// Initializes `home` and serves it.
pub async fn start(home: TempHome) -> Running {
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
    /// The port, as text.
    pub fn port(&self) -> String {
        self.base.rsplit(':').next().unwrap_or_default().to_owned()
    }

    /// A request with the token (or none) and extra headers; the status
    /// and the body as JSON (null when it is not JSON).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, String)],
        body: Option<String>,
    ) -> (u16, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        for (k, v) in headers {
            r = r.header(*k, v);
        }
        if let Some(b) = body {
            r = r.header("content-type", "application/json").body(b);
        }
        let r = r.send().await.expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, Some(&self.token), &[], None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(
            reqwest::Method::POST,
            path,
            Some(&self.token),
            &[],
            Some(body.to_string()),
        )
        .await
    }

    /// Claude's hook event in `session`, run in this process.
    pub fn hook(
        &self,
        session: &str,
        event: &str,
        tool: Option<(&str, Value)>,
    ) -> uas_api::HookOutcome {
        hook_with(&self.app, &self.home.project(), session, event, tool)
    }

    /// The live stream after `since`.
    pub async fn connect(&self, since: u64) -> Ws {
        let url = format!(
            "{}/api/events?since={since}&token={}",
            self.base.replace("http://", "ws://"),
            self.token
        );
        tokio_tungstenite::connect_async(url)
            .await
            .expect("connect")
            .0
    }

    /// Waits until the inbox lists a pending request of `session`; its id.
    pub async fn pending_of(&self, session: &str) -> String {
        for _ in 0..400 {
            let (_, view) = self.get("/api/approvals").await;
            let found = view["pending"].as_array().and_then(|p| {
                p.iter()
                    .find(|i| i["session"] == session)
                    .and_then(|i| i["id"].as_str().map(str::to_owned))
            });
            if let Some(id) = found {
                return id;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no pending request of {session}");
    }
}

/// Claude's hook event through `app` (also from another thread).
pub fn hook_with(
    app: &App,
    cwd: &Path,
    session: &str,
    event: &str,
    tool: Option<(&str, Value)>,
) -> uas_api::HookOutcome {
    let mut input = json!({"session_id": session, "hook_event_name": event, "cwd": cwd});
    if let Some((name, args)) = tool {
        input["tool_name"] = json!(name);
        input["tool_input"] = args;
    }
    app.hook("claude", event, input.to_string().as_bytes())
}

/// The next JSON message.
pub async fn next_json(ws: &mut Ws) -> Value {
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

/// The sequence numbers of the next `n` events (other messages skipped).
pub async fn events_until(ws: &mut Ws, n: usize) -> Vec<u64> {
    let mut seqs = Vec::new();
    while seqs.len() < n {
        let m = next_json(ws).await;
        if m["type"] == "event" {
            seqs.push(m["record"]["seq"].as_u64().expect("seq"));
        }
    }
    seqs
}

/// Makes the SOP exactly `rules` after one phase, as a person would: the
/// file, then `uas repair` to take the protected files as they are now.
pub fn sop_with_rules(s: &Running, rules: &str) {
    std::fs::write(
        s.home.agent_home().join("sop/default.toml"),
        format!("name = \"test\"\n[[phases]]\nid = \"work\"\n\n{rules}"),
    )
    .expect("sop");
    s.app
        .repair(&uas_api::SetupOptions {
            agents: uas_api::AgentSelection::Detected,
            dry_run: false,
            project: None,
            partial: false,
            failpoints: Default::default(),
        })
        .expect("repair takes the new baseline");
}

/// An `ask` rule on `git push*` waiting `timeout_s`.
pub fn ask_rule(timeout_s: u64) -> String {
    format!(
        "[[rules]]\nid = \"push-needs-a-person\"\nwhen = {{ tool = \"shell\", command = [\"git push*\"] }}\naction = \"ask\"\ntimeout_s = {timeout_s}\nreason = \"pushing needs a person's approval\"\n"
    )
}

pub fn bash(command: &str) -> Option<(&'static str, Value)> {
    Some(("Bash", json!({"command": command})))
}
