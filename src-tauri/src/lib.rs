//! The desktop shell: a window with the ui, a tray icon that shows state,
//! notifications for violations and approval requests, launch at login,
//! one instance per user. The app is also the home's long-running service
//! unless a `uas serve` already is (one owner of `serve.lock`). Every
//! command is a few lines over [`uas_api::App`]; no logic lives here.

mod actions;
mod alerts;
mod autostart;
mod commands;
mod follow;
mod tray;

use std::sync::{Mutex, OnceLock};
use tauri::{Manager, Runtime};
use uas_api::App;

/// State shared by all commands, the tray and the follower.
pub struct DesktopState {
    app: App,
    /// The live stream's generation: a new `live_since` ends the old one.
    live: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Violations, the flood limit, notified requests.
    book: Mutex<follow::AlertBook>,
    /// What was last drawn, with the two checkboxes (start at login, do
    /// not disturb).
    drawn: Mutex<Option<(uas_api::TraySnapshot, (bool, bool))>>,
    /// Launch at login (none without a home folder).
    autostart: Option<autostart::Autostart>,
    /// Notifications (set once the app runs).
    notifier: OnceLock<alerts::Notifier>,
    /// Who runs the long-running duties, in words.
    duties: Mutex<String>,
    /// `serve.lock`, held while this app runs the duties.
    owner: Mutex<Option<uas_core::service::ServiceLock>>,
}

impl DesktopState {
    /// State over an existing facade (tests pass a temporary home here);
    /// `autostart` decides where launch at login writes.
    pub fn new(app: App, autostart: Option<autostart::Autostart>) -> Self {
        Self {
            app,
            live: Default::default(),
            book: Default::default(),
            drawn: Default::default(),
            autostart,
            notifier: OnceLock::new(),
            duties: Mutex::new("not started".into()),
            owner: Mutex::new(None),
        }
    }

    /// The facade built from the real environment (`UAS_HOME`, `HOME`, `PATH`).
    /// Agent hooks run the `uas` CLI installed beside this binary, else from PATH.
    pub fn from_env() -> Result<Self, uas_api::ApiError> {
        let exe = std::env::current_exe().ok();
        let uas_bin = exe
            .as_ref()
            .and_then(|exe| exe.parent().map(|d| d.join("uas")))
            .filter(|p| p.is_file())
            .map_or_else(|| "uas".to_owned(), |p| p.display().to_string());
        let autostart = match (exe, std::env::var_os("HOME")) {
            (Some(exe), Some(home)) => autostart::Autostart::new(&exe, home.as_ref())
                .map_err(|e| tracing::warn!("{e}"))
                .ok(),
            _ => None,
        };
        Ok(Self::new(App::from_process_env(None, uas_bin)?, autostart))
    }

    /// Takes `serve.lock` and starts the duties, unless a `uas serve` (or
    /// another app) holds it: then that one runs them. Called at start and
    /// again once a new home is set up.
    pub fn take_duties(&self) {
        let Ok(mut owner) = self.owner.lock() else {
            return;
        };
        if owner.is_some() {
            return;
        }
        let lock = self.app.home().service_lock_file();
        let said = if lock.parent().is_some_and(|d| !d.is_dir()) {
            "nobody yet: the home is not set up (run Setup)".to_owned()
        } else {
            match uas_core::service::ServiceLock::acquire(&lock) {
                Ok(Some(mut held)) => {
                    let _ = held.describe(&format!("uas-desktop pid {}\n", std::process::id()));
                    uas_server::start_duties(&self.app);
                    *owner = Some(held);
                    "this app (spool import, checkpoints, webhooks, approvals)".to_owned()
                }
                Ok(None) => {
                    let who = self
                        .app
                        .duties_owner()
                        .unwrap_or_else(|| "another process".into());
                    tracing::info!("{who} runs this home's duties; the app only shows them");
                    format!("{who} (the app leaves the duties to it)")
                }
                Err(e) => {
                    tracing::warn!("cannot use {}: {e}", lock.display());
                    format!("nobody: {} cannot be used ({e})", lock.display())
                }
            }
        };
        if let Ok(mut d) = self.duties.lock() {
            *d = said;
        }
    }
}

/// The window's label (its settings are in tauri.conf.json).
const MAIN: &str = "main";

