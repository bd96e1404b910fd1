//! `#[tauri::command]`s: thin bindings over `uas_api::App`.

use crate::DesktopState;
use uas_api::{
    AgentSelection, ApiError, App, DoctorReport, ErrorDto, InitReport, SetupOptions, SetupReport,
    StatusReport,
};

/// Runs a facade call on the blocking pool: the facade is synchronous
/// (files, SQLite), and the async runtime's threads must not wait on it.
async fn blocking<T: Send + 'static>(
    state: &DesktopState,
    call: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ErrorDto> {
    let app = state.app.clone();
    tauri::async_runtime::spawn_blocking(move || call(&app).map_err(|e| e.to_dto()))
        .await
        .map_err(|e| ErrorDto {
            code: "internal".into(),
            message: format!("the call did not finish: {e}"),
        })?
}

/// The doctor report (read-only).
#[tauri::command]
pub(crate) async fn doctor(
    state: tauri::State<'_, DesktopState>,
) -> Result<DoctorReport, ErrorDto> {
    blocking(&state, |app| Ok(app.doctor())).await
}

/// Creates the home (same as `uas init`).
#[tauri::command]
pub(crate) async fn init(state: tauri::State<'_, DesktopState>) -> Result<InitReport, ErrorDto> {
    blocking(&state, App::init).await
}

/// Per-agent status: detected, set up, drift (same as `uas status`).
#[tauri::command]
pub(crate) async fn status(
    state: tauri::State<'_, DesktopState>,
) -> Result<StatusReport, ErrorDto> {
    blocking(&state, App::status).await
}

/// One-click setup of every detected agent (same as `uas setup --yes`);
/// with `dry_run` only the plan is returned.
#[tauri::command]
pub(crate) async fn setup_agents(
    state: tauri::State<'_, DesktopState>,
    dry_run: bool,
) -> Result<SetupReport, ErrorDto> {
    let opts = SetupOptions {
        agents: AgentSelection::Detected,
        dry_run,
        project: None,
        partial: false,
        failpoints: uas_api::ApplyFailpoints::default(),
    };
    blocking(&state, move |app| app.setup(&opts)).await
}
