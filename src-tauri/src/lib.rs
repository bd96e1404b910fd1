//! The desktop shell: a window with the ui and a tray icon. Every command is
//! a few lines over [`uas_api::App`]; no logic lives here.

mod commands;
mod tray;

use tauri::{Manager, Runtime};
use uas_api::App;

/// State shared by all commands: the facade.
pub struct DesktopState {
    app: App,
    /// The live stream's generation: a new `live_since` ends the old one.
    live: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl DesktopState {
    /// State over an existing facade (tests pass a temporary home here).
    pub fn new(app: App) -> Self {
        Self {
            app,
            live: Default::default(),
        }
    }

    /// The facade built from the real environment (`UAS_HOME`, `HOME`, `PATH`).
    /// Agent hooks run the `uas` CLI installed beside this binary, else from PATH.
    pub fn from_env() -> Result<Self, uas_api::ApiError> {
        let uas_bin = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join("uas")))
            .filter(|p| p.is_file())
            .map_or_else(|| "uas".to_owned(), |p| p.display().to_string());
        Ok(Self::new(App::from_process_env(None, uas_bin)?))
    }
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
            commands::live_since
        ])
}

/// Starts the desktop app; returns when the user quits.
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let state = match DesktopState::from_env() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            std::process::exit(1);
        }
    };
    let result = configure(tauri::Builder::default(), state)
        .setup(|app| {
            tray::install(app.handle())?;
            if let Some(window) = app.get_webview_window("main") {
                window.show()?;
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!("desktop app failed: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