/// Shows and focuses the window, at `route` (`#/monitor/12`) when given.
/// Looking at the window acknowledges the violations so far.
pub fn show_window<R: Runtime>(app: &tauri::AppHandle<R>, route: Option<&str>) {
    match main_window(app, route) {
        Ok(window) => {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        Err(e) => tracing::error!("cannot open the window: {e}"),
    }
    acknowledge(app);
}

/// The window, created when first needed and destroyed when closed: in
/// the tray the app runs without a webview (WebKit's processes are most of
/// its memory).
fn main_window<R: Runtime>(
    app: &tauri::AppHandle<R>,
    route: Option<&str>,
) -> tauri::Result<tauri::WebviewWindow<R>> {
    let hash = route.map(|r| serde_json::Value::from(r).to_string());
    if let Some(window) = app.get_webview_window(MAIN) {
        if let Some(hash) = hash {
            let _ = window.eval(format!("location.hash = {hash}"));
        }
        return Ok(window);
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .unwrap_or_default();
    let mut builder = tauri::WebviewWindowBuilder::from_config(app, &config)?;
    if let Some(hash) = hash {
        // Before the ui's scripts read the route.
        builder =
            builder.initialization_script(format!("if (!location.hash) location.hash = {hash};"));
    }
    builder.build()
}

fn acknowledge<R: Runtime>(app: &tauri::AppHandle<R>) {
    // Everything in the log when the person looked counts as seen, also
    // records the follower has not reached yet (off the main thread: it
    // reads the store).
    let handle = app.clone();
    std::thread::spawn(move || {
        let state = handle.state::<DesktopState>();
        let head = state.app.audit_head().unwrap_or(0);
        let changed = state.book.lock().is_ok_and(|mut b| {
            let had = b.unseen > 0;
            b.acknowledge(head);
            had
        });
        if changed {
            actions::redraw(&handle);
        }
    });
}

/// Saves the window's place and leaves.
pub fn quit<R: Runtime>(app: &tauri::AppHandle<R>) {
    use tauri_plugin_window_state::{AppHandleExt, StateFlags};
    let _ = app.save_window_state(StateFlags::all());
    app.exit(0);
}

/// Adds our state and commands to a builder (the real one or a mock).
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, state: DesktopState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::doctor,
            commands::init,
            commands::status,
            commands::setup_agents,
            commands::health,
            commands::generations,
            commands::installed_skills,
            commands::sop,
            commands::sop_sessions,
            commands::coord_sessions,
            commands::leases,
            commands::locks,
            commands::audit_verify,
            commands::approvals,
            commands::plan,
            commands::apply,
            commands::repair,
            commands::uninstall,
            commands::rollback,
            commands::market,
            commands::skill,
            commands::skill_install,
            commands::skill_update,
            commands::skill_rollback,
            commands::skill_remove,
            commands::set_mode,
            commands::audit,
            commands::answer_approval,
            commands::live_since,
            commands::desktop_settings,
            commands::set_start_at_login,
            commands::set_do_not_disturb,
            commands::tray_state
        ])
}

/// Starts the desktop app; returns when the user quits. `--hidden`
/// (what launch at login passes) starts in the tray without the window.
pub fn run() {
    use tauri_plugin_window_state::StateFlags;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let hidden = std::env::args().any(|a| a == autostart::HIDDEN);
    let builder = tauri::Builder::default()
        // First: a second launch hands over to this one and exits, before
        // it takes any lock or shows anything.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_window(app, None);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
                .build(),
        );
    let state = match DesktopState::from_env() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            std::process::exit(1);
        }
    };
    // The app answers approvals and pauses enforcement: an agent that
    // started it could do both for itself.
    if let Err(e) = state.app.refuse_under_agent("uas-desktop") {
        tracing::error!("{e}");
        std::process::exit(2);
    }
    let result = configure(builder, {
        state.take_duties();
        state
    })
    .setup(move |app| {
        tray::install(app.handle())?;
        let handle = app.handle().clone();
        let notifier = alerts::Notifier::start(move |click| actions::clicked(&handle, click));
        let _ = app.state::<DesktopState>().notifier.set(notifier);
        follow::start(app.handle().clone());
        if !hidden {
            show_window(app.handle(), None);
        }
        Ok(())
    })
    .on_window_event(|window, event| match event {
        // Closing the window keeps the app in the tray (see `run` below).
        tauri::WindowEvent::CloseRequested { .. } => {
            use tauri_plugin_window_state::{AppHandleExt, StateFlags};
            let _ = window.app_handle().save_window_state(StateFlags::all());
        }
        tauri::WindowEvent::Focused(true) => acknowledge(window.app_handle()),
        _ => {}
    })
    .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|_, event| {
            // The last window closed: stay in the tray. Quit passes a code.
            if let tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } = event
            {
                api.prevent_exit();
            }
        }),
        Err(e) => {
            tracing::error!("desktop app failed: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests;
