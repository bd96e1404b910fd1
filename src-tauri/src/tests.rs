//! Commands tested through Tauri's mock runtime (no display needed).

use super::*;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use uas_api::{Home, ProbeEnv};

fn mock_app(root: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
    let probe = ProbeEnv {
        user_home: root.join("user"),
        ..ProbeEnv::default()
    };
    let state = DesktopState::new(App::new(Home::new(root.join(".agent")), probe), None);
    configure(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .expect("mock app")
}

fn request(cmd: &str, origin: &str) -> InvokeRequest {
    request_with(cmd, origin, InvokeBody::default())
}

fn request_with(cmd: &str, origin: &str, body: InvokeBody) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: origin.parse().expect("url"),
        body,
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

/// Calls `cmd` with a JSON body from the app's own origin.
fn call(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        webview,
        request_with(cmd, "tauri://localhost", InvokeBody::Json(body)),
    )
    .map(|r| r.deserialize::<serde_json::Value>().expect("json"))
}

/// A mock app with a window over an initialized temporary home.
fn initialized(
    root: &std::path::Path,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    let app = mock_app(root);
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    get_ipc_response(&webview, request("init", "tauri://localhost")).expect("init");
    (app, webview)
}

#[test]
fn init_then_doctor_over_ipc_reports_a_healthy_home() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = mock_app(tmp.path());
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");

    let init = get_ipc_response(&webview, request("init", "tauri://localhost"))
        .expect("init ok")
        .deserialize::<serde_json::Value>()
        .expect("json");
    assert_eq!(init["changed"], true);
    assert!(tmp.path().join(".agent/config.toml").is_file());

    let report = get_ipc_response(&webview, request("doctor", "tauri://localhost"))
        .expect("doctor ok")
        .deserialize::<serde_json::Value>()
        .expect("json");
    assert_eq!(report["healthy"], true, "{report:#}");
    assert_eq!(
        report["agents"].as_array().map(Vec::len),
        Some(uas_core::AgentId::ALL.len())
    );
}

#[test]
fn init_error_crosses_ipc_as_code_and_message() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join(".agent"), "a file, not a folder").expect("seed");
    let app = mock_app(tmp.path());
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    let err = get_ipc_response(&webview, request("init", "tauri://localhost"))
        .expect_err("init must fail");
    assert_eq!(err["code"], "home_not_a_directory", "{err}");
}

#[test]
fn a_remote_origin_cannot_call_commands() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = mock_app(tmp.path());
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    let res = get_ipc_response(&webview, request("init", "https://evil.example"));
    assert!(res.is_err());
    assert!(
        !tmp.path().join(".agent").exists(),
        "a remote page created the home"
    );
}

#[test]
fn one_click_setup_over_ipc_sets_up_a_detected_agent() {
    let tmp = tempfile::tempdir().expect("tmp");
    let claude = tmp.path().join("user/.claude");
    std::fs::create_dir_all(&claude).expect("claude");
    std::fs::write(claude.join("CLAUDE.md"), "my rules\n").expect("seed");
    std::fs::write(claude.join("settings.json"), "{\"model\": \"opus\"}\n").expect("seed");
    let app = mock_app(tmp.path());
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    let body = InvokeBody::Json(serde_json::json!({"dryRun": false}));
    let report = get_ipc_response(
        &webview,
        request_with("setup_agents", "tauri://localhost", body),
    )
    .expect("setup ok")
    .deserialize::<serde_json::Value>()
    .expect("json");
    assert_eq!(
        report["agents"],
        serde_json::json!(["claude"]),
        "{report:#}"
    );
    let md = std::fs::read_to_string(claude.join("CLAUDE.md")).expect("read");
    assert!(
        md.starts_with("my rules\n") && md.contains("<!-- uas:begin"),
        "{md}"
    );
    let status = get_ipc_response(&webview, request("status", "tauri://localhost"))
        .expect("status ok")
        .deserialize::<serde_json::Value>()
        .expect("json");
    assert_eq!(status["drifted"], false);
    assert_eq!(status["agents"][0]["configured"], true);
}

#[test]
fn the_ui_screens_commands_answer_over_ipc() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_app, webview) = initialized(tmp.path());
    let json = |cmd: &str, body: serde_json::Value| {
        call(&webview, cmd, body).unwrap_or_else(|e| panic!("{cmd}: {e:?}"))
    };
    let plan = json("plan", serde_json::json!({"agents": "all"}));
    assert_eq!(plan["dry_run"], true, "{plan:#}");
    assert!(
        !tmp.path().join("user/.claude/settings.json").exists(),
        "a plan writes nothing"
    );
    let sop = json("sop", serde_json::json!({}));
    assert!(
        sop["phases"].as_array().is_some_and(|p| p.len() == 7),
        "{sop:#}"
    );
    let inbox = json("approvals", serde_json::json!({}));
    assert_eq!(inbox["pending"], serde_json::json!([]));
    let page = json("audit", serde_json::json!({"query": {"limit": 5}}));
    assert!(page["records"].is_array(), "{page:#}");
    // A remote page cannot reach them either.
    assert!(get_ipc_response(&webview, request("approvals", "https://evil.example")).is_err());
}

#[test]
fn desktop_settings_over_ipc_keep_do_not_disturb_in_the_home() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_app, webview) = initialized(tmp.path());
    let call = |cmd: &str, body: serde_json::Value| call(&webview, cmd, body);
    let before = call("desktop_settings", serde_json::json!({})).expect("settings");
    assert_eq!(before["do_not_disturb"], false);
    assert_eq!(before["start_at_login"], false);
    assert!(
        before["secrets"].as_str().is_some_and(|s| !s.is_empty()),
        "{before:#}"
    );
    let on = call("set_do_not_disturb", serde_json::json!({"on": true})).expect("dnd");
    assert_eq!(on["do_not_disturb"], true);
    let saved = App::new(Home::new(tmp.path().join(".agent")), ProbeEnv::default()).desktop_prefs();
    assert!(
        saved.do_not_disturb,
        "kept in desktop.json for the next start"
    );
    // No autostart entry can be written here (no home folder given): a
    // clear error, nothing changed.
    let err = call("set_start_at_login", serde_json::json!({"on": true})).expect_err("refused");
    assert!(format!("{err:?}").contains("not available"), "{err:?}");
    assert_eq!(
        call("tray_state", serde_json::json!({})).expect("tray"),
        serde_json::Value::Null,
        "nothing drawn without a tray"
    );
    assert!(
        get_ipc_response(
            &webview,
            request("desktop_settings", "https://evil.example")
        )
        .is_err()
    );
}
